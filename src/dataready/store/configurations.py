"""Queries over workflow configurations.

Deleting a configuration and starting a run on it are serialised by a lock on the
configuration's row (:func:`lock_configuration`): the delete takes it exclusively and
refuses while a run is active, a start takes it shared and finds the configuration gone if
the delete went first.  On PostgreSQL that is ``SELECT … FOR UPDATE`` / ``FOR SHARE``; on
SQLite every write transaction begins with ``BEGIN IMMEDIATE`` (see :mod:`.db`), which
serialises them already, and the lock clause is left out.
"""

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


def _not_found(configuration_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"workflow configuration {configuration_id} not found; list them with GET /workflows",
        resource="workflow_configuration",
        id=str(configuration_id),
    )


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
        raise _not_found(configuration_id)
    return found


def lock_configuration(
    session: Session, tenant: Tenant, configuration_id: uuid.UUID, *, exclusive: bool
) -> None:
    """Lock the configuration's row until the transaction ends; 404 when it is gone.

    Args:
        exclusive: ``True`` to change or delete it (waits for every holder); ``False`` to
            create a run on it (many may hold it at once, a delete waits for them all).
    """
    stmt = scoped(
        select(WorkflowConfiguration.id).where(WorkflowConfiguration.id == configuration_id),
        WorkflowConfiguration,
        tenant,
    ).with_for_update(read=not exclusive)
    if session.scalar(stmt) is None:  # also when a delete committed while we waited
        raise _not_found(configuration_id)


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
    lock_configuration(session, tenant, configuration_id, exclusive=True)
    row = get_configuration(session, tenant, configuration_id)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def delete_configuration(session: Session, tenant: Tenant, configuration_id: uuid.UUID) -> None:
    """Delete a configuration and its finished runs; 409 while a run is pending or running.

    The row lock comes first, so the count of active runs sees every run whose creation
    committed before it (and none can be created until this transaction ends).
    """
    lock_configuration(session, tenant, configuration_id, exclusive=True)
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
