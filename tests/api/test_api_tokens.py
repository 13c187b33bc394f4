"""``mint_token`` (what ``dataready token`` prints) and the verifier, without HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pydantic
import pytest
from tests.conftest import TEST_SECRET, make_settings
from typer.testing import CliRunner

from dataready.auth import TokenVerifier, mint_token, principal_from_claims
from dataready.cli.main import app
from dataready.domain.enums import Role
from dataready.errors import AuthError, PermissionDenied, ValidationFailed
from dataready.settings import AuthSettings, Settings, get_settings


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
    assert principal.roles == frozenset({Role.VIEWER})  # no roles claim: the default role


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


def test_default_role(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = {"client_id": "c", "project_id": "p"}
    assert principal_from_claims(claims).roles == frozenset({Role.VIEWER})
    keycloak = {**claims, "realm_access": {"roles": ["offline_access", "default-roles-x"]}}
    assert principal_from_claims(keycloak).roles == frozenset({Role.VIEWER})
    assert principal_from_claims(claims, default_role=Role.OPERATOR).roles == frozenset(
        {Role.OPERATOR}
    )
    # named roles and an explicit empty list are never replaced by the default
    named = {**claims, "roles": ["operator"]}
    assert principal_from_claims(named, default_role=Role.ADMIN).roles == frozenset({Role.OPERATOR})
    assert principal_from_claims({**claims, "roles": []}, default_role=Role.ADMIN).roles == (
        frozenset()
    )
    # the setting: DATAREADY_AUTH__DEFAULT_ROLE, a known role (any case), viewer by default
    assert AuthSettings().default_role is Role.VIEWER
    monkeypatch.setenv("DATAREADY_AUTH__DEFAULT_ROLE", " Developer ")
    assert Settings().auth.default_role is Role.DEVELOPER
    assert TokenVerifier(Settings().auth).default_role is Role.DEVELOPER
    monkeypatch.setenv("DATAREADY_AUTH__DEFAULT_ROLE", "root")
    with pytest.raises(pydantic.ValidationError, match="unknown role 'root'; known roles: viewer"):
        Settings()


def test_token_cli_without_a_role_mints_a_default_role_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAREADY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATAREADY_AUTH__SECRET", TEST_SECRET)
    get_settings.cache_clear()
    try:
        args = ["token", "--client-id", "acme", "--project-id", "p1"]
        plain = CliRunner().invoke(app, args)
        admin = CliRunner().invoke(app, [*args, "--role", "admin"])
        settings = get_settings()
    finally:
        get_settings.cache_clear()
    assert plain.exit_code == 0 and admin.exit_code == 0, plain.output + admin.output
    verifier = TokenVerifier(settings.auth)
    claims = verifier.decode(plain.stdout.strip())
    assert "roles" not in claims
    assert principal_from_claims(claims).roles == frozenset({Role.VIEWER})
    roles = principal_from_claims(verifier.decode(admin.stdout.strip())).roles
    assert roles == frozenset({Role.ADMIN})


@pytest.mark.parametrize(
    "dates",
    [{"exp": "9999999999"}, {"nbf": "1"}, {"iat": "1"}, {"exp": False}, {"exp": float("inf")}],
    ids=repr,
)
def test_verifier_refuses_dates_that_are_not_numbers(
    plain_settings: Settings, dates: dict[str, object]
) -> None:
    token = mint_token(plain_settings, "c", "p", ["viewer"], extra_claims=dates)
    with pytest.raises(AuthError, match="must be a number") as info:
        TokenVerifier(plain_settings.auth).decode(token)
    assert info.value.code == "INVALID_TOKEN" and info.value.status == 401
