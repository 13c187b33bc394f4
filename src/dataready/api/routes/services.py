"""``/services``: named source connections, and ``POST /services/verify``.

Every source is checked against the server's source policy (file roots, never the store
itself: :mod:`dataready.connectors.policy`) on verify, create and change, and again when a
run opens it. Secrets are write-only: stored encrypted, shown as ``***``.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from dataready.api.auth import Developer, Viewer
from dataready.api.deps import DbSession, Page
from dataready.api.schemas.common import Page as PageOf
from dataready.api.schemas.common import json_response
from dataready.api.schemas.services import (
    ServiceChangeRead,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
    ServiceVerify,
    VerifyRead,
)
from dataready.connectors.config import ConnectionConfig
from dataready.connectors.parts import config_from_parts, same_kind
from dataready.connectors.policy import SourcePolicy
from dataready.connectors.registry import connect
from dataready.domain.enums import Role
from dataready.domain.tenant import Principal
from dataready.errors import ConnectorError, MissingExtra, NotFound, PermissionDenied
from dataready.settings import Settings
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Service

router = APIRouter(prefix="/services", tags=["services"])

ServiceRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=255,
        description="Ours: the service's id, or its name (an id is tried first).",
    ),
]


def _read(row: Service) -> ServiceRead:
    return ServiceRead(
        id=row.id,
        name=row.name,
        connection_type=row.connection_type,
        config=services_q.public_config(row),
        description=row.description,
        has_credentials=row.credentials_encrypted is not None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _cipher(request: Request) -> CredentialCipher:
    settings: Settings = request.app.state.settings
    return CredentialCipher(settings)


def _policy(request: Request) -> SourcePolicy:
    settings: Settings = request.app.state.settings
    return SourcePolicy.from_settings(settings)


def _admit(principal: Principal, policy: SourcePolicy, config: ConnectionConfig) -> None:
    """Refuse a source the policy refuses, or one that needs a role the caller lacks."""
    reason = policy.requires_admin(config)
    if reason and not principal.has_role(Role.ADMIN):
        held = ", ".join(sorted(r.value for r in principal.roles)) or "none"
        raise PermissionDenied(
            f"{reason}, so registering or verifying it needs the admin role (the token has: "
            f"{held}); ask an admin, or use a native connection_type",
            required_role=Role.ADMIN.value,
        )
    policy.check(config)


@router.post("/verify", response_model=VerifyRead)
def verify_service(body: ServiceVerify, request: Request, principal: Developer) -> Response:
    """Test a connection without saving it: ``success: false`` says what failed and why.

    ``details.read_only`` is true only when the engine itself refuses writes in the session
    (always for the native connectors; per engine for generic SQLAlchemy sources, which also
    report ``statement_timeout`` and a ``note``). A source the server's policy refuses
    answers 422 ``SOURCE_NOT_ALLOWED`` instead.
    """
    settings: Settings = request.app.state.settings
    policy = SourcePolicy.from_settings(settings)
    config = config_from_parts(body.connection_type, body.config, body.credentials)
    _admit(principal, policy, config)
    started = time.perf_counter()
    try:
        with connect(config, settings.sources, policy=policy) as connector:
            result = connector.verify()
    except (ConnectorError, NotFound, MissingExtra) as exc:
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return json_response(
            VerifyRead(
                success=False,
                message=exc.message,
                latency_ms=None if isinstance(exc, NotFound) else elapsed,
                details={"code": exc.code},
            )
        )
    session = (
        "with a read-only session"
        if result.read_only
        else "but the session is NOT read-only on this engine: give the service a role that "
        "can only read"
    )
    return json_response(
        VerifyRead(
            success=True,
            message=f"connected to {result.type} {result.server_version or ''}".strip()
            + f" {session}",
            latency_ms=result.elapsed_ms,
            details={
                "server_version": result.server_version,
                "database": result.database,
                "databases": result.databases,
                "schemas": result.schemas,
                "read_only": result.read_only,
                "user": result.user,
                **result.details,
            },
        )
    )


@router.post("", status_code=201, response_model=ServiceRead)
def create_service(
    body: ServiceCreate, request: Request, principal: Developer, session: DbSession
) -> Response:
    """Register a service; credentials and other secrets are encrypted and never returned.

    Generic SQLAlchemy sources (and DuckDB with ``allow_external_access``) need the admin
    role; a source outside the server's policy answers 422 ``SOURCE_NOT_ALLOWED``.
    """
    config = config_from_parts(body.connection_type, body.config, body.credentials)
    _admit(principal, _policy(request), config)
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
def get_service(service_id: ServiceRef, principal: Viewer, session: DbSession) -> Response:
    return json_response(_read(services_q.resolve_service(session, principal.tenant, service_id)))


@router.patch("/{service_id}", response_model=ServiceChangeRead)
def update_service(
    service_id: ServiceRef,
    body: ServiceUpdate,
    request: Request,
    principal: Developer,
    session: DbSession,
) -> Response:
    """Change a service's connection or description.

    ``config`` is merged key by key into the stored one (a new ``connection_type`` starts
    from an empty config); a secret sent back as ``***`` keeps its stored value.

    Re-pointing — another connection type, host, port, database, user or path — never
    sends the stored secrets to the new target: unless the request gives credentials again,
    they are cleared (``has_credentials: false``, ``credentials_cleared: true``). It also
    drops the service's catalogue, and with its assets their profiles and tags, because they
    described the previous target (``catalogue_dropped: true``); run service-ingestion
    again. ``notices`` says all of this in words. Changing only the description or options
    that keep the target (``sslmode``, ``params``, ...) keeps credentials and catalogue.
    """
    cipher = _cipher(request)
    config = None
    current = services_q.resolve_service(session, principal.tenant, service_id)
    if body.connection_type is not None or body.config is not None or body.credentials:
        kind = body.connection_type or current.connection_type
        stored = services_q.public_config(current)
        retyped = body.connection_type is not None and not same_kind(
            body.connection_type, current.connection_type, stored
        )
        base = {} if retyped else stored
        merged = {**base, **(body.config or {})}
        merged.pop("type", None)
        config = config_from_parts(kind, merged, body.credentials)
        _admit(principal, _policy(request), config)
    change = services_q.update_service(
        session, principal.tenant, cipher, current.id, config=config, description=body.description
    )
    doc = ServiceChangeRead(
        **_read(change.service).model_dump(),
        credentials_cleared=change.credentials_cleared,
        catalogue_dropped=change.assets_dropped > 0,
        assets_dropped=change.assets_dropped,
        notices=change.notices,
    )
    session.commit()
    return json_response(doc)


@router.delete("/{service_id}", status_code=204)
def delete_service(service_id: ServiceRef, principal: Developer, session: DbSession) -> Response:
    """Delete a service with its catalogue: its assets and their profiles and tags."""
    row = services_q.resolve_service(session, principal.tenant, service_id)
    services_q.delete_service(session, principal.tenant, row.id)
    session.commit()
    return Response(status_code=204)
