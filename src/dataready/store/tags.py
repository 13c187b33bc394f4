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

from sqlalchemy import FromClause, Row, Select, Table, UniqueConstraint, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataready.analysis.tag_derivation import INPUT_FAMILIES, DerivedTag, TagRef
from dataready.domain.tenant import Tenant
from dataready.errors import ConfigError, NotFound
from dataready.store.assets import get_asset
from dataready.store.orm import Asset, Tag
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow

MACHINE = "machine"
PERSON = "person"
APPLIED = "applied"
REMOVED = "removed"
WITHDRAWN = "withdrawn"


def _unique_key(table: FromClause) -> tuple[str, ...]:
    """The columns of the table's one unique constraint: what an upsert conflicts on.

    Read from the table so that re-keying tags (the constraint in orm.py) needs no change
    here; a second unique constraint fails loudly at import (an upsert must name one).
    """
    assert isinstance(table, Table)
    [key] = [con for con in table.constraints if isinstance(con, UniqueConstraint)]
    return tuple(col.name for col in key.columns)


TAG_KEY = _unique_key(Tag.__table__)


@dataclass(frozen=True)
class MachineTag:
    """A tag a run wants on an asset."""

    asset_fqn: str
    tag: str
    confidence: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    derived_from: tuple[TagRef, ...] = ()

    @classmethod
    def derived(cls, tag: DerivedTag) -> MachineTag:
        return cls(tag.asset_fqn, tag.tag, tag.confidence, tag.evidence, tag.derived_from)

    def lineage(self) -> list[dict[str, str]] | None:
        """``derived_from`` as stored: null for a tag that is not derived."""
        return [ref.to_dict() for ref in self.derived_from] or None


@dataclass
class TagChanges:
    applied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    kept_by_person: int = 0


def _identity(tenant: Tenant, asset_id: uuid.UUID, asset_fqn: str, tag: str) -> dict[str, Any]:
    """The columns that say which tag a row is: every insert of a tag starts from these."""
    return {
        "client_id": tenant.client_id,
        "project_id": tenant.project_id,
        "asset_id": asset_id,
        "asset_fqn": asset_fqn,
        "tag": tag,
    }


def _upsert(session: Session) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into tags that can say ``ON CONFLICT … DO UPDATE`` on the store's dialect.

    Concurrent writers of one tag then never collide on the unique constraint: the database
    turns the second insert into an update of the first one's row.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(Tag)
    if name == "sqlite":
        return sqlite.insert(Tag)
    raise ConfigError(
        f"the metadata store runs on {name!r}; dataready supports SQLite and PostgreSQL stores"
    )


def _through_assets(stmt: Select[Any], tenant: Tenant) -> Select[Any]:
    """``stmt`` over tags joined to their (tenant's) assets: a tag is read through its asset."""
    stmt = stmt.join(Asset, Asset.id == Tag.asset_id)
    stmt = stmt.where(Asset.client_id == tenant.client_id, Asset.project_id == tenant.project_id)
    return scoped(stmt, Tag, tenant)


def _existing(session: Session, tenant: Tenant, fqns: set[str]) -> dict[tuple[str, str], Row[Any]]:
    """What is stored now (plain rows: the writes below are conditional statements)."""
    stmt = _through_assets(
        select(Tag.id, Tag.asset_fqn, Tag.tag, Tag.source, Tag.state, Tag.evidence), tenant
    ).where(Asset.fqn.in_(fqns))
    return {(r.asset_fqn, r.tag): r for r in session.execute(stmt)}


def _asset_ids(session: Session, tenant: Tenant, fqns: set[str]) -> dict[str, uuid.UUID]:
    stmt = select(Asset.fqn, Asset.id).where(
        Asset.client_id == tenant.client_id,
        Asset.project_id == tenant.project_id,
        Asset.fqn.in_(fqns),
    )
    return {fqn: asset_id for fqn, asset_id in session.execute(stmt)}


