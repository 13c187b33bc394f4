"""Queries over services (named source connections); their secrets are stored encrypted.

A service row keeps its config in two parts: ``config``, public (every secret value reads
``***``; the top-level password is left out), and ``credentials_encrypted``, the secrets by
path (``password``, ``params.sslpassword``, ``url?token``, ``connect_args.private_key``, ...)
in one encrypted blob. Which keys are secrets is decided by
:func:`dataready.connectors.secrets.is_secret_key`. The two are merged only to build a
connector (:func:`connection_config`).

Re-pointing a service (another type, host, port, database, user or path) never carries its
secrets to the new target, and drops its catalogue — and with the assets their profiles
and tags — because they described another database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataready.connectors.config import (
    ConnectionConfig,
    DuckDBConfig,
    SQLAlchemyConfig,
    SQLiteConfig,
    parse_connection_config,
)
from dataready.connectors.secrets import Path, merge_secrets, split_secrets
from dataready.domain.fqn import FQN
from dataready.domain.services import check_service_name, is_uuid_shaped
from dataready.domain.tenant import Tenant
from dataready.errors import AlreadyExists, ConfigError, NotFound
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Asset, Profile, Proposal, Service, Tag
from dataready.store.tenancy import scoped

OBSOLETE = "obsolete"
"""Status of a pending proposal whose service was deleted or re-pointed."""


def config_document(config: ConnectionConfig) -> dict[str, Any]:
    """``config`` as plain data with its secrets in clear (to split, never to show)."""
    data = config.model_dump(mode="json")
    password = getattr(config, "password", None)
    data["password"] = password.get_secret_value() if password is not None else None
    return data


def _seal(secrets: dict[Path, Any]) -> dict[str, Any]:
    blob: dict[str, Any] = {}
    nested = []
    for path, value in secrets.items():
        if len(path) == 1:
            blob[path[0]] = value
        else:
            nested.append({"path": list(path), "value": value})
    if nested:
        blob["nested"] = nested
    return blob


def _unseal(blob: dict[str, Any]) -> dict[Path, Any]:
    secrets: dict[Path, Any] = {}
    for key, value in blob.items():
        if key == "nested":
            for item in value:
                secrets[tuple(item["path"])] = item["value"]
        else:
            secrets[(key,)] = value
    return secrets


def stored_secrets(service: Service, cipher: CredentialCipher) -> dict[Path, Any]:
    """The decrypted secrets of a service, by path."""
    if not service.credentials_encrypted:
        return {}
    return _unseal(cipher.decrypt(service.credentials_encrypted))


def connection_config(service: Service, cipher: CredentialCipher) -> ConnectionConfig:
    """The full connection config of a service, secrets decrypted (to build a connector)."""
    # The stored config, not its public view: a row written before secrets were recognised
    # outside ``password`` still holds them there until resealed.
    data = merge_secrets(service.config, stored_secrets(service, cipher))
    return parse_connection_config(data)


def reseal_services(session: Session, cipher: Callable[[], CredentialCipher]) -> int:
    """Move secrets still in clear in stored configs into the encrypted blob.

    Rows written before secrets were recognised outside ``password`` kept, for example,
    ``params.sslpassword`` in clear; this seals them (all tenants). ``cipher`` is called
    only when there is something to seal. Returns the rows changed.
    """
    changed = 0
    key: CredentialCipher | None = None
    for row in session.scalars(select(Service)):
        split = split_secrets(row.config)
        if not split.secrets:
            continue
        key = key or cipher()
        secrets = {**stored_secrets(row, key), **split.secrets}
        row.config = split.public
        row.credentials_encrypted = key.encrypt(_seal(secrets))
        changed += 1
    session.flush()
    return changed


def public_config(service: Service) -> dict[str, Any]:
    """A service's config as shown: every secret ``***``, even in rows written before
    secrets were recognised outside ``password``."""
    return split_secrets(service.config).public


def _public(public: dict[str, Any], secrets: dict[Path, Any]) -> dict[str, Any]:
    # "***" stays only where a secret is stored behind it.
    return split_secrets(merge_secrets(public, secrets)).public


def target_of(config: ConnectionConfig) -> tuple[Any, ...]:
    """What a config points at: a change here is a new target (secrets and catalogue go)."""
    if isinstance(config, SQLiteConfig | DuckDBConfig):
        return (config.type, config.path)
    if isinstance(config, SQLAlchemyConfig):
        url = make_url(config.url)
        host = (url.host or "").lower()
        return (config.type, url.drivername, host, url.port, url.database, url.username)
    return (config.type, config.host.lower(), config.port, config.database, config.user)


@dataclass
class ServiceChange:
    """What :func:`update_service` did besides saving the new config."""

    service: Service
    retargeted: bool = False
    credentials_cleared: bool = False
    assets_dropped: int = 0
    notices: list[str] = field(default_factory=list)


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


def resolve_service(session: Session, tenant: Tenant, id_or_name: str) -> Service:
    """The tenant's service with this id, or else with this name (a name stored before the
    name rule could look like an id: the id is tried first)."""
    if is_uuid_shaped(id_or_name):
        found = session.scalars(
            scoped(select(Service).where(Service.id == uuid.UUID(id_or_name)), Service, tenant)
        ).first()
        if found is not None:
            return found
    try:
        return get_service_by_name(session, tenant, id_or_name)
    except NotFound:
        raise NotFound(
            f"no service with the id or name {id_or_name!r}; list services with GET /services",
            resource="service",
            id=id_or_name,
        ) from None


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


def service_names(session: Session, tenant: Tenant) -> list[str]:
    """The names of the tenant's services, in order."""
    stmt = scoped(select(Service.name), Service, tenant).order_by(Service.name)
    return list(session.scalars(stmt))


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
    check_service_name(name)
    exists = session.scalars(
        scoped(select(Service.id).where(Service.name == name), Service, tenant)
    ).first()
    if exists is not None:
        raise AlreadyExists(
            f"a service named {name!r} exists; choose another name", resource="service", name=name
        )
    split = split_secrets(config_document(config))
    row = Service(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        name=name,
        connection_type=config.type,
        description=description,
        config=_public(split.public, split.secrets),
        credentials_encrypted=cipher.encrypt(_seal(split.secrets)) if split.secrets else None,
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
) -> ServiceChange:
    """Change a service's connection and/or description.

    ``config`` is the whole new config. A secret it leaves out (no password) or sends back
    as ``***`` keeps its stored value while the target stays the same. When the target
    changes (type, host, port, database, user or path), no stored secret is carried over and
    the service's catalogue — assets with their profiles and tags — is dropped, and pending
    proposals on it become obsolete; :class:`ServiceChange` says so.
    """
    row = get_service(session, tenant, service_id)
    change = ServiceChange(row)
    if config is not None:
        try:
            old = connection_config(row, cipher)
        except ConfigError:  # saved under another key: they cannot be kept, only replaced
            old = parse_connection_config(merge_secrets(row.config, {}))
            change.notices.append(
                "the stored credentials could not be decrypted with the configured key and "
                "were dropped; the ones sent now (if any) are stored"
            )
            change.credentials_cleared = row.credentials_encrypted is not None
            row.credentials_encrypted = None
        old_secrets = split_secrets(config_document(old)).secrets
        split = split_secrets(config_document(config))
        secrets = dict(split.secrets)
        change.retargeted = target_of(old) != target_of(config)
        if change.retargeted:
            left = sorted(".".join(p) for p in set(old_secrets) - set(secrets))
            if left:
                change.credentials_cleared = True
                change.notices.append(
                    "the stored credentials were cleared because the service now points at "
                    f"another target ({', '.join(left)}); send them again for the new target"
                )
        else:
            keep = {p for p in split.kept if p in old_secrets}
            if ("password",) in old_secrets and ("password",) not in secrets:
                keep.add(("password",))
            secrets.update({p: old_secrets[p] for p in keep})
        row.connection_type = config.type
        row.config = _public(split.public, secrets)
        row.credentials_encrypted = cipher.encrypt(_seal(secrets)) if secrets else None
        if change.retargeted:
            change.assets_dropped = drop_catalogue(session, tenant, row)
            if change.assets_dropped:
                change.notices.append(
                    f"the catalogue of {row.name!r} ({change.assets_dropped} assets, with their "
                    "profiles and tags) was dropped because it described the previous target; "
                    "run service-ingestion to catalogue the new one"
                )
    if description is not None:
        row.description = description
    session.flush()
    return change


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
    return put_service_change(
        session,
        tenant,
        cipher,
        name=name,
        config=config,
        description=description,
        created_by=created_by,
    ).service


