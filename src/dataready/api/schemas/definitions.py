"""Workflow definitions: templates, one per workflow type."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from dataready.api.schemas.common import (
    ReadModel,
    RequestModel,
    UTCTimestamp,
    WorkflowTypeAlias,
    reject_nulls,
)
from dataready.api.schemas.inputs import JsonObject
from dataready.domain.enums import Category, WorkflowType
from dataready.workflows.config_schemas import json_schema
from dataready.workflows.registry import config_model_for


def config_json_schema(workflow_type: str) -> dict[str, Any] | None:
    model = config_model_for(workflow_type)
    return json_schema(model) if model is not None else None


Name = Annotated[str, Field(min_length=1, max_length=255)]
AssetTypes = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1, max_length=16)
]
Description = Annotated[str, Field(max_length=10000)]


class DefinitionCreate(RequestModel):
    """``POST /workflows/definitions``; unset fields default to the built-in of the type."""

    name: Name
    workflow_type: Annotated[WorkflowType, WorkflowTypeAlias]
    category: Category | None = None
    data_asset_types: AssetTypes | None = None
    description: Description | None = None
    default_config: JsonObject = Field(default_factory=dict)
    is_active: bool = True
    requires_approval: bool | None = None
    require_reference_pack: bool = False


class DefinitionUpdate(RequestModel):
    """``PATCH /workflows/definitions/{id}``: the fields given are changed."""

    name: Name | None = None
    category: Category | None = None
    data_asset_types: AssetTypes | None = None
    description: Description | None = None
    default_config: JsonObject | None = None
    is_active: bool | None = None
    requires_approval: bool | None = None
    require_reference_pack: bool | None = None

    @field_validator(
        "name",
        "category",
        "data_asset_types",
        "default_config",
        "is_active",
        "requires_approval",
        "require_reference_pack",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        return reject_nulls(value, str(info.field_name))


class DefinitionRead(ReadModel):
    id: uuid.UUID
    name: str
    workflow_type: str
    category: str
    data_asset_types: list[str]
    description: str | None
    default_config: dict[str, Any]
    is_active: bool
    requires_approval: bool
    require_reference_pack: bool
    is_builtin: bool
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
    config_schema: dict[str, Any] | None = Field(
        None,
        description="Ours: the JSON schema of the type's config and run parameters (unknown "
        "keys are refused); null when the installed implementation declares none.",
    )

    @model_validator(mode="after")
    def _schema_of_type(self) -> DefinitionRead:
        if self.config_schema is None:
            self.config_schema = config_json_schema(self.workflow_type)
        return self
