"""Queries over proposed changes (``proposal_changes``): the review of a run's proposals.

Every function takes the caller's session and never commits.  Decisions are written under
the approval's compare-and-set (:func:`dataready.store.approvals.transition_approval`), so
they never race the run's approval.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataready.domain.enums import ProposalDecision
from dataready.domain.proposals import ChangeSpec, change_id, outcome
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.store.orm import Asset, Proposal, ProposalChange, Tag
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow

IN_CHUNK = 500
"""FQNs per ``IN (…)`` list when reading the current tags of many assets."""


@dataclass(frozen=True)
class ReviewedChange:
    """A stored change with what happened to it."""

    row: ProposalChange
    status: str


def has_changes(session: Session, run_id: uuid.UUID) -> bool:
    stmt = select(ProposalChange.id).where(ProposalChange.run_id == run_id).limit(1)
    return session.scalar(stmt) is not None


def record_changes(session: Session, changes: Iterable[tuple[Proposal, ChangeSpec]]) -> int:
    """Store the changes of proposals (once: a second recording of the same run is a no-op).

    Two readers recording a run that predates the table at once: the second one's insert
    hits the first one's primary keys and is rolled back to its savepoint.
    """
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for position, (p, spec) in enumerate(changes):
        rows.append(
            {
                "id": change_id(p.id, spec.asset_fqn, spec.subject),
                "client_id": p.client_id,
                "project_id": p.project_id,
                "proposal_id": p.id,
                "run_id": p.run_id,
                "position": position,
                "kind": spec.kind,
                "asset_fqn": spec.asset_fqn,
                "subject": spec.subject,
                "before": spec.before,
                "after": spec.after,
                "confidence": spec.confidence,
                "evidence": spec.evidence,
                "decision": ProposalDecision.PENDING.value,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not rows:
        return 0
    try:
        with session.begin_nested():
            session.execute(insert(ProposalChange), rows)
    except IntegrityError:
        return 0
    return len(rows)


def _reviewed(stmt: Any) -> Any:
    return stmt.join(Proposal, Proposal.id == ProposalChange.proposal_id)


def list_changes(
    session: Session,
    tenant: Tenant,
    run_id: uuid.UUID,
    *,
    kind: str | None = None,
    decision: str | None = None,
    asset_fqn: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReviewedChange], int]:
    """A run's changes in the order the run proposed them, and how many match."""
    stmt = scoped(
        _reviewed(select(ProposalChange, Proposal.status)).where(ProposalChange.run_id == run_id),
        ProposalChange,
        tenant,
    )
    if kind is not None:
        stmt = stmt.where(ProposalChange.kind == kind)
    if decision is not None:
        stmt = stmt.where(ProposalChange.decision == decision)
    if asset_fqn is not None:
        stmt = stmt.where(
            (ProposalChange.asset_fqn == asset_fqn)
            | ProposalChange.asset_fqn.startswith(asset_fqn + ".", autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # By asset, then as the workflow listed them: one order for reading and paging (rows
    # recorded in one transaction may share created_at, so time alone would leave ties to the
    # random ids).
    page = session.execute(
        stmt.order_by(ProposalChange.asset_fqn, ProposalChange.position, ProposalChange.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [ReviewedChange(r[0], outcome(r[1], r[0].decision)) for r in page], int(total)


def get_change(
    session: Session, tenant: Tenant, run_id: uuid.UUID, change: uuid.UUID
) -> ReviewedChange:
    stmt = scoped(
        _reviewed(select(ProposalChange, Proposal.status)).where(
            ProposalChange.run_id == run_id, ProposalChange.id == change
        ),
        ProposalChange,
        tenant,
    )
    found = session.execute(stmt).first()
    if found is None:
        raise NotFound(
            f"run {run_id} has no proposal {change}; list them with GET "
            f"/workflows/runs/{run_id}/proposals",
            resource="proposal",
            id=str(change),
            workflow_run_id=str(run_id),
        )
    return ReviewedChange(found[0], outcome(found[1], found[0].decision))


def set_decision(
    session: Session, change: ProposalChange, decision: ProposalDecision, *, by: str | None
) -> None:
    now = utcnow()
    pending = decision is ProposalDecision.PENDING
    session.execute(
        update(ProposalChange)
        .where(ProposalChange.id == change.id)
        .values(
            decision=decision.value,
            decided_by=None if pending else by,
            decided_at=None if pending else now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(change)


def summary(session: Session, run_id: uuid.UUID) -> dict[str, Any]:
    """Counts of a run's changes: in all, by kind, by decision and by what happened."""
    stmt = (
        _reviewed(
            select(ProposalChange.kind, ProposalChange.decision, Proposal.status, func.count())
        )
        .where(ProposalChange.run_id == run_id)
        .group_by(ProposalChange.kind, ProposalChange.decision, Proposal.status)
    )
    by_kind: dict[str, int] = {}
    by_decision = {d.value: 0 for d in ProposalDecision}
    by_status: dict[str, int] = {}
    total = 0
    for kind, decision, status, count in session.execute(stmt):
        total += count
        by_kind[kind] = by_kind.get(kind, 0) + count
        by_decision[decision] = by_decision.get(decision, 0) + count
        fate = outcome(status, decision)
        by_status[fate] = by_status.get(fate, 0) + count
    return {
        "total": total,
        "by_kind": dict(sorted(by_kind.items())),
        "by_decision": by_decision,
        "by_status": dict(sorted(by_status.items())),
    }


def rejected_by_proposal(
    session: Session, run_id: uuid.UUID
) -> dict[uuid.UUID, list[ProposalChange]]:
    stmt = select(ProposalChange).where(
        ProposalChange.run_id == run_id,
        ProposalChange.decision == ProposalDecision.REJECTED.value,
    )
    out: dict[uuid.UUID, list[ProposalChange]] = {}
    for row in session.scalars(stmt):
        out.setdefault(row.proposal_id, []).append(row)
    return out


def mark_status(session: Session, proposal_ids: Iterable[uuid.UUID], status: str) -> int:
    ids = list(proposal_ids)
    if not ids:
        return 0
    result = session.execute(
        update(Proposal)
        .where(Proposal.id.in_(ids), Proposal.status == "proposed")
        .values(status=status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def current_tags(
    session: Session, tenant: Tenant, fqns: set[str]
) -> dict[tuple[str, str], Row[Any]]:
    """The stored tags (any source and state) of the assets ``fqns``, by ``(asset_fqn, tag)``."""
    out: dict[tuple[str, str], Row[Any]] = {}
    names = sorted(fqns)
    for i in range(0, len(names), IN_CHUNK):
        stmt = scoped(
            select(Tag.asset_fqn, Tag.tag, Tag.source, Tag.state, Tag.confidence, Tag.evidence)
            .join(Asset, Asset.id == Tag.asset_id)
            .where(
                Asset.client_id == tenant.client_id,
                Asset.project_id == tenant.project_id,
                Asset.fqn.in_(names[i : i + IN_CHUNK]),
            ),
            Tag,
            tenant,
        )
        out.update({(r.asset_fqn, r.tag): r for r in session.execute(stmt)})
    return out


def catalogued(session: Session, tenant: Tenant, fqns: set[str]) -> set[str]:
    """Which of ``fqns`` are in the tenant's catalogue."""
    found: set[str] = set()
    names = sorted(fqns)
    for i in range(0, len(names), IN_CHUNK):
        stmt = scoped(select(Asset.fqn), Asset, tenant).where(
            Asset.fqn.in_(names[i : i + IN_CHUNK])
        )
        found.update(session.scalars(stmt))
    return found
