"""The one place that loads optional SQLAlchemy dialects for warehouse sources.

A dialect whose package is missing raises :class:`MissingExtra` naming the
``dataready[extra]`` that installs it, instead of SQLAlchemy's ``NoSuchModuleError``.

It also reads ``dialect_sessions.toml``: per engine, what the generic connector sends on
connect to make a session read-only and bound its statements (:func:`session_plan`).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Dialect, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

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


def dialect_available(drivername: str) -> bool:
    """Whether SQLAlchemy can load the dialect ``drivername`` (``trino``, ``mssql+pyodbc``)."""
    try:
        URL.create(drivername).get_dialect()
    except (NoSuchModuleError, ImportError, ArgumentError, ValueError):
        return False
    return True


def create_source_engine(url: URL, connect_args: dict[str, Any]) -> Engine:
    """An engine for one source; raises ``MissingExtra`` for missing drivers.

    The URL and ``connect_args`` carry secrets: errors are raised without them.
    """
    load_dialect(url)
    try:
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError):
        raise _missing(url) from None


@dataclass(frozen=True)
class SessionPlan:
    """What to send a new connection of one engine (see ``dialect_sessions.toml``)."""

    dialect: str
    timeout_session: tuple[str, ...] = ()
    timeout_attribute: tuple[str, int] | None = None
    """(DB-API connection attribute, value) bounding every statement."""
    read_only_session: tuple[str, ...] = ()
    read_only_transaction: tuple[str, ...] = ()
    read_only_check: str | None = None
    note: str | None = None

    @property
    def can_enforce_read_only(self) -> bool:
        return bool(self.read_only_session or self.read_only_transaction)

    @property
    def can_enforce_timeout(self) -> bool:
        return bool(self.timeout_session or self.timeout_attribute)


@cache
def dialect_sessions() -> dict[str, dict[str, Any]]:
    """The per-engine table, as read from the package's ``dialect_sessions.toml``."""
    text = files("dataready.connectors").joinpath("dialect_sessions.toml").read_text("utf-8")
    return tomllib.loads(text)


def session_plan(dialect: str, statement_timeout_seconds: float) -> SessionPlan:
    """The statements and attributes that make a ``dialect`` session read-only and bounded.

    Args:
        dialect: the URL's backend name (``snowflake``, ``trino``, ``mssql``, ...).
        statement_timeout_seconds: the bound per statement (``sources`` settings).
    """
    entry = dialect_sessions().get(dialect, {})
    ms = max(1, int(statement_timeout_seconds * 1000))
    seconds = max(1, math.ceil(statement_timeout_seconds))

    def fill(key: str) -> tuple[str, ...]:
        return tuple(str(s).format(ms=ms, seconds=seconds) for s in entry.get(key, ()))

    attribute = None
    if "timeout_attribute" in entry:
        spec = entry["timeout_attribute"]
        attribute = (str(spec["name"]), ms if spec["unit"] == "ms" else seconds)
    return SessionPlan(
        dialect=dialect,
        timeout_session=fill("timeout_session"),
        timeout_attribute=attribute,
        read_only_session=fill("read_only_session"),
        read_only_transaction=fill("read_only_transaction"),
        read_only_check=entry.get("read_only_check"),
        note=entry.get("note"),
    )
