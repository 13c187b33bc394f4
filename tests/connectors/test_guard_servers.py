"""The read-only guard stops the audit's bypasses before they reach PostgreSQL and MariaDB.

Each statement is refused by the guard (the error carries the guard's ``reason``, not the
server's SQLSTATE or error code) by a connector that has not connected yet, which proves the
statement was never sent, and by an open one; afterwards the server shows no effect (rows,
sequences, locks, tables, settings). A contrast test shows why the guard matters: a lock
function sent past it works on the server even inside a read-only transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.connectors.sources import EXPECTED_COUNTS, SourceCase, make_source

from dataready.connectors import Connector, get_connector_class
from dataready.errors import ReadOnlyViolation
from dataready.settings import SourceSettings

_KEY = 7_000_000 + uuid.uuid4().int % 1_000_000  # this run's advisory-lock key / lock name
_LOCK = f"dr_guard_{_KEY}"

BYPASSES = {
    "postgres": [
        "WITH d AS (DELETE FROM parent RETURNING 1) SELECT count(*) FROM d",
        "EXPLAIN ANALYZE DELETE FROM parent",
        "EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM parent",
        "SELECT * INTO copy_of_parent FROM parent",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT nextval('s')",
        "SELECT setval('s', 100)",
        f"SELECT pg_advisory_lock({_KEY})",
        f"SELECT pg_catalog.pg_try_advisory_lock /* spaced */ ({_KEY})",
        "SELECT 1; DELETE FROM parent",
        "SELECT name FROM parent FOR UPDATE",
        "SELECT pg_notify('dr_guard', 'x')",
    ],
    "mysql": [
        "SELECT 1; DELETE FROM parent",
        "EXPLAIN ANALYZE DELETE FROM parent",
        "ANALYZE DELETE FROM parent",
        "SELECT * FROM parent INTO OUTFILE '/tmp/dr_guard_outfile'",
        "SELECT 1 INTO @dr_guard",
        "SELECT @dr_guard := 1",
        f"SELECT GET_LOCK('{_LOCK}', 0)",
        f"SELECT get_lock /* spaced */ ('{_LOCK}', 0)",
        f"SELECT 1 /*!, GET_LOCK('{_LOCK}', 0) */",
        f"SELECT /*+ SET_VAR(max_statement_time = 0) */ GET_LOCK('{_LOCK}', 0)",
        "SELECT NEXTVAL(s)",
        "SELECT NEXT VALUE FOR s",
        "SELECT name FROM parent FOR UPDATE",
        "SELECT name FROM parent LOCK IN SHARE MODE",
        "SELECT LOAD_FILE('/etc/passwd')",
    ],
}


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SourceCase]:
    for case in make_source(request.param, tmp_path):
        case.run("CREATE SEQUENCE s")
        yield case


def _connector(source: SourceCase) -> Connector:
    """A connector that has not connected: every statement it sends opens the connection."""
    cls = get_connector_class(source.config.type)
    return cls(source.config, SourceSettings(statement_timeout_seconds=10))


def _qualify(source: SourceCase, sql: str) -> str:
    # MariaDB sessions have no default database: name the conformance database.
    if source.engine != "mysql":
        return sql
    db = source.q(source.schema)
    for name in ("parent", "s"):
        sql = sql.replace(f" {name}", f" {db}.{name}").replace(f"({name})", f"({db}.{name})")
    return sql


def _sequence_state(source: SourceCase) -> tuple[object, ...]:
    if source.engine == "postgres":
        return source.run("SELECT last_value, is_called FROM s")[0]
    return source.run(f"SELECT next_not_cached_value FROM {source.q(source.schema)}.s")[0]


def _lock_held(source: SourceCase) -> bool:
    if source.engine == "postgres":
        rows = source.run(
            f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {_KEY}"
        )
        return bool(rows[0][0])
    return source.run(f"SELECT IS_USED_LOCK('{_LOCK}')")[0][0] is not None


def _assert_refused_by_the_guard(connector: Connector, sql: str, *, stream: bool) -> None:
    with pytest.raises(ReadOnlyViolation, match="read-only") as info:
        if stream:
            list(connector.stream(sql))
        else:
            connector.execute(sql)
    details = info.value.details
    assert "reason" in details, f"refused by the server, not the guard: {info.value}"
    assert "sqlstate" not in details and "error_code" not in details


def test_bypasses_never_reach_the_server(source: SourceCase) -> None:
    before = _sequence_state(source)
    statements = [_qualify(source, sql) for sql in BYPASSES[source.engine]]
    for sql in statements:
        for stream in (False, True):
            idle = _connector(source)
            _assert_refused_by_the_guard(idle, sql, stream=stream)
            assert not idle.is_open, f"{sql!r} opened a connection"
    with _connector(source) as connector:
        connector.open()
        for sql in statements:
            _assert_refused_by_the_guard(connector, sql, stream=False)
            _assert_refused_by_the_guard(connector, sql, stream=True)
        # The session is as the connector left it: read-only, and usable.
        if source.engine == "postgres":
            setting = "SELECT current_setting('default_transaction_read_only')"
            assert connector.execute(setting).rows == [("on",)]
        else:
            assert connector.execute("SELECT @dr_guard").rows == [(None,)]
        assert connector.execute("SELECT 1").rows == [(1,)]
    assert source.counts() == EXPECTED_COUNTS
    assert _sequence_state(source) == before
    assert not _lock_held(source)
    if source.engine == "postgres":
        assert source.run("SELECT to_regclass('copy_of_parent')") == [(None,)]


def test_a_lock_function_past_the_guard_works_on_the_server(source: SourceCase) -> None:
    """Why the function deny-list matters: read-only sessions do not stop these."""
    sql = (
        f"SELECT pg_advisory_lock({_KEY})"
        if source.engine == "postgres"
        else (f"SELECT GET_LOCK('{_LOCK}', 0)")
    )
    connector = _connector(source)
    try:
        connector._fetch(sql, None, max_rows=1)  # the trusted path, which skips the guard
        assert _lock_held(source)
    finally:
        connector.close()
    assert not _lock_held(source)  # released with the session
