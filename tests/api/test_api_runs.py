"""Runs end to end through the API: start, poll, tasks, lists, cancel, delete, approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    PROFILING_DEFINITION,
    SLOW_DEFINITION,
    as_role,
    assert_envelope,
    create_configuration,
    engine_of,
    start_run,
    wait_run,
)

from dataready.store.orm import Proposal, WorkflowRun
from dataready.workflows.executors.local import LocalExecutor

TASK_FIELDS = [
    "id",
    "name",
    "task_type",
    "asset_fqn",
    "status",
    "attempt",
    "started_at",
    "completed_at",
    "duration_seconds",
    "error_message",
    "output",
]


def proposal_states(client: TestClient, run_id: str) -> list[str]:
    with engine_of(client).store.session() as s:
        rows = s.scalars(select(Proposal.status).where(Proposal.run_id == _uuid(run_id)))
        return sorted(rows)


def _uuid(text: str):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(text)


def test_run_is_created_pending_and_completes_in_the_background(client: TestClient) -> None:
    config = create_configuration(client, PROFILING_DEFINITION, name="Profiling - Sales")
    created = start_run(
        client,
        config["id"],
        as_role("operator"),
        asset_fqn="pg.sales.public.orders",
        parameters={"n": 4},
    )
    assert set(created) == {
        "id",
        "configuration_id",
        "asset_fqn",
        "save_all",
        "started_at",
        "status",
    }
    assert created["status"] == "pending"
    assert created["configuration_id"] == config["id"]
    assert created["asset_fqn"] == "pg.sales.public.orders"
    assert created["save_all"] is False
    assert created["started_at"].endswith("Z")

    doc = wait_run(client, config["id"], created["id"], headers=as_role("viewer"))
    assert doc["status"] == "completed", doc
    assert doc["workflow_name"] == "Profiling - Sales"
    assert doc["workflow_type"] == "profiling"
    assert (doc["service_name"], doc["database_name"], doc["schema_name"], doc["table_name"]) == (
        "pg",
        "sales",
        "public",
        "orders",
    )
    assert doc["input"] == {"asset_fqn": "pg.sales.public.orders", "parameters": {"n": 4}}
    assert doc["output"]["columns_scanned"] == 4
    assert doc["output"]["tags_applied"] == 4  # no approval needed: applied at once
    assert doc["completed_at"].endswith("Z") and doc["duration_seconds"] >= 0
    assert [t["name"] for t in doc["tasks"]] == [f"column-{i}" for i in range(4)]
    for task in doc["tasks"]:
        assert list(task) == TASK_FIELDS
        assert task["status"] == "completed" and task["attempt"] == 1
        assert task["output"] == {"columns_scanned": 1}

    r = client.get(f"{BASE}/workflows/{config['id']}/runs/{created['id']}/tasks", headers=ADMIN_A)
    assert r.status_code == 200
    assert r.json() == doc["tasks"]

    r = client.get(f"{BASE}/workflows/runs/{created['id']}/approval", headers=ADMIN_A)
    approval = r.json()
    assert approval["status"] == "approved" and approval["auto_saved"] is True


def test_run_without_body_and_bad_targets(client: TestClient) -> None:
    config = create_configuration(client, PROFILING_DEFINITION)
    r = client.post(f"{BASE}/workflows/{config['id']}/runs", headers=ADMIN_A)
    assert r.status_code == 201, r.text
    # profiling takes schema- or table-level targets: a database is answered 422
    r = client.post(
        f"{BASE}/workflows/{config['id']}/runs", json={"asset_fqn": "pg.sales"}, headers=ADMIN_A
    )
    assert_envelope(r, 422, "VALIDATION_ERROR", "asset_fqn")
    # an inactive configuration does not start
    client.patch(f"{BASE}/workflows/{config['id']}", json={"status": "inactive"}, headers=ADMIN_A)
    r = client.post(f"{BASE}/workflows/{config['id']}/runs", json={}, headers=ADMIN_A)
    assert r.status_code == 409


def test_lists_filters_and_pagination(client: TestClient) -> None:
    profiling = create_configuration(client, PROFILING_DEFINITION)
    pii = create_configuration(client, PII_DEFINITION)
    ids = [start_run(client, profiling["id"], parameters={"n": 1})["id"] for _ in range(3)]
    ids.append(
        start_run(client, pii["id"], asset_fqn="pg.hr.public.staff", parameters={"n": 1})["id"]
    )
    for rid in ids[:3]:
        wait_run(client, profiling["id"], rid)
    wait_run(client, pii["id"], ids[3])

    page1 = client.get(f"{BASE}/runs?limit=2", headers=ADMIN_A).json()
    page2 = client.get(f"{BASE}/runs?limit=2&offset=2", headers=ADMIN_A).json()
    assert (page1["total"], page1["limit"], page1["offset"]) == (4, 2, 0)
    assert (page2["total"], page2["limit"], page2["offset"]) == (4, 2, 2)
    seen = [r["id"] for r in page1["items"] + page2["items"]]
    assert sorted(seen) == sorted(ids)
    assert client.get(f"{BASE}/runs?offset=10", headers=ADMIN_A).json()["items"] == []

    def total(query: str) -> int:
        r = client.get(f"{BASE}/runs?{query}", headers=ADMIN_A)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert total("workflow_type=profiling") == 3
    assert total("workflow_type=generate-pii-tags") == 1
    assert total("status=completed") == 4
    assert total("status=running") == 0
    assert total("asset_fqn=pg.hr.public.staff") == 1
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert total(f"since={future}") == 0
    assert total("since=2020-01-01T00:00:00Z") == 4

    r = client.get(f"{BASE}/workflows/{profiling['id']}/runs?limit=1", headers=ADMIN_A).json()
    assert r["total"] == 3 and len(r["items"]) == 1

    configs = client.get(f"{BASE}/workflows", headers=ADMIN_A).json()
    assert configs["total"] == 2
    by_type = client.get(f"{BASE}/workflows?workflow_type=profiling", headers=ADMIN_A).json()
    assert [c["id"] for c in by_type["items"]] == [profiling["id"]]
    defs = client.get(f"{BASE}/workflows/definitions?limit=5&offset=10", headers=ADMIN_A).json()
    assert (defs["total"], len(defs["items"]), defs["limit"], defs["offset"]) == (15, 5, 5, 10)


def test_cancel_a_running_run_stops_it(client: TestClient) -> None:
    config = create_configuration(client, SLOW_DEFINITION)
    run = start_run(client, config["id"], parameters={"seconds": 30})
    wait_run(client, config["id"], run["id"], states=("running",))
    r = client.post(
        f"{BASE}/workflows/{config['id']}/runs/{run['id']}/cancel", headers=as_role("operator")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == run["id"] and body["status"] == "cancelled"
    assert body["cancelled_at"].endswith("Z")

    executor = engine_of(client).executor
    assert isinstance(executor, LocalExecutor)
    assert executor.wait_idle(timeout=10), "the run did not stop"
    doc = wait_run(client, config["id"], run["id"])
    assert doc["status"] == "cancelled"
    assert all(t["status"] in ("cancelled", "pending") for t in doc["tasks"])
    assert doc["tasks"][0]["status"] == "cancelled"

    # a finished run cannot be cancelled again
    r = client.post(f"{BASE}/workflows/{config['id']}/runs/{run['id']}/cancel", headers=ADMIN_A)
    assert_envelope(r, 409, "CONFLICT")


def test_cancel_a_completed_run_is_409(client: TestClient) -> None:
    config = create_configuration(client, PROFILING_DEFINITION)
    run = start_run(client, config["id"], parameters={"n": 1})
    wait_run(client, config["id"], run["id"])
    r = client.post(f"{BASE}/workflows/{config['id']}/runs/{run['id']}/cancel", headers=ADMIN_A)
    error = assert_envelope(r, 409, "CONFLICT")
    assert "finished" in error["message"]


def test_delete_configuration_refused_while_a_run_is_active(client: TestClient) -> None:
    config = create_configuration(client, SLOW_DEFINITION)
    run = start_run(client, config["id"], parameters={"seconds": 30})
    r = client.delete(f"{BASE}/workflows/{config['id']}", headers=as_role("developer"))
    assert_envelope(r, 409, "CONFLICT")
    assert client.get(f"{BASE}/workflows/{config['id']}", headers=ADMIN_A).status_code == 200
    client.post(f"{BASE}/workflows/{config['id']}/runs/{run['id']}/cancel", headers=ADMIN_A)
    executor = engine_of(client).executor
    assert isinstance(executor, LocalExecutor) and executor.wait_idle(timeout=10)
    r = client.delete(f"{BASE}/workflows/{config['id']}", headers=as_role("developer"))
    assert r.status_code == 204 and r.content == b""
    assert r.headers["x-request-id"]
    assert client.get(f"{BASE}/workflows/{config['id']}", headers=ADMIN_A).status_code == 404
    with engine_of(client).store.session() as s:  # its finished runs went with it
        assert s.get(WorkflowRun, _uuid(run["id"])) is None


# -- approval ------------------------------------------------------------------------------


def test_approve_applies_the_proposals(client: TestClient) -> None:
    config = create_configuration(client, PII_DEFINITION)
    run = start_run(client, config["id"], parameters={"n": 3})
    # no approval before the run has completed
    doc = wait_run(client, config["id"], run["id"])
    assert doc["status"] == "completed"
    assert "tags_applied" not in doc["output"]
    url = f"{BASE}/workflows/runs/{run['id']}/approval"
    approval = client.get(url, headers=as_role("viewer")).json()
    assert set(approval) == {
        "id",
        "workflow_run_id",
        "status",
        "created_at",
        "updated_at",
        "approved_by_client_id",
        "approved_at",
        "notes",
        "auto_saved",
        "proposals_summary",  # ours
    }
    assert approval["status"] == "pending" and approval["auto_saved"] is False
    assert approval["workflow_run_id"] == run["id"] and approval["approved_at"] is None
    assert proposal_states(client, run["id"]) == ["proposed"] * 3

    r = client.patch(url, json={"action": "approve", "notes": "looks right"}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved"
    assert decided["notes"] == "looks right"
    assert decided["approved_by_client_id"] == "client-a"
    assert decided["approved_at"].endswith("Z")
    assert decided["changes_applied"]["tags_applied"] == 3
    assert len(decided["changes_applied"]["tag_ids"]) == 3
    assert proposal_states(client, run["id"]) == ["applied"] * 3
    doc = wait_run(client, config["id"], run["id"])
    assert doc["output"]["tags_applied"] == 3

    r = client.patch(url, json={"action": "approve"}, headers=ADMIN_A)
    assert_envelope(r, 409, "INVALID_STATE_TRANSITION")
    r = client.patch(url, json={"action": "reject"}, headers=ADMIN_A)
    assert_envelope(r, 409, "INVALID_STATE_TRANSITION")


def test_reject_discards_the_proposals(client: TestClient) -> None:
    config = create_configuration(client, PII_DEFINITION)
    run = start_run(client, config["id"], parameters={"n": 2})
    wait_run(client, config["id"], run["id"])
    url = f"{BASE}/workflows/runs/{run['id']}/approval"
    r = client.patch(url, json={"action": "pending", "notes": "later"}, headers=ADMIN_A)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = client.patch(url, json={"action": "reject"}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    assert r.json()["notes"] == "later"
    assert r.json()["changes_applied"] == {"proposals_discarded": 2}
    assert proposal_states(client, run["id"]) == ["discarded"] * 2
    assert_envelope(
        client.patch(url, json={"action": "approve"}, headers=ADMIN_A),
        409,
        "INVALID_STATE_TRANSITION",
    )


def test_save_all_auto_saves(client: TestClient) -> None:
    config = create_configuration(client, PII_DEFINITION)
    run = start_run(client, config["id"], parameters={"n": 2}, save_all=True)
    assert run["save_all"] is True
    doc = wait_run(client, config["id"], run["id"])
    assert doc["output"]["tags_applied"] == 2
    approval = client.get(f"{BASE}/workflows/runs/{run['id']}/approval", headers=ADMIN_A).json()
    assert approval["status"] == "approved" and approval["auto_saved"] is True
    assert proposal_states(client, run["id"]) == ["applied"] * 2


def test_approval_of_an_unfinished_run_is_404(client: TestClient) -> None:
    config = create_configuration(client, SLOW_DEFINITION)
    run = start_run(client, config["id"], parameters={"seconds": 30})
    url = f"{BASE}/workflows/runs/{run['id']}/approval"
    error = assert_envelope(client.get(url, headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND")
    assert "no approval yet" in error["message"]
    r = client.patch(url, json={"action": "approve"}, headers=ADMIN_A)
    assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
    client.post(f"{BASE}/workflows/{config['id']}/runs/{run['id']}/cancel", headers=ADMIN_A)
