"""Queries over services (named source connections); credentials are stored encrypted."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataready.connectors.config import ConnectionConfig, parse_connection_config
from dataready.domain.tenant import Tenant
from dataready.errors import AlreadyExists, NotFound
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Service
from dataready.store.tenancy import scoped

SECRET_FIELDS = ("password",)


def split_secrets(config: ConnectionConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """(public config, secret credentials) of a connection config."""
    public = config.model_dump(mode="json", exclude=set(SECRET_FIELDS))
    secrets: dict[str, Any] = {}
    for name in SECRET_FIELDS:
        value = getattr(config, name, None)
        if value is not None:
            secrets[name] = value.get_secret_value()
    return public, secrets


def connection_config(service: Service, cipher: CredentialCipher) -> ConnectionConfig:
    """The full connection config of a service, credentials decrypted."""
    data = dict(service.config)
    if service.credentials_encrypted:
        data.update(cipher.decrypt(service.credentials_encrypted))
    return parse_connection_config(data)


def get_service(session: Session, tenant: Tenant, service_id: uuid.UUID) -> Service:
    found = session.scalars(
        scoped(select(Service).where(Service.id == service_id), Service, tenant)
    ).first()
    if found is None:
        raise NotFound(
            f"service {service_id} not found; list services with GET /services",
            resource="service",
            id=str(service_id),
        )
    return found


def get_service_by_name(session: Session, tenant: Tenant, name: str) -> Service:
    found = session.scalars(
        scoped(select(Service).where(Service.name == name), Service, tenant)
    ).first()
    if found is None:
        raise NotFound(
            f"no service named {name!r}; the first part of an FQN names a registered service "
            "(add one with POST /services or `dataready services add NAME URL`)",
            resource="service",
            name=name,
        )
    return found


def list_services(
    session: Session, tenant: Tenant, *, limit: int = 50, offset: int = 0
) -> tuple[list[Service], int]:
    stmt = scoped(select(Service), Service, tenant)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Service.name).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def create_service(
    session: Session,
    tenant: Tenant,
    cipher: CredentialCipher,
    *,
    name: str,
    config: ConnectionConfig,
    description: str | None,
    created_by: str | None,
) -> Service:
    exists = session.scalars(
        scoped(select(Service.id).where(Service.name == name), Service, tenant)
    ).first()
    if exists is not None:
        raise AlreadyExists(
            f"a service named {name!r} exists; choose another name", resource="service", name=name
        )
    public, secrets = split_secrets(config)
    row = Service(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        name=name,
        connection_type=config.type,
        description=description,
        config=public,
        credentials_encrypted=cipher.encrypt(secrets) if secrets else None,
        created_by=created_by,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(
            f"a service named {name!r} exists; choose another name", resource="service", name=name
        ) from exc
    return row


def update_service(
    session: Session,
    tenant: Tenant,
    cipher: CredentialCipher,
    service_id: uuid.UUID,
    *,
    config: ConnectionConfig | None = None,
    description: str | None = None,
) -> Service:
    row = get_service(session, tenant, service_id)
    if config is not None:
        public, secrets = split_secrets(config)
        if not secrets and row.credentials_encrypted:
            secrets = cipher.decrypt(row.credentials_encrypted)  # keep the stored password
        row.connection_type = config.type
        row.config = public
        row.credentials_encrypted = cipher.encrypt(secrets) if secrets else None
    if description is not None:
        row.description = description
    session.flush()
    return row


def put_service(
    session: Session,
    tenant: Tenant,
    cipher: CredentialCipher,
    *,
    name: str,
    config: ConnectionConfig,
    description: str | None,
    created_by: str | None,
) -> Service:
    """Create the service ``name``, or re-point it when it exists (keeping its id)."""
    existing = session.scalars(
        scoped(select(Service.id).where(Service.name == name), Service, tenant)
    ).first()
    if existing is not None:
        return update_service(
            session, tenant, cipher, existing, config=config, description=description
        )
    return create_service(
        session,
        tenant,
        cipher,
        name=name,
        config=config,
        description=description,
        created_by=created_by,
    )


def delete_service(session: Session, tenant: Tenant, service_id: uuid.UUID) -> None:
    session.delete(get_service(session, tenant, service_id))
    session.flush()
