"""When the metadata store is unreachable, and how writers ride out a short outage.

One classification serves every caller: the API maps an outage to ``503 SERVICE_UNAVAILABLE``
(with ``Retry-After``), the runner retries its writes through one, and the sweep waits for the
store to come back.  Only *connection-level* failures count: the server refused or dropped the
connection, is starting up or shutting down, has no connection slot left, or a pool could not
hand out a connection in time.  A deadlock, a serialization failure, a cancelled statement or a
constraint violation is an answer from a working store, never an outage — retrying those
blindly would hide real bugs.

:func:`retry_store` runs a whole transaction again after an outage, with capped exponential
backoff, until an :class:`OutageClock` says the store has been gone for too long; then it
raises :class:`~dataready.errors.StoreUnavailable`.  The clock is shared by everything one run
writes, so the bound is on the outage, not on each write.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
import pymysql
from sqlalchemy import exc as sa_exc

from dataready.errors import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# SQLSTATEs of a PostgreSQL server that cannot serve this connection right now.
_PG_OUTAGE_CLASSES = ("08",)  # connection_exception and its subclasses
_PG_OUTAGE_STATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is shutting down
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or in recovery
        "53300",  # too_many_connections
    }
)
# MySQL/MariaDB client error numbers of the same kind (a store on MySQL is unsupported, but a
# generic SQLAlchemy URL may point at one).
_MYSQL_OUTAGE_CODES = frozenset({1040, 1053, 2002, 2003, 2006, 2013, 2055})
_CLOSED_MARKERS = ("connection is closed", "connection is lost", "server closed the connection")


def _driver_error_is_outage(err: BaseException) -> bool:
    """A DB-API exception (psycopg, pymysql) raised for a connection problem."""
    if isinstance(err, psycopg.OperationalError):
        state = err.sqlstate
        if state is None:
            # Without a SQLSTATE psycopg is telling about the connection itself: it could not
            # connect, timed out connecting, the connection dropped mid-statement, or a pool
            # (PoolTimeout, TooManyRequests) had none to give.  Server answers carry a state.
            return True
        return state.startswith(_PG_OUTAGE_CLASSES) or state in _PG_OUTAGE_STATES
    if isinstance(err, psycopg.InterfaceError):
        return any(m in str(err).lower() for m in _CLOSED_MARKERS)
    if isinstance(err, pymysql.err.OperationalError | pymysql.err.InterfaceError):
        code = err.args[0] if err.args else None
        return isinstance(code, int) and code in _MYSQL_OUTAGE_CODES
    return False


def is_store_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the store cannot be reached (rather than refused a statement)."""
    if isinstance(exc, StoreUnavailable):
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True  # a pool ping failed / no pooled connection came free in time
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True  # the dialect recognised a dropped connection
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return exc.orig is not None and _driver_error_is_outage(exc.orig)
        return False
    return _driver_error_is_outage(exc)


def store_unavailable_error(exc: BaseException | None = None) -> StoreUnavailable:
    """The error callers see for an outage; its message names no host or credential."""
    if isinstance(exc, StoreUnavailable):
        return exc
    return StoreUnavailable(
        "the metadata store is unreachable right now; retry in a few seconds (operators: "
        "check the store's database server and the DATAREADY_DB__URL it is reached at)",
        dependency="store",
        retry_after_seconds=StoreUnavailable.retry_after_seconds,
    )


class OutageClock:
    """How long the store has been unreachable without a break, as seen by one writer."""

    def __init__(self, budget_seconds: float) -> None:
        self.budget_seconds = budget_seconds
        self._since: float | None = None
        self._lock = threading.Lock()

    def failed(self) -> float:
        """Record a failure; returns the seconds the outage has lasted."""
        now = time.monotonic()
        with self._lock:
            if self._since is None:
                self._since = now
            return now - self._since

    def succeeded(self) -> None:
        with self._lock:
            self._since = None

    @property
    def down_for(self) -> float:
        with self._lock:
            return 0.0 if self._since is None else time.monotonic() - self._since

    @property
    def exhausted(self) -> bool:
        return self.down_for >= self.budget_seconds


def retry_store(
    fn: Callable[[], T],
    clock: OutageClock,
    *,
    what: str,
    first_delay: float = 0.1,
    max_delay: float = 2.0,
    should_stop: Callable[[], bool] | None = None,
) -> T:
    """Call ``fn`` (one whole transaction) until it gets through an outage.

    Only outages are retried; any other error propagates at once.

    Raises:
        StoreUnavailable: the outage has lasted ``clock.budget_seconds`` (or ``should_stop``
            answered true while waiting).
    """
    delay = first_delay
    while True:
        try:
            result = fn()
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            down = clock.failed()
            if down >= clock.budget_seconds or (should_stop is not None and should_stop()):
                log.error("store unreachable for %.1fs while %s; giving up", down, what)
                raise store_unavailable_error(exc) from exc
            if down == 0.0:
                log.warning("store unreachable while %s (%s); retrying", what, exc)
            pause = min(delay, max(0.0, clock.budget_seconds - down))
            time.sleep(pause * random.uniform(0.8, 1.2))  # jitter: workers do not retry in step
            delay = min(max_delay, delay * 2)
            continue
        clock.succeeded()
        return result
