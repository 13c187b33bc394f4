"""Conformance of ``Connector.stream`` on every engine: batches, row counts, memory, errors.

Memory is shown two ways: every batch holds at most ``batch_size`` rows, and the Python heap
while streaming a 200,000-row result stays far below what the whole result would take.
"""

from __future__ import annotations

import sqlite3
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.connectors.sources import HOSTILE_COLUMNS, HOSTILE_TABLE, SourceCase

from dataready.connectors import Connector, SQLAlchemyConfig, connect
from dataready.errors import QueryFailed, QueryTimeout, ReadOnlyViolation, ValidationFailed
from dataready.settings import SourceSettings


def _series(n: int, payload: bool = False) -> str:
    """A statement yielding ``n`` rows (1..n) that every engine runs.

    Two 1,000-row recursive CTEs cross-joined: MariaDB stops recursion at 1,000 steps.
    """
    extra = ", 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' AS pad" * payload
    return (
        "WITH RECURSIVE d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < 999) "
        f"SELECT a.x * 1000 + b.x + 1 AS x{extra} FROM d a, d b "
        f"WHERE a.x < {int(n) // 1000 + 1} AND a.x * 1000 + b.x < {int(n)}"
    )


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
    with connect(source.config, SourceSettings(statement_timeout_seconds=20)) as connector:
        yield connector


def test_stream_yields_every_row_in_bounded_batches(source: SourceCase, conn: Connector) -> None:
    batches = list(conn.stream(_series(25_003), batch_size=1000))
    sizes = [len(b) for b in batches]
    assert all(size == 1000 for size in sizes[:-1]) and 1 <= sizes[-1] <= 1000
    values = [row[0] for batch in batches for row in batch]
    assert sorted(values) == list(range(1, 25_004))


def test_stream_matches_execute_on_a_table(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, HOSTILE_TABLE)
    columns = ", ".join(conn.quote(c) for c in HOSTILE_COLUMNS)
    sql = f"SELECT {columns} FROM {table} ORDER BY 1"
    streamed = [row for batch in conn.stream(sql, batch_size=2) for row in batch]
    assert [tuple(r) for r in streamed] == [tuple(r) for r in conn.execute(sql).rows]
    assert len(streamed) == 3


def test_stream_binds_parameters(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, "parent")
    placeholder = "%s" if conn.paramstyle == "pyformat" else "?"
    sql = f"SELECT name FROM {table} WHERE region = {placeholder}"
    rows = [r for batch in conn.stream(sql, ["us"]) for r in batch]
    assert sorted(r[0] for r in rows) == ["Carol", "Dan"]


def test_empty_result_yields_no_batch(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, "parent")
    assert list(conn.stream(f"SELECT * FROM {table} WHERE 1 = 0")) == []


def test_closing_early_leaves_the_connector_usable(source: SourceCase, conn: Connector) -> None:
    stream = conn.stream(_series(50_000), batch_size=100)
    first = next(stream)
    assert len(first) == 100
    stream.close()
    for _ in range(2):  # a second early exit through break, then an ordinary call
        for batch in conn.stream(_series(50_000), batch_size=10):
            assert len(batch) == 10
            break
    table = conn.qualified_name(source.database, source.schema, "parent")
    assert conn.execute(f"SELECT COUNT(*) FROM {table}").rows[0][0] == 5


def test_memory_stays_bounded_by_the_batch(source: SourceCase, conn: Connector) -> None:
    tracemalloc.start()
    try:
        rows = 0
        baseline = tracemalloc.get_traced_memory()[0]
        for batch in conn.stream(_series(200_000, payload=True), batch_size=500):
            rows += len(batch)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert rows == 200_000
    # The whole result is ~25 MB of Python objects; one batch is ~60 kB.
    assert peak < 5_000_000, f"peak {peak / 1e6:.1f} MB while streaming"


def test_writes_are_refused_before_anything_is_sent(source: SourceCase, conn: Connector) -> None:
    table = conn.qualified_name(source.database, source.schema, "y")
    with pytest.raises(ReadOnlyViolation):
        conn.stream(f"DELETE FROM {table}")
    assert conn.execute(f"SELECT COUNT(*) FROM {table}").rows[0][0] == 2


def test_bad_batch_size_is_refused(conn: Connector) -> None:
    with pytest.raises(ValidationFailed):
        conn.stream("SELECT 1", batch_size=0)


def test_source_errors_are_translated(source: SourceCase, conn: Connector) -> None:
    with pytest.raises(QueryFailed):
        list(conn.stream("SELECT * FROM no_such_table_here"))
    assert conn.execute("SELECT 1").rows[0][0] == 1


def test_stream_is_under_the_statement_timeout(source: SourceCase) -> None:
    settings = SourceSettings(statement_timeout_seconds=0.5, connect_timeout_seconds=5)
    with connect(source.config, settings) as connector:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="statement timeout"):
            list(connector.stream(_SLOW[source.engine]))
        assert time.monotonic() - started < 4
        assert connector.execute("SELECT 1").rows[0][0] == 1


def test_generic_sqlalchemy_connector_streams(tmp_path: Path) -> None:
    path = tmp_path / "generic.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (x INTEGER)")
        raw.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2_500)])
    with connect(SQLAlchemyConfig(url=f"sqlite:///{path}")) as connector:
        batches = list(connector.stream("SELECT x FROM t ORDER BY x", batch_size=1000))
        assert [len(b) for b in batches] == [1000, 1000, 500]
        assert [r[0] for b in batches for r in b] == list(range(2_500))
        for batch in connector.stream("SELECT x FROM t", batch_size=7):
            assert len(batch) == 7
            break
        assert connector.execute("SELECT COUNT(*) FROM t").rows[0][0] == 2_500


def test_get_table_matches_list_tables(source: SourceCase, conn: Connector) -> None:
    listed = {t.name: t for t in conn.list_tables(source.database, source.schema)}
    for name in ("parent", HOSTILE_TABLE, "parent_names"):
        assert conn.get_table(source.database, source.schema, name) == listed[name]
    assert conn.get_table(source.database, source.schema, "no_such_table") is None
