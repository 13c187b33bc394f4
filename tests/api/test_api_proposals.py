"""Reviewing a run's proposals one change at a time (ours): ``GET/PATCH …/proposals``, the
approval's ``proposals_summary``, approve applying what was not rejected, and the
``?approval=`` filter of run lists — on both stores, through the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.api.conftest import (
    ADMIN_A,
    ADMIN_B,
    BASE,
    as_role,
    assert_envelope,
    create_configuration,
    engine_of,
    start_run,
    wait_run,
)

from dataready.store.orm import Proposal


def pending_run(client: TestClient, n: int = 3) -> tuple[str, str]:
    """A completed fake tagging run (``n`` proposals) awaiting approval: config and run ids."""
    cid = create_configuration(client)["configuration_id"]
    run = start_run(client, cid, asset_fqn="pg.sales.public.orders", parameters={"n": n})
    doc = wait_run(client, cid, run["id"])
    assert doc["status"] == "completed", doc
    return cid, run["id"]


def proposals(
    client: TestClient, run_id: str, headers: dict[str, str] | None = None, query: str = ""
) -> dict[str, Any]:
    r = client.get(f"{BASE}/workflows/runs/{run_id}/proposals{query}", headers=headers or ADMIN_A)
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


def patch(
    client: TestClient, run_id: str, change: str, body: Any, headers: dict[str, str] | None = None
) -> Any:
    return client.patch(
        f"{BASE}/workflows/runs/{run_id}/proposals/{change}", json=body, headers=headers or ADMIN_A
    )


def approval(client: TestClient, run_id: str, action: str | None = None) -> dict[str, Any]:
    url = f"{BASE}/workflows/runs/{run_id}/approval"
    r = (
        client.get(url, headers=ADMIN_A)
        if action is None
        else client.patch(url, json={"action": action}, headers=ADMIN_A)
    )
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def stored_states(client: TestClient, run_id: str) -> list[str]:
    with engine_of(client).store.session() as s:
        stmt = select(Proposal.status).where(Proposal.run_id == uuid.UUID(run_id))
        return sorted(s.scalars(stmt))


def test_each_proposal_is_listed_and_counted(client: TestClient) -> None:
    _, run_id = pending_run(client)
    doc = approval(client, run_id)
    assert doc["proposals_summary"] == {
        "total": 3,
        "by_kind": {"api-test-tag": 3},
        "by_decision": {"pending": 3, "accepted": 0, "rejected": 0},
        "by_status": {"proposed": 3},
    }
    page = proposals(client, run_id, as_role("viewer"))
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    assert [p["asset_fqn"] for p in page["items"]] == [
        f"pg.sales.public.orders.c{i}" for i in range(3)
    ]
    first = page["items"][0]
    assert first["kind"] == "api-test-tag" and first["workflow_run_id"] == run_id
    assert first["before"] is None and first["after"] == {"tag": "PII.Email", "i": 0}
    assert (first["decision"], first["status"], first["decided_by"]) == (
        "pending",
        "proposed",
        None,
    )
    # stable ids, and paging
    again = proposals(client, run_id, query="?limit=2&offset=1")
    assert again["total"] == 3 and [p["id"] for p in again["items"]] == [
        p["id"] for p in page["items"][1:]
    ]


def test_rejected_proposals_are_not_applied(client: TestClient) -> None:
    _, run_id = pending_run(client)
    items = proposals(client, run_id)["items"]
    r = patch(client, run_id, items[1]["id"], {"decision": "rejected"})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["decision"] == "rejected" and decided["decided_at"] is not None
    assert decided["decided_by"] and decided["status"] == "proposed"
    assert patch(client, run_id, items[0]["id"], {"decision": "accepted"}).status_code == 200
    summary = approval(client, run_id)["proposals_summary"]
    assert summary["by_decision"] == {"pending": 1, "accepted": 1, "rejected": 1}
    assert [
        p["decision"] for p in proposals(client, run_id, query="?decision=rejected")["items"]
    ] == ["rejected"]

    done = approval(client, run_id, "approve")
    assert done["status"] == "approved"
    assert done["changes_applied"]["tags_applied"] == 2  # accepted and pending, not rejected
    assert done["changes_applied"]["proposals_rejected"] == 1
    assert done["proposals_summary"]["by_status"] == {"applied": 2, "discarded": 1}
    assert stored_states(client, run_id) == ["applied", "applied", "discarded"]
    after = {p["id"]: p["status"] for p in proposals(client, run_id)["items"]}
    assert after == {
        items[0]["id"]: "applied",
        items[1]["id"]: "discarded",
        items[2]["id"]: "applied",
    }
    # decided: no more decisions on its proposals
    r = patch(client, run_id, items[2]["id"], {"decision": "rejected"})
    assert "already approved" in assert_envelope(r, 409, "INVALID_STATE_TRANSITION")["message"]


def test_a_decision_can_be_withdrawn_and_reject_discards_all(client: TestClient) -> None:
    _, run_id = pending_run(client, n=2)
    items = proposals(client, run_id)["items"]
    assert patch(client, run_id, items[0]["id"], {"decision": "rejected"}).status_code == 200
    r = patch(client, run_id, items[0]["id"], {"decision": "pending"})
    assert r.status_code == 200 and (r.json()["decision"], r.json()["decided_by"]) == (
        "pending",
        None,
    )
    assert patch(client, run_id, items[1]["id"], {"decision": "accepted"}).status_code == 200
    done = approval(client, run_id, "reject")
    assert done["changes_applied"] == {"proposals_discarded": 2}
    assert done["proposals_summary"]["by_status"] == {"discarded": 2}
    assert stored_states(client, run_id) == ["discarded", "discarded"]


def test_proposal_decisions_are_checked(client: TestClient) -> None:
    _, run_id = pending_run(client, n=1)
    [item] = proposals(client, run_id)["items"]
    for role in ("viewer", "developer", "operator"):
        r = patch(client, run_id, item["id"], {"decision": "rejected"}, as_role(role))
        assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")
    for body in ({"decision": "maybe"}, {}, {"decision": "rejected", "extra": 1}, []):
        assert_envelope(patch(client, run_id, item["id"], body), 422, "VALIDATION_ERROR")
    assert_envelope(
        patch(client, run_id, str(uuid.uuid4()), {"decision": "rejected"}),
        404,
        "RESOURCE_NOT_FOUND",
    )
    assert_envelope(
        patch(client, str(uuid.uuid4()), item["id"], {"decision": "rejected"}),
        404,
        "RESOURCE_NOT_FOUND",
    )
    # another tenant sees neither the run's proposals nor can decide on them
    r = client.get(f"{BASE}/workflows/runs/{run_id}/proposals", headers=ADMIN_B)
    assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
    r = patch(client, run_id, item["id"], {"decision": "rejected"}, ADMIN_B)
    assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
    assert proposals(client, run_id)["items"][0]["decision"] == "pending"
    r = client.get(f"{BASE}/workflows/runs/{run_id}/proposals?decision=nope", headers=ADMIN_A)
    assert_envelope(r, 422, "VALIDATION_ERROR")


def test_run_lists_filter_runs_awaiting_approval(client: TestClient) -> None:
    cid, waiting = pending_run(client, n=1)
    _, approved = pending_run(client, n=1)
    approval(client, approved, "approve")
    saved_cid = create_configuration(client)["configuration_id"]
    saved = start_run(client, saved_cid, asset_fqn="pg.sales.public.orders", save_all=True)
    wait_run(client, saved_cid, saved["id"])

    def ids(url: str) -> list[str]:
        r = client.get(f"{BASE}{url}", headers=ADMIN_A)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids("/runs?approval=pending") == [waiting]
    assert set(ids("/runs?approval=approved")) == {approved, saved["id"]}
    assert ids(f"/workflows/{cid}/runs?approval=pending") == [waiting]
    assert ids(f"/workflows/{saved_cid}/runs?approval=pending") == []
    r = client.get(f"{BASE}/runs?approval=pending&limit=1&offset=0", headers=ADMIN_A)
    assert r.json()["total"] == 1
    assert ids("/runs?approval=pending&status=completed") == [waiting]
    assert_envelope(
        client.get(f"{BASE}/runs?approval=waiting", headers=ADMIN_A), 422, "VALIDATION_ERROR"
    )
    r = client.get(f"{BASE}/runs?approval=pending", headers=ADMIN_B)
    assert r.status_code == 200 and r.json()["total"] == 0


def test_auto_saved_runs_list_what_they_applied(client: TestClient) -> None:
    cid = create_configuration(client)["configuration_id"]
    run = start_run(client, cid, asset_fqn="pg.sales.public.orders", save_all=True)
    wait_run(client, cid, run["id"])
    doc = approval(client, run["id"])
    assert doc["auto_saved"] is True and doc["proposals_summary"]["by_status"] == {"applied": 3}
    item = proposals(client, run["id"])["items"][0]
    r = patch(client, run["id"], item["id"], {"decision": "rejected"})
    assert_envelope(r, 409, "INVALID_STATE_TRANSITION")
