"""Are the PostgreSQL and MariaDB/MySQL test services reachable?

``postgres_available()`` / ``mysql_available()`` try one quick connection (cached per run).
``require_postgres()`` / ``require_mysql()`` skip the calling test when the service is down,
or fail it when ``DATAREADY_REQUIRE_SERVICES=1`` (CI, where the services must run).

Addresses: ``DATAREADY_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``)
and ``DATAREADY_TEST_MYSQL_URL`` (default ``mysql://root@127.0.0.1:3306``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import pytest
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("DATAREADY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_URL = os.environ.get("DATAREADY_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")
_CONNECT_TIMEOUT = 3


def services_required() -> bool:
    return os.environ.get("DATAREADY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the current test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (DATAREADY_REQUIRE_SERVICES=1: services must be running)")
    pytest.skip(reason)


def pg_params(database: str | None = None) -> dict[str, Any]:
    """psycopg keyword arguments for the test PostgreSQL server."""
    url = make_url(PG_URL)
    return {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": database or url.database or "postgres",
        "connect_timeout": _CONNECT_TIMEOUT,
    }


def mysql_params(database: str | None = None) -> dict[str, Any]:
    """PyMySQL keyword arguments for the test MariaDB/MySQL server."""
    url = make_url(MYSQL_URL)
    params: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 3306,
        "user": url.username or "root",
        "password": url.password or "",
        "connect_timeout": _CONNECT_TIMEOUT,
        "charset": "utf8mb4",
        "autocommit": True,
    }
    if database:
        params["database"] = database
    return params


@lru_cache(maxsize=1)
def _postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(**pg_params()) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not available"
        return f"PostgreSQL is not reachable at {make_url(PG_URL)!r}: {exc}"
    return None


@lru_cache(maxsize=1)
def _mysql_problem() -> str | None:
    try:
        import pymysql

        conn = pymysql.connect(**mysql_params())
        conn.close()
    except Exception as exc:
        return f"MariaDB/MySQL is not reachable at {make_url(MYSQL_URL)!r}: {exc}"
    return None


def postgres_available() -> bool:
    return _postgres_problem() is None


def mysql_available() -> bool:
    return _mysql_problem() is None


def require_postgres() -> None:
    """Skip (or fail, when services are required) unless PostgreSQL is reachable."""
    problem = _postgres_problem()
    if problem:
        skip_or_fail(problem)


def require_mysql() -> None:
    """Skip (or fail, when services are required) unless MariaDB/MySQL is reachable."""
    problem = _mysql_problem()
    if problem:
        skip_or_fail(problem)
