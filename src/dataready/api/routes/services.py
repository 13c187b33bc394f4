"""``/services``: named source connections, and ``POST /services/verify``."""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from dataready.api.auth import Developer, Viewer
from dataready.api.deps import DbSession, Page
from dataready.api.schemas.common import Page as PageOf
from dataready.api.schemas.common import json_response
from dataready.api.schemas.services import (
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
    ServiceVerify,
    VerifyRead,
)
from dataready.connectors.config import config_from_parts
from dataready.connectors.registry import connect
from dataready.errors import ConnectorError, NotFound
from dataready.settings import Settings
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Service

router = APIRouter(prefix="/services", tags=["services"])


def _read(row: Service) -> ServiceRead:
    return ServiceRead(
        id=row.id,
        name=row.name,
        connection_type=row.connection_type,
        config=row.config,
        description=row.description,
        has_credentials=row.credentials_encrypted is not None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _cipher(request: Request) -> CredentialCipher:
    settings: Settings = request.app.state.settings
    return CredentialCipher(settings)


@router.post("/verify", response_model=VerifyRead)
def verify_service(body: ServiceVerify, request: Request, _principal: Developer) -> Response:
    """Test a connection without saving it: ``success: false`` says what failed and why."""
    settings: Settings = request.app.state.settings
    config = config_from_parts(body.connection_type, body.config, body.credentials)
    started = time.perf_counter()
    try:
        with connect(config, settings.sources) as connector:
            result = connector.verify()
    except ConnectorError as exc:
        return json_response(
            VerifyRead(
                success=False,
                message=exc.message,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                details={"code": exc.code},
            )
        )
    except NotFound as exc:
        return json_response(
            VerifyRead(
                success=False, message=exc.message, latency_ms=None, details={"code": exc.code}
            )
        )
    return json_response(
        VerifyRead(
            success=True,
            message=f"connected to {result.type} {result.server_version or ''}".strip()
            + " with a read-only session",
            latency_ms=result.elapsed_ms,
            details={
                "server_version": result.server_version,
                "database": result.database,
                "databases": result.databases,
                "schemas": result.schemas,
                "read_only": result.read_only,
                "user": result.user,
            },
        )
    )


@router.post("", status_code=201, response_model=ServiceRead)
def create_service(
    body: ServiceCreate, request: Request, principal: Developer, session: DbSession
) -> Response:
    """Register a service; credentials are encrypted and never returned."""
    config = config_from_parts(body.connection_type, body.config, body.credentials)
    row = services_q.create_service(
        session,
        principal.tenant,
        _cipher(request),
        name=body.name,
        config=config,
        description=body.description,
        created_by=principal.client_id,
    )
    doc = _read(row)
    session.commit()
    return json_response(doc, 201)


@router.get("", response_model=PageOf[ServiceRead])
def list_services(principal: Viewer, session: DbSession, page: Page) -> Response:
    rows, total = services_q.list_services(
        session, principal.tenant, limit=page.limit, offset=page.offset
    )
    return json_response(
        PageOf[ServiceRead](
            items=[_read(r) for r in rows], total=total, limit=page.limit, offset=page.offset
        )
    )


@router.get("/{service_id}", response_model=ServiceRead)
def get_service(service_id: uuid.UUID, principal: Viewer, session: DbSession) -> Response:
    return json_response(_read(services_q.get_service(session, principal.tenant, service_id)))


@router.patch("/{service_id}", response_model=ServiceRead)
def update_service(
    service_id: uuid.UUID,
    body: ServiceUpdate,
    request: Request,
    principal: Developer,
    session: DbSession,
) -> Response:
    """Change a service's connection or description (credentials kept unless given)."""
    cipher = _cipher(request)
    config = None
    if body.connection_type is not None or body.config is not None or body.credentials:
        current = services_q.get_service(session, principal.tenant, service_id)
        stored = services_q.connection_config(current, cipher)
        kind = body.connection_type or current.connection_type
        merged = {**current.config, **(body.config or {})}
        merged.pop("type", None)
        creds = dict(body.credentials or {})
        if "password" not in creds and getattr(stored, "password", None) is not None:
            creds["password"] = stored.password.get_secret_value()  # type: ignore[union-attr]
        config = config_from_parts(kind, merged, creds)
    row = services_q.update_service(
        session, principal.tenant, cipher, service_id, config=config, description=body.description
    )
    doc = _read(row)
    session.commit()
    return json_response(doc)


@router.delete("/{service_id}", status_code=204)
def delete_service(service_id: uuid.UUID, principal: Developer, session: DbSession) -> Response:
    """Delete a service and its catalogue."""
    services_q.delete_service(session, principal.tenant, service_id)
    session.commit()
    return Response(status_code=204)
