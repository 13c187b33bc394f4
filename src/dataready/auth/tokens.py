"""Minting HS256 tokens signed with the configured secret (``dataready token``, tests)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import jwt

from dataready.domain.enums import Role
from dataready.errors import ValidationFailed
from dataready.settings import Settings

MINT_ALGORITHM = "HS256"


def mint_token(
    settings: Settings,
    client_id: str,
    project_id: str | None,
    roles: Iterable[Role | str] | None = None,
    ttl_seconds: int | None = None,
    *,
    subject: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """A signed token for ``client_id`` in ``project_id`` with ``roles``.

    Args:
        settings: supplies the secret, the issuer and audience (when configured) and the
            default lifetime ``auth.token_ttl_seconds``.
        client_id: the ``client_id`` claim (first half of the tenant).
        project_id: the ``project_id`` claim; ``None`` leaves it out (the caller then names
            the project in an ``X-Project-ID`` header).
        roles: role names for the ``roles`` claim; ``None`` leaves the claim out, which the
            API reads as ``auth.default_role`` (``viewer`` unless configured).
        ttl_seconds: lifetime in seconds; default ``auth.token_ttl_seconds``.
        subject: the ``sub`` claim; default ``client_id``.
        extra_claims: further claims, which override the ones above.

    Raises:
        ValidationFailed: on an empty ``client_id``, an unknown role or a lifetime below 1.
    """
    if not client_id:
        raise ValidationFailed("client_id must not be empty", field="client_id")
    ttl = settings.auth.token_ttl_seconds if ttl_seconds is None else ttl_seconds
    if ttl < 1:
        raise ValidationFailed(f"ttl_seconds must be at least 1, not {ttl}", field="ttl_seconds")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or client_id,
        "client_id": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if project_id is not None:
        claims["project_id"] = project_id
    if roles is not None:
        claims["roles"] = [_role_name(r) for r in roles]
    if settings.auth.issuer:
        claims["iss"] = settings.auth.issuer
    if settings.auth.audience:
        claims["aud"] = settings.auth.audience
    claims.update(extra_claims or {})
    return jwt.encode(claims, settings.auth.secret.get_secret_value(), algorithm=MINT_ALGORITHM)


def _role_name(role: Role | str) -> str:
    try:
        return Role(role).value
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"unknown role {role!r}; known roles: {known}", field="roles"
        ) from None
