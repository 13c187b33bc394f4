"""Workflow configurations: a definition specialised (config overrides, schedule, triggers)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator

from dataready.api.schemas.common import (
    CronExpression,
    InputTimestamp,
    ReadModel,
    RequestModel,
    TimeZoneName,
    UTCTimestamp,
    reject_nulls,
)
from dataready.api.schemas.inputs import JsonList, JsonObject
from dataready.domain.enums import ConfigurationStatus
from dataready.store.orm import WorkflowConfiguration

Name = Annotated[str, Field(min_length=1, max_length=255)]
Description = Annotated[str, Field(max_length=10000)]


class Schedule(RequestModel):
    """When a configuration runs by itself."""

    cron_expression: CronExpression
    enabled: bool = True
    timezone: TimeZoneName = "UTC"
    start_date: InputTimestamp | None = None


class ConfigurationCreate(RequestModel):
    """``POST /workflows``."""

    workflow_definition_id: uuid.UUID
    name: Name | None = None
    description: Description | None = None
    config: JsonObject = Field(default_factory=dict)
    schedule: Schedule | None = None
    triggers: JsonList = Field(default_factory=list)
    is_default: bool = False


class ConfigurationUpdate(RequestModel):
    """``PATCH /workflows/{configuration_id}``: the fields given are changed."""

    name: Name | None = None
    description: Description | None = None
    config: JsonObject | None = None
    schedule: Schedule | None = None
    triggers: JsonList | None = None
    status: ConfigurationStatus | None = None
    is_default: bool | None = None

    @field_validator("name", "config", "triggers", "status", "is_default", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        return reject_nulls(value, str(info.field_name))


class ConfigurationRead(ReadModel):
    """``GET /workflows/{configuration_id}``: the configuration joined with its definition."""

    id: uuid.UUID
    name: str
    workflow_type: str
    category: str
    data_asset_types: list[str]
    status: str
    is_default: bool
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
    description: str | None
    config: dict[str, Any]
    schedule: dict[str, Any] | None
    triggers: list[Any]
    require_reference_pack: bool
    workflow_definition_id: uuid.UUID
    requires_approval: bool

    @classmethod
    def from_row(cls, row: WorkflowConfiguration) -> ConfigurationRead:
        d = row.definition
        return cls(
            id=row.id,
            name=row.name,
            workflow_type=d.workflow_type,
            category=d.category,
            data_asset_types=list(d.data_asset_types or []),
            status=row.status,
            is_default=row.is_default,
            created_at=row.created_at,
            updated_at=row.updated_at,
            description=row.description,
            config=dict(row.config or {}),
            schedule=row.schedule,
            triggers=list(row.triggers or []),
            require_reference_pack=d.require_reference_pack,
            workflow_definition_id=d.id,
            requires_approval=d.requires_approval,
        )


class ConfigurationCreated(ConfigurationRead):
    """``POST /workflows`` answers the document plus ``configuration_id``."""

    configuration_id: uuid.UUID

    @classmethod
    def from_row(cls, row: WorkflowConfiguration) -> ConfigurationCreated:
        doc = ConfigurationRead.from_row(row)
        return cls(**dict(doc), configuration_id=row.id)
