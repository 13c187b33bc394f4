"""``Connector.cancel`` on every engine: a long statement stopped from another thread.

Each source gets a view whose statement runs for far longer than the test waits (SQLite and
DuckDB: a recursive CTE; PostgreSQL: ``pg_sleep``; MariaDB: ``SLEEP``), read through the view
so that the read-only guard sees a plain ``SELECT``. The statement timeout (30 s) is longer
than any wait, so a statement that ends early was stopped by the cancel, not by the timeout.
The thread running the statement must get ``RunCancelled`` (not a timeout or a result), the
server must drop the statement, and the connector must serve the next statement.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.connectors.process_list import ProcessList, seconds_until
from tests.connectors.sources import SourceCase, make_source

from dataready.connectors import Connector, SQLAlchemyConfig, connect
from dataready.connectors.sqlalchemy_generic import SQLAlchemyConnector
from dataready.errors import RunCancelled
from dataready.settings import SourceSettings

SERVER_ENGINES = [
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]
STATEMENT_TIMEOUT = 30.0
# Far below the statement's own length and its timeout: a join that needs longer means the
# cancel did not stop the statement.
GIVE_UP = 10.0

_SLOW_VIEW = {
    "sqlite": (
        "CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 4000000000) SELECT count(*) AS n FROM c"
    ),
    "duckdb": (
        "CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 4000000000) SELECT count(*) AS n FROM c"
    ),
    "postgres": "CREATE VIEW slow AS SELECT 1 AS n FROM pg_sleep(120)",
    "mysql": "CREATE VIEW slow AS SELECT SLEEP(120) AS n",
}
# Rows that each take a while: a stream's batch blocks in the middle of its fetch.
_SLOW_ROWS_VIEW = {
    "postgres": (
        "CREATE VIEW slow_rows AS SELECT g AS n FROM generate_series(1, 1000) g "
        "WHERE pg_sleep(0.2) IS NOT NULL"
    ),
    "mysql": "CREATE VIEW slow_rows AS SELECT seq AS n FROM seq_1_to_1000 WHERE SLEEP(0.2) = 0",
}


def _slow_sql(source: SourceCase, view: str = "slow") -> str:
    prefix = f"{source.q(source.schema)}." if source.engine == "mysql" else ""
    return f"SELECT n FROM {prefix}{view}"


@pytest.fixture
def conn(source: SourceCase) -> Iterator[Connector]:
    source.run(_SLOW_VIEW[source.engine])
    settings = SourceSettings(statement_timeout_seconds=STATEMENT_TIMEOUT)
    with connect(source.config, settings) as connector:
        yield connector


@pytest.fixture
def processes(source: SourceCase) -> Iterator[ProcessList | None]:
    """The server's process list (``None`` for the file engines, which have none)."""
    if source.engine not in ("postgres", "mysql"):
        yield None
        return
    plist = ProcessList(source)
    yield plist
    plist.close()


def _wait_running(connector: Connector, processes: ProcessList | None) -> None:
    """Until the statement is in flight (and, on a server, in its process list)."""
    assert seconds_until(lambda: bool(connector._in_flight), GIVE_UP) is not None
    if processes is not None:
        assert seconds_until(lambda: bool(processes.statements()), GIVE_UP) is not None
    else:
        time.sleep(0.2)  # the file engines have no process list: let the statement get going


