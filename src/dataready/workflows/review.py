"""Reviewing a run's proposals one change at a time, before the run is approved.

A stored proposal may bundle many changes (a tagging run proposes a table's whole tag set).
Each proposal kind registers a :class:`Reviewer` that says which changes a proposal makes
(compared with the catalogue as it is) and how to apply a proposal without the changes a
person rejected.  A kind without a reviewer is one change per proposal, all or nothing.

The changes are recorded when the run completes (:func:`record`), so their ids are stable
and what they were is kept after the run is decided.  A person's decision moves the run's
approval by compare-and-set (it stays ``pending``, its ``updated_at`` moves): a decision on
a proposal and a decision on the run never race — of two at once the first wins and the
other answers 409.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy.orm import Session

from dataready.domain.enums import ApprovalStatus, ProposalDecision
from dataready.domain.proposals import PROPOSED, ChangeSpec, without_values
from dataready.domain.tenant import Principal, Tenant
from dataready.errors import Conflict, InvalidTransition
from dataready.store import approvals as approvals_q
from dataready.store import proposals as proposals_q
from dataready.store.orm import Proposal, ProposalChange, WorkflowRun


class Reviewer(Protocol):
    """How the proposals of one kind are reviewed."""

    def changes(
        self, session: Session, tenant: Tenant, proposals: list[Proposal]
    ) -> list[tuple[Proposal, ChangeSpec]]:
        """The changes ``proposals`` would make to the catalogue as it is now."""
        ...

    def narrow(
        self,
        session: Session,
        tenant: Tenant,
        proposal: Proposal,
        rejected: list[ProposalChange],
    ) -> dict[str, Any] | None:
        """The payload to apply without ``rejected``, or ``None`` to apply nothing of it."""
        ...


class WholeProposal:
    """A proposal is one change: its payload is what it makes; rejected, nothing applies."""

    def changes(
        self, session: Session, tenant: Tenant, proposals: list[Proposal]
    ) -> list[tuple[Proposal, ChangeSpec]]:
        out = []
        for p in proposals:
            payload = dict(p.payload)
            confidence = payload.get("confidence")
            evidence = payload.get("evidence")
            spec = ChangeSpec(
                kind=p.kind,
                asset_fqn=p.asset_fqn,
                subject=None,
                before=None,
                after=payload,
                confidence=float(confidence) if isinstance(confidence, int | float) else None,
                evidence=dict(evidence) if isinstance(evidence, dict) else {},
            )
            out.append((p, spec))
        return out

    def narrow(
        self,
        session: Session,
        tenant: Tenant,
        proposal: Proposal,
        rejected: list[ProposalChange],
    ) -> dict[str, Any] | None:
        return None if rejected else dict(proposal.payload)


_REVIEWERS: dict[str, Reviewer] = {}
_WHOLE = WholeProposal()


def register_reviewer(kind: str, reviewer: Reviewer, *, replace: bool = False) -> None:
    """Register how proposals of ``kind`` are split into changes and narrowed."""
    if kind in _REVIEWERS and not replace:
        raise ValueError(f"a reviewer for proposal kind {kind!r} is already registered")
    _REVIEWERS[kind] = reviewer


def unregister_reviewer(kind: str) -> None:
    _REVIEWERS.pop(kind, None)


def reviewer_for(kind: str) -> Reviewer:
    from dataready.workflows.registry import registered_types

    registered_types()  # built-in reviewers register with the built-in workflows
    return _REVIEWERS.get(kind, _WHOLE)


def record(session: Session, run: WorkflowRun) -> int:
    """Record the changes of the run's open proposals, once (in the caller's transaction)."""
    if proposals_q.has_changes(session, run.id):
        return 0
    by_kind: dict[str, list[Proposal]] = {}
    for p in approvals_q.open_proposals(session, run.id):
        by_kind.setdefault(p.kind, []).append(p)
    tenant = Tenant(run.client_id, run.project_id)
    specs: list[tuple[Proposal, ChangeSpec]] = []
    for kind, proposals in by_kind.items():
        specs += reviewer_for(kind).changes(session, tenant, proposals)
    return proposals_q.record_changes(session, specs)


def ensure_recorded(session: Session, tenant: Tenant, run_id: uuid.UUID) -> None:
    """Record the changes of a run that completed before changes were recorded."""
    session.flush()
    if proposals_q.has_changes(session, run_id):
        return
    run = session.get(WorkflowRun, run_id)
    if run is not None and (run.client_id, run.project_id) == (
        tenant.client_id,
        tenant.project_id,
    ):
        record(session, run)


def narrowed(
    session: Session, run: WorkflowRun, proposals: list[Proposal]
) -> tuple[list[Proposal], list[uuid.UUID], int]:
    """The proposals to apply without what a person rejected.

    Returns:
        The proposals to hand to the appliers (copies, not in the session, where narrowed),
        the ids of proposals left with nothing to apply, and the number of rejected changes.
    """
    rejected = proposals_q.rejected_by_proposal(session, run.id)
    if not rejected:
        return proposals, [], 0
    tenant = Tenant(run.client_id, run.project_id)
    keep: list[Proposal] = []
    dropped: list[uuid.UUID] = []
    count = 0
    for p in proposals:
        mine = rejected.get(p.id)
        if not mine:
            keep.append(p)
            continue
        count += len(mine)
        payload = reviewer_for(p.kind).narrow(session, tenant, p, mine)
        if payload is None:
            dropped.append(p.id)
            continue
        copy = Proposal(
            id=p.id,
            client_id=p.client_id,
            project_id=p.project_id,
            run_id=p.run_id,
            kind=p.kind,
            asset_fqn=p.asset_fqn,
            payload=payload,
            status=p.status,
        )
        keep.append(copy)
    return keep, dropped, count


def decide_change(
    session: Session,
    principal: Principal,
    run_id: uuid.UUID,
    change_id: uuid.UUID,
    decision: ProposalDecision,
) -> proposals_q.ReviewedChange:
    """Accept, reject or re-mark pending one proposed change of a run awaiting approval."""
    tenant = principal.tenant
    approval = approvals_q.get_approval(session, tenant, run_id)
    if approval.status != ApprovalStatus.PENDING:
        raise InvalidTransition(
            f"run {run_id} is already {approval.status}: its proposals can be accepted or "
            "rejected only while the run awaits approval",
            current=approval.status,
            workflow_run_id=str(run_id),
        )
    ensure_recorded(session, tenant, run_id)
    change = proposals_q.get_change(session, tenant, run_id, change_id)
    if change.status != PROPOSED:
        raise Conflict(
            f"proposal {change_id} of run {run_id} is {change.status} (its service was "
            "deleted or re-pointed): there is nothing left to decide; reject the run",
            current=change.status,
            workflow_run_id=str(run_id),
        )
    # the decision moves the approval (compare-and-set): an approval decided meanwhile, or
    # another decision in flight, makes this one lose with 409
    try:
        approvals_q.transition_approval(session, approval, ApprovalStatus.PENDING)
    except InvalidTransition as exc:
        current = exc.details.get("current")
        raise InvalidTransition(
            f"run {run_id} was {current} while this decision was being made: its proposals "
            "can no longer be accepted or rejected; GET …/approval shows the decision",
            current=current,
            workflow_run_id=str(run_id),
        ) from exc
    proposals_q.set_decision(
        session, change.row, decision, by=principal.subject or principal.client_id
    )
    return proposals_q.get_change(session, tenant, run_id, change_id)


def readable(change: proposals_q.ReviewedChange, *, unmasked: bool) -> dict[str, Any]:
    """One change as the API and the CLI show it (values removed below the unmasked role)."""
    row = change.row
    doc: dict[str, Any] = {
        "id": row.id,
        "workflow_run_id": row.run_id,
        "stored_proposal_id": row.proposal_id,
        "kind": row.kind,
        "asset_fqn": row.asset_fqn,
        "subject": row.subject,
        "before": row.before,
        "after": row.after,
        "confidence": row.confidence,
        "evidence": row.evidence or {},
        "decision": row.decision,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "status": change.status,
        "created_at": row.created_at,
    }
    if not unmasked:
        for key in ("before", "after", "evidence"):
            doc[key] = without_values(doc[key])
    return doc
