"""Connect failures: each says which problem it is, never shows the password, never hangs."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.services import mysql_params, pg_params, require_mysql, require_postgres

from dataready.connectors import (
    ConnectionConfig,
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLiteConfig,
    connect,
)
from dataready.errors import (
    ConnectionFailed,
    SourceAuthFailed,
    SourceDatabaseNotFound,
    SourceTLSFailed,
)
from dataready.settings import SourceSettings

SECRET = "Wr0ng-Pa55word-do-not-show-7f3a"
SETTINGS = SourceSettings(connect_timeout_seconds=2, statement_timeout_seconds=5)
ALLOWED_SECONDS = 2 + 1.5  # libpq rounds the connect timeout up to whole seconds (min 2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def _fails(config: ConnectionConfig, expected: type[ConnectionFailed]) -> ConnectionFailed:
    started = time.monotonic()
    with pytest.raises(expected) as info:
        connect(config, SETTINGS)
    elapsed = time.monotonic() - started
    assert elapsed < ALLOWED_SECONDS, f"connect took {elapsed:.1f}s"
    error = info.value
    for text in (str(error), repr(error), error.message, repr(error.details)):
        assert SECRET not in text
    return error


def _pg(**overrides: object) -> PostgresConfig:
    params = pg_params()
    base = {"host": params["host"], "port": params["port"], "user": params["user"]}
    return PostgresConfig.model_validate({**base, "password": SECRET, **overrides})


def _mysql(**overrides: object) -> MySQLConfig:
    params = mysql_params()
    base = {"host": params["host"], "port": params["port"], "user": params["user"]}
    return MySQLConfig.model_validate({**base, "password": SECRET, **overrides})


# -- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_closed_port() -> None:
    error = _fails(_pg(port=_free_port()), ConnectionFailed)
    assert "refused" in error.message and "port" in error.message
    assert error.transient


@pytest.mark.postgres
def test_postgres_silent_server_times_out(silent_server: int) -> None:
    error = _fails(_pg(port=silent_server), ConnectionFailed)
    assert "timed out" in error.message


@pytest.mark.postgres
def test_postgres_unknown_user() -> None:
    require_postgres()
    error = _fails(_pg(user=f"dr_nobody_{uuid.uuid4().hex[:8]}"), SourceAuthFailed)
    assert "user name and password" in error.message
    assert not error.transient


@pytest.mark.postgres
def test_postgres_unknown_database() -> None:
    require_postgres()
    error = _fails(_pg(database=f"dr_missing_{uuid.uuid4().hex[:8]}"), SourceDatabaseNotFound)
    assert "database does not exist" in error.message


@pytest.mark.postgres
def test_postgres_tls_refused() -> None:
    require_postgres()
    _fails(_pg(sslmode="require"), SourceTLSFailed)


@pytest.mark.postgres
def test_postgres_unknown_host() -> None:
    error = _fails(_pg(host="no-such-host.invalid"), ConnectionFailed)
    assert "resolve" in error.message


# -- MariaDB / MySQL ------------------------------------------------------------------------


@pytest.fixture
def mysql_user() -> Iterator[str]:
    """A MariaDB user with a (different) password, dropped afterwards."""
    import pymysql

    require_mysql()
    name = f"dr_u_{uuid.uuid4().hex[:8]}"
    admin = pymysql.connect(**mysql_params())
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY 'Right-Pa55word-1'")
        cursor.execute(f"CREATE USER '{name}'@'localhost' IDENTIFIED BY 'Right-Pa55word-1'")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{name}'@'%'")
            cursor.execute(f"DROP USER IF EXISTS '{name}'@'localhost'")
        admin.close()


@pytest.mark.mysql
def test_mysql_closed_port() -> None:
    error = _fails(_mysql(port=_free_port()), ConnectionFailed)
    assert "refused" in error.message


@pytest.mark.mysql
def test_mysql_silent_server_times_out(silent_server: int) -> None:
    error = _fails(_mysql(port=silent_server), ConnectionFailed)
    assert "timed out" in error.message or "lost" in error.message


@pytest.mark.mysql
def test_mysql_wrong_password(mysql_user: str) -> None:
    error = _fails(_mysql(user=mysql_user), SourceAuthFailed)
    assert "refused the login" in error.message
    assert error.details["user"] == mysql_user


@pytest.mark.mysql
def test_mysql_unknown_database() -> None:
    require_mysql()
    error = _fails(_mysql(password=None, database=f"dr_missing_{uuid.uuid4().hex[:8]}"),
                   SourceDatabaseNotFound)  # fmt: skip
    assert "database does not exist" in error.message


@pytest.mark.mysql
def test_mysql_tls_required_but_not_offered() -> None:
    from dataready.connectors.mysql import server_offers_tls

    require_mysql()
    params = mysql_params()
    if server_offers_tls(params["host"], params["port"], 2):
        pytest.skip("this MariaDB offers TLS")
    error = _fails(_mysql(ssl_mode="required"), SourceTLSFailed)
    assert "offers no TLS" in error.message


@pytest.mark.mysql
def test_mysql_unknown_host() -> None:
    error = _fails(_mysql(host="no-such-host.invalid"), ConnectionFailed)
    assert "resolve" in error.message


# -- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_missing_file(tmp_path: Path, kind: str) -> None:
    path = str(tmp_path / "missing.db")
    config = SQLiteConfig(path=path) if kind == "sqlite" else DuckDBConfig(path=path)
    error = _fails(config, SourceDatabaseNotFound)
    assert "missing.db" in error.message


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_file_that_is_not_a_database(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text, not a database\n" * 100)
    config = SQLiteConfig(path=str(path)) if kind == "sqlite" else DuckDBConfig(path=str(path))
    _fails(config, ConnectionFailed)
