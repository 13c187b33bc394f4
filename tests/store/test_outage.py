"""What counts as a store outage: connection-level failures only, from real errors.

A deadlock, a cancelled statement, a constraint violation or a bad statement is an answer
from a working store: retrying it, or answering 503, would hide a bug.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from tests.throwaway_pg import free_port

from dataready.errors import StoreUnavailable
from dataready.store.outage import OutageClock, is_store_unavailable, retry_store


def _error_of(fn: Callable[[], Any]) -> BaseException:
    try:
        fn()
    except Exception as exc:
        return exc
    raise AssertionError("no error raised")


@pytest.fixture
def pg_engine(pg_database: str) -> Iterator[Engine]:
    engine = create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id int PRIMARY KEY, v int)"))
        conn.execute(text("INSERT INTO t VALUES (1, 0), (2, 0)"))
    yield engine
    engine.dispose()


def _refused_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"


def test_a_refused_connection_is_an_outage() -> None:
    engine = create_engine(_refused_url(), connect_args={"connect_timeout": 2})
    try:
        err = _error_of(lambda: engine.connect())
    finally:
        engine.dispose()
    assert is_store_unavailable(err)
    raw = _error_of(lambda: psycopg.connect(_refused_url().replace("+psycopg", "")))
    assert is_store_unavailable(raw)


@pytest.mark.postgres
def test_a_connection_the_server_dropped_is_an_outage(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg_engine.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.2)
        err = _error_of(lambda: conn.execute(text("SELECT 1")))
    assert isinstance(err, DBAPIError)
    assert is_store_unavailable(err)


def test_a_pool_that_cannot_connect_in_time_is_an_outage() -> None:
    pool = ConnectionPool(
        _refused_url().replace("+psycopg", ""), min_size=0, max_size=1, timeout=0.5, open=True
    )
    try:
        err = _error_of(lambda: pool.getconn())
    finally:
        pool.close()
    assert is_store_unavailable(err)


@pytest.mark.postgres
def test_answers_of_a_working_store_are_not_outages(pg_engine: Engine) -> None:
    def duplicate() -> None:
        with pg_engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1, 1)"))

    def bad_sql() -> None:
        with pg_engine.connect() as conn:
            conn.execute(text("SELEC 1"))

    def timed_out() -> None:
        with pg_engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 50"))
            conn.execute(text("SELECT pg_sleep(2)"))

    for what in (duplicate, bad_sql, timed_out):
        err = _error_of(what)
        assert isinstance(err, DBAPIError)
        assert not is_store_unavailable(err), (what.__name__, err)


@pytest.mark.postgres
def test_a_deadlock_is_not_an_outage(pg_engine: Engine) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def lock(first: int, second: int) -> None:
        try:
            with pg_engine.begin() as conn:
                conn.execute(text("UPDATE t SET v = v + 1 WHERE id = :i"), {"i": first})
                barrier.wait()
                conn.execute(text("UPDATE t SET v = v + 1 WHERE id = :i"), {"i": second})
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=a) for a in ((1, 2), (2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(errors) == 1
    assert isinstance(errors[0], DBAPIError)
    assert getattr(errors[0].orig, "sqlstate", None) == "40P01"
    assert not is_store_unavailable(errors[0])


def test_sqlite_errors_are_not_outages(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        err = _error_of(lambda: conn.execute(text("SELECT * FROM missing")))
    engine.dispose()
    assert not is_store_unavailable(err)


def test_retry_store_rides_out_an_outage_and_gives_up_after_its_budget() -> None:
    outage = _error_of(lambda: psycopg.connect(_refused_url().replace("+psycopg", "")))
    calls = [0]

    def flaky() -> str:
        calls[0] += 1
        if calls[0] < 3:
            raise outage
        return "ok"

    clock = OutageClock(budget_seconds=5.0)
    assert retry_store(flaky, clock, what="test", first_delay=0.01) == "ok"
    assert calls[0] == 3 and clock.down_for == 0.0  # success resets the clock

    def down() -> None:
        raise outage

    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        retry_store(down, OutageClock(budget_seconds=0.5), what="test", first_delay=0.01)
    assert 0.4 < time.monotonic() - t0 < 3.0
    assert info.value.code == "SERVICE_UNAVAILABLE" and "127.0.0.1" not in info.value.message


def test_retry_store_does_not_retry_other_errors() -> None:
    calls = [0]

    def broken() -> None:
        calls[0] += 1
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        retry_store(broken, OutageClock(budget_seconds=5.0), what="test")
    assert calls[0] == 1
