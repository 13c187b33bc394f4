"""I/O to source databases: one read-only ``Connector`` per engine, behind a registry.

Typical use::

    from dataready.connectors import connect, parse_source_url

    with connect(parse_source_url("postgresql://postgres@127.0.0.1/shop"), settings) as src:
        for table in src.list_tables("shop", "public"):
            ...
"""

from __future__ import annotations

from dataready.connectors.base import DEFAULT_MAX_ROWS, Connector
from dataready.connectors.config import (
    ConnectionConfig,
    DuckDBConfig,
    MySQLConfig,
    PostgresConfig,
    SQLAlchemyConfig,
    SQLiteConfig,
    parse_connection_config,
    parse_source_url,
    to_url,
)
from dataready.connectors.models import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    QueryResult,
    TableInfo,
    TableKind,
    UniqueConstraintInfo,
    VerifyResult,
)
from dataready.connectors.registry import (
    connect,
    get_connector_class,
    known_connector_types,
    register_connector,
)

__all__ = [
    "DEFAULT_MAX_ROWS",
    "ColumnInfo",
    "ConnectionConfig",
    "Connector",
    "DuckDBConfig",
    "ForeignKeyInfo",
    "IndexInfo",
    "MySQLConfig",
    "PostgresConfig",
    "PrimaryKeyInfo",
    "QueryResult",
    "SQLAlchemyConfig",
    "SQLiteConfig",
    "TableInfo",
    "TableKind",
    "UniqueConstraintInfo",
    "VerifyResult",
    "connect",
    "get_connector_class",
    "known_connector_types",
    "parse_connection_config",
    "parse_source_url",
    "register_connector",
    "to_url",
]
