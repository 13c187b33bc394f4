"""Target URLs: the accepted forms, clear errors, and no password in any message."""

from __future__ import annotations

import pytest

from dataready.errors import ConfigError, ConnectionFailed
from dataready.sample import generate_sample
from dataready.sample.target import parse_target


@pytest.mark.parametrize(
    ("url", "dialect", "database"),
    [
        ("sqlite:///sample.db", "sqlite", "sample.db"),
        ("sqlite:////tmp/x/sample.db", "sqlite", "/tmp/x/sample.db"),
        ("duckdb:///data/s.duckdb", "duckdb", "data/s.duckdb"),
        ("postgresql://postgres@127.0.0.1:5432/dvd", "postgresql", "dvd"),
        ("postgres://u:p@db/dvd", "postgresql", "dvd"),
        ("postgresql+psycopg://u@db:5433/dvd", "postgresql", "dvd"),
        ("mysql://root@127.0.0.1:3306/dvd", "mysql", "dvd"),
        ("mariadb+pymysql://root@h/dvd", "mysql", "dvd"),
    ],
)
def test_parses_the_supported_forms(url: str, dialect: str, database: str) -> None:
    target = parse_target(url)
    assert (target.dialect, target.database) == (dialect, database)


def test_server_defaults_and_redaction() -> None:
    target = parse_target("postgresql://alice:s%40cret@db.local/dvd")
    assert (target.host, target.port, target.user) == ("db.local", 5432, "alice")
    assert target.password is not None and target.password.get_secret_value() == "s@cret"
    assert "cret" not in target.redacted() and "cret" not in repr(target)
    assert parse_target("mysql://root@h/dvd").port == 3306


@pytest.mark.parametrize(
    "url",
    [
        "oracle://scott@h/db",
        "not a url",
        "sqlite://",
        "postgresql://postgres@127.0.0.1:5432/",
        "postgresql://127.0.0.1:99999/db",
        "mysql:///db",
    ],
)
def test_rejects_bad_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_target(url)


def test_missing_folder_is_a_config_error(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        generate_sample(f"sqlite:///{tmp_path}/no/such/dir/s.db", scale=0.01)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:topsecret@127.0.0.1:1/dvd",
        "mysql://alice:topsecret@127.0.0.1:1/dvd",
    ],
)
def test_unreachable_server_names_what_to_check_but_not_the_password(url: str) -> None:
    with pytest.raises(ConnectionFailed) as info:
        generate_sample(url, scale=0.01)
    message = str(info.value)
    assert "topsecret" not in message and "topsecret" not in repr(info.value.details)
    assert "127.0.0.1:1" in message and "password" in message
