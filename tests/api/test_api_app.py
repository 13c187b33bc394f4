"""The app itself: health, OpenAPI, request ids, the envelope for routing errors and crashes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, assert_envelope

from dataready.api import create_app
from dataready.settings import Settings


def test_health_needs_no_token_and_reports_the_store(client: TestClient) -> None:
    r = client.get(f"{BASE}/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["store"] == "ok"
    assert r.headers["x-request-id"]


def test_openapi_and_docs_are_served_under_the_base_path(client: TestClient) -> None:
    r = client.get(f"{BASE}/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/data-readiness/workflows/definitions",
        "/api/data-readiness/workflows/definitions/{definition_id}",
        "/api/data-readiness/workflows",
        "/api/data-readiness/workflows/{configuration_id}",
        "/api/data-readiness/workflows/{configuration_id}/runs",
        "/api/data-readiness/workflows/{configuration_id}/runs/{run_id}",
        "/api/data-readiness/workflows/{configuration_id}/runs/{run_id}/tasks",
        "/api/data-readiness/workflows/{configuration_id}/runs/{run_id}/cancel",
        "/api/data-readiness/workflows/runs/{run_id}/approval",
        "/api/data-readiness/runs",
        "/api/data-readiness/health",
    ):
        assert path in paths
    assert client.get(f"{BASE}/docs").status_code == 200


def test_request_id_is_honoured_when_sane_and_replaced_otherwise(client: TestClient) -> None:
    r = client.get(f"{BASE}/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get(f"{BASE}/health", headers={"X-Request-ID": "bad id with spaces\t"})
    assert r.headers["x-request-id"] != "bad id with spaces\t"
    assert len(r.headers["x-request-id"]) == 36


def test_errors_carry_request_id_and_the_traceparent_trace_id(client: TestClient) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = client.get(
        f"{BASE}/workflows/definitions",
        headers={"X-Request-ID": "req-1", "traceparent": f"00-{trace}-00f067aa0ba902b7-01"},
    )
    error = assert_envelope(r, 401, "INVALID_TOKEN")
    assert error["request_id"] == "req-1"
    assert error["trace_id"] == trace
    r = client.get(f"{BASE}/workflows/definitions")
    assert len(r.json()["error"]["trace_id"]) == 32


def test_unknown_route_and_wrong_method_answer_the_envelope(client: TestClient) -> None:
    assert_envelope(client.get(f"{BASE}/no-such-thing", headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND")
    r = client.put(f"{BASE}/runs", headers=ADMIN_A)
    assert_envelope(r, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in r.headers["allow"]


def test_unexpected_exception_is_a_500_envelope_without_internals(settings: Settings) -> None:
    app = create_app(settings)

    @app.get(f"{BASE}/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app) as c:
        r = c.get(f"{BASE}/boom", headers={"X-Request-ID": "crash-1"})
    error = assert_envelope(r, 500, "INTERNAL_ERROR")
    assert "hunter2" not in r.text and "RuntimeError" not in r.text
    assert "crash-1" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/workflows/definitions",
        "/workflows",
        "/runs",
        "/workflows/123e4567-e89b-12d3-a456-426614174000/runs",
    ],
)
def test_every_response_has_a_request_id(client: TestClient, path: str) -> None:
    for headers in ({}, ADMIN_A):
        r = client.get(f"{BASE}{path}", headers=headers)
        assert r.headers["x-request-id"]
