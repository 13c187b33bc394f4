"""Authentication and role checks as FastAPI dependencies.

The verification itself is :class:`dataready.auth.TokenVerifier` (pure PyJWT), built once per
app at startup and kept in ``app.state.verifier``.  HMAC tokens are verified on the event
loop (tens of microseconds); tokens that may need a JWKS fetch are verified in the thread pool.
Role rules: viewer reads; operator also starts and cancels runs; developer also creates and
changes configurations; admin does everything, including definitions and approvals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from dataready.auth.verify import TokenVerifier, principal_from_claims
from dataready.domain.enums import Role
from dataready.domain.tenant import Principal
from dataready.errors import AuthError, PermissionDenied

# Declares the bearer scheme in the OpenAPI document; the header itself is read below so that
# a missing and a malformed header get different messages.
_bearer_scheme = HTTPBearer(auto_error=False, description="A JWT: `Authorization: Bearer <token>`")


async def current_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal:
    """The verified caller of this request.

    Raises:
        AuthError: missing or malformed header, or a token that fails verification (401).
        PermissionDenied: ``X-Project-ID`` disagrees with the token's project (403).
    """
    header = request.headers.get("authorization")
    if not header:
        raise AuthError(
            "missing Authorization header: send 'Authorization: Bearer <token>'",
            reason="missing_header",
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError(
            "malformed Authorization header: expected 'Bearer <token>'", reason="malformed"
        )
    verifier: TokenVerifier = request.app.state.verifier
    claims = verifier.cached(token)
    if claims is None:
        alg = verifier.algorithm_of(token)
        if verifier.needs_jwks(alg):
            claims = await run_in_threadpool(verifier.decode, token, alg)
        else:
            claims = verifier.decode(token, alg)
        verifier.remember(token, claims)
    return principal_from_claims(
        claims, request.headers.get("x-project-id"), verifier.audience, verifier.default_role
    )


def check_role(principal: Principal, role: Role) -> Principal:
    """``principal`` if it holds ``role`` or a higher one, else 403."""
    if not principal.has_role(role):
        held = ", ".join(sorted(r.value for r in principal.roles)) or "none"
        raise PermissionDenied(
            f"this needs the {role.value} role (or a higher one); the token has: {held}",
            required_role=role.value,
        )
    return principal


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency answering 403 unless the caller has ``role`` or a higher one."""

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        return check_role(principal, role)

    dependency.__name__ = f"require_{role.value}"
    return dependency


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Developer = Annotated[Principal, Depends(require(Role.DEVELOPER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
