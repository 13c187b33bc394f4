"""A minimal catalogue for store tests: a service and asset rows, written directly."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant
from dataready.store.orm import Asset, Service


def add_catalogue(
    session: Session, tenant: Tenant, service: str, fqns: list[str], *, path: str = "x.db"
) -> uuid.UUID:
    """A SQLite service named ``service`` with one asset per FQN (typed by its depth)."""
    row = Service(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        name=service,
        connection_type="sqlite",
        config={"type": "sqlite", "path": path},
    )
    session.add(row)
    session.flush()
    add_assets(session, tenant, row.id, fqns)
    return row.id


def add_assets(session: Session, tenant: Tenant, service_id: uuid.UUID, fqns: list[str]) -> None:
    for text in fqns:
        fqn = FQN.parse(text)
        session.add(
            Asset(
                client_id=tenant.client_id,
                project_id=tenant.project_id,
                service_id=service_id,
                fqn=text,
                parent_fqn=None,
                asset_type=fqn.level.value,
                name=fqn.parts[-1],
                database_name=fqn.database,
                schema_name=fqn.schema,
                table_name=fqn.table,
                column_name=fqn.column,
            )
        )
    session.flush()
