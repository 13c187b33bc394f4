"""Reviewing the real tagging workflows' proposals tag by tag: ``tag-add`` and ``tag-remove``
changes with before → after, evidence and confidence; a rejected tag is not applied, a
rejected withdrawal keeps the tag; evidence values are masked below the unmasked role."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, as_role
from tests.api.test_api_tagging import (  # noqa: F401  (fixtures)
    CUSTOMER,
    SERVICE,
    api,
    approval_url,
    run,
    source,
    tags_of,
    template,
)
from tests.workflows.tagging_sources import execute


def changes(client: TestClient, doc: dict[str, Any], role: str = "admin") -> list[dict[str, Any]]:
    r = client.get(f"{BASE}/workflows/runs/{doc['id']}/proposals?limit=500", headers=as_role(role))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def one(items: list[dict[str, Any]], kind: str, fqn: str, tag: str) -> dict[str, Any]:
    [found] = [i for i in items if (i["kind"], i["asset_fqn"], i["subject"]) == (kind, fqn, tag)]
    return found


def decide(client: TestClient, doc: dict[str, Any], change: dict[str, Any], decision: str) -> None:
    r = client.patch(
        f"{BASE}/workflows/runs/{doc['id']}/proposals/{change['id']}",
        json={"decision": decision},
        headers=ADMIN_A,
    )
    assert r.status_code == 200, r.text


def approve(client: TestClient, doc: dict[str, Any]) -> dict[str, Any]:
    r = client.patch(approval_url(doc), json={"action": "approve"}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_tags_are_reviewed_one_by_one(api: TestClient, source: Any) -> None:  # noqa: F811
    doc = run(api, "generate-pii-tags", CUSTOMER)
    items = changes(api, doc)
    assert {i["kind"] for i in items} == {"tag-add"}
    assert len(items) == doc["output"]["tags_proposed"]
    summary = api.get(approval_url(doc), headers=ADMIN_A).json()["proposals_summary"]
    assert summary["by_kind"] == {"tag-add": len(items)} and summary["total"] == len(items)
    email = one(items, "tag-add", f"{CUSTOMER}.email", "PII.Email")
    assert email["before"] is None
    assert email["after"]["tag"] == "PII.Email" and email["after"]["state"] == "applied"
    assert 0.8 <= email["confidence"] <= 1.0
    assert email["evidence"]["values"]["pattern"] == "email"

    # a viewer sees the figures behind the evidence, not the (masked) example values
    assert "masked_example" in email["evidence"]["values"]
    seen = one(changes(api, doc, "viewer"), "tag-add", f"{CUSTOMER}.email", "PII.Email")
    assert "masked_example" not in seen["evidence"]["values"]
    assert seen["evidence"]["values"]["pattern"] == "email" and seen["id"] == email["id"]

    decide(api, doc, email, "rejected")
    done = approve(api, doc)
    assert done["changes_applied"]["proposals_rejected"] == 1
    assert done["changes_applied"]["tags_applied"] == len(items) - 1
    assert "PII.Email" not in tags_of(api, f"{CUSTOMER}.email")
    assert "PII.Sensitive" in tags_of(api, f"{CUSTOMER}.email")
    assert "PII.FirstName" in tags_of(api, f"{CUSTOMER}.first_name")
    statuses = {(i["subject"], i["asset_fqn"]): i["status"] for i in changes(api, doc)}
    assert statuses.pop(("PII.Email", f"{CUSTOMER}.email")) == "discarded"
    assert set(statuses.values()) == {"applied"}


def test_a_rejected_withdrawal_keeps_the_tag(api: TestClient, source: Any) -> None:  # noqa: F811
    first = run(api, "generate-pii-tags", CUSTOMER, save_all=True)
    assert "PII.Email" in tags_of(api, f"{CUSTOMER}.email")
    execute(source, "UPDATE customer SET email = 'customer ' || customer_id")
    assert run(api, "service-ingestion", SERVICE)["status"] == "completed"

    second = run(api, "generate-pii-tags", CUSTOMER)
    items = changes(api, second)
    removal = one(items, "tag-remove", f"{CUSTOMER}.email", "PII.Email")
    assert removal["before"]["state"] == "applied" and removal["after"]["state"] == "withdrawn"
    assert removal["confidence"] == tags_of(api, f"{CUSTOMER}.email")["PII.Email"]["confidence"]
    assert removal["evidence"]["withdrawn"] == "evidence no longer found"
    removals = [i for i in items if i["kind"] == "tag-remove"]
    assert len(removals) >= 2  # PII.Email and the column's PII.Sensitive at least

    decide(api, second, removal, "rejected")
    done = approve(api, second)
    assert done["changes_applied"]["tags_withdrawn"] == len(removals) - 1
    kept = tags_of(api, f"{CUSTOMER}.email")["PII.Email"]
    assert (kept["source"], kept["state"]) == ("machine", "applied")
    assert kept["confidence"] == removal["confidence"]
    assert first["id"] != second["id"]
    withdrawn = [i for i in removals if i["id"] != removal["id"]]
    for item in withdrawn:
        assert item["subject"] not in tags_of(api, item["asset_fqn"])
