"""Connection configs: URL parsing, rendering, and passwords that never leak."""

from __future__ import annotations

import pytest

from dataready.connectors import (
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLAlchemyConfig,
    SQLiteConfig,
    parse_connection_config,
    parse_source_url,
    to_url,
)
from dataready.connectors.config import describe_target, redact_url
from dataready.errors import ValidationFailed

SECRET = "s3cr3t-P@ss"


@pytest.mark.parametrize(
    ("url", "cls", "fields"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/dvdrental",
            PostgresConfig,
            {"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "dvdrental"},
        ),
        (
            "postgresql+psycopg://u@db.example.com/shop?sslmode=require&sslrootcert=/ca.pem",
            PostgresConfig,
            {"port": 5432, "sslmode": "require", "params": {"sslrootcert": "/ca.pem"}},
        ),
        ("mysql://root@127.0.0.1:3306/test", MySQLConfig, {"database": "test", "flavor": "mysql"}),
        ("mysql+pymysql://u@h/x?charset=utf8", MySQLConfig, {"charset": "utf8", "port": 3306}),
        ("mariadb://root@h", MySQLConfig, {"database": None, "flavor": "mariadb"}),
        ("sqlite:///path/to/file.db", SQLiteConfig, {"path": "path/to/file.db"}),
        ("sqlite:////abs/file.db", SQLiteConfig, {"path": "/abs/file.db"}),
        ("duckdb:///path/to/file.duckdb", DuckDBConfig, {"path": "path/to/file.duckdb"}),
        ("trino://u@host:8080/hive/default", SQLAlchemyConfig, {"dialect_name": "trino"}),
        ("snowflake://u@acct/db/sch?warehouse=w", SQLAlchemyConfig, {"dialect_name": "snowflake"}),
        ("bigquery://project/dataset", SQLAlchemyConfig, {"dialect_name": "bigquery"}),
        ("redshift+psycopg2://u@h:5439/dev", SQLAlchemyConfig, {"dialect_name": "redshift"}),
    ],
)
def test_parse_source_url(url: str, cls: type, fields: dict[str, object]) -> None:
    config = parse_source_url(url)
    assert isinstance(config, cls)
    for name, value in fields.items():
        assert getattr(config, name) == value


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u@h:5432/db?sslmode=require",
        "mysql+pymysql://u@h:3306/x?charset=utf8mb4",
        "sqlite:///rel/file.db",
        "duckdb:////abs/file.duckdb",
        "trino://u@host:8080/hive/default",
    ],
)
def test_to_url_round_trips(url: str) -> None:
    config = parse_source_url(url)
    assert to_url(config) == url
    assert parse_source_url(to_url(config)) == config


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://u:{SECRET.replace('@', '%40')}@h/db",
        f"mysql://u:{SECRET.replace('@', '%40')}@h/db",
        f"snowflake://u:{SECRET.replace('@', '%40')}@acct/db",
    ],
)
def test_password_is_kept_secret(url: str) -> None:
    config = parse_source_url(url)
    assert config.password is not None  # type: ignore[union-attr]
    assert config.password.get_secret_value() == SECRET  # type: ignore[union-attr]
    for text in (repr(config), str(config), to_url(config), describe_target(config)):
        assert SECRET not in text and "s3cr3t" not in text
    assert "***" in to_url(config)
    assert "s3cr3t" in to_url(config, hide_password=False)
    if isinstance(config, SQLAlchemyConfig):
        assert "s3cr3t" not in config.url  # the URL field never holds the password
    assert "s3cr3t" not in config.model_dump_json()


def test_discriminated_union_from_mapping() -> None:
    config = parse_connection_config({"type": "postgres", "database": "x", "password": SECRET})
    assert isinstance(config, PostgresConfig) and config.port == 5432
    with pytest.raises(ValidationFailed, match="type") as info:
        parse_connection_config({"type": "oracle-ish", "password": SECRET})
    assert SECRET not in str(info.value)
    with pytest.raises(ValidationFailed, match="port"):
        parse_connection_config({"type": "mysql", "port": 99999, "password": SECRET})


def test_postgres_params_cannot_override_the_session() -> None:
    with pytest.raises(ValidationFailed, match="options"):
        parse_source_url("postgresql://u@h/db?options=-c%20default_transaction_read_only%3Doff")


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("not a url", "cannot read the source URL"),
        ("sqlite://", "names no file"),
        ("mysql://u@h/db?autocommit=1", "unknown MySQL URL parameter"),
    ],
)
def test_bad_urls(url: str, match: str) -> None:
    with pytest.raises(ValidationFailed, match=match):
        parse_source_url(url)


def test_unparsable_url_message_hides_password() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_source_url(f"://u:{SECRET}@h/db")
    assert "s3cr3t" not in str(info.value)
    assert redact_url(f"x://u:{SECRET}@h") == "x://u:***@h"
