"""``/workflows/definitions``: templates, one built-in per workflow type plus the tenant's own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from dataready.api.auth import Admin, Viewer
from dataready.api.deps import DbSession, Page
from dataready.api.schemas.common import Page as PageOf
from dataready.api.schemas.common import WorkflowTypeAlias, json_response
from dataready.api.schemas.definitions import DefinitionCreate, DefinitionRead, DefinitionUpdate
from dataready.domain.definitions import BUILTIN_BY_TYPE
from dataready.domain.enums import Category, WorkflowType
from dataready.store import definitions as definitions_q
from dataready.workflows.service import check_config_values

router = APIRouter(prefix="/workflows/definitions", tags=["workflow definitions"])


@router.post("", status_code=201, response_model=DefinitionRead)
def create_definition(body: DefinitionCreate, principal: Admin, session: DbSession) -> Response:
    """Create a definition for this project (admin)."""
    builtin = BUILTIN_BY_TYPE.get(body.workflow_type.value)
    category = body.category or (builtin.category if builtin else Category.ENRICHMENT)
    row = definitions_q.create_definition(
        session,
        principal.tenant,
        name=body.name,
        workflow_type=body.workflow_type.value,
        category=category.value,
        data_asset_types=list(
            body.data_asset_types or (builtin.data_asset_types if builtin else ["table"])
        ),
        description=body.description,
        default_config=check_config_values(
            body.workflow_type.value, body.default_config, field="default_config"
        ),
        is_active=body.is_active,
        requires_approval=(
            body.requires_approval
            if body.requires_approval is not None
            else bool(builtin and builtin.requires_approval)
        ),
        require_reference_pack=body.require_reference_pack,
    )
    doc = DefinitionRead.model_validate(row)
    session.commit()
    return json_response(doc, 201)


@router.get("", response_model=PageOf[DefinitionRead])
def list_definitions(
    principal: Viewer,
    session: DbSession,
    page: Page,
    workflow_type: Annotated[WorkflowType, WorkflowTypeAlias] | None = None,
    category: Category | None = None,
    is_active: bool | None = None,
) -> Response:
    """The built-in definitions and this project's own."""
    rows, total = definitions_q.list_definitions(
        session,
        principal.tenant,
        workflow_type=workflow_type.value if workflow_type else None,
        category=category.value if category else None,
        is_active=is_active,
        limit=page.limit,
        offset=page.offset,
    )
    items = [DefinitionRead.model_validate(r) for r in rows]
    return json_response(
        PageOf[DefinitionRead](items=items, total=total, limit=page.limit, offset=page.offset)
    )


@router.get("/{definition_id}", response_model=DefinitionRead)
def get_definition(definition_id: uuid.UUID, principal: Viewer, session: DbSession) -> Response:
    row = definitions_q.get_definition(session, principal.tenant, definition_id)
    return json_response(DefinitionRead.model_validate(row))


@router.patch("/{definition_id}", response_model=DefinitionRead)
def update_definition(
    definition_id: uuid.UUID, body: DefinitionUpdate, principal: Admin, session: DbSession
) -> Response:
    """Change a definition of this project (admin); built-ins answer 409."""
    changes = body.model_dump(exclude_unset=True, mode="json")
    if "default_config" in changes:
        current = definitions_q.get_definition(session, principal.tenant, definition_id)
        changes["default_config"] = check_config_values(
            current.workflow_type, changes["default_config"], field="default_config"
        )
    row = definitions_q.update_definition(session, principal.tenant, definition_id, changes)
    doc = DefinitionRead.model_validate(row)
    session.commit()
    return json_response(doc)