class Background:
    """Runs ``work`` on a thread and keeps what it returned or raised."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.ended_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as exc:
            self.error = exc
        self.ended_at = time.monotonic()

    def join(self) -> bool:
        self._thread.join(GIVE_UP)
        return not self._thread.is_alive()


def _read_all(connector: Connector, sql: str) -> list[Any]:
    return [row for batch in connector.stream(sql, batch_size=5) for row in batch]


@pytest.mark.parametrize("mode", ["execute", "stream"])
def test_cancel_stops_a_long_statement_from_another_thread(
    source: SourceCase, conn: Connector, processes: ProcessList | None, mode: str
) -> None:
    sql = _slow_sql(source)
    work = (lambda: conn.execute(sql)) if mode == "execute" else (lambda: _read_all(conn, sql))
    running = Background(work)
    _wait_running(conn, processes)
    cancelled_at = time.monotonic()
    conn.cancel()
    assert running.join(), f"the statement still ran {GIVE_UP}s after cancel()"
    assert isinstance(running.error, RunCancelled), running.error or running.result
    assert running.error.code == "RUN_CANCELLED"
    elapsed = running.ended_at - cancelled_at
    if processes is not None:  # the server dropped it (not only the client stopped waiting)
        gone = seconds_until(lambda: not processes.statements(), 1.0)
        assert gone is not None, processes.statements()
    print(f"{source.engine} {mode}: RunCancelled {elapsed:.3f}s after cancel()")
    # The connector is usable, and the cancel does not carry over to the next statements.
    assert conn.execute("SELECT 1 AS one").rows == [(1,)]
    assert [row for batch in conn.stream("SELECT 2 AS two") for row in batch] == [(2,)]


@pytest.fixture(params=SERVER_ENGINES)
def server_source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SourceCase]:
    yield from make_source(request.param, tmp_path)


def test_cancel_stops_a_stream_in_the_middle_of_a_batch(server_source: SourceCase) -> None:
    """A batch whose rows come slowly: the cancel lands while the FETCH (PostgreSQL) or the
    unbuffered read (MariaDB) is waiting for the server."""
    source = server_source
    source.run(_SLOW_ROWS_VIEW[source.engine])
    sql = _slow_sql(source, "slow_rows")
    settings = SourceSettings(statement_timeout_seconds=STATEMENT_TIMEOUT)
    processes = ProcessList(source)
    try:
        with connect(source.config, settings) as conn:
            running = Background(lambda: list(conn.stream(sql, batch_size=500)))
            _wait_running(conn, processes)
            conn.cancel()
            assert running.join(), f"the stream still read {GIVE_UP}s after cancel()"
            assert isinstance(running.error, RunCancelled), running.error or running.result
            gone = seconds_until(lambda: not processes.statements(), 1.0)
            assert gone is not None, processes.statements()
            assert conn.execute("SELECT 3 AS three").rows == [(3,)]
    finally:
        processes.close()


def test_cancel_between_batches_ends_the_stream(source: SourceCase, conn: Connector) -> None:
    stream = conn.stream(
        "SELECT parent_code, note FROM " + source.q("child")
        if source.engine != "mysql"
        else f"SELECT parent_code, note FROM {source.q(source.schema)}.child",
        batch_size=2,
    )
    first = next(stream)
    assert len(first) == 2
    canceller = threading.Thread(target=conn.cancel)
    canceller.start()
    canceller.join()
    with pytest.raises(RunCancelled):
        next(stream)
    if source.engine == "postgres":  # the server-side cursor and its transaction are gone
        rows = source.run(
            "SELECT state FROM pg_stat_activity WHERE application_name = 'dataready' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert rows and {r[0] for r in rows} == {"idle"}
    assert conn.execute("SELECT 4 AS four").rows == [(4,)]


def test_cancel_when_nothing_runs_is_a_no_op(source: SourceCase) -> None:
    settings = SourceSettings(statement_timeout_seconds=STATEMENT_TIMEOUT)
    connector = connect(source.config, settings)
    connector.cancel()  # never opened
    with connector:
        connector.cancel()  # open and idle
        connector.cancel()
        assert connector.execute("SELECT 5 AS five").rows == [(5,)]  # not poisoned
    connector.cancel()  # closed


def test_generic_connector_cancels_through_the_dbapi(tmp_path: Path) -> None:
    """SQLite's DB-API connection has ``interrupt()``: the generic connector uses it."""
    import sqlite3

    path = tmp_path / "g.db"
    with sqlite3.connect(path) as raw:
        raw.execute(_SLOW_VIEW["sqlite"])
    config = SQLAlchemyConfig(url=f"sqlite:///{path}")
    settings = SourceSettings(statement_timeout_seconds=STATEMENT_TIMEOUT)
    with SQLAlchemyConnector(config, settings) as connector:
        connector.cancel()  # idle: nothing to stop, the connection stays
        assert connector.execute("SELECT 6 AS six").rows == [(6,)]
        running = Background(lambda: connector.execute("SELECT n FROM slow"))
        time.sleep(0.5)
        connector.cancel()
        assert running.join(), "the generic connector did not stop the statement"
        assert running.error is not None and "interrupt" in str(running.error).lower()
