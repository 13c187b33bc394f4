"""While the store is down the API answers 503 with ``Retry-After``, and recovers after.

The store is a throwaway PostgreSQL cluster this module starts and stops itself.  Every kind
of request is tried during the outage: an ORM read, a write, the run document's fast lane
(async psycopg pool) and ``/health``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    TERMINAL,
    create_configuration,
    start_run,
)
from tests.conftest import make_settings
from tests.throwaway_pg import ThrowawayPostgres, throwaway_pg

from dataready.api import create_app

pytestmark = pytest.mark.postgres

__all__ = ["throwaway_pg"]  # the fixture, imported for this module's tests


def _assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) > 0
    error = r.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["status"] == 503
    assert error["request_id"] == r.headers["x-request-id"]
    assert "store" in error["message"]
    assert "127.0.0.1" not in error["message"]  # no address (let alone a password) leaks


def _eventually(request: Callable[[], httpx.Response], status: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        r = request()
        if r.status_code == status:
            return
        assert r.status_code == 503, r.text  # on the way back: unavailable, never a 500
        assert time.monotonic() < deadline, f"still {r.status_code} after {timeout}s: {r.text}"
        time.sleep(0.2)


def test_store_down_answers_503_with_retry_after_then_recovers(
    throwaway_pg: ThrowawayPostgres, tmp_path: Path, api_workflows: None
) -> None:
    throwaway_pg.ensure_running()
    settings = make_settings(throwaway_pg.create_database(), tmp_path)
    settings.db.connect_timeout_seconds = 2.0
    with TestClient(create_app(settings)) as client:
        conf = create_configuration(client, PII_DEFINITION)["configuration_id"]
        run = start_run(client, conf, parameters={"n": 1})
        run_url = f"{BASE}/workflows/{conf}/runs/{run['id']}"
        deadline = time.monotonic() + 20
        while client.get(run_url, headers=ADMIN_A).json()["status"] not in TERMINAL:
            assert time.monotonic() < deadline
            time.sleep(0.05)

        def list_runs() -> httpx.Response:
            return client.get(f"{BASE}/runs", headers=ADMIN_A)

        def run_document() -> httpx.Response:
            return client.get(run_url, headers=ADMIN_A)

        def new_run() -> httpx.Response:
            return client.post(
                f"{BASE}/workflows/{conf}/runs",
                json={"asset_fqn": "svc.db.s.t", "parameters": {"n": 1}},
                headers=ADMIN_A,
            )

        def health() -> httpx.Response:
            return client.get(f"{BASE}/health")

        throwaway_pg.stop("immediate")
        try:
            for request in (list_runs, run_document, new_run, run_document, list_runs):
                _assert_unavailable(request())
            time.sleep(1.1)  # past the health probe's one-second cache
            r = health()
            assert r.status_code == 503
            assert r.json()["store"] == "unreachable"
            assert int(r.headers["retry-after"]) > 0
        finally:
            throwaway_pg.start()

        _eventually(list_runs, 200, timeout=15)
        _eventually(run_document, 200, timeout=15)
        _eventually(health, 200, timeout=15)
        assert run_document().json()["status"] == "completed"
        created = new_run()
        assert created.status_code == 201, created.text
