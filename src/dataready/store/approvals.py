"""Queries over approvals and the proposals they decide.

An approval moves by compare-and-set (:func:`transition_approval`): of two concurrent
decisions the first wins and the other is told so, and the winner's status change and its
effect on the proposals commit in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataready.domain.enums import ApprovalStatus
from dataready.domain.states import check_approval_transition
from dataready.domain.tenant import Tenant
from dataready.errors import Conflict, InvalidTransition, NotFound
from dataready.store.orm import Approval, Proposal, WorkflowRun
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow


def get_approval(session: Session, tenant: Tenant, run_id: uuid.UUID) -> Approval:
    stmt = scoped(select(Approval).where(Approval.workflow_run_id == run_id), Approval, tenant)
    found = session.scalars(stmt).first()
    if found is None:
        run = session.scalars(
            scoped(select(WorkflowRun).where(WorkflowRun.id == run_id), WorkflowRun, tenant)
        ).first()
        if run is None:
            raise NotFound(
                f"workflow run {run_id} not found", resource="workflow_run", id=str(run_id)
            )
        raise NotFound(
            f"workflow run {run_id} has no approval yet: it is {run.status}; an approval "
            "exists once the run has completed",
            resource="approval",
            workflow_run_id=str(run_id),
        )
    return found


def create_approval(
    session: Session, run: WorkflowRun, *, auto_saved: bool, changes: dict[str, Any] | None
) -> Approval:
    now = utcnow()
    row = Approval(
        client_id=run.client_id,
        project_id=run.project_id,
        workflow_run_id=run.id,
        status=(ApprovalStatus.APPROVED if auto_saved else ApprovalStatus.PENDING).value,
        auto_saved=auto_saved,
        approved_at=now if auto_saved else None,
        approved_by_client_id=run.created_by if auto_saved else None,
        changes_applied=changes,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def transition_approval(
    session: Session, approval: Approval, target: ApprovalStatus, **values: Any
) -> datetime:
    """Move ``approval`` to ``target`` if nobody decided on it since it was read.

    The UPDATE is conditional on the status *and* the ``updated_at`` the caller read: a
    decision taken on a stale view (another one committed in between, even a re-mark as
    pending with a new note) loses.  On PostgreSQL the loser's UPDATE waits for the winner's
    row lock and then finds the row changed; on SQLite writers are serialised already.  The
    row stays locked until the caller's transaction ends, so whatever the caller does next
    (applying or discarding the proposals) commits together with the status.

    Returns:
        The new ``updated_at`` (also set on ``approval``).

    Raises:
        InvalidTransition: the stored status does not allow ``target`` (also when another
            decision made it final concurrently).
        Conflict: the approval changed concurrently but ``target`` is still allowed; the
            caller should reload it and decide again.
    """
    ids = {"workflow_run_id": str(approval.workflow_run_id)}
    check_approval_transition(approval.status, target, **ids)
    read_status, read_at = approval.status, approval.updated_at
    # The token must change even when two writes fall in one clock tick.
    now = max(utcnow(), read_at + timedelta(microseconds=1))
    result = session.execute(
        update(Approval)
        .where(
            Approval.id == approval.id,
            Approval.status == read_status,
            Approval.updated_at == read_at,
        )
        .values(status=target.value, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.scalar(select(Approval.status).where(Approval.id == approval.id))
        if current is None:
            raise NotFound(
                f"the approval of run {approval.workflow_run_id} was deleted with its run",
                resource="approval",
                **ids,
            )
        try:
            check_approval_transition(current, target, **ids)
        except InvalidTransition as exc:
            raise InvalidTransition(
                f"another decision on the approval of run {approval.workflow_run_id} came "
                f"first: it is now {current!r}, which cannot become {target.value!r}; "
                "GET …/approval shows the decision",
                current=current,
                target=target.value,
                **ids,
            ) from exc
        raise Conflict(
            f"the approval of run {approval.workflow_run_id} was changed by another decision "
            "while this one was being made; reload it (GET …/approval) and decide again",
            current=current,
            **ids,
        )
    session.refresh(approval)
    return now


def add_proposal(
    session: Session, run: WorkflowRun, *, kind: str, asset_fqn: str | None, payload: dict[str, Any]
) -> Proposal:
    row = Proposal(
        client_id=run.client_id,
        project_id=run.project_id,
        run_id=run.id,
        kind=kind,
        asset_fqn=asset_fqn,
        payload=payload,
        status="proposed",
    )
    session.add(row)
    return row


def open_proposals(session: Session, run_id: uuid.UUID) -> list[Proposal]:
    stmt = (
        select(Proposal)
        .where(Proposal.run_id == run_id, Proposal.status == "proposed")
        .order_by(Proposal.created_at, Proposal.id)
    )
    return list(session.scalars(stmt).all())


def mark_proposals(session: Session, run_id: uuid.UUID, status: str) -> int:
    result = session.execute(
        update(Proposal)
        .where(Proposal.run_id == run_id, Proposal.status == "proposed")
        .values(status=status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
