"""Profiles through the API: latest, as_of, history, column view, database targets 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, ADMIN_B, BASE, assert_envelope, wait_run

from dataready.api.app import create_app
from dataready.sample import generate_sample
from dataready.settings import Settings


@pytest.fixture
def real_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _run(client: TestClient, workflow_type: str, fqn: str) -> dict[str, object]:
    definition = client.get(
        f"{BASE}/workflows/definitions?workflow_type={workflow_type}", headers=ADMIN_A
    ).json()["items"][0]["id"]
    cfg = client.post(
        f"{BASE}/workflows", headers=ADMIN_A, json={"workflow_definition_id": definition}
    ).json()
    r = client.post(
        f"{BASE}/workflows/{cfg['configuration_id']}/runs", headers=ADMIN_A, json={"asset_fqn": fqn}
    )
    assert r.status_code == 201, r.text
    return wait_run(client, cfg["configuration_id"], r.json()["id"], timeout=60)


def test_profile_endpoints(real_client: TestClient, tmp_path: Path) -> None:
    c = real_client
    path = tmp_path / "s.db"
    generate_sample(f"sqlite:///{path}", scale=0.05)
    assert (
        c.post(
            f"{BASE}/services",
            headers=ADMIN_A,
            json={"name": "s", "connection_type": "sqlite", "config": {"path": str(path)}},
        ).status_code
        == 201
    )
    assert _run(c, "service-ingestion", "s")["status"] == "completed"
    first = _run(c, "profiling", "s.s.main")
    assert first["status"] == "completed", first
    second = _run(c, "profiling", "s.s.main.payment")
    latest = c.get(f"{BASE}/assets/s.s.main.payment/profile", headers=ADMIN_A)
    assert latest.status_code == 200, latest.text
    doc = latest.json()
    assert doc["run_id"] == second["id"] and doc["table_fqn"] == "s.s.main.payment"
    amount = next(col for col in doc["profile"]["columns"] if col["name"] == "amount")
    assert amount["min"] < 0 < amount["max"]  # the sample's planted negative amounts
    history = c.get(f"{BASE}/assets/s.s.main.payment/profiles", headers=ADMIN_A).json()
    assert history["total"] == 2
    assert [h["run_id"] for h in history["items"]] == [second["id"], first["id"]]
    as_of = history["items"][1]["profiled_at"]
    older = c.get(
        f"{BASE}/assets/s.s.main.payment/profile", params={"as_of": as_of}, headers=ADMIN_A
    ).json()
    assert older["run_id"] == first["id"]
    column = c.get(f"{BASE}/assets/s.s.main.payment.amount/profile", headers=ADMIN_A).json()
    assert column["column"]["name"] == "amount"
    detail = c.get(f"{BASE}/assets/s.s.main.payment", headers=ADMIN_A).json()
    assert detail["profile"]["run_id"] == second["id"]
    assert_envelope(
        c.get(f"{BASE}/assets/s.s.main.payment/profile", headers=ADMIN_B), 404, "RESOURCE_NOT_FOUND"
    )
    assert_envelope(
        c.get(f"{BASE}/assets/s.s/profile", headers=ADMIN_A), 422, "VALIDATION_ERROR", "fqn"
    )

    definition = c.get(
        f"{BASE}/workflows/definitions?workflow_type=profiling", headers=ADMIN_A
    ).json()["items"][0]["id"]
    cfg = c.post(
        f"{BASE}/workflows", headers=ADMIN_A, json={"workflow_definition_id": definition}
    ).json()
    r = c.post(
        f"{BASE}/workflows/{cfg['configuration_id']}/runs",
        headers=ADMIN_A,
        json={"asset_fqn": "s.s"},
    )
    assert_envelope(r, 422, "VALIDATION_ERROR", "asset_fqn")
