"""Queries over workflow configurations."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataready.domain.tenant import Tenant
from dataready.errors import Conflict, NotFound
from dataready.store.orm import WorkflowConfiguration, WorkflowDefinition
from dataready.store.runs import active_run_count
from dataready.store.tenancy import scoped


def get_configuration(
    session: Session, tenant: Tenant, configuration_id: uuid.UUID
) -> WorkflowConfiguration:
    stmt = scoped(
        select(WorkflowConfiguration).where(WorkflowConfiguration.id == configuration_id),
        WorkflowConfiguration,
        tenant,
    )
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(
            f"workflow configuration {configuration_id} not found; list them with GET /workflows",
            resource="workflow_configuration",
            id=str(configuration_id),
        )
    return found


def list_configurations(
    session: Session,
    tenant: Tenant,
    *,
    workflow_type: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WorkflowConfiguration], int]:
    stmt = scoped(select(WorkflowConfiguration), WorkflowConfiguration, tenant)
    if workflow_type is not None:
        stmt = stmt.join(WorkflowConfiguration.definition).where(
            WorkflowDefinition.workflow_type == workflow_type
        )
    if status is not None:
        stmt = stmt.where(WorkflowConfiguration.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(WorkflowConfiguration.created_at, WorkflowConfiguration.id)
        .limit(limit)
        .offset(offset)
    ).unique()
    return list(rows), int(total)


def create_configuration(
    session: Session,
    tenant: Tenant,
    definition: WorkflowDefinition,
    *,
    name: str | None,
    description: str | None,
    config: dict[str, Any],
    schedule: dict[str, Any] | None,
    triggers: list[Any],
    created_by: str | None,
    is_default: bool = False,
) -> WorkflowConfiguration:
    row = WorkflowConfiguration(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        definition_id=definition.id,
        name=name or definition.name,
        description=description,
        config=config,
        schedule=schedule,
        triggers=triggers,
        status="active",
        is_default=is_default,
        created_by=created_by,
    )
    row.definition = definition
    session.add(row)
    session.flush()
    return row


def update_configuration(
    session: Session, tenant: Tenant, configuration_id: uuid.UUID, changes: dict[str, Any]
) -> WorkflowConfiguration:
    row = get_configuration(session, tenant, configuration_id)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def delete_configuration(session: Session, tenant: Tenant, configuration_id: uuid.UUID) -> None:
    row = get_configuration(session, tenant, configuration_id)
    active = active_run_count(session, row.id)
    if active:
        raise Conflict(
            f"workflow configuration {configuration_id} has {active} active run(s); cancel "
            "them or wait for them to finish before deleting it",
            resource="workflow_configuration",
            id=str(configuration_id),
        )
    session.delete(row)
    session.flush()


def effective_config(configuration: WorkflowConfiguration) -> dict[str, Any]:
    """The definition's default config overridden by the configuration's config."""
    merged = dict(configuration.definition.default_config or {})
    merged.update(configuration.config or {})
    return merged
