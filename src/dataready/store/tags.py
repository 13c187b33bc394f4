"""Tags on assets, from machines and from people.

Machine tags are re-evaluated on every run of the workflow that produced them: a tag whose
evidence is gone is withdrawn.  A person's decision — a tag set by hand, or a machine tag
removed by hand — is never overturned by a later run.

Tags belong to their asset (``asset_id``) and are read through it: they go with the asset,
and a later asset of the same FQN starts with none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.store.assets import get_asset
from dataready.store.orm import Asset, Tag
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow

MACHINE = "machine"
PERSON = "person"
APPLIED = "applied"
REMOVED = "removed"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class MachineTag:
    """A tag a run wants on an asset."""

    asset_fqn: str
    tag: str
    confidence: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class TagChanges:
    applied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    kept_by_person: int = 0


def _through_assets(tenant: Tenant) -> Select[Tag]:
    stmt = select(Tag).join(Asset, Asset.id == Tag.asset_id)
    stmt = stmt.where(Asset.client_id == tenant.client_id, Asset.project_id == tenant.project_id)
    return scoped(stmt, Tag, tenant)


def _existing(session: Session, tenant: Tenant, fqns: set[str]) -> dict[tuple[str, str], Tag]:
    rows = session.scalars(_through_assets(tenant).where(Asset.fqn.in_(fqns)))
    return {(t.asset_fqn, t.tag): t for t in rows}


def _asset_ids(session: Session, tenant: Tenant, fqns: set[str]) -> dict[str, uuid.UUID]:
    stmt = select(Asset.fqn, Asset.id).where(
        Asset.client_id == tenant.client_id,
        Asset.project_id == tenant.project_id,
        Asset.fqn.in_(fqns),
    )
    return {fqn: asset_id for fqn, asset_id in session.execute(stmt)}


def sync_machine_tags(
    session: Session,
    tenant: Tenant,
    *,
    assets: set[str],
    families: tuple[str, ...],
    tags: list[MachineTag],
    run_id: uuid.UUID | None,
    workflow_type: str | None,
) -> TagChanges:
    """Make the machine tags of ``families`` (prefixes like ``PII.``) on ``assets`` match.

    People's decisions win: tags set or removed by a person are left as they are. A tag
    for an FQN that is no longer in the catalogue is not stored.
    """
    changes = TagChanges()
    fqns = assets | {t.asset_fqn for t in tags}
    existing = _existing(session, tenant, fqns)
    ids = _asset_ids(session, tenant, fqns)
    now = utcnow()
    wanted = {(t.asset_fqn, t.tag): t for t in tags if t.asset_fqn in ids}
    for key, want in wanted.items():
        row = existing.get(key)
        if row is None:
            row = Tag(
                id=uuid.uuid4(),
                client_id=tenant.client_id,
                project_id=tenant.project_id,
                asset_id=ids[want.asset_fqn],
                asset_fqn=want.asset_fqn,
                tag=want.tag,
                source=MACHINE,
                state=APPLIED,
                confidence=want.confidence,
                evidence=want.evidence,
                run_id=run_id,
                workflow_type=workflow_type,
                created_by=workflow_type,
            )
            session.add(row)
            changes.applied.append(str(row.id))
            continue
        if row.source == PERSON:
            changes.kept_by_person += 1
            continue
        revived = row.state != APPLIED
        row.state = APPLIED
        row.confidence = want.confidence
        row.evidence = want.evidence
        row.run_id = run_id
        row.updated_at = now
        (changes.applied if revived else changes.updated).append(str(row.id))
    for key, row in existing.items():
        if key in wanted or row.asset_fqn not in assets or row.source != MACHINE:
            continue
        if row.state == APPLIED and row.tag.startswith(families):
            row.state = WITHDRAWN
            row.run_id = run_id
            row.updated_at = now
            row.evidence = {**(row.evidence or {}), "withdrawn": "evidence no longer found"}
            changes.withdrawn.append(str(row.id))
    session.flush()
    return changes


def set_tag(
    session: Session,
    tenant: Tenant,
    asset_fqn: str,
    tag: str,
    *,
    by: str,
    note: str | None = None,
) -> Tag:
    """A person applies ``tag`` to an asset (overriding any machine decision).

    Raises:
        NotFound: the asset is not in the catalogue.
    """
    asset = get_asset(session, tenant, asset_fqn)
    row = _existing(session, tenant, {asset_fqn}).get((asset_fqn, tag))
    if row is None:
        row = Tag(
            client_id=tenant.client_id,
            project_id=tenant.project_id,
            asset_id=asset.id,
            asset_fqn=asset_fqn,
            tag=tag,
        )
        session.add(row)
    row.source, row.state, row.created_by = PERSON, APPLIED, by
    row.confidence = 1.0
    row.evidence = {"set_by": by, **({"note": note} if note else {})}
    row.updated_at = utcnow()
    session.flush()
    return row


def remove_tag(session: Session, tenant: Tenant, asset_fqn: str, tag: str, *, by: str) -> Tag:
    """A person removes ``tag``; later runs will not re-apply it."""
    row = _existing(session, tenant, {asset_fqn}).get((asset_fqn, tag))
    if row is None or row.state != APPLIED:
        raise NotFound(f"{asset_fqn} has no tag {tag!r}", resource="tag", fqn=asset_fqn, tag=tag)
    row.source, row.state = PERSON, REMOVED
    row.evidence = {**(row.evidence or {}), "removed_by": by}
    row.updated_at = utcnow()
    session.flush()
    return row


def list_tags(
    session: Session,
    tenant: Tenant,
    *,
    asset_fqn: str | None = None,
    under: str | None = None,
    prefix: str | None = None,
    include_inactive: bool = False,
) -> list[Tag]:
    stmt = _through_assets(tenant)
    if asset_fqn is not None:
        stmt = stmt.where(Asset.fqn == asset_fqn)
    if under is not None:
        below = Asset.fqn.startswith(under + ".", autoescape=True)
        stmt = stmt.where(or_(Asset.fqn == under, below))
    if prefix is not None:
        stmt = stmt.where(Tag.tag.startswith(prefix, autoescape=True))
    if not include_inactive:
        stmt = stmt.where(Tag.state == APPLIED)
    return list(session.scalars(stmt.order_by(Tag.asset_fqn, Tag.tag)))
