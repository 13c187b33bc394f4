"""Result types of connector introspection and queries.

Frozen dataclasses: connectors build them, everything above reads them. ``None`` means the
engine does not know (a row estimate on SQLite, a comment on DuckDB views); an empty tuple
means it knows there is nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dataready.sql.types import TypeFamily


class TableKind(StrEnum):
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    FOREIGN_TABLE = "foreign_table"
    PARTITIONED_TABLE = "partitioned_table"


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A table or view in a schema."""

    name: str
    kind: TableKind
    schema: str | None = None
    database: str | None = None
    comment: str | None = None
    row_estimate: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A column; ``ordinal_position`` counts from 1."""

    name: str
    ordinal_position: int
    declared_type: str
    type_family: TypeFamily
    nullable: bool
    default: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class PrimaryKeyInfo:
    columns: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignKeyInfo:
    """A (possibly composite) foreign key; ``columns[i]`` refers to ``referred_columns[i]``."""

    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    referred_schema: str | None = None
    referred_database: str | None = None
    on_delete: str | None = None
    on_update: str | None = None


@dataclass(frozen=True, slots=True)
class UniqueConstraintInfo:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """An index; an expression part of the key is listed as ``None`` in ``columns``."""

    name: str
    columns: tuple[str | None, ...]
    unique: bool
    primary: bool = False


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of a bounded fetch; ``truncated`` says more rows were left on the server."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool = False

    def as_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name (later duplicates win)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What a connection can see: returned by ``Connector.verify()``."""

    type: str
    server_version: str | None
    database: str | None
    databases: int | None
    schemas: int | None
    read_only: bool
    elapsed_ms: float
    user: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
