"""Engines and sessions of the metadata store."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from dataready.errors import ConfigError
from dataready.settings import Settings


def normalize_url(url: str) -> str:
    """Pick the drivers dataready ships with (psycopg 3, PyMySQL) for bare URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def pg_connect_timeout(settings: Settings) -> int:
    """libpq's ``connect_timeout``: whole seconds, at least 2 (libpq's own minimum)."""
    return max(2, math.ceil(settings.db.connect_timeout_seconds))


def make_engine(settings: Settings) -> Engine:
    """An engine for the store; creates the SQLite data directory when needed.

    Raises:
        ConfigError: ``DATAREADY_DB__URL`` is not a URL SQLAlchemy can read.
    """
    try:
        url = make_url(normalize_url(settings.database_url))
    except (ArgumentError, ValueError):
        raise ConfigError(
            "DATAREADY_DB__URL is not a store URL: write sqlite:///path/to/file.db or "
            "postgresql://user[:password]@host[:port]/database"
        ) from None
    kwargs: dict[str, Any] = {"echo": settings.db.echo, "future": True}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # No pre-ping: it costs a round trip per checkout on the API's hot path; a connection
        # the server dropped fails one statement, invalidates the pool and is replaced.
        kwargs.update(
            pool_size=settings.db.pool_size,
            max_overflow=settings.db.max_overflow,
            pool_recycle=1800,
        )
        if url.get_backend_name() == "postgresql":
            # Bounded: an unreachable store (a network partition drops packets instead of
            # refusing) must fail a request or a runner write in seconds, not in the kernel's
            # two-minute TCP timeout.
            kwargs["connect_args"] = {"connect_timeout": pg_connect_timeout(settings)}
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let pysqlite not open transactions on its own; we issue BEGIN ourselves so that
        # writers take the lock up front (no deadlock between two upgrading readers).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        # Reads that need no transaction (one statement each): no BEGIN/ROLLBACK round trips.
        self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.read_session_factory = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.session_factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
