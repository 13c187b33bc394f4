"""Verifying bearer tokens and reading the caller's tenant and roles from their claims.

HMAC tokens (HS256/384/512) are checked with ``auth.secret``; RSA and EC tokens with the keys
published at ``auth.jwks_url`` (a Keycloak realm's ``.../protocol/openid-connect/certs`` is
typical).  Only the algorithms in ``auth.algorithms`` are accepted, and the header's ``alg`` is
checked before anything is decoded; ``none`` is never accepted.  Every failure raises
:class:`~dataready.errors.AuthError` with a message saying what was wrong.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from typing import Any

import jwt

from dataready.domain.enums import Role
from dataready.domain.tenant import Principal, Tenant
from dataready.errors import AuthError, PermissionDenied, ServiceUnavailable, ValidationFailed
from dataready.settings import AuthSettings

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_PROJECT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$")
_ROLE_BY_NAME = {r.value: r for r in Role}
MAX_CLAIM_LENGTH = 255


class TokenVerifier:
    """Verifies tokens against one :class:`AuthSettings`; build it once per app.

    The JWKS client (and its key cache) lives as long as the verifier.
    """

    def __init__(self, auth: AuthSettings) -> None:
        self.allowed = frozenset(a for a in auth.algorithms if a.lower() != "none")
        unsupported = self.allowed - HMAC_ALGORITHMS - ASYMMETRIC_ALGORITHMS
        if unsupported:
            raise ValidationFailed(
                f"auth.algorithms has unsupported algorithm(s): {', '.join(sorted(unsupported))}",
                field="auth.algorithms",
            )
        self._allowed_text = ", ".join(sorted(self.allowed)) or "none"
        self._secret = auth.secret.get_secret_value()
        self.issuer = auth.issuer
        self.audience = auth.audience
        self.default_role = auth.default_role
        self.leeway = auth.leeway_seconds
        self._options: dict[str, Any] = {
            "require": ["exp"] if auth.require_exp else [],
            "verify_aud": auth.audience is not None,
            "verify_iss": auth.issuer is not None,
        }
        self.jwks_client: jwt.PyJWKClient | None = None
        self._cache: dict[str, tuple[dict[str, Any], float, float]] = {}
        if auth.jwks_url and self.allowed & ASYMMETRIC_ALGORITHMS:
            self.jwks_client = jwt.PyJWKClient(
                auth.jwks_url,
                cache_jwk_set=True,
                lifespan=max(1, auth.jwks_cache_seconds),
                timeout=10,
            )

    CACHE_SIZE = 4096

    def cached(self, token: str) -> dict[str, Any] | None:
        """The claims of a token verified before, while its ``exp``/``nbf`` still hold.

        Verifying a signature costs more than the rest of a polled request; a token is
        immutable, so its verified claims can be reused until it expires.
        """
        hit = self._cache.get(token)
        if hit is None:
            return None
        claims, not_before, expires = hit
        now = time.time()
        if now < not_before - self.leeway or now >= expires + self.leeway:
            self._cache.pop(token, None)
            return None
        return claims

    def remember(self, token: str, claims: dict[str, Any]) -> None:
        """Keep the claims of a token that just passed :meth:`decode`."""
        exp = claims.get("exp")
        if not isinstance(exp, int | float):
            return  # no expiry: never cache, verify every time
        nbf = claims.get("nbf")
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()
        self._cache[token] = (
            claims,
            float(nbf) if isinstance(nbf, int | float) else 0.0,
            float(exp),
        )

    def algorithm_of(self, token: str) -> str:
        """The header's ``alg`` when it is allowed; raises otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError(
                "malformed bearer token: it is not a JWT (header.payload.signature)",
                reason="malformed",
            ) from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.allowed:
            raise AuthError(
                f"token algorithm {alg!r} is not allowed; allowed: {self._allowed_text}",
                reason="algorithm_not_allowed",
            )
        return alg

    def needs_jwks(self, alg: str) -> bool:
        """Whether verifying a token of ``alg`` may fetch keys over the network."""
        return alg not in HMAC_ALGORITHMS

    def decode(self, token: str, alg: str | None = None) -> dict[str, Any]:
        """The verified claims of ``token``."""
        alg = alg or self.algorithm_of(token)
        _check_numeric_dates(_unverified_claims(token))
        key: Any = self._secret if alg in HMAC_ALGORITHMS else self._signing_key(token, alg)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options=self._options,  # type: ignore[arg-type]
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired: get a new one", reason="expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthError(
                "token not yet valid: its nbf (or iat) lies in the future", reason="not_yet_valid"
            ) from None
        except jwt.InvalidSignatureError:
            raise AuthError("bad token signature", reason="bad_signature") from None
        except jwt.InvalidIssuerError:
            raise AuthError(
                f"wrong token issuer: expected {self.issuer!r}", reason="wrong_issuer"
            ) from None
        except jwt.InvalidAudienceError:
            raise AuthError(
                f"wrong token audience: expected {self.audience!r}", reason="wrong_audience"
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(
                f"token lacks the required {exc.claim!r} claim", reason="missing_claim"
            ) from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed bearer token: {exc}", reason="malformed") from None
        return claims

    def _signing_key(self, token: str, alg: str) -> Any:
        if self.jwks_client is None:
            raise AuthError(
                f"token algorithm {alg!r} needs a JWKS endpoint, and auth.jwks_url is not set",
                reason="algorithm_not_allowed",
            )
        try:
            return self.jwks_client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable(
                f"the JWKS endpoint cannot be reached to verify the token: {exc}"
            ) from None
        except jwt.PyJWKClientError as exc:
            raise AuthError(
                f"bad token signature: no matching key at the JWKS endpoint ({exc})",
                reason="bad_signature",
            ) from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed bearer token: {exc}", reason="malformed") from None


_NUMERIC_DATES = ("exp", "nbf", "iat")


def _unverified_claims(token: str) -> Mapping[str, Any]:
    """The payload before any check (only ever used to refuse, never to accept)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}  # the verified decode reports what is wrong
    return claims if isinstance(claims, Mapping) else {}


def _check_numeric_dates(claims: Mapping[str, Any]) -> None:
    """``exp``, ``nbf`` and ``iat`` are JSON numbers (RFC 7519 NumericDate), nothing else.

    PyJWT reads them with ``int()``, so ``"exp": "9999999999"`` would pass as a date far in
    the future and ``"exp": true`` as 1970; a token whose dates are not numbers is
    malformed, whatever else it says. Checked before the signature so that the message
    names the claim (both answers are 401).
    """
    for name in _NUMERIC_DATES:
        if name not in claims:
            continue
        value = claims[name]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or not math.isfinite(value):
            raise AuthError(
                f"malformed bearer token: claim {name!r} must be a number of seconds since "
                f"the epoch, not {type(value).__name__} {value!r:.40}",
                reason="malformed",
            )


def principal_from_claims(
    claims: Mapping[str, Any],
    project_header: str | None = None,
    audience: str | None = None,
    default_role: Role = Role.VIEWER,
) -> Principal:
    """The caller's tenant and roles.

    The tenant is ``client_id`` (else ``azp``) plus ``project_id``; the ``X-Project-ID``
    header supplies the project when the token has none and must agree with it otherwise.
    A token that names no role of dataready's gets ``default_role``
    (``auth.default_role``, ``viewer`` unless configured).

    Raises:
        AuthError: no client id, or no project from either source.
        PermissionDenied: the header names another project than the token.
    """
    client_id = _text_claim(claims, "client_id") or _text_claim(claims, "azp")
    if not client_id:
        raise AuthError("token has no client_id (or azp) claim", reason="missing_client_id")
    token_project = _text_claim(claims, "project_id")
    header = project_header.strip() if project_header is not None else None
    if header is not None and not _PROJECT_RE.match(header):
        raise AuthError(
            "X-Project-ID must be a project UUID or resource URI such as proj:customer-analytics",
            reason="bad_project_header",
        )
    if token_project and header and header != token_project:
        raise PermissionDenied(
            f"X-Project-ID {header!r} disagrees with the token's project_id; omit the header "
            "or get a token for that project",
            project_id=header,
        )
    project = token_project or header
    if not project:
        raise AuthError(
            "no project: the token has no project_id claim and the request no X-Project-ID header",
            reason="missing_project",
        )
    return Principal(
        tenant=Tenant(client_id, project),
        roles=_roles(claims, client_id, audience, default_role),
        subject=_text_claim(claims, "sub"),
    )


def _text_claim(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AuthError(
            f"malformed bearer token: claim {name!r} is not a string", reason="malformed"
        )
    # Tenant and subject ids are stored in 255-character columns and PostgreSQL text refuses
    # NUL: such a claim is a malformed token (401), never a store error.
    if len(value) > MAX_CLAIM_LENGTH or "\x00" in value:
        raise AuthError(
            f"malformed bearer token: claim {name!r} is longer than {MAX_CLAIM_LENGTH} "
            "characters or holds a NUL character",
            reason="malformed",
        )
    return value


def _roles(
    claims: Mapping[str, Any], client_id: str, audience: str | None, default_role: Role
) -> frozenset[Role]:
    """Known roles from ``roles``, Keycloak's ``realm_access`` and ``resource_access``.

    Unknown names are ignored. A token without a ``roles`` claim whose Keycloak claims name
    none of dataready's roles (Keycloak always adds ``offline_access`` and
    ``default-roles-<realm>``) gets ``default_role``; an explicit ``"roles": []`` means none.
    """
    names: list[Any] = []
    found = False
    if "roles" in claims:
        found = True
        names.extend(_as_list(claims["roles"]))
    realm = claims.get("realm_access")
    if isinstance(realm, Mapping) and "roles" in realm:
        names.extend(_as_list(realm["roles"]))
    resources = claims.get("resource_access")
    if isinstance(resources, Mapping):
        for client in {client_id, claims.get("azp"), audience}:
            entry = resources.get(client) if isinstance(client, str) else None
            if isinstance(entry, Mapping) and "roles" in entry:
                names.extend(_as_list(entry["roles"]))
    roles = frozenset(_ROLE_BY_NAME[n] for n in names if isinstance(n, str) and n in _ROLE_BY_NAME)
    if not roles and not found:
        return frozenset({default_role})
    return roles


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list | tuple):
        return list(value)
    return []
