"""Queries over workflow definitions (built-in and tenant-owned)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataready.domain.definitions import BUILTIN_DEFINITIONS
from dataready.domain.tenant import Tenant
from dataready.errors import Conflict, NotFound
from dataready.store.orm import WorkflowDefinition
from dataready.store.tenancy import definitions_visible


def ensure_builtin_definitions(session: Session) -> int:
    """Create the built-in definitions that are missing; returns how many were created."""
    existing = set(
        session.scalars(
            select(WorkflowDefinition.id).where(WorkflowDefinition.is_builtin.is_(True))
        )
    )
    created = 0
    for d in BUILTIN_DEFINITIONS:
        if d.id in existing:
            continue
        session.add(
            WorkflowDefinition(
                id=d.id,
                name=d.name,
                workflow_type=d.workflow_type.value,
                category=d.category.value,
                data_asset_types=list(d.data_asset_types),
                description=d.description,
                default_config=dict(d.default_config),
                is_active=True,
                requires_approval=d.requires_approval,
                require_reference_pack=d.require_reference_pack,
                is_builtin=True,
                client_id="",
                project_id="",
            )
        )
        created += 1
    session.flush()
    return created


def get_definition(
    session: Session, tenant: Tenant, definition_id: uuid.UUID
) -> WorkflowDefinition:
    stmt = definitions_visible(
        select(WorkflowDefinition).where(WorkflowDefinition.id == definition_id), tenant
    )
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(
            f"workflow definition {definition_id} not found; list them with "
            "GET /workflows/definitions",
            resource="workflow_definition",
            id=str(definition_id),
        )
    return found


def list_definitions(
    session: Session,
    tenant: Tenant,
    *,
    workflow_type: str | None = None,
    category: str | None = None,
    is_active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WorkflowDefinition], int]:
    stmt = definitions_visible(select(WorkflowDefinition), tenant)
    if workflow_type is not None:
        stmt = stmt.where(WorkflowDefinition.workflow_type == workflow_type)
    if category is not None:
        stmt = stmt.where(WorkflowDefinition.category == category)
    if is_active is not None:
        stmt = stmt.where(WorkflowDefinition.is_active.is_(is_active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(
            WorkflowDefinition.is_builtin.desc(),
            WorkflowDefinition.created_at,
            WorkflowDefinition.id,
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def create_definition(session: Session, tenant: Tenant, **fields: Any) -> WorkflowDefinition:
    row = WorkflowDefinition(
        client_id=tenant.client_id, project_id=tenant.project_id, is_builtin=False, **fields
    )
    session.add(row)
    session.flush()
    return row


def update_definition(
    session: Session, tenant: Tenant, definition_id: uuid.UUID, changes: dict[str, Any]
) -> WorkflowDefinition:
    row = get_definition(session, tenant, definition_id)
    if row.is_builtin:
        raise Conflict(
            f"workflow definition {definition_id} is built in and shared by every project; "
            "create your own with POST /workflows/definitions, or override settings in a "
            "workflow configuration",
            resource="workflow_definition",
            id=str(definition_id),
        )
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def default_definition_for_type(
    session: Session, tenant: Tenant, workflow_type: str
) -> WorkflowDefinition:
    """The tenant's own active definition of a type if it has one, else the built-in."""
    stmt = definitions_visible(
        select(WorkflowDefinition).where(
            WorkflowDefinition.workflow_type == workflow_type,
            WorkflowDefinition.is_active.is_(True),
        ),
        tenant,
    ).order_by(WorkflowDefinition.is_builtin.asc(), WorkflowDefinition.created_at.desc())
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(
            f"no active workflow definition of type {workflow_type!r}",
            resource="workflow_definition",
            workflow_type=workflow_type,
        )
    return found
