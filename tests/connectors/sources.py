"""The conformance-suite sources: one freshly loaded source per engine and test.

Every ``source`` is a uniquely named database (PostgreSQL, MariaDB) or a temporary file
(SQLite, DuckDB) loaded through the driver directly with the same small schema: a composite
primary key, a composite foreign key, a unique constraint, an index, comments, a view and
two tables with hostile names. The connector under test only ever reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.services import mysql_params, pg_params, require_mysql, require_postgres

from dataready.connectors import (
    ConnectionConfig,
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLiteConfig,
)
from dataready.sql.quoting import quote_identifier

HOSTILE_TABLE = 'x"; DROP TABLE y; --'
HOSTILE_COLUMNS = ('we"ird', "with.dot", "spa ce", "ünï", "it's", "back`tick")
HOSTILE_TABLE_2 = "we`ird.tab le ünï'"
HOSTILE_COLUMN_2 = 'a"b'
ALL_TABLES = ("parent", "child", "y", HOSTILE_TABLE, HOSTILE_TABLE_2)
EXPECTED_COUNTS = {"parent": 5, "child": 10, "y": 2, HOSTILE_TABLE: 3, HOSTILE_TABLE_2: 2}

ENGINES = [
    "sqlite",
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]

_DIALECT = {"sqlite": "sqlite", "duckdb": "duckdb", "postgres": "postgresql", "mysql": "mysql"}
_FLOAT = {"sqlite": "REAL", "duckdb": "DOUBLE", "postgres": "DOUBLE PRECISION", "mysql": "DOUBLE"}
_TIMESTAMP = {"sqlite": "TIMESTAMP", "duckdb": "TIMESTAMP", "postgres": "TIMESTAMP"}


@dataclass
class SourceCase:
    """A loaded source: how to reach it through a connector and through the raw driver."""

    engine: str
    config: ConnectionConfig
    database: str
    schema: str
    run: Callable[[str], list[tuple[Any, ...]]]
    """Runs SQL through the driver directly, on a fresh writable connection."""

    def q(self, name: str) -> str:
        return quote_identifier(name, _DIALECT[self.engine])

    def counts(self) -> dict[str, int]:
        """Row count of every table loaded (through the driver, not the connector)."""
        prefix = f"{self.q(self.schema)}." if self.engine == "mysql" else ""
        return {t: self.run(f"SELECT COUNT(*) FROM {prefix}{self.q(t)}")[0][0] for t in ALL_TABLES}


def schema_sql(engine: str) -> list[str]:
    """DDL and data of the conformance schema for one engine."""

    def q(name: str) -> str:
        return quote_identifier(name, _DIALECT[engine])

    mysql = engine == "mysql"
    comment = {
        "table": " COMMENT 'Parent rows'" if mysql else "",
        "column": " COMMENT 'Display name'" if mysql else "",
    }
    hostile_columns = ", ".join(
        f"{q(c)} {'INTEGER' if i == 0 else 'VARCHAR(20)'}" for i, c in enumerate(HOSTILE_COLUMNS)
    )
    statements = [
        "CREATE TABLE parent ("
        " region VARCHAR(10) NOT NULL,"
        " code INTEGER NOT NULL,"
        f" name VARCHAR(100) NOT NULL{comment['column']},"
        " email VARCHAR(200),"
        " price DECIMAL(10,2) DEFAULT 0,"
        f" score {_FLOAT[engine]},"
        " active BOOLEAN,"
        f" created_at {_TIMESTAMP.get(engine, 'DATETIME')},"
        " born DATE,"
        " PRIMARY KEY (region, code),"
        " CONSTRAINT uq_parent_email UNIQUE (email)"
        f"){comment['table']}",
        "CREATE TABLE child ("
        " id INTEGER PRIMARY KEY,"
        " parent_region VARCHAR(10),"
        " parent_code INTEGER,"
        " note VARCHAR(50),"
        " CONSTRAINT fk_child_parent FOREIGN KEY (parent_region, parent_code)"
        " REFERENCES parent (region, code))",
        "CREATE INDEX ix_child_note ON child (parent_code, note)",
        "CREATE VIEW parent_names AS SELECT region, code, name FROM parent",
        "CREATE TABLE y (id INTEGER)",
        f"CREATE TABLE {q(HOSTILE_TABLE)} ({hostile_columns})",
        f"CREATE TABLE {q(HOSTILE_TABLE_2)} ({q(HOSTILE_COLUMN_2)} INTEGER)",
        "INSERT INTO parent VALUES"
        " ('eu', 1, 'Alice', 'alice@example.com', 10.50, 1.5, TRUE, '2024-01-01 10:00:00',"
        " '1990-01-01'),"
        " ('eu', 2, 'Bob', 'bob@example.com', 0, 2.5, FALSE, '2024-01-02 10:00:00', NULL),"
        " ('us', 1, 'Carol', NULL, 3.25, NULL, TRUE, NULL, '1985-05-05'),"
        " ('us', 2, 'Dan', 'dan@example.com', 7, 0.5, NULL, '2024-02-01 00:00:00', NULL),"
        " ('ap', 1, 'Eve', 'eve@example.com', 1, 9.0, FALSE, '2024-03-01 12:30:00',"
        " '2000-12-31')",
        "INSERT INTO child VALUES "
        + ", ".join(
            f"({i}, '{('eu', 'us', 'ap')[i % 3]}', {1 if i % 3 == 2 else 1 + i % 2}, 'note {i}')"
            for i in range(1, 11)
        ),
        "INSERT INTO y VALUES (1), (2)",
        f"INSERT INTO {q(HOSTILE_TABLE)} VALUES"
        " (1, 'a.b', 'c d', 'ü', 'it''s', 'x`y'), (2, NULL, NULL, NULL, NULL, NULL),"
        " (3, 'e', 'f', 'g', 'h', 'i')",
        f"INSERT INTO {q(HOSTILE_TABLE_2)} VALUES (1), (2)",
    ]
    if engine in ("postgres", "duckdb"):
        statements += [
            "COMMENT ON TABLE parent IS 'Parent rows'",
            "COMMENT ON COLUMN parent.name IS 'Display name'",
        ]
    if engine == "postgres":
        statements.append("ANALYZE")
    if mysql:
        statements.append("ANALYZE TABLE parent, child")
    return statements


def _sqlite_case(tmp_path: Path) -> SourceCase:
    import sqlite3

    path = tmp_path / "shop.db"

    def run(sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    for statement in schema_sql("sqlite"):
        run(statement)
    return SourceCase("sqlite", SQLiteConfig(path=str(path)), "shop", "main", run)


def _duckdb_case(tmp_path: Path) -> SourceCase:
    import duckdb

    path = tmp_path / "shop.duckdb"

    def run(sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path)) as conn:
            return conn.execute(sql).fetchall()

    for statement in schema_sql("duckdb"):
        run(statement)
    return SourceCase("duckdb", DuckDBConfig(path=str(path)), "shop", "main", run)


def _postgres_case() -> Iterator[SourceCase]:
    import psycopg

    require_postgres()
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def run(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(**pg_params(name), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    try:
        for statement in schema_sql("postgres"):
            run(statement)
        params = pg_params(name)
        config = PostgresConfig(
            host=params["host"], port=params["port"], user=params["user"], database=name
        )
        yield SourceCase("postgres", config, name, "public", run)
    finally:
        with psycopg.connect(**pg_params(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _mysql_case() -> Iterator[SourceCase]:
    import pymysql

    require_mysql()
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(**mysql_params())
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()

    def run(sql: str) -> list[tuple[Any, ...]]:
        conn = pymysql.connect(**mysql_params(name))
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            conn.close()

    try:
        for statement in schema_sql("mysql"):
            run(statement)
        params = mysql_params()
        config = MySQLConfig(
            host=params["host"], port=params["port"], user=params["user"], database=name
        )
        yield SourceCase("mysql", config, "default", name, run)
    finally:
        admin = pymysql.connect(**mysql_params())
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def make_source(engine: str, tmp_path: Path) -> Iterator[SourceCase]:
    """A freshly loaded source of each engine."""
    if engine == "sqlite":
        yield _sqlite_case(tmp_path)
    elif engine == "duckdb":
        yield _duckdb_case(tmp_path)
    elif engine == "postgres":
        yield from _postgres_case()
    else:
        yield from _mysql_case()
