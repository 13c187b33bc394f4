"""Secrets anywhere in a config (item 3), native routing and known types (items 4 and 12)."""

from __future__ import annotations

import pytest

from dataready.connectors import (
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLAlchemyConfig,
    SQLiteConfig,
    parse_connection_config,
    to_url,
)
from dataready.connectors.config import describe_target, redact_url
from dataready.connectors.parts import config_from_parts
from dataready.connectors.secrets import (
    PLACEHOLDER,
    is_secret_key,
    merge_secrets,
    split_secrets,
)
from dataready.errors import ValidationFailed

S = "sup3r-s3cret-value"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEv" + S + "\n-----END PRIVATE KEY-----"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "passwd",
        "pwd",
        "sslpassword",
        "private_key",
        "privateKey",
        "private-key-passphrase",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
        "api_key",
        "apiKey",
        "secret",
        "credentials_json",
        "aws_secret_access_key",
        "ssl_key_password",
        "oauth_client_secret",
    ],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    ["host", "user", "sslmode", "sslrootcert", "sslkey", "passfile", "token_url", "max_tokens"],
)
def test_not_secret_keys(key: str) -> None:
    assert not is_secret_key(key)


def test_split_and_merge_at_any_depth() -> None:
    doc = {
        "type": "sqlalchemy",
        "password": S,
        "url": f"snowflake://u@acct/db?warehouse=wh&token={S}1&private_key_passphrase={S}2",
        "connect_args": {
            "client_secret": S + "3",
            "nested": {"deeper": [{"api_key": S + "4"}, {"ok": 1}]},
            "cert": PEM,  # any key: PEM private-key content is a secret
            "use_token": True,
        },
    }
    split = split_secrets(doc)
    text = repr(split.public)
    assert S not in text and "MIIEv" not in text
    assert "password" not in split.public
    assert "warehouse=wh" in split.public["url"]
    assert split.public["connect_args"]["client_secret"] == PLACEHOLDER
    assert split.public["connect_args"]["nested"]["deeper"][1] == {"ok": 1}
    assert split.public["connect_args"]["use_token"] is True
    assert len(split.secrets) == 6
    assert merge_secrets(split.public, split.secrets) == doc | {
        "url": merge_secrets(split.public, split.secrets)["url"]
    }
    merged = merge_secrets(split.public, split.secrets)
    assert f"token={S}1" in merged["url"] and f"private_key_passphrase={S}2" in merged["url"]
    # a "***" sent back asks to keep the stored value; nothing stored: the key goes
    again = split_secrets(split.public)
    assert again.secrets == {} and len(again.kept) == 5  # the password is not shown at all
    assert "token=***" in split.public["url"]
    assert "token" not in merge_secrets(split.public, {})["url"]
    assert "client_secret" not in merge_secrets(split.public, {})["connect_args"]


def test_secrets_never_show_in_reprs_urls_or_messages() -> None:
    pg = config_from_parts(
        "postgres",
        {"host": "h", "params": {"sslpassword": S, "sslcert": "/c.pem"}},
        {"username": "u", "password": S + "x"},
    )
    generic = config_from_parts(
        "sqlalchemy",
        {"url": f"trino://u@h:8080/hive?access_token={S}", "connect_args": {"api_key": S}},
        None,
    )
    for config in (pg, generic):
        for text in (repr(config), str(config), to_url(config), describe_target(config)):
            assert S not in text, text
    assert redact_url(f"trino://u:{S}@h/x?a=1&client_secret={S}&b=2") == (
        "trino://u:***@h/x?a=1&client_secret=***&b=2"
    )
    assert S in to_url(generic, hide_password=False)


@pytest.mark.parametrize(
    ("url", "cls"),
    [
        ("postgresql://u:pw@h:5433/db", PostgresConfig),
        ("postgresql+asyncpg://u@h/db", PostgresConfig),
        ("postgresql+whatever://u@h/db", PostgresConfig),
        ("postgres://u@h/db", PostgresConfig),
        ("mysql://u@h/db", MySQLConfig),
        ("mysql+mysqldb://u@h/db", MySQLConfig),
        ("mariadb+pymysql://u@h/db", MySQLConfig),
        ("sqlite:////tmp/x.db", SQLiteConfig),
        ("sqlite+pysqlite:////tmp/x.db", SQLiteConfig),
        ("duckdb:////tmp/x.duckdb", DuckDBConfig),
    ],
)
def test_native_schemes_given_as_sqlalchemy_get_the_native_connector(url: str, cls: type) -> None:
    assert isinstance(config_from_parts("sqlalchemy", {"url": url}, None), cls)
    assert isinstance(parse_connection_config({"type": "sqlalchemy", "url": url}), cls)
    assert isinstance(SQLAlchemyConfig(url=url), SQLAlchemyConfig)  # only the class itself
    routed = config_from_parts("sqlalchemy", {"url": url}, {"password": "pw"})
    assert getattr(routed, "password", None) is None or routed.password.get_secret_value() == "pw"  # type: ignore[union-attr]


def test_native_routing_keeps_the_password_and_refuses_connect_args() -> None:
    config = config_from_parts("sqlalchemy", {"url": "postgresql://u@h/db"}, {"password": S})
    assert isinstance(config, PostgresConfig) and config.password is not None
    assert config.password.get_secret_value() == S
    with pytest.raises(ValidationFailed) as info:
        config_from_parts(
            "sqlalchemy", {"url": "mysql://u@h/db", "connect_args": {"ssl": {}}}, None
        )
    assert info.value.details["field"] == "config.connect_args"


@pytest.mark.parametrize("kind", ["nosuch", "a b", "x" * 64, "'; DROP TABLE x", "sqlite2"])
def test_an_unknown_connection_type_names_the_field(kind: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        config_from_parts(kind, {"host": "h"}, None)
    assert info.value.details["field"] == "connection_type"
    assert "postgres" in info.value.message and "trino" in info.value.message


def test_generic_sources_are_built_from_parts_or_a_url() -> None:
    config = config_from_parts(
        "trino", {"host": "h", "port": 8080, "database": "hive", "query": {"source": "dr"}}, None
    )
    assert isinstance(config, SQLAlchemyConfig)
    assert config.url == "trino://h:8080/hive?source=dr"
    moved = config_from_parts(
        "snowflake", {"url": "snowflake://u@acct/db", "database": "other"}, None
    )
    assert moved.url == "snowflake://u@acct/other"  # type: ignore[union-attr]
    for config, field in [
        ({"host": "h", "warehouse": "w"}, "config.warehouse"),
        ({"url": "postgresql://u@h/db"}, "config.url"),  # a postgres URL for a trino type
        ({"query": {"a": 1}}, "config.query"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            config_from_parts("trino", config, None)
        assert info.value.details["field"] == field
    with pytest.raises(ValidationFailed) as info:
        config_from_parts("sqlalchemy", {}, None)
    assert info.value.details["field"] == "config.url"


def test_invalid_fields_are_named_as_sent() -> None:
    with pytest.raises(ValidationFailed) as info:
        config_from_parts("postgres", {"port": "not-a-port"}, None)
    assert info.value.details["field"] == "config.port"
    assert "config.port" in info.value.message
