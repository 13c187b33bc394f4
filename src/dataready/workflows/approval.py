"""Applying proposals: at approval, or at once for auto-saved runs.

Each proposal ``kind`` (a tag, a description, a rule) registers an applier that writes it
into the catalogue and returns what it changed (counts and ids).  Appliers run inside the
caller's transaction, so an approval is all-or-nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from dataready.domain.enums import ApprovalAction, ApprovalStatus, RunStatus
from dataready.domain.proposals import DISCARDED
from dataready.domain.states import check_approval_transition
from dataready.domain.tenant import Principal, Tenant
from dataready.errors import Conflict
from dataready.store import approvals as approvals_q
from dataready.store import proposals as proposals_q
from dataready.store import runs as runs_q
from dataready.store.orm import Approval, Proposal, WorkflowRun
from dataready.workflows import review

Applier = Callable[[Session, WorkflowRun, list[Proposal]], dict[str, Any]]

_APPLIERS: dict[str, Applier] = {}


def register_applier(kind: str, applier: Applier, *, replace: bool = False) -> None:
    """Register how proposals of ``kind`` are applied."""
    if kind in _APPLIERS and not replace:
        raise ValueError(f"an applier for proposal kind {kind!r} is already registered")
    _APPLIERS[kind] = applier


def unregister_applier(kind: str) -> None:
    _APPLIERS.pop(kind, None)


def apply_proposals(session: Session, run: WorkflowRun) -> dict[str, Any]:
    """Apply the run's open proposals but the changes a person rejected; returns the merged
    changes (with ``proposals_rejected``, the rejected changes, when there are any)."""
    from dataready.workflows.registry import registered_types

    registered_types()  # built-in appliers register with the built-in workflows
    review.ensure_recorded(session, Tenant(run.client_id, run.project_id), run.id)
    proposals, dropped, rejected = review.narrowed(
        session, run, approvals_q.open_proposals(session, run.id)
    )
    by_kind: dict[str, list[Proposal]] = defaultdict(list)
    for p in proposals:
        by_kind[p.kind].append(p)
    changes: dict[str, Any] = {}
    for kind, batch in by_kind.items():
        applier = _APPLIERS.get(kind)
        if applier is None:
            known = ", ".join(sorted(_APPLIERS)) or "none"
            raise Conflict(
                f"run {run.id} proposes {kind!r} results but no applier is installed for "
                f"them (known: {known}); upgrade dataready or reject the run",
                run_id=str(run.id),
            )
        for key, value in applier(session, run, batch).items():
            if isinstance(value, int) and not isinstance(value, bool):
                changes[key] = changes.get(key, 0) + value
            elif isinstance(value, list):
                changes.setdefault(key, []).extend(value)
            else:
                changes[key] = value
    proposals_q.mark_status(session, dropped, DISCARDED)
    approvals_q.mark_proposals(session, run.id, "applied")
    if rejected:
        changes["proposals_rejected"] = rejected
    return changes


def _merge_counts(run: WorkflowRun, changes: dict[str, Any]) -> None:
    counts = {k: v for k, v in changes.items() if isinstance(v, int) and not isinstance(v, bool)}
    if counts:
        run.output = {**(run.output or {}), **counts}


def settle_completed_run(
    session: Session, run: WorkflowRun, *, requires_approval: bool
) -> Approval:
    """Create the approval of a run that just completed; apply now unless it must wait.

    The proposed changes are recorded first, against the catalogue as it is before they
    apply, so a person can review them (and see what an auto-saved run changed).
    """
    review.record(session, run)
    if requires_approval and not run.save_all:
        return approvals_q.create_approval(session, run, auto_saved=False, changes=None)
    changes = apply_proposals(session, run)
    _merge_counts(run, changes)
    return approvals_q.create_approval(session, run, auto_saved=True, changes=changes)


def decide(
    session: Session,
    principal: Principal,
    run_id: uuid.UUID,
    action: ApprovalAction,
    notes: str | None,
) -> Approval:
    """Approve, reject or re-mark pending a run's results, in the caller's transaction.

    The status moves first, by compare-and-set: a concurrent decision that got there first
    makes this one fail (409) before it touches any proposal, and the winner's proposals are
    applied or discarded in the same transaction as its status change.
    """
    approval = approvals_q.get_approval(session, principal.tenant, run_id)
    target = {
        ApprovalAction.APPROVE: ApprovalStatus.APPROVED,
        ApprovalAction.REJECT: ApprovalStatus.REJECTED,
        ApprovalAction.PENDING: ApprovalStatus.PENDING,
    }[action]
    check_approval_transition(approval.status, target, workflow_run_id=str(run_id))
    run = runs_q.get_run(session, principal.tenant, run_id, with_tasks=False)
    if run.status != RunStatus.COMPLETED:
        raise Conflict(f"run {run_id} is {run.status}; only completed runs can be approved")
    decided: dict[str, Any] = {} if notes is None else {"notes": notes}
    if target is not ApprovalStatus.PENDING:
        decided["approved_by_client_id"] = principal.client_id
    now = approvals_q.transition_approval(session, approval, target, **decided)
    if target is ApprovalStatus.APPROVED:
        changes = apply_proposals(session, run)
        _merge_counts(run, changes)
        approval.changes_applied = changes
        approval.approved_at = now
    elif target is ApprovalStatus.REJECTED:
        review.ensure_recorded(session, principal.tenant, run.id)
        discarded = approvals_q.mark_proposals(session, run.id, "discarded")
        approval.changes_applied = {"proposals_discarded": discarded}
    session.flush()
    return approval
