"""``/workflows/runs/{run_id}/approval``: a person approves or rejects a run's results, and
(ours) ``…/proposals``: reviews them one change at a time before."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from dataready.api.auth import Admin, Viewer
from dataready.api.deps import DbSession, Page, app_settings
from dataready.api.schemas.approvals import (
    ApprovalDecisionRead,
    ApprovalRead,
    ApprovalUpdate,
    ProposalRead,
    ProposalsSummary,
    ProposalUpdate,
)
from dataready.api.schemas.common import AssetFQN, json_response
from dataready.api.schemas.common import Page as PageOf
from dataready.domain.enums import ProposalDecision
from dataready.domain.tenant import Principal
from dataready.settings import Settings
from dataready.store import approvals as approvals_q
from dataready.store import proposals as proposals_q
from dataready.store.orm import Approval
from dataready.workflows import approval as approval_service
from dataready.workflows import review
from dataready.workflows.profile_access import may_unmask

router = APIRouter(prefix="/workflows/runs", tags=["approval"])

AppSettings = Annotated[Settings, Depends(app_settings)]


def _summary(session: Session, row: Approval) -> ProposalsSummary:
    return ProposalsSummary.model_validate(proposals_q.summary(session, row.workflow_run_id))


@router.get("/{run_id}/approval", response_model=ApprovalRead)
def get_approval(run_id: uuid.UUID, principal: Viewer, session: DbSession) -> Response:
    """The approval of a completed run, with the counts of its proposed changes."""
    row = approvals_q.get_approval(session, principal.tenant, run_id)
    review.ensure_recorded(session, principal.tenant, run_id)
    doc = ApprovalRead.model_validate(row).model_copy(
        update={"proposals_summary": _summary(session, row)}
    )
    session.commit()
    return json_response(doc)


@router.patch("/{run_id}/approval", response_model=ApprovalDecisionRead)
def decide_approval(
    run_id: uuid.UUID, body: ApprovalUpdate, principal: Admin, session: DbSession
) -> Response:
    """Approve (apply the proposals not rejected), reject (discard them) or re-mark pending
    (admin)."""
    row = approval_service.decide(session, principal, run_id, body.action, body.notes)
    doc = ApprovalDecisionRead.model_validate(row).model_copy(
        update={"proposals_summary": _summary(session, row)}
    )
    session.commit()
    return json_response(doc)


def _readable(
    change: proposals_q.ReviewedChange, principal: Principal, settings: Settings
) -> ProposalRead:
    unmasked = may_unmask(principal, settings)
    return ProposalRead.model_validate(review.readable(change, unmasked=unmasked))


@router.get("/{run_id}/proposals", response_model=PageOf[ProposalRead])
def list_proposals(
    run_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    settings: AppSettings,
    page: Page,
    kind: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9.-]*$")] = None,
    decision: ProposalDecision | None = None,
    asset_fqn: Annotated[AssetFQN | None, Query()] = None,
) -> Response:
    """Ours: each change the run proposes (kind, asset, before → after, evidence,
    confidence) with a person's decision on it, in the order the run proposed them."""
    approvals_q.get_approval(session, principal.tenant, run_id)
    review.ensure_recorded(session, principal.tenant, run_id)
    rows, total = proposals_q.list_changes(
        session,
        principal.tenant,
        run_id,
        kind=kind,
        decision=decision.value if decision else None,
        asset_fqn=asset_fqn,
        limit=page.limit,
        offset=page.offset,
    )
    items = [_readable(r, principal, settings) for r in rows]
    session.commit()
    return json_response(
        PageOf[ProposalRead](items=items, total=total, limit=page.limit, offset=page.offset)
    )


@router.patch("/{run_id}/proposals/{proposal_id}", response_model=ProposalRead)
def decide_proposal(
    run_id: uuid.UUID,
    proposal_id: uuid.UUID,
    body: ProposalUpdate,
    principal: Admin,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    """Ours: accept or reject one proposed change while the run awaits approval (admin);
    409 once the run is decided, or when another decision on it came first."""
    change = review.decide_change(session, principal, run_id, proposal_id, body.decision)
    doc = _readable(change, principal, settings)
    session.commit()
    return json_response(doc)