def put_service_change(
    session: Session,
    tenant: Tenant,
    cipher: CredentialCipher,
    *,
    name: str,
    config: ConnectionConfig,
    description: str | None,
    created_by: str | None,
) -> ServiceChange:
    """:func:`put_service`, saying what a re-point dropped."""
    existing = session.scalars(
        scoped(select(Service.id).where(Service.name == name), Service, tenant)
    ).first()
    if existing is not None:
        return update_service(
            session, tenant, cipher, existing, config=config, description=description
        )
    row = create_service(
        session,
        tenant,
        cipher,
        name=name,
        config=config,
        description=description,
        created_by=created_by,
    )
    return ServiceChange(row)


def drop_catalogue(session: Session, tenant: Tenant, service: Service) -> int:
    """Delete a service's assets (their profiles and tags go by cascade); returns how many.

    Pending proposals on the service's assets become :data:`OBSOLETE`, so an approval given
    later cannot apply them to assets of another database that reuse the names.
    """
    session.flush()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(Asset)
        .where(
            Asset.client_id == tenant.client_id,
            Asset.project_id == tenant.project_id,
            Asset.service_id == service.id,
        )
        .execution_options(synchronize_session=False)
    )
    dropped = result.rowcount
    prefix = str(FQN.from_parts(service.name))
    session.execute(
        update(Proposal)
        .where(
            Proposal.client_id == tenant.client_id,
            Proposal.project_id == tenant.project_id,
            Proposal.status == "proposed",
            or_(
                Proposal.asset_fqn == prefix,
                Proposal.asset_fqn.startswith(prefix + ".", autoescape=True),
            ),
        )
        .values(status=OBSOLETE)
        .execution_options(synchronize_session=False)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Asset | Profile | Tag | Proposal):
            session.expunge(obj)  # their rows are gone or changed behind the session
    return int(dropped or 0)


def delete_service(session: Session, tenant: Tenant, service_id: uuid.UUID) -> int:
    """Delete a service with its catalogue, profiles and tags; returns the assets dropped."""
    row = get_service(session, tenant, service_id)
    dropped = drop_catalogue(session, tenant, row)
    session.delete(row)
    session.flush()
    return dropped
