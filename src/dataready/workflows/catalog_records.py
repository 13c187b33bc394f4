"""Turning what a connector reports about a schema into catalogue records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dataready.connectors.models import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    PrimaryKeyInfo,
    TableInfo,
    UniqueConstraintInfo,
)
from dataready.domain.catalog import AssetRecord, AssetType, structure_hash
from dataready.domain.fqn import FQN


@dataclass
class DescribedTable:
    """Everything ingestion records about one table or view."""

    info: TableInfo
    columns: list[ColumnInfo]
    primary_key: PrimaryKeyInfo | None = None
    foreign_keys: list[ForeignKeyInfo] = field(default_factory=list)
    unique_constraints: list[UniqueConstraintInfo] = field(default_factory=list)
    indexes: list[IndexInfo] = field(default_factory=list)
    unreadable: str | None = None
    """Why the source could not describe it (then it has no columns), or ``None``."""

    @property
    def is_view(self) -> bool:
        return self.info.kind.value in ("view", "materialized_view")


def _fk_doc(fk: ForeignKeyInfo, service: str, database: str, schema: str) -> dict[str, Any]:
    ref_db = fk.referred_database or database
    ref_schema = fk.referred_schema or schema
    return {
        "name": fk.name,
        "columns": list(fk.columns),
        "referred_fqn": str(FQN(service, ref_db, ref_schema, fk.referred_table)),
        "referred_columns": list(fk.referred_columns),
        "on_delete": fk.on_delete,
        "on_update": fk.on_update,
    }


def database_record(service: str, database: str) -> AssetRecord:
    return AssetRecord(
        fqn=str(FQN(service, database)),
        parent_fqn=None,
        asset_type=AssetType.DATABASE,
        name=database,
        database_name=database,
    )


def schema_record(service: str, database: str, schema: str) -> AssetRecord:
    return AssetRecord(
        fqn=str(FQN(service, database, schema)),
        parent_fqn=str(FQN(service, database)),
        asset_type=AssetType.SCHEMA,
        name=schema,
        database_name=database,
        schema_name=schema,
    )


def table_records(
    service: str, database: str, schema: str, table: DescribedTable
) -> list[AssetRecord]:
    """The table's record followed by one record per column."""
    tfqn = FQN(service, database, schema, table.info.name)
    pk_cols = list(table.primary_key.columns) if table.primary_key else []
    fks = [_fk_doc(fk, service, database, schema) for fk in table.foreign_keys]
    uniques: list[dict[str, Any]] = [
        {"name": u.name, "columns": list(u.columns)} for u in table.unique_constraints
    ]
    indexes = [
        {"name": i.name, "columns": list(i.columns), "unique": i.unique, "primary": i.primary}
        for i in table.indexes
    ]
    structure: dict[str, Any] = {
        "kind": table.info.kind.value,
        "columns": [[c.name, c.declared_type, c.nullable, c.default] for c in table.columns],
        "primary_key": pk_cols,
        "foreign_keys": [[f["columns"], f["referred_fqn"], f["referred_columns"]] for f in fks],
        "unique_constraints": sorted(sorted(u["columns"]) for u in uniques),
    }
    details: dict[str, Any] = {
        "kind": table.info.kind.value,
        "column_count": len(table.columns),
        "primary_key": pk_cols,
        "foreign_keys": fks,
        "unique_constraints": uniques,
        "indexes": indexes,
    }
    if table.unreadable is not None:
        # only then: the hashes of every readable table stay what they were
        structure["unreadable"] = True
        details["unreadable"] = table.unreadable
    records = [
        AssetRecord(
            fqn=str(tfqn),
            parent_fqn=str(FQN(service, database, schema)),
            asset_type=AssetType.VIEW if table.is_view else AssetType.TABLE,
            name=table.info.name,
            database_name=database,
            schema_name=schema,
            table_name=table.info.name,
            comment=table.info.comment,
            row_count_estimate=table.info.row_estimate,
            size_bytes=table.info.size_bytes,
            details=details,
            structure_hash=structure_hash(structure),
        )
    ]
    fk_by_col: dict[str, str] = {}
    for f in fks:
        for col, ref in zip(f["columns"], f["referred_columns"], strict=False):
            fk_by_col[col] = str(FQN.parse(f["referred_fqn"]).child(ref))
    unique_cols = {u["columns"][0] for u in uniques if len(u["columns"]) == 1}
    for c in table.columns:
        column: dict[str, Any] = {"default": c.default}
        if c.name in pk_cols:
            column["primary_key"] = True
        if c.name in fk_by_col:
            column["foreign_key"] = fk_by_col[c.name]
        if c.name in unique_cols:
            column["unique"] = True
        records.append(
            AssetRecord(
                fqn=str(tfqn.child(c.name)),
                parent_fqn=str(tfqn),
                asset_type=AssetType.COLUMN,
                name=c.name,
                database_name=database,
                schema_name=schema,
                table_name=table.info.name,
                column_name=c.name,
                data_type=c.declared_type,
                type_family=c.type_family.value,
                ordinal_position=c.ordinal_position,
                nullable=c.nullable,
                comment=c.comment,
                details=column,
                structure_hash=structure_hash([c.declared_type, c.nullable, c.default]),
            )
        )
    return records
