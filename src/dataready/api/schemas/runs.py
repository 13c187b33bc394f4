"""Workflow runs and their tasks."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from dataready.api.schemas.common import AssetFQN, ReadModel, RequestModel, UTCTimestamp
from dataready.api.schemas.inputs import JsonObject


class RunCreate(RequestModel):
    """``POST /workflows/{configuration_id}/runs``.

    Documented ``parameters``: ``include`` (table FQNs), ``industry_info`` (free text),
    ``use_validation`` (rule generation; default true).
    """

    asset_fqn: AssetFQN | None = None
    parameters: JsonObject = Field(default_factory=dict)
    save_all: bool = False


class RunCreated(ReadModel):
    """The answer to a run request: the run is pending, the work happens in the background."""

    id: uuid.UUID
    configuration_id: uuid.UUID
    asset_fqn: str | None
    save_all: bool
    started_at: UTCTimestamp | None
    status: str


class TaskRead(ReadModel):
    id: uuid.UUID
    name: str
    task_type: str
    asset_fqn: str | None
    status: str
    attempt: int
    started_at: UTCTimestamp | None
    completed_at: UTCTimestamp | None
    duration_seconds: float | None
    error_message: str | None
    output: dict[str, Any] | None


class RunRead(ReadModel):
    """``GET /workflows/{configuration_id}/runs/{run_id}``: exactly the contract's fields."""

    id: uuid.UUID
    configuration_id: uuid.UUID
    status: str
    workflow_name: str
    workflow_type: str
    asset_fqn: str | None
    started_at: UTCTimestamp | None
    completed_at: UTCTimestamp | None
    service_name: str | None
    database_name: str | None
    schema_name: str | None
    table_name: str | None
    duration_seconds: float | None
    error_message: str | None
    input: dict[str, Any] | None
    output: dict[str, Any] | None
    tasks: list[TaskRead]


class RunCancelRead(ReadModel):
    id: uuid.UUID
    status: str
    cancelled_at: UTCTimestamp | None
