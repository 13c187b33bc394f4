"""The generic SQLAlchemy connector: SQL compilation per dialect (offline) and the inspector.

Warehouse drivers are optional: quoting and sample statements are checked with the dialects
SQLAlchemy ships (they compile without a driver), the inspector path runs on a SQLite file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dataready.connectors import SQLAlchemyConfig, TableKind, connect
from dataready.connectors.sqlalchemy_gateway import load_dialect
from dataready.connectors.sqlalchemy_generic import SQLAlchemyConnector
from dataready.errors import MissingExtra, ReadOnlyViolation
from dataready.sql.types import TypeFamily

HOSTILE = 'x"; DROP TABLE y; --'


@pytest.mark.parametrize(
    ("url", "quoted", "sample"),
    [
        (
            "postgresql+psycopg://u@h/db",
            '"x""; DROP TABLE y; --"',
            'SELECT "a b", "we""ird" \nFROM "s.1"."x""; DROP TABLE y; --" \n LIMIT 7',
        ),
        (
            "mysql+pymysql://u@h/db",
            '`x"; DROP TABLE y; --`',
            'SELECT `a b`, `we"ird` \nFROM `s.1`.`x"; DROP TABLE y; --` \n LIMIT 7',
        ),
        (
            "mssql+pyodbc://u@dsn",
            '[x"; DROP TABLE y; --]',
            'SELECT TOP 7 [a b], [we"ird] \nFROM [s.1].[x"; DROP TABLE y; --]',
        ),
        (
            "oracle+oracledb://u@h/db",
            '"x""; DROP TABLE y; --"',
            'SELECT "a b", "we""ird" \nFROM "s.1"."x""; DROP TABLE y; --" \n'
            "FETCH FIRST 7 ROWS ONLY",
        ),
    ],
)
def test_quoting_and_sample_compile_per_dialect(url: str, quoted: str, sample: str) -> None:
    connector = SQLAlchemyConnector(SQLAlchemyConfig(url=url))
    assert connector.quote(HOSTILE) == quoted
    compiled = connector.sample_sql("db", "s.1", HOSTILE, ["a b", 'we"ird'], 7)
    assert " ".join(compiled.split()) == " ".join(sample.split())


def test_missing_dialect_package_names_the_extra() -> None:
    from sqlalchemy.engine import make_url

    with pytest.raises(MissingExtra, match=r"dataready\[snowflake\]"):
        load_dialect(make_url("snowflake://u@acct/db"))
    connector = SQLAlchemyConnector(SQLAlchemyConfig(url="snowflake://u:pw@acct/db"))
    with pytest.raises(MissingExtra, match="snowflake-sqlalchemy"):
        connector.open()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE p (a INTEGER, b TEXT NOT NULL, PRIMARY KEY (a, b));
        CREATE TABLE c (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, u VARCHAR(5),
                        CONSTRAINT uq_c UNIQUE (u), FOREIGN KEY (pa, pb) REFERENCES p (a, b));
        CREATE INDEX ix_c ON c (pb);
        CREATE VIEW v AS SELECT a FROM p;
        INSERT INTO p VALUES (1, 'x'), (2, 'y'), (3, 'z');
        """
    )
    conn.commit()
    conn.close()
    return path


def test_inspector_path_on_sqlite(sqlite_file: Path) -> None:
    config = SQLAlchemyConfig(url=f"sqlite:///{sqlite_file}")
    with connect(config) as src:
        assert src.list_databases() == [src.default_database]
        assert "main" in src.list_schemas(src.default_database)
        tables = {t.name: t.kind for t in src.list_tables("db", "main")}
        assert tables == {"p": TableKind.TABLE, "c": TableKind.TABLE, "v": TableKind.VIEW}
        columns = src.get_columns("db", "main", "p")
        assert [(c.name, c.type_family, c.nullable) for c in columns] == [
            ("a", TypeFamily.INTEGER, False),
            ("b", TypeFamily.STRING, False),
        ]
        pk = src.get_primary_key("db", "main", "p")
        assert pk is not None and pk.columns == ("a", "b")
        (fk,) = src.get_foreign_keys("db", "main", "c")
        assert fk.columns == ("pa", "pb") and fk.referred_columns == ("a", "b")
        assert [u.columns for u in src.get_unique_constraints("db", "main", "c")] == [("u",)]
        assert [i.name for i in src.get_indexes("db", "main", "c")] == ["ix_c"]
        sample = src.sample_rows("db", "main", "p", limit=2)
        assert len(sample.rows) == 2 and sample.columns == ("a", "b")
        result = src.execute("SELECT a FROM p ORDER BY a", max_rows=2)
        assert result.rows == [(1,), (2,)] and result.truncated
        with pytest.raises(ReadOnlyViolation):
            src.execute("DELETE FROM p")
        assert src.server_version()
    conn = sqlite3.connect(sqlite_file)
    assert conn.execute("SELECT count(*) FROM p").fetchone() == (3,)
    conn.close()
