"""Tenant isolation: every id of tenant A, probed by tenant B, answers the 404 of an unknown id."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.api.conftest import (
    ADMIN_A,
    ADMIN_B,
    BASE,
    PII_DEFINITION,
    create_configuration,
    new_id,
    start_run,
    wait_run,
)


def _normalised(response: Any, the_id: str) -> dict[str, Any]:
    assert response.status_code == 404, response.text
    error = dict(response.json()["error"])
    assert error["code"] == "RESOURCE_NOT_FOUND"
    del error["request_id"], error["trace_id"]
    error["message"] = error["message"].replace(the_id, "<id>")
    error["details"] = {k: str(v).replace(the_id, "<id>") for k, v in error["details"].items()}
    return error


def _probes(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    """(method, path, body, id being probed) for every endpoint that takes an id."""
    d, c, r = ids["definition"], ids["configuration"], ids["run"]
    return [
        ("GET", f"/workflows/definitions/{d}", None, d),
        ("PATCH", f"/workflows/definitions/{d}", {"name": "stolen"}, d),
        ("GET", f"/workflows/{c}", None, c),
        ("PATCH", f"/workflows/{c}", {"name": "stolen"}, c),
        ("DELETE", f"/workflows/{c}", None, c),
        ("POST", f"/workflows/{c}/runs", {}, c),
        ("GET", f"/workflows/{c}/runs", None, c),
        ("GET", f"/workflows/{c}/runs/{r}", None, r),
        ("GET", f"/workflows/{c}/runs/{r}/tasks", None, r),
        ("POST", f"/workflows/{c}/runs/{r}/cancel", None, r),
        ("GET", f"/workflows/runs/{r}/approval", None, r),
        ("PATCH", f"/workflows/runs/{r}/approval", {"action": "approve"}, r),
    ]


def test_every_endpoint_hides_another_tenants_rows(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/workflows/definitions",
        json={"name": "A's own PII", "workflow_type": "generate-pii-tags"},
        headers=ADMIN_A,
    )
    assert r.status_code == 201
    definition = r.json()["id"]
    config = create_configuration(client, definition, name="A's config")
    run = start_run(client, config["id"], parameters={"n": 2})
    wait_run(client, config["id"], run["id"])
    ids = {"definition": definition, "configuration": config["id"], "run": run["id"]}

    unknown = {k: new_id() for k in ids}
    for (method, path, body, probed), (_, upath, _, uprobed) in zip(
        _probes(ids), _probes(unknown), strict=True
    ):
        theirs = client.request(method, BASE + path, json=body, headers=ADMIN_B)
        nobodys = client.request(method, BASE + upath, json=body, headers=ADMIN_B)
        assert _normalised(theirs, probed) == _normalised(nobodys, uprobed), (method, path)

    # B's lists never show A's rows
    defs = client.get(f"{BASE}/workflows/definitions?limit=500", headers=ADMIN_B).json()
    assert definition not in {d["id"] for d in defs["items"]} and defs["total"] == 15
    assert client.get(f"{BASE}/workflows", headers=ADMIN_B).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    assert client.get(f"{BASE}/runs", headers=ADMIN_B).json()["total"] == 0
    # ... B cannot build on A's definition either
    r = client.post(
        f"{BASE}/workflows", json={"workflow_definition_id": definition}, headers=ADMIN_B
    )
    assert r.status_code == 404

    # and A still sees everything unchanged (nothing B did touched it)
    doc = client.get(f"{BASE}/workflows/{config['id']}", headers=ADMIN_A).json()
    assert doc["name"] == "A's config"
    assert (
        client.get(f"{BASE}/workflows/definitions/{definition}", headers=ADMIN_A).json()["name"]
        == "A's own PII"
    )
    approval = client.get(f"{BASE}/workflows/runs/{run['id']}/approval", headers=ADMIN_A).json()
    assert approval["status"] == "pending"
    assert client.get(f"{BASE}/runs", headers=ADMIN_A).json()["total"] == 1


def test_built_in_definitions_are_shared_but_configurations_are_not(client: TestClient) -> None:
    a = create_configuration(client, PII_DEFINITION, headers=ADMIN_A)
    b = create_configuration(client, PII_DEFINITION, headers=ADMIN_B)
    assert client.get(f"{BASE}/workflows/{b['id']}", headers=ADMIN_A).status_code == 404
    assert client.get(f"{BASE}/workflows/{a['id']}", headers=ADMIN_B).status_code == 404
    assert [c["id"] for c in client.get(f"{BASE}/workflows", headers=ADMIN_A).json()["items"]] == [
        a["id"]
    ]
