"""Approvals: results that wait for a person where the definition says so."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field

from dataready.api.schemas.common import ReadModel, RequestModel, UTCTimestamp
from dataready.domain.enums import ApprovalAction

MAX_NOTES = 2000


class ApprovalUpdate(RequestModel):
    """``PATCH /workflows/runs/{run_id}/approval``."""

    action: ApprovalAction
    notes: Annotated[str, Field(max_length=MAX_NOTES)] | None = None


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


class ApprovalDecisionRead(ApprovalRead):
    """The approval after a decision, with what was written."""

    changes_applied: dict[str, Any] | None
