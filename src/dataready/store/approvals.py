"""Queries over approvals and the proposals they decide."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataready.domain.enums import ApprovalStatus
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
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
