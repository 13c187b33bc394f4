"""Catalogue records: what ingestion saw of one asset, ready to be synced into the store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AssetType(StrEnum):
    SERVICE = "service"
    DATABASE = "database"
    SCHEMA = "schema"
    TABLE = "table"
    VIEW = "view"
    COLUMN = "column"


TABLE_LIKE = frozenset({AssetType.TABLE.value, AssetType.VIEW.value})


class AssetStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


def structure_hash(structure: Any) -> str:
    """A stable digest of an asset's structure (columns, types, keys): bumps ``version``."""
    text = json.dumps(structure, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class AssetRecord:
    """One asset as a source shows it now."""

    fqn: str
    parent_fqn: str | None
    asset_type: str
    name: str
    database_name: str | None = None
    schema_name: str | None = None
    table_name: str | None = None
    column_name: str | None = None
    data_type: str | None = None
    type_family: str | None = None
    ordinal_position: int | None = None
    nullable: bool | None = None
    comment: str | None = None
    row_count_estimate: int | None = None
    size_bytes: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    structure_hash: str | None = None

    def content(self) -> dict[str, Any]:
        """Everything that, when it differs from the stored row, makes the asset changed."""
        return {
            "data_type": self.data_type,
            "type_family": self.type_family,
            "ordinal_position": self.ordinal_position,
            "nullable": self.nullable,
            "comment": self.comment,
            "details": self.details,
            "structure_hash": self.structure_hash,
            "asset_type": self.asset_type,
        }


@dataclass
class SyncCounts:
    """What a sync changed; table-level counts cover tables and views."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    columns_added: int = 0
    columns_changed: int = 0
    columns_removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)
