"""The catalogue: assets named by FQN, synced by ingestion, read by everything else.

Sync compares what a source shows now with what the store holds under one scope (a schema,
a database): new assets are inserted, changed ones updated (``version`` bumped when their
structure changed), and assets that vanished are marked ``deleted`` — kept, never erased.
Bulk statements keep a 1,000-table schema to a handful of round trips.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from dataready.domain.catalog import TABLE_LIKE, AssetRecord, AssetStatus, SyncCounts
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.store.orm import Asset, Tag
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow


def _count(counts: SyncCounts, asset_type: str, what: str) -> None:
    if asset_type in TABLE_LIKE:
        setattr(counts, what, getattr(counts, what) + 1)
    elif asset_type == "column" and what != "unchanged":
        name = f"columns_{what}"
        setattr(counts, name, getattr(counts, name) + 1)


def _stored_content(row: Asset) -> dict[str, Any]:
    return {
        "data_type": row.data_type,
        "type_family": row.type_family,
        "ordinal_position": row.ordinal_position,
        "nullable": row.nullable,
        "comment": row.comment,
        "details": row.details,
        "structure_hash": row.structure_hash,
        "asset_type": row.asset_type,
    }


def sync_assets(
    session: Session,
    tenant: Tenant,
    service_id: uuid.UUID,
    *,
    scope_fqn: str,
    records: list[AssetRecord],
    run_id: uuid.UUID | None,
    prune: bool = True,
) -> SyncCounts:
    """Make the assets at and under ``scope_fqn`` match ``records``.

    Args:
        scope_fqn: the FQN the records describe completely (the scope asset and everything
            under it); with ``prune`` any stored active asset under it that is missing from
            ``records`` is marked deleted.
    """
    existing = {
        row.fqn: row
        for row in session.scalars(
            scoped(
                select(Asset).where(
                    Asset.service_id == service_id,
                    or_(
                        Asset.fqn == scope_fqn,
                        Asset.fqn.startswith(scope_fqn + ".", autoescape=True),
                    ),
                ),
                Asset,
                tenant,
            )
        )
    }
    counts = SyncCounts()
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rec in records:
        seen.add(rec.fqn)
        row = existing.get(rec.fqn)
        values = {
            "parent_fqn": rec.parent_fqn,
            "name": rec.name,
            "database_name": rec.database_name,
            "schema_name": rec.schema_name,
            "table_name": rec.table_name,
            "column_name": rec.column_name,
            "row_count_estimate": rec.row_count_estimate,
            "size_bytes": rec.size_bytes,
            **rec.content(),
        }
        if row is None:
            inserts.append(
                {
                    "id": uuid.uuid4(),
                    "client_id": tenant.client_id,
                    "project_id": tenant.project_id,
                    "service_id": service_id,
                    "fqn": rec.fqn,
                    "version": 1,
                    "status": AssetStatus.ACTIVE.value,
                    "last_run_id": run_id,
                    "created_at": now,
                    "updated_at": now,
                    **values,
                }
            )
            _count(counts, rec.asset_type, "added")
            continue
        revived = row.status != AssetStatus.ACTIVE.value
        changed = revived or _stored_content(row) != rec.content()
        upd: dict[str, Any] = {
            "id": row.id,
            "last_run_id": run_id,
            "row_count_estimate": rec.row_count_estimate,
            "size_bytes": rec.size_bytes,
        }
        if changed:
            upd.update(values, status=AssetStatus.ACTIVE.value, deleted_at=None, updated_at=now)
            if revived or row.structure_hash != rec.structure_hash:
                upd["version"] = row.version + 1
            _count(counts, rec.asset_type, "added" if revived else "changed")
        else:
            _count(counts, rec.asset_type, "unchanged")
        updates.append(upd)
    if prune:
        for fqn, row in existing.items():
            if fqn not in seen and row.status == AssetStatus.ACTIVE.value:
                updates.append(
                    {
                        "id": row.id,
                        "status": AssetStatus.DELETED.value,
                        "deleted_at": now,
                        "updated_at": now,
                        "last_run_id": run_id,
                    }
                )
                _count(counts, row.asset_type, "removed")
    if inserts:
        session.execute(insert(Asset), inserts)
    if updates:
        # group by key set: bulk UPDATE by primary key needs uniform parameter sets
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for u in updates:
            groups.setdefault(tuple(sorted(u)), []).append(u)
        for group in groups.values():
            session.execute(update(Asset), group)
    session.flush()
    return counts


def mark_deleted(
    session: Session,
    tenant: Tenant,
    service_id: uuid.UUID,
    fqns: list[str],
    run_id: uuid.UUID | None,
) -> int:
    """Mark the given assets and everything under them deleted; returns tables removed."""
    removed = 0
    now = utcnow()
    for fqn in fqns:
        cond = or_(Asset.fqn == fqn, Asset.fqn.startswith(fqn + ".", autoescape=True))
        removed += int(
            session.scalar(
                scoped(select(func.count()).select_from(Asset), Asset, tenant).where(
                    cond,
                    Asset.service_id == service_id,
                    Asset.status == "active",
                    Asset.asset_type.in_(TABLE_LIKE),
                )
            )
            or 0
        )
        session.execute(
            update(Asset)
            .where(
                Asset.client_id == tenant.client_id,
                Asset.project_id == tenant.project_id,
                Asset.service_id == service_id,
                Asset.status == "active",
                cond,
            )
            .values(status="deleted", deleted_at=now, updated_at=now, last_run_id=run_id)
            .execution_options(synchronize_session=False)
        )
    return removed


def list_children(session: Session, tenant: Tenant, parent_fqn: str) -> list[Asset]:
    """Active children of an asset (a table's columns in ordinal order)."""
    stmt = scoped(
        select(Asset).where(Asset.parent_fqn == parent_fqn, Asset.status == "active"),
        Asset,
        tenant,
    ).order_by(Asset.ordinal_position, Asset.name)
    return list(session.scalars(stmt))


def child_fqns(
    session: Session, tenant: Tenant, parent_fqn: str, *, active_only: bool = True
) -> list[str]:
    stmt = scoped(select(Asset.fqn).where(Asset.parent_fqn == parent_fqn), Asset, tenant)
    if active_only:
        stmt = stmt.where(Asset.status == "active")
    return list(session.scalars(stmt))


def get_asset(session: Session, tenant: Tenant, fqn: str) -> Asset:
    found = session.scalars(scoped(select(Asset).where(Asset.fqn == fqn), Asset, tenant)).first()
    if found is None:
        raise NotFound(
            f"asset {fqn!r} is not in the catalogue; ingest its service with the "
            "service-ingestion workflow first",
            resource="asset",
            fqn=fqn,
        )
    return found


def list_assets(
    session: Session,
    tenant: Tenant,
    *,
    fqn_prefix: str | None = None,
    asset_type: str | None = None,
    q: str | None = None,
    tag: str | None = None,
    include_deleted: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Asset], int]:
    stmt = scoped(select(Asset), Asset, tenant)
    if fqn_prefix:
        stmt = stmt.where(
            or_(Asset.fqn == fqn_prefix, Asset.fqn.startswith(fqn_prefix + ".", autoescape=True))
        )
    if asset_type:
        stmt = stmt.where(Asset.asset_type == asset_type)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Asset.name).like(pattern),
                func.lower(func.coalesce(Asset.comment, "")).like(pattern),
            )
        )
    if tag:
        tagged = scoped(
            select(Tag.asset_id).where(Tag.tag == tag, Tag.state == "applied"), Tag, tenant
        )
        stmt = stmt.where(Asset.id.in_(tagged))
    if not include_deleted:
        stmt = stmt.where(Asset.status == "active")
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Asset.fqn).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def is_catalogued(session: Session, tenant: Tenant, fqn: str, asset_types: Sequence[str]) -> bool:
    """Whether ``fqn`` is an active asset of one of ``asset_types``."""
    stmt = scoped(
        select(Asset.id).where(
            Asset.fqn == fqn, Asset.asset_type.in_(asset_types), Asset.status == "active"
        ),
        Asset,
        tenant,
    )
    return session.scalars(stmt.limit(1)).first() is not None


def catalogued_fqns(
    session: Session, tenant: Tenant, asset_types: Sequence[str], *, limit: int = 20_000
) -> list[str]:
    """Active FQNs of the given types (at most ``limit``, in FQN order)."""
    stmt = scoped(
        select(Asset.fqn).where(Asset.asset_type.in_(asset_types), Asset.status == "active"),
        Asset,
        tenant,
    )
    return list(session.scalars(stmt.order_by(Asset.fqn).limit(limit)))