def _load(session: Session, tenant: Tenant, asset_fqn: str, tag: str) -> Tag | None:
    stmt = _through_assets(select(Tag), tenant).where(Asset.fqn == asset_fqn, Tag.tag == tag)
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


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

    People's decisions win: tags set or removed by a person are left as they are — also when
    the person's decision commits while this runs.  Every machine write is conditional on
    the row still being the machine's (``source = 'machine'``), so a concurrent decision by a
    person is never overwritten; inserts are upserts, so a concurrent insert of the same tag
    (a person's, another run's) is never a unique-constraint error. A tag for an FQN that
    is no longer in the catalogue is not stored.
    """
    changes = TagChanges()
    fqns = assets | {t.asset_fqn for t in tags}
    existing = _existing(session, tenant, fqns)
    ids = _asset_ids(session, tenant, fqns)
    now = utcnow()
    wanted = {(t.asset_fqn, t.tag): t for t in tags if t.asset_fqn in ids}
    rows: list[dict[str, Any]] = []
    # one order for every writer: concurrent syncs lock the same rows in the same order
    for key, want in sorted(wanted.items()):
        prior = existing.get(key)
        if prior is not None and prior.source == PERSON:
            changes.kept_by_person += 1
            continue
        rows.append(
            {
                **_identity(tenant, ids[want.asset_fqn], want.asset_fqn, want.tag),
                "id": uuid.uuid4(),
                "source": MACHINE,
                "state": APPLIED,
                "confidence": want.confidence,
                "evidence": want.evidence,
                "derived_from": want.lineage(),
                "run_id": run_id,
                "workflow_type": workflow_type,
                "created_by": workflow_type,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        insert = _upsert(session)
        stmt = insert.on_conflict_do_update(
            index_elements=list(TAG_KEY),
            set_={
                col: insert.excluded[col]
                for col in (
                    "state",
                    "confidence",
                    "evidence",
                    "derived_from",
                    "run_id",
                    "updated_at",
                )
            },
            where=Tag.source == MACHINE,
        ).returning(Tag.id, Tag.asset_fqn, Tag.tag)
        written = {(r.asset_fqn, r.tag): r.id for r in session.execute(stmt, rows)}
        for row in rows:
            key = (row["asset_fqn"], row["tag"])
            if key not in written:  # a person decided on it since we read
                changes.kept_by_person += 1
                continue
            prior = existing.get(key)
            revived = prior is None or prior.state != APPLIED
            (changes.applied if revived else changes.updated).append(str(written[key]))
    for key, prior in sorted(existing.items()):
        if key in wanted or prior.asset_fqn not in assets or prior.source != MACHINE:
            continue
        if prior.state == APPLIED and prior.tag.startswith(families):
            result = session.execute(
                update(Tag)
                .where(Tag.id == prior.id, Tag.source == MACHINE, Tag.state == APPLIED)
                .values(
                    state=WITHDRAWN,
                    run_id=run_id,
                    updated_at=now,
                    evidence={**(prior.evidence or {}), "withdrawn": "evidence no longer found"},
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                changes.withdrawn.append(str(prior.id))
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

    The tags derived from it appear, and those it replaces go, in the same transaction; the
    same call undoes a person's earlier removal of the tag.

    One upsert: of concurrent requests for the same tag each succeeds and one row results.

    Raises:
        NotFound: the asset is not in the catalogue.
    """
    asset = get_asset(session, tenant, asset_fqn)
    now = utcnow()
    decision = {
        "source": PERSON,
        "state": APPLIED,
        "created_by": by,
        "confidence": 1.0,
        "evidence": {"set_by": by, **({"note": note} if note else {})},
        "derived_from": None,
        "updated_at": now,
    }
    insert = _upsert(session).values(
        **_identity(tenant, asset.id, asset_fqn, tag), **decision, id=uuid.uuid4(), created_at=now
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=list(TAG_KEY),
            set_={col: insert.excluded[col] for col in decision},
        )
    )
    _follow(session, tenant, asset_fqn, tag, by=by)
    row = _load(session, tenant, asset_fqn, tag)
    assert row is not None  # written by this transaction
    return row


def remove_tag(session: Session, tenant: Tenant, asset_fqn: str, tag: str, *, by: str) -> Tag:
    """A person removes ``tag``; later runs will not re-apply it.

    The row stays as the person's negative decision (``state='removed'``), which later runs
    respect; tags derived only from it go in the same transaction.

    The removal is conditional on the tag still being applied: of concurrent removals one
    succeeds and the others find no tag (404), as they would one after the other.
    """
    row = _load(session, tenant, asset_fqn, tag)
    missing = NotFound(f"{asset_fqn} has no tag {tag!r}", resource="tag", fqn=asset_fqn, tag=tag)
    if row is None or row.state != APPLIED:
        raise missing
    result = session.execute(
        update(Tag)
        .where(Tag.id == row.id, Tag.state == APPLIED)
        .values(
            source=PERSON,
            state=REMOVED,
            derived_from=None,
            evidence={**(row.evidence or {}), "removed_by": by},
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise missing
    _follow(session, tenant, asset_fqn, tag, by=by)
    session.refresh(row)
    return row


def _follow(session: Session, tenant: Tenant, asset_fqn: str, tag: str, *, by: str) -> None:
    """The derived tags follow a person's change of ``tag``, in the same transaction."""
    from dataready.store import tag_lineage  # it builds on this module

    if tag.startswith(INPUT_FAMILIES):
        tag_lineage.rederive(session, tenant, asset_fqn, by=by)


def list_tags(
    session: Session,
    tenant: Tenant,
    *,
    asset_fqn: str | None = None,
    under: str | None = None,
    prefix: str | None = None,
    include_inactive: bool = False,
    fresh: bool = False,
) -> list[Tag]:
    """Tags of the tenant's assets, by FQN and tag.

    ``fresh`` re-reads rows this session already holds (after conditional writes by
    statement, which leave them stale).
    """
    stmt = _through_assets(select(Tag), tenant)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
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
