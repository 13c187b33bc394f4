"""Approvals: results that wait for a person where the definition says so."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field

from dataready.api.schemas.common import ReadModel, RequestModel, UTCTimestamp
from dataready.domain.enums import ApprovalAction, ProposalDecision

MAX_NOTES = 2000


class ApprovalUpdate(RequestModel):
    """``PATCH /workflows/runs/{run_id}/approval``."""

    action: ApprovalAction
    notes: Annotated[str, Field(max_length=MAX_NOTES)] | None = None


class ProposalsSummary(ReadModel):
    """Ours: counts of a run's proposed changes (``by_kind``: ``tag-add``, ``tag-remove``…;
    ``by_decision``: a person's decisions; ``by_status``: what happened to them)."""

    total: int
    by_kind: dict[str, int]
    by_decision: dict[str, int]
    by_status: dict[str, int]


class ApprovalRead(ReadModel):
    id: uuid.UUID
    workflow_run_id: uuid.UUID
    status: str
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
    approved_by_client_id: str | None
    approved_at: UTCTimestamp | None
    notes: str | None
    auto_saved: bool
    proposals_summary: ProposalsSummary | None = None


class ApprovalDecisionRead(ApprovalRead):
    """The approval after a decision, with what was written."""

    changes_applied: dict[str, Any] | None


class ProposalUpdate(RequestModel):
    """Ours: ``PATCH /workflows/runs/{run_id}/proposals/{proposal_id}``.

    ``accepted`` or ``rejected`` decides one change before the run is approved (approving
    applies every change not rejected); ``pending`` withdraws the decision.
    """

    decision: ProposalDecision


class ProposalRead(ReadModel):
    """Ours: one proposed change of a run, as a person reviews it.

    ``before`` and ``after`` are the state of ``subject`` on the asset (for a tag:
    ``{"tag", "state", "confidence"}``; ``before`` is null when the tag is absent).
    ``status`` is what happened to the change: ``proposed`` (awaiting the run's approval),
    ``applied``, ``discarded`` (rejected, or the run rejected) or ``obsolete`` (its service
    was deleted or re-pointed).  Values from the data are left out of ``evidence``,
    ``before`` and ``after`` for readers below the unmasked role.
    """

    id: uuid.UUID
    workflow_run_id: uuid.UUID
    stored_proposal_id: uuid.UUID
    kind: str
    asset_fqn: str | None
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    confidence: float | None
    evidence: dict[str, Any]
    decision: ProposalDecision
    decided_by: str | None
    decided_at: UTCTimestamp | None
    status: str
    created_at: UTCTimestamp
