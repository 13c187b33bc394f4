"""``mint_token`` (what ``dataready token`` prints) and the verifier, without HTTP."""

from __future__ import annotations

import time

import jwt
import pytest
from tests.conftest import TEST_SECRET, make_settings

from dataready.auth import TokenVerifier, mint_token, principal_from_claims
from dataready.domain.enums import Role
from dataready.errors import AuthError, PermissionDenied, ValidationFailed
from dataready.settings import AuthSettings, Settings


@pytest.fixture
def plain_settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(f"sqlite:///{tmp_path / 's.db'}", tmp_path)


def test_minted_token_claims(plain_settings: Settings) -> None:
    token = mint_token(plain_settings, "client-a", "project-a", [Role.OPERATOR, "viewer"], 120)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    assert claims["client_id"] == "client-a" and claims["project_id"] == "project-a"
    assert claims["roles"] == ["operator", "viewer"]
    assert claims["sub"] == "client-a"
    assert 119 <= claims["exp"] - int(time.time()) <= 120
    principal = principal_from_claims(TokenVerifier(plain_settings.auth).decode(token))
    assert principal.tenant.client_id == "client-a"
    assert principal.roles == frozenset({Role.OPERATOR, Role.VIEWER})


def test_minted_token_defaults_and_issuer(plain_settings: Settings) -> None:
    auth = AuthSettings(
        secret=TEST_SECRET,  # type: ignore[arg-type]
        issuer="https://idp.example",
        audience="dataready",
        token_ttl_seconds=3600,
    )
    settings = plain_settings.model_copy(update={"auth": auth})
    token = mint_token(settings, "client-a", None)
    claims = TokenVerifier(auth).decode(token)
    assert claims["iss"] == "https://idp.example" and claims["aud"] == "dataready"
    assert "roles" not in claims and "project_id" not in claims
    assert 3599 <= claims["exp"] - int(time.time()) <= 3600
    principal = principal_from_claims(claims, "proj:customer-analytics")
    assert principal.tenant.project_id == "proj:customer-analytics"
    assert principal.roles == frozenset({Role.DEVELOPER})


def test_mint_refuses_bad_input(plain_settings: Settings) -> None:
    with pytest.raises(ValidationFailed, match="unknown role 'root'"):
        mint_token(plain_settings, "client-a", "p", ["root"])
    with pytest.raises(ValidationFailed, match="client_id"):
        mint_token(plain_settings, "", "p")
    with pytest.raises(ValidationFailed, match="ttl_seconds"):
        mint_token(plain_settings, "client-a", "p", None, 0)


def test_principal_rules() -> None:
    with pytest.raises(PermissionDenied):
        principal_from_claims({"client_id": "c", "project_id": "p"}, "q")
    with pytest.raises(AuthError, match="X-Project-ID"):
        principal_from_claims({"client_id": "c"}, "bad header value!")
    with pytest.raises(AuthError, match="not a string"):
        principal_from_claims({"client_id": 42, "project_id": "p"})
    p = principal_from_claims({"client_id": "c", "project_id": "p", "roles": "admin viewer"})
    assert p.roles == frozenset({Role.ADMIN, Role.VIEWER})
    assert principal_from_claims({"client_id": "c", "project_id": "p", "roles": []}).roles == (
        frozenset()
    )


def test_verifier_refuses_unsupported_algorithms() -> None:
    with pytest.raises(ValidationFailed, match="unsupported"):
        TokenVerifier(AuthSettings(algorithms=["HS256", "XYZ1"]))
