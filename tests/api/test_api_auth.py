"""Authentication: every failure mode answers 401 INVALID_TOKEN saying which; tenants; roles."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from tests.api.conftest import (
    BASE,
    PII_DEFINITION,
    TENANT_A,
    as_role,
    assert_envelope,
    auth,
    claims_for,
    create_configuration,
    encode,
    unsigned,
)
from tests.conftest import TEST_SECRET, make_settings

from dataready.api import create_app
from dataready.auth import mint_token
from dataready.settings import AuthSettings, Settings

DEFS = f"{BASE}/workflows/definitions"
LONG_SECRET = "a-much-longer-test-secret-for-hs384-and-hs512-" + "x" * 40


def app_with(settings: Settings, **auth_fields: Any) -> TestClient:
    auth_settings = AuthSettings.model_validate({**settings.auth.model_dump(), **auth_fields})
    return TestClient(create_app(settings.model_copy(update={"auth": auth_settings})))


def _reason(client: TestClient, headers: dict[str, str], expected: str) -> None:
    error = assert_envelope(client.get(DEFS, headers=headers), 401, "INVALID_TOKEN")
    assert expected in error["message"], error["message"]


def test_minted_token_is_accepted(client: TestClient, settings: Settings) -> None:
    token = mint_token(settings, "client-a", "project-a", ["viewer"], 60)
    r = client.get(DEFS, headers=auth(token))
    assert r.status_code == 200
    assert r.json()["total"] == 15


def test_missing_and_malformed_headers(client: TestClient) -> None:
    _reason(client, {}, "missing Authorization header")
    _reason(client, {"Authorization": "Basic dXNlcjpwYXNz"}, "malformed Authorization header")
    _reason(client, {"Authorization": "Bearer"}, "malformed Authorization header")
    _reason(client, auth("not-a-jwt"), "malformed bearer token")
    _reason(client, auth("a.b.c"), "malformed bearer token")


def test_expired_and_not_yet_valid(client: TestClient) -> None:
    now = int(time.time())
    _reason(client, auth(encode(claims_for(exp=now - 60))), "expired")
    _reason(client, auth(encode(claims_for(nbf=now + 3600))), "not yet valid")


def test_exp_is_required(client: TestClient) -> None:
    claims = claims_for()
    del claims["exp"]
    _reason(client, auth(encode(claims)), "'exp'")


def test_bad_signature(client: TestClient) -> None:
    token = encode(claims_for(), key="another-secret-that-is-long-enough-for-hs256-0123")
    _reason(client, auth(token), "bad token signature")
    head, _payload, sig = encode(claims_for()).split(".")
    forged = encode(claims_for(roles=["admin"], client_id="intruder")).split(".")[1]
    _reason(client, auth(f"{head}.{forged}.{sig}"), "bad token signature")


def test_alg_none_is_always_refused(client: TestClient, settings: Settings) -> None:
    _reason(client, auth(unsigned(claims_for(roles=["admin"]))), "algorithm 'none' is not allowed")
    with app_with(settings, algorithms=["HS256", "none"]) as c:
        _reason(c, auth(unsigned(claims_for(roles=["admin"]))), "algorithm 'none' is not allowed")


def test_algorithm_outside_the_allowed_list(settings: Settings) -> None:
    with app_with(settings, secret=LONG_SECRET) as c:
        token = encode(claims_for(), key=LONG_SECRET, algorithm="HS512")
        _reason(c, auth(token), "algorithm 'HS512' is not allowed; allowed: HS256")
    with app_with(settings, secret=LONG_SECRET, algorithms=["HS256", "HS384", "HS512"]) as c:
        for alg in ("HS384", "HS512"):
            token = encode(claims_for(), key=LONG_SECRET, algorithm=alg)
            assert c.get(DEFS, headers=auth(token)).status_code == 200


def test_rs256_without_a_jwks_url_is_refused(settings: Settings) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with app_with(settings, algorithms=["HS256", "RS256"]) as c:
        _reason(c, auth(encode(claims_for(), key=key, algorithm="RS256")), "auth.jwks_url")


def test_wrong_issuer_and_audience(settings: Settings) -> None:
    with app_with(settings, issuer="https://idp.example/realms/dr", audience="dataready") as c:
        good = claims_for(iss="https://idp.example/realms/dr", aud="dataready")
        assert c.get(DEFS, headers=auth(encode(good))).status_code == 200
        _reason(c, auth(encode({**good, "iss": "https://evil.example"})), "wrong token issuer")
        _reason(c, auth(encode({**good, "aud": "someone-else"})), "wrong token audience")
        no_iss = dict(good)
        del no_iss["iss"]
        _reason(c, auth(encode(no_iss)), "'iss'")


def test_tenant_from_claims_and_header(client: TestClient) -> None:
    _reason(client, auth(encode(claims_for(client_id=None))), "no client_id")
    _reason(client, auth(encode(claims_for(project_id=None))), "no project")
    # azp stands in for client_id (Keycloak service accounts)
    token = encode(claims_for(client_id=None, azp="client-a", roles=["viewer"]))
    assert client.get(DEFS, headers=auth(token)).status_code == 200
    # X-Project-ID names the project when the token has none
    no_project = encode(claims_for(project_id=None, roles=["developer"]))
    doc = create_configuration(client, headers=auth(no_project, **{"X-Project-ID": "project-a"}))
    r = client.get(f"{BASE}/workflows/{doc['id']}", headers=as_role("viewer"))
    assert r.status_code == 200  # the same tenant as a token with project_id=project-a
    r = client.get(f"{BASE}/workflows/{doc['id']}", headers=as_role("viewer", ("client-a", "x")))
    assert r.status_code == 404
    # ... and must agree with the claim when both are given
    r = client.get(DEFS, headers=auth(encode(claims_for()), **{"X-Project-ID": "project-b"}))
    error = assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")
    assert "X-Project-ID" in error["message"]
    r = client.get(DEFS, headers=auth(encode(claims_for()), **{"X-Project-ID": "project-a"}))
    assert r.status_code == 200
    r = client.get(DEFS, headers=auth(no_project, **{"X-Project-ID": "proj:customer-analytics"}))
    assert r.status_code == 200


def test_roles(client: TestClient) -> None:
    viewer, operator, developer = as_role("viewer"), as_role("operator"), as_role("developer")
    config = create_configuration(client, headers=developer)
    runs = f"{BASE}/workflows/{config['id']}/runs"
    error = assert_envelope(
        client.post(runs, json={}, headers=viewer), 403, "INSUFFICIENT_PERMISSIONS"
    )
    assert "operator" in error["message"]
    body = {"workflow_definition_id": PII_DEFINITION}
    error = assert_envelope(
        client.post(f"{BASE}/workflows", json=body, headers=operator),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )
    assert "developer" in error["message"]
    assert client.post(runs, json={}, headers=operator).status_code == 201
    r = client.patch(
        f"{BASE}/workflows/runs/{config['id']}/approval",
        json={"action": "approve"},
        headers=developer,
    )
    assert "admin" in assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")["message"]
    new_def = {"name": "Mine", "workflow_type": "profiling"}
    assert_envelope(
        client.post(DEFS, json=new_def, headers=developer), 403, "INSUFFICIENT_PERMISSIONS"
    )
    assert client.post(DEFS, json=new_def, headers=as_role("admin")).status_code == 201


def test_roles_claim_variants(client: TestClient) -> None:
    cfg = {"workflow_definition_id": PII_DEFINITION}
    # no roles claim at all: the default role, viewer (it reads, it changes nothing)
    none = auth(encode(claims_for()))
    assert client.get(DEFS, headers=none).status_code == 200
    error = assert_envelope(
        client.post(f"{BASE}/workflows", json=cfg, headers=none), 403, "INSUFFICIENT_PERMISSIONS"
    )
    assert "the token has: viewer" in error["message"]
    # an explicit empty roles claim: no role at all, not even viewer
    empty = auth(encode(claims_for(roles=[])))
    assert_envelope(client.get(DEFS, headers=empty), 403, "INSUFFICIENT_PERMISSIONS")
    # unknown names are ignored
    mixed = auth(encode(claims_for(roles=["superuser", "viewer"])))
    assert client.post(f"{BASE}/workflows", json=cfg, headers=mixed).status_code == 403
    assert client.get(DEFS, headers=mixed).status_code == 200
    # Keycloak: realm_access.roles and resource_access.<client>.roles
    realm = auth(encode(claims_for(realm_access={"roles": ["offline_access", "viewer"]})))
    assert client.post(f"{BASE}/workflows", json=cfg, headers=realm).status_code == 403
    assert client.get(DEFS, headers=realm).status_code == 200
    resource = auth(
        encode(
            claims_for(resource_access={TENANT_A[0]: {"roles": ["admin"]}, "other": {"roles": []}})
        )
    )
    assert (
        client.post(
            DEFS, json={"name": "x", "workflow_type": "profiling"}, headers=resource
        ).status_code
        == 201
    )
    # Keycloak default roles only (no role of ours, no roles claim): the default, viewer
    default = auth(encode(claims_for(realm_access={"roles": ["default-roles-dr"]})))
    assert client.get(DEFS, headers=default).status_code == 200
    assert client.post(f"{BASE}/workflows", json=cfg, headers=default).status_code == 403


@pytest.mark.parametrize(
    ("default_role", "create", "define"),
    [("viewer", 403, 403), ("operator", 403, 403), ("developer", 201, 403), ("admin", 201, 201)],
)
def test_the_default_role_is_a_setting(
    settings: Settings, api_workflows: None, default_role: str, create: int, define: int
) -> None:
    none = auth(encode(claims_for()))
    with app_with(settings, default_role=default_role) as c:
        assert c.get(DEFS, headers=none).status_code == 200
        body = {"workflow_definition_id": PII_DEFINITION}
        assert c.post(f"{BASE}/workflows", json=body, headers=none).status_code == create
        new_def = {"name": "Mine", "workflow_type": "profiling"}
        assert c.post(DEFS, json=new_def, headers=none).status_code == define
        # a token that names a role keeps it, whatever the default
        assert c.post(DEFS, json=new_def, headers=as_role("viewer")).status_code == 403


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": "9999999999"},
        {"exp": "1e10"},
        {"exp": True},
        {"exp": None},
        {"exp": [9999999999]},
        {"nbf": "0"},
        {"iat": "0"},
        {"iat": {"at": 0}},
    ],
    ids=repr,
)
def test_dates_that_are_not_numbers_are_refused(client: TestClient, claims: dict[str, Any]) -> None:
    token = encode(claims_for(roles=["admin"], **claims))
    error = assert_envelope(client.get(DEFS, headers=auth(token)), 401, "INVALID_TOKEN")
    assert "must be" in error["message"], error["message"]


def test_fractional_dates_are_numbers(client: TestClient) -> None:
    now = time.time()
    token = encode(claims_for(roles=["viewer"], exp=now + 600.5, iat=now - 0.25, nbf=now - 1.5))
    assert client.get(DEFS, headers=auth(token)).status_code == 200


# -- RS256 / ES256 through a JWKS endpoint --------------------------------------------------


class _JWKSHandler(BaseHTTPRequestHandler):
    document: bytes = b""
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.document)))
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, Any]]]:
    """Serve a JWKS document with one RSA and one EC key on 127.0.0.1; yields (url, keys)."""
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    rsa_jwk.update(kid="rsa-1", alg="RS256", use="sig")
    ec_jwk.update(kid="ec-1", alg="ES256", use="sig")
    handler = type(
        "Handler",
        (_JWKSHandler,),
        {"document": json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode(), "hits": 0},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/realms/dr/protocol/openid-connect/certs"
        yield url, {"rsa": rsa_key, "ec": ec_key, "handler": handler}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_rs256_and_es256_through_jwks(
    jwks_server: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, keys = jwks_server
    settings = make_settings(f"sqlite:///{tmp_path / 'jwks.db'}", tmp_path)
    settings = settings.model_copy(
        update={
            "auth": AuthSettings(
                secret=TEST_SECRET,  # type: ignore[arg-type]
                algorithms=["RS256", "ES256"],
                jwks_url=url,
                issuer="http://127.0.0.1/realms/dr",
            )
        }
    )
    keycloak = claims_for(
        client_id=None,
        azp="client-a",
        iss="http://127.0.0.1/realms/dr",
        realm_access={"roles": ["viewer"]},
    )
    with TestClient(create_app(settings)) as c:
        rs = encode(keycloak, key=keys["rsa"], algorithm="RS256", headers={"kid": "rsa-1"})
        assert c.get(DEFS, headers=auth(rs)).status_code == 200
        es = encode(keycloak, key=keys["ec"], algorithm="ES256", headers={"kid": "ec-1"})
        assert c.get(DEFS, headers=auth(es)).status_code == 200
        assert keys["handler"].hits == 1  # the key set is cached
        # signed by a key the JWKS does not publish
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = encode(keycloak, key=stranger, algorithm="RS256", headers={"kid": "rsa-1"})
        _reason(c, auth(forged), "bad token signature")
        unknown_kid = encode(keycloak, key=stranger, algorithm="RS256", headers={"kid": "nope"})
        _reason(c, auth(unknown_kid), "bad token signature")
        # HS256 is not in this app's list: a token signed with the secret is refused
        _reason(c, auth(encode(keycloak)), "algorithm 'HS256' is not allowed")
        # an expired RS256 token
        old = encode(
            {**keycloak, "exp": int(time.time()) - 10},
            key=keys["rsa"],
            algorithm="RS256",
            headers={"kid": "rsa-1"},
        )
        _reason(c, auth(old), "expired")
        # the role came from realm_access: a viewer cannot create configurations
        r = c.post(
            f"{BASE}/workflows", json={"workflow_definition_id": PII_DEFINITION}, headers=auth(rs)
        )
        assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")


@pytest.mark.parametrize(
    "claims",
    [
        {"client_id": "c" * 256},
        {"project_id": "p" * 256},
        {"client_id": "a\x00b"},
        {"project_id": "p\x00"},
        {"sub": "s" * 300},
    ],
    ids=["long-client", "long-project", "nul-client", "nul-project", "long-sub"],
)
def test_tenant_claims_the_store_cannot_hold_are_401(
    client: TestClient, claims: dict[str, Any]
) -> None:
    """A client_id/project_id over 255 characters or holding NUL is a malformed token, not a
    store error (PostgreSQL refused them with a 500 before)."""
    token = encode(claims_for(roles=["admin"], **claims))
    for path in (DEFS, f"{BASE}/runs", f"{BASE}/services"):
        error = assert_envelope(client.get(path, headers=auth(token)), 401, "INVALID_TOKEN")
        assert "malformed" in error["message"], error["message"]
