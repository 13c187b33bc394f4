"""``/workflows``: workflow configurations, each a definition specialised."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from dataready.api.auth import Developer, Viewer
from dataready.api.deps import DbSession, Page
from dataready.api.schemas.common import Page as PageOf
from dataready.api.schemas.common import WorkflowTypeAlias, json_response
from dataready.api.schemas.configurations import (
    ConfigurationCreate,
    ConfigurationCreated,
    ConfigurationRead,
    ConfigurationUpdate,
)
from dataready.domain.enums import ConfigurationStatus, WorkflowType
from dataready.store import configurations as configs_q
from dataready.store import definitions as definitions_q
from dataready.workflows.service import check_config_values

router = APIRouter(prefix="/workflows", tags=["workflow configurations"])


@router.post("", status_code=201, response_model=ConfigurationCreated)
def create_configuration(
    body: ConfigurationCreate, principal: Developer, session: DbSession
) -> Response:
    """Specialise a definition: config overrides, schedule, triggers (developer)."""
    definition = definitions_q.get_definition(
        session, principal.tenant, body.workflow_definition_id
    )
    row = configs_q.create_configuration(
        session,
        principal.tenant,
        definition,
        name=body.name,
        description=body.description,
        config=check_config_values(definition.workflow_type, body.config),
        schedule=body.schedule.model_dump(mode="json") if body.schedule else None,
        triggers=body.triggers,
        created_by=principal.client_id,
        is_default=body.is_default,
    )
    doc = ConfigurationCreated.from_row(row)
    session.commit()
    return json_response(doc, 201)


@router.get("", response_model=PageOf[ConfigurationRead])
def list_configurations(
    principal: Viewer,
    session: DbSession,
    page: Page,
    workflow_type: Annotated[WorkflowType, WorkflowTypeAlias] | None = None,
    status: ConfigurationStatus | None = None,
) -> Response:
    rows, total = configs_q.list_configurations(
        session,
        principal.tenant,
        workflow_type=workflow_type.value if workflow_type else None,
        status=status.value if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    items = [ConfigurationRead.from_row(r) for r in rows]
    return json_response(
        PageOf[ConfigurationRead](items=items, total=total, limit=page.limit, offset=page.offset)
    )


@router.get("/{configuration_id}", response_model=ConfigurationRead)
def get_configuration(
    configuration_id: uuid.UUID, principal: Viewer, session: DbSession
) -> Response:
    """The configuration joined with its definition."""
    row = configs_q.get_configuration(session, principal.tenant, configuration_id)
    return json_response(ConfigurationRead.from_row(row))


@router.patch("/{configuration_id}", response_model=ConfigurationRead)
def update_configuration(
    configuration_id: uuid.UUID,
    body: ConfigurationUpdate,
    principal: Developer,
    session: DbSession,
) -> Response:
    changes = body.model_dump(exclude_unset=True, mode="json")
    if "config" in changes:
        current = configs_q.get_configuration(session, principal.tenant, configuration_id)
        changes["config"] = check_config_values(current.definition.workflow_type, changes["config"])
    row = configs_q.update_configuration(session, principal.tenant, configuration_id, changes)
    doc = ConfigurationRead.from_row(row)
    session.commit()
    return json_response(doc)


@router.delete("/{configuration_id}", status_code=204)
def delete_configuration(
    configuration_id: uuid.UUID, principal: Developer, session: DbSession
) -> Response:
    """Delete a configuration and its finished runs; 409 while a run is active."""
    configs_q.delete_configuration(session, principal.tenant, configuration_id)
    session.commit()
    return Response(status_code=204)
