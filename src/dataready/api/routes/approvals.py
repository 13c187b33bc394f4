"""``/workflows/runs/{run_id}/approval``: a person approves or rejects a run's results."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.responses import Response

from dataready.api.auth import Admin, Viewer
from dataready.api.deps import DbSession
from dataready.api.schemas.approvals import ApprovalDecisionRead, ApprovalRead, ApprovalUpdate
from dataready.api.schemas.common import json_response
from dataready.store import approvals as approvals_q
from dataready.workflows import approval as approval_service

router = APIRouter(prefix="/workflows/runs", tags=["approval"])


@router.get("/{run_id}/approval", response_model=ApprovalRead)
def get_approval(run_id: uuid.UUID, principal: Viewer, session: DbSession) -> Response:
    """The approval of a completed run."""
    row = approvals_q.get_approval(session, principal.tenant, run_id)
    return json_response(ApprovalRead.model_validate(row))


@router.patch("/{run_id}/approval", response_model=ApprovalDecisionRead)
def decide_approval(
    run_id: uuid.UUID, body: ApprovalUpdate, principal: Admin, session: DbSession
) -> Response:
    """Approve (apply the proposals), reject (discard them) or re-mark pending (admin)."""
    row = approval_service.decide(session, principal, run_id, body.action, body.notes)
    doc = ApprovalDecisionRead.model_validate(row)
    session.commit()
    return json_response(doc)
