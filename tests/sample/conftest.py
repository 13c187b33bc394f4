"""Fixtures of the sample-generator tests: server targets that do not exist yet.

Each server fixture yields the URL of a uniquely named database that the generator itself
must create, and drops it afterwards.  A server that is down skips the test, or fails it when
``DATAREADY_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import NoReturn

import psycopg
import pymysql
import pytest
from psycopg import sql

PG_SERVER = os.environ.get("DATAREADY_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
MYSQL_HOST, MYSQL_PORT, MYSQL_USER = "127.0.0.1", 3306, "root"


def service_down(reason: str) -> NoReturn:
    """Skip the test, or fail it when services are required."""
    if os.environ.get("DATAREADY_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (DATAREADY_REQUIRE_SERVICES=1: services must be running)")
    pytest.skip(reason)


def pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the PostgreSQL maintenance database."""
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)


def mysql_admin(
    database: str | None = None,
) -> pymysql.connections.Connection[pymysql.cursors.Cursor]:
    """A connection to the MariaDB server, optionally to ``database``."""
    return pymysql.connect(
        host=MYSQL_HOST,
        port=MYSQL_PORT,
        user=MYSQL_USER,
        password="",
        database=database,
        connect_timeout=3,
        autocommit=True,
    )


@pytest.fixture
def pg_sample_url() -> Iterator[str]:
    """URL of a not-yet-existing PostgreSQL database ``dr_test_<uuid>``; dropped afterwards."""
    try:
        pg_admin().close()
    except psycopg.Error as exc:
        service_down(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with pg_admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def mysql_sample_url() -> Iterator[str]:
    """URL of a not-yet-existing MariaDB database ``dr_test_<uuid>``; dropped afterwards."""
    try:
        mysql_admin().close()
    except pymysql.MySQLError as exc:
        service_down(f"MariaDB is not reachable at {MYSQL_HOST}:{MYSQL_PORT}: {exc}")
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    try:
        yield f"mysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{name}"
    finally:
        conn = mysql_admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()
