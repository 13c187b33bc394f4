"""The connector registry and the declarative capabilities of the built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataready.connectors import (
    Connector,
    SQLiteConfig,
    connect,
    get_connector_class,
    known_connector_types,
    register_connector,
)
from dataready.connectors.registry import _CONNECTORS
from dataready.connectors.sqlite import SQLiteConnector
from dataready.errors import UnknownName, ValidationFailed


def test_builtins_are_registered() -> None:
    assert {"postgres", "mysql", "sqlite", "duckdb", "sqlalchemy"} <= set(known_connector_types())
    for name in known_connector_types():
        cls = get_connector_class(name)
        assert issubclass(cls, Connector) and cls.type_name == name
        assert isinstance(cls.sqlalchemy_dialect, str)


def test_unknown_type_lists_known_ones() -> None:
    with pytest.raises(UnknownName, match="known types: duckdb, mysql, postgres") as info:
        get_connector_class("oracle9i")
    assert "sqlite" in info.value.details["known"]


def test_register_a_plugin_and_refuse_a_clash() -> None:
    class Plugin(SQLiteConnector):
        type_name = "plugin-sqlite"

    try:
        register_connector("plugin-sqlite", Plugin)
        assert get_connector_class("plugin-sqlite") is Plugin
        with pytest.raises(ValueError, match="already registered"):
            register_connector("plugin-sqlite", SQLiteConnector)
    finally:
        _CONNECTORS.pop("plugin-sqlite", None)


def test_capabilities_are_declared() -> None:
    pg = get_connector_class("postgres")
    assert pg.supports_databases and pg.supports_row_estimate and pg.supports_size
    assert pg.default_port == 5432 and pg.paramstyle == "pyformat"
    assert get_connector_class("mysql").default_port == 3306
    assert get_connector_class("duckdb").approx_distinct_function == "approx_count_distinct"
    assert not get_connector_class("sqlite").supports_comments


def test_connect_returns_an_open_connector(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "a.db"
    sqlite3.connect(path).close()
    connector = connect(SQLiteConfig(path=str(path)))
    try:
        assert connector.is_open
        assert "a.db" in repr(connector)
    finally:
        connector.close()
    connector.close()  # twice is fine
    assert not connector.is_open


def test_config_type_must_match(tmp_path: Path) -> None:
    from dataready.connectors import DuckDBConfig

    with pytest.raises(ValidationFailed, match="takes a 'sqlite' config"):
        SQLiteConnector(DuckDBConfig(path=str(tmp_path / "x.duckdb")))  # type: ignore[arg-type]
