"""Shared fixtures: a real metadata store on SQLite and, when reachable, on PostgreSQL.

Settings are built per test and never read from the process environment, so tests do not
leak into each other.  With ``DATAREADY_REQUIRE_SERVICES=1`` an unreachable PostgreSQL is a
failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataready.settings import (
    AuthSettings,
    DbSettings,
    ExecutorSettings,
    Settings,
    SourceSettings,
)

PG_ADMIN_URL = os.environ.get(
    "DATAREADY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET = "test-secret-for-dataready-tests-only-0123456789"


def services_required() -> bool:
    return os.environ.get("DATAREADY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (DATAREADY_REQUIRE_SERVICES=1: services must be running)")
    pytest.skip(reason)


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=3
    )


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database; dropped afterwards. Yields its URL.

    On the PostgreSQL store variant this is the store's database: a test that needs a
    PostgreSQL *source* takes :func:`pg_source_database` (the source policy refuses the
    store's own database as a source).
    """
    yield from _fresh_pg_database()


@pytest.fixture
def pg_source_database() -> Iterator[str]:
    """Another fresh PostgreSQL database, for tests that read it as a source."""
    yield from _fresh_pg_database()


def _fresh_pg_database() -> Iterator[str]:
    try:
        admin = _pg_connect(PG_ADMIN_URL)
    except Exception as exc:
        skip_or_fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
        raise
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The metadata-store URL: every store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


def make_settings(url: str, data_dir: Path, **executor: object) -> Settings:
    """Settings for one test: a given store, a test secret, a fast executor.

    ``data_dir`` is the test's folder: the server's own data directory is ``data_dir/data``
    and file sources may be read anywhere else under ``data_dir`` (the source policy still
    refuses the store file, the key and the data directory there).
    """
    ex = {
        "max_workers": 4,
        "task_concurrency": 2,
        "max_attempts": 3,
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "heartbeat_seconds": 0.2,
        "orphan_after_seconds": 30.0,
        **executor,
    }
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir / "data",
        db=DbSettings(url=url),
        sources=SourceSettings(file_roots=[data_dir]),
        auth=AuthSettings(secret=TEST_SECRET),  # type: ignore[arg-type]
        executor=ExecutorSettings(**ex),  # type: ignore[arg-type]
    )


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return make_settings(store_url, tmp_path)
