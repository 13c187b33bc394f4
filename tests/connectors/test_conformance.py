"""One conformance suite for every built-in connector (SQLite, DuckDB, PostgreSQL, MariaDB).

Each test gets a freshly loaded source (see ``conftest.py``) and reads it through the
connector only; capability flags decide which engine-specific expectations apply.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from tests.connectors.sources import (
    EXPECTED_COUNTS,
    HOSTILE_COLUMN_2,
    HOSTILE_COLUMNS,
    HOSTILE_TABLE,
    HOSTILE_TABLE_2,
    SourceCase,
)

from dataready.connectors import Connector, TableKind, connect
from dataready.errors import NotFound, QueryFailed, QueryTimeout, ReadOnlyViolation
from dataready.settings import SourceSettings
from dataready.sql.types import TypeFamily

NAMED_CONSTRAINTS = {"postgres", "mysql"}  # engines that keep constraint names we gave

# Statements that try to lift the read-only protection of a session, per engine.
_UNLOCK = {
    "postgres": [
        "SET default_transaction_read_only = off",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
    ],
    "mysql": ["SET SESSION TRANSACTION READ WRITE", "COMMIT"],
    "sqlite": ["PRAGMA query_only = OFF"],
    "duckdb": ["SET access_mode = 'READ_WRITE'"],
}
_SLOW = {
    "postgres": "SELECT pg_sleep(5)",
    "mysql": "SELECT SLEEP(5)",
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    ),
    "duckdb": "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range < b.range",
}


@pytest.fixture
def conn(source: SourceCase) -> Iterator[Connector]:
    with connect(source.config, SourceSettings(statement_timeout_seconds=10)) as connector:
        yield connector


def _by_name(items: list, name: str):  # type: ignore[no-untyped-def, type-arg]
    found = [i for i in items if i.name == name]
    assert found, f"{name!r} not in {[i.name for i in items]}"
    return found[0]


def test_lists_databases_and_schemas(source: SourceCase, conn: Connector) -> None:
    assert source.database in conn.list_databases()
    assert source.schema in conn.list_schemas(source.database)


def test_lists_tables_and_views(source: SourceCase, conn: Connector) -> None:
    tables = conn.list_tables(source.database, source.schema)
    names = {t.name for t in tables}
    assert {"parent", "child", "y", "parent_names", HOSTILE_TABLE, HOSTILE_TABLE_2} <= names
    assert _by_name(tables, "parent").kind is TableKind.TABLE
    assert _by_name(tables, "parent_names").kind is TableKind.VIEW
    parent = _by_name(tables, "parent")
    assert parent.schema == source.schema
    if conn.supports_comments:
        assert parent.comment == "Parent rows"
    if conn.supports_row_estimate:
        assert parent.row_estimate is not None and parent.row_estimate >= 1
    if conn.supports_size:
        assert parent.size_bytes is not None and parent.size_bytes > 0


def test_columns_types_and_nullability(source: SourceCase, conn: Connector) -> None:
    columns = conn.get_columns(source.database, source.schema, "parent")
    assert [c.name for c in columns] == [
        "region", "code", "name", "email", "price", "score", "active", "created_at", "born"
    ]  # fmt: skip
    assert [c.ordinal_position for c in columns] == list(range(1, 10))
    families = {c.name: c.type_family for c in columns}
    assert families == {
        "region": TypeFamily.STRING,
        "code": TypeFamily.INTEGER,
        "name": TypeFamily.STRING,
        "email": TypeFamily.STRING,
        "price": TypeFamily.DECIMAL,
        "score": TypeFamily.FLOAT,
        "active": TypeFamily.BOOLEAN,
        "created_at": TypeFamily.TIMESTAMP,
        "born": TypeFamily.DATE,
    }
    by_name = {c.name: c for c in columns}
    assert not by_name["region"].nullable and not by_name["name"].nullable
    assert by_name["email"].nullable
    assert by_name["price"].default is not None and "0" in by_name["price"].default
    assert by_name["email"].default is None
    assert all(c.declared_type for c in columns)
    if conn.supports_comments:
        assert by_name["name"].comment == "Display name"
        assert by_name["email"].comment is None


def test_view_columns(source: SourceCase, conn: Connector) -> None:
    columns = conn.get_columns(source.database, source.schema, "parent_names")
    assert [c.name for c in columns] == ["region", "code", "name"]


def test_missing_table_is_not_found(source: SourceCase, conn: Connector) -> None:
    with pytest.raises(NotFound, match="no_such_table"):
        conn.get_columns(source.database, source.schema, "no_such_table")


def test_primary_keys(source: SourceCase, conn: Connector) -> None:
    pk = conn.get_primary_key(source.database, source.schema, "parent")
    assert pk is not None and pk.columns == ("region", "code")
    child_pk = conn.get_primary_key(source.database, source.schema, "child")
    assert child_pk is not None and child_pk.columns == ("id",)
    assert conn.get_primary_key(source.database, source.schema, "y") is None


def test_composite_foreign_key(source: SourceCase, conn: Connector) -> None:
    fks = conn.get_foreign_keys(source.database, source.schema, "child")
    assert len(fks) == 1
    fk = fks[0]
    assert fk.columns == ("parent_region", "parent_code")
    assert fk.referred_table == "parent"
    assert fk.referred_columns == ("region", "code")
    assert fk.referred_schema == source.schema
    if source.engine in NAMED_CONSTRAINTS:
        assert fk.name == "fk_child_parent"
    assert conn.get_foreign_keys(source.database, source.schema, "parent") == []


def test_unique_constraints(source: SourceCase, conn: Connector) -> None:
    uniques = conn.get_unique_constraints(source.database, source.schema, "parent")
    assert [u.columns for u in uniques] == [("email",)]
    if source.engine in NAMED_CONSTRAINTS:
        assert uniques[0].name == "uq_parent_email"


def test_indexes(source: SourceCase, conn: Connector) -> None:
    indexes = conn.get_indexes(source.database, source.schema, "child")
    index = _by_name(indexes, "ix_child_note")
    assert index.columns == ("parent_code", "note")
    assert not index.unique and not index.primary


def test_sample_is_bounded(source: SourceCase, conn: Connector) -> None:
    sample = conn.sample_rows(source.database, source.schema, "child", limit=3)
    assert len(sample.rows) == 3
    assert sample.columns == ("id", "parent_region", "parent_code", "note")
    picked = conn.sample_rows(source.database, source.schema, "parent", ["name", "code"], limit=10)
    assert picked.columns == ("name", "code")
    assert len(picked.rows) == 5 and not picked.truncated


def test_sample_defaults_to_settings(source: SourceCase) -> None:
    with connect(source.config, SourceSettings(sample_rows=4)) as connector:
        sample = connector.sample_rows(source.database, source.schema, "child")
    assert len(sample.rows) == 4


def test_execute_truncates_at_max_rows(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, "child")
    result = conn.execute(f"SELECT id FROM {table} ORDER BY id", max_rows=3)
    assert [r[0] for r in result.rows] == [1, 2, 3]
    assert result.truncated
    # the connector stays usable after leaving rows on the server
    again = conn.execute(f"SELECT COUNT(*) AS n FROM {table}")
    assert again.rows == [(10,)] and not again.truncated
    assert again.as_dicts() == [{"n": 10}]


def test_execute_binds_parameters(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, "parent")
    placeholder = "%s" if conn.paramstyle == "pyformat" else "?"
    result = conn.execute(f"SELECT name FROM {table} WHERE region = {placeholder}", ["us"])
    assert sorted(r[0] for r in result.rows) == ["Carol", "Dan"]


def test_hostile_names_are_introspected_and_sampled(source: SourceCase, conn: Connector) -> None:
    columns = conn.get_columns(source.database, source.schema, HOSTILE_TABLE)
    assert tuple(c.name for c in columns) == HOSTILE_COLUMNS
    sample = conn.sample_rows(source.database, source.schema, HOSTILE_TABLE, limit=10)
    assert sample.columns == HOSTILE_COLUMNS
    assert len(sample.rows) == 3
    row = next(r for r in sample.rows if r[0] == 1)
    assert row[1:] == ("a.b", "c d", "ü", "it's", "x`y")
    picked = conn.sample_rows(
        source.database, source.schema, HOSTILE_TABLE, ["spa ce", 'we"ird'], limit=1
    )
    assert picked.columns == ("spa ce", 'we"ird')
    second = conn.sample_rows(source.database, source.schema, HOSTILE_TABLE_2)
    assert second.columns == (HOSTILE_COLUMN_2,) and len(second.rows) == 2
    assert conn.get_columns(source.database, source.schema, HOSTILE_TABLE_2)[0].name == 'a"b'
    conn.close()
    assert source.counts() == EXPECTED_COUNTS  # y and everything else untouched


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM {parent}",
        "UPDATE {parent} SET name = 'x'",
        "INSERT INTO {y} VALUES (3)",
        "DROP TABLE {y}",
        "CREATE TABLE {schema}zz (a INTEGER)",
        "  /* hide */ DELETE FROM {parent}",
    ],
)
def test_writes_through_execute_are_refused(
    source: SourceCase, conn: Connector, statement: str
) -> None:
    sql = statement.format(
        parent=conn.qualified_name(source.database, source.schema, "parent"),
        y=conn.qualified_name(source.database, source.schema, "y"),
        schema=f"{conn.quote(source.schema)}." if source.engine == "mysql" else "",
    )
    with pytest.raises(ReadOnlyViolation, match="read-only"):
        conn.execute(sql)
    conn.close()
    assert source.counts() == EXPECTED_COUNTS


def test_several_statements_are_refused(source: SourceCase, conn: Connector) -> None:
    y = conn.qualified_name(source.database, source.schema, "y")
    with pytest.raises(QueryFailed, match="statement"):
        conn.execute(f"SELECT 1; DROP TABLE {y}")
    conn.close()
    assert source.counts() == EXPECTED_COUNTS


def test_session_is_read_only_past_the_guard(source: SourceCase, conn: Connector) -> None:
    """The server-side protection holds even for SQL that skips the statement guard."""
    parent = conn.qualified_name(source.database, source.schema, "parent")
    for unlock in _UNLOCK[source.engine]:
        with contextlib.suppress(QueryFailed):  # refusing to unlock is fine too
            conn._fetch(unlock, None, max_rows=1)
    with pytest.raises(ReadOnlyViolation):
        conn._fetch(f"DELETE FROM {parent}", None, max_rows=1)
    if source.engine in ("postgres", "sqlite"):
        sneaky = (
            f"WITH d AS (DELETE FROM {parent} RETURNING 1) SELECT count(*) FROM d"
            if source.engine == "postgres"
            else f"WITH c AS (SELECT 1) DELETE FROM {parent}"
        )
        with pytest.raises(ReadOnlyViolation):
            conn.execute(sneaky)
    conn.close()
    assert source.counts() == EXPECTED_COUNTS


def test_statement_timeout(source: SourceCase) -> None:
    settings = SourceSettings(statement_timeout_seconds=0.5, connect_timeout_seconds=5)
    with connect(source.config, settings) as connector:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="statement timeout") as info:
            connector.execute(_SLOW[source.engine])
        elapsed = time.monotonic() - started
        assert elapsed < 4, f"timeout took {elapsed:.1f}s"
        assert info.value.code == "QUERY_TIMEOUT"
        connector.ping()  # usable afterwards
        assert connector.execute("SELECT 1").rows == [(1,)]


def test_verify_reports_what_it_sees(source: SourceCase) -> None:
    with connect(source.config, SourceSettings()) as connector:
        result = connector.verify()
    assert result.type == source.config.type
    assert result.server_version
    assert result.databases is not None and result.databases >= 1
    assert result.schemas is not None and result.schemas >= 1
    assert result.read_only
