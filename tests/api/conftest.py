"""API fixtures: an app on a real store (SQLite and PostgreSQL), tokens, test workflows."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.fakes import PROPOSAL_KIND, FakeProfiling, FakeTagging, SlowWorkflow, apply_tags
from tests.conftest import TEST_SECRET

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.domain.enums import RunStatus, WorkflowType
from dataready.settings import Settings
from dataready.store import orm
from dataready.workflows import approval, registry
from dataready.workflows.engine import Engine

BASE = "/api/data-readiness"
TENANT_A = ("client-a", "project-a")
TENANT_B = ("client-b", "project-b")
TERMINAL = (RunStatus.COMPLETED.value, RunStatus.FAILED.value, RunStatus.CANCELLED.value)

PII_DEFINITION = str(builtin_definition_id(WorkflowType.GENERATE_PII_TAGS))
PROFILING_DEFINITION = str(builtin_definition_id(WorkflowType.PROFILING))
SLOW_DEFINITION = str(builtin_definition_id(WorkflowType.DQ_EXECUTION))


@pytest.fixture
def api_workflows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Register the test workflows over three real types; everything is restored after."""
    registry.registered_types()  # load the built-ins first, so they do not overwrite ours
    monkeypatch.setitem(registry._REGISTRY, "generate-pii-tags", FakeTagging)
    monkeypatch.setitem(registry._REGISTRY, "profiling", FakeProfiling)
    monkeypatch.setitem(registry._REGISTRY, "dq-execution", SlowWorkflow)
    approval.register_applier(PROPOSAL_KIND, apply_tags, replace=True)
    yield
    approval.unregister_applier(PROPOSAL_KIND)


@pytest.fixture
def client(settings: Settings, api_workflows: None) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as c:
        yield c


def engine_of(client: TestClient) -> Engine:
    eng: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return eng


def encode(
    claims: dict[str, Any],
    *,
    key: Any = TEST_SECRET,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def claims_for(
    client_id: str | None = TENANT_A[0],
    project_id: str | None = TENANT_A[1],
    roles: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    now = int(time.time())
    # Module-level headers are built at import: they must outlive a slow run of the suite.
    claims: dict[str, Any] = {"sub": client_id or "someone", "iat": now, "exp": now + 6 * 3600}
    if client_id is not None:
        claims["client_id"] = client_id
    if project_id is not None:
        claims["project_id"] = project_id
    if roles is not None:
        claims["roles"] = roles
    claims.update(extra)
    return claims


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def as_role(role: str | None, tenant: tuple[str, str] = TENANT_A) -> dict[str, str]:
    """Headers of a caller of ``tenant`` with one role (``None``: no roles claim: viewer)."""
    roles = None if role is None else [role]
    return auth(encode(claims_for(tenant[0], tenant[1], roles)))


ADMIN_A = as_role("admin")
ADMIN_B = as_role("admin", TENANT_B)


def unsigned(claims: dict[str, Any]) -> str:
    """A token with ``alg: none`` and no signature."""

    def part(obj: dict[str, Any]) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def create_configuration(
    client: TestClient,
    definition_id: str = PII_DEFINITION,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {"workflow_definition_id": definition_id, **fields}
    r = client.post(f"{BASE}/workflows", json=body, headers=headers or ADMIN_A)
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    return doc


def start_run(
    client: TestClient,
    configuration_id: str,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    body.setdefault("asset_fqn", "PostgreSQL.dvdrental.public.customer")
    r = client.post(
        f"{BASE}/workflows/{configuration_id}/runs", json=body, headers=headers or ADMIN_A
    )
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    return doc


def wait_run(
    client: TestClient,
    configuration_id: str,
    run_id: str,
    states: tuple[str, ...] = TERMINAL,
    headers: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> dict[str, Any]:
    """Poll the run through the API until it reaches one of ``states``."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(
            f"{BASE}/workflows/{configuration_id}/runs/{run_id}", headers=headers or ADMIN_A
        )
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
        if doc["status"] in states:
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {doc['status']} after {timeout}s")
        time.sleep(0.05)


ROW_MODELS: tuple[type[orm.Base], ...] = (
    orm.WorkflowDefinition,
    orm.WorkflowConfiguration,
    orm.WorkflowRun,
    orm.WorkflowTask,
    orm.Approval,
    orm.Proposal,
)


def row_counts(client: TestClient) -> dict[str, int]:
    """Rows per table of the workflow aggregates."""
    with engine_of(client).store.session() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in ROW_MODELS
        }


def assert_envelope(
    response: Any, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """The response is the error envelope with ``status`` and ``code``, naming ``field``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "status", "details", "request_id", "trace_id"}
    assert error["code"] == code
    assert error["status"] == status
    assert error["request_id"] == response.headers["x-request-id"]
    if field is not None:
        assert field in error["message"], error["message"]
    return error


NewId = Callable[[], str]


def new_id() -> str:
    return str(uuid.uuid4())


def ingest(client: TestClient, fqn: str) -> dict[str, Any]:
    """Run the built-in service-ingestion on ``fqn`` through the API; the finished run."""
    defs = client.get(
        f"{BASE}/workflows/definitions?workflow_type=service-ingestion", headers=ADMIN_A
    ).json()
    cfg = client.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={"workflow_definition_id": defs["items"][0]["id"]},
    ).json()
    run = client.post(
        f"{BASE}/workflows/{cfg['configuration_id']}/runs", headers=ADMIN_A, json={"asset_fqn": fqn}
    ).json()
    return wait_run(client, cfg["configuration_id"], run["id"], timeout=60)
