"""The one place that loads optional SQLAlchemy dialects for warehouse sources.

A dialect whose package is missing raises :class:`MissingExtra` naming the
``dataready[extra]`` that installs it, instead of SQLAlchemy's ``NoSuchModuleError``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Dialect, Engine
from sqlalchemy.exc import NoSuchModuleError

from dataready.errors import MissingExtra

# dialect name -> (package to install, dataready extra)
DIALECT_EXTRAS: dict[str, tuple[str, str]] = {
    "trino": ("trino[sqlalchemy]", "trino"),
    "snowflake": ("snowflake-sqlalchemy", "snowflake"),
    "bigquery": ("sqlalchemy-bigquery", "bigquery"),
    "redshift": ("sqlalchemy-redshift", "redshift"),
    "databricks": ("databricks-sqlalchemy", "databricks"),
    "mssql": ("pyodbc", "mssql"),
    "oracle": ("oracledb", "oracle"),
    "clickhouse": ("clickhouse-sqlalchemy", "clickhouse"),
}


def _missing(url: URL) -> MissingExtra:
    name = url.get_backend_name()
    package, extra = DIALECT_EXTRAS.get(name, (f"a SQLAlchemy dialect for {name!r}", name))
    return MissingExtra(package, extra)


def load_dialect(url: URL) -> type[Dialect]:
    """The dialect class for ``url``; raises ``MissingExtra`` when its package is missing."""
    try:
        return url.get_dialect()
    except (NoSuchModuleError, ImportError):
        raise _missing(url) from None


def create_source_engine(url: URL, connect_args: dict[str, Any]) -> Engine:
    """An engine without pooling for one source; raises ``MissingExtra`` for missing drivers."""
    load_dialect(url)
    try:
        return create_engine(url, connect_args=connect_args, poolclass=None, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError):
        raise _missing(url) from None
