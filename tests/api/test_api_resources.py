"""Definitions and configurations: create, read, list, change, delete, with the contract's
field names."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    as_role,
    assert_envelope,
    create_configuration,
)

DEFINITION_FIELDS = {
    "id",
    "name",
    "workflow_type",
    "category",
    "data_asset_types",
    "description",
    "default_config",
    "is_active",
    "requires_approval",
    "require_reference_pack",
    "created_at",
}
CONFIGURATION_FIELDS = {
    "id",
    "name",
    "workflow_type",
    "category",
    "data_asset_types",
    "status",
    "is_default",
    "created_at",
    "updated_at",
    "description",
    "config",
    "schedule",
    "triggers",
    "require_reference_pack",
}


def test_fifteen_built_in_definitions(client: TestClient) -> None:
    r = client.get(f"{BASE}/workflows/definitions?limit=500", headers=as_role("viewer"))
    body = r.json()
    assert body["total"] == 15
    types = {d["workflow_type"] for d in body["items"]}
    assert len(types) == 15 and "dq-tag-generation" in types
    for d in body["items"]:
        assert set(d) >= DEFINITION_FIELDS
        assert d["is_active"] is True and d["created_at"].endswith("Z")
    r = client.get(f"{BASE}/workflows/definitions?category=data_quality", headers=ADMIN_A)
    assert {d["category"] for d in r.json()["items"]} == {"data_quality"}
    r = client.get(f"{BASE}/workflows/definitions?workflow_type=generate-dq-rules", headers=ADMIN_A)
    assert [d["workflow_type"] for d in r.json()["items"]] == ["dq-rule-generation"]
    r = client.get(f"{BASE}/workflows/definitions/{PII_DEFINITION}", headers=ADMIN_A)
    assert r.json()["workflow_type"] == "generate-pii-tags"
    assert r.json()["requires_approval"] is True


def test_definition_create_and_patch(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/workflows/definitions",
        json={
            "name": "Strict PII",
            "workflow_type": "generate-pii-tags",
            "description": "PII with a higher bar",
            "default_config": {"confidence_threshold": 0.95},
            "require_reference_pack": True,
        },
        headers=ADMIN_A,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) >= DEFINITION_FIELDS
    assert created["category"] == "enrichment"  # from the built-in of the type
    assert created["data_asset_types"] == ["schema", "table"]
    assert created["requires_approval"] is True
    assert created["is_builtin"] is False
    url = f"{BASE}/workflows/definitions/{created['id']}"
    r = client.patch(url, json={"is_active": False, "default_config": {"x": 1}}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is False and r.json()["default_config"] == {"x": 1}
    assert r.json()["name"] == "Strict PII"
    assert (
        client.get(f"{BASE}/workflows/definitions?is_active=false", headers=ADMIN_A).json()["total"]
        == 1
    )
    assert_envelope(
        client.patch(url, json={"name": "x"}, headers=as_role("developer")),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )


def test_configuration_create_read_patch_delete(client: TestClient) -> None:
    created = create_configuration(
        client,
        PII_DEFINITION,
        headers=as_role("developer"),
        name="PII Detection - Production",
        description="nightly",
        config={"confidence_threshold": 0.85},
        schedule={
            "cron_expression": "0 2 * * *",
            "timezone": "Europe/Berlin",
            "start_date": "2024-01-15T10:30:00",
        },
        triggers=[{"type": "on_ingestion"}],
    )
    assert created["configuration_id"] == created["id"]
    assert set(created) >= CONFIGURATION_FIELDS
    assert created["config"] == {"confidence_threshold": 0.85}
    assert created["triggers"] == [{"type": "on_ingestion"}]
    assert created["schedule"] == {
        "cron_expression": "0 2 * * *",
        "enabled": True,
        "timezone": "Europe/Berlin",
        "start_date": "2024-01-15T10:30:00Z",
    }
    url = f"{BASE}/workflows/{created['id']}"
    doc = client.get(url, headers=as_role("viewer")).json()
    assert set(doc) >= CONFIGURATION_FIELDS
    assert doc["name"] == "PII Detection - Production" and doc["status"] == "active"
    assert doc["workflow_type"] == "generate-pii-tags" and doc["category"] == "enrichment"

    r = client.patch(
        url,
        json={"status": "inactive", "schedule": None, "description": None},
        headers=as_role("developer"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "inactive" and r.json()["schedule"] is None
    assert r.json()["description"] is None and r.json()["config"] == {"confidence_threshold": 0.85}
    assert client.get(f"{BASE}/workflows?status=inactive", headers=ADMIN_A).json()["total"] == 1
    assert client.get(f"{BASE}/workflows?status=active", headers=ADMIN_A).json()["total"] == 0

    assert_envelope(
        client.delete(url, headers=as_role("operator")), 403, "INSUFFICIENT_PERMISSIONS"
    )
    assert client.delete(url, headers=as_role("developer")).status_code == 204
    assert_envelope(client.get(url, headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.delete(url, headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND")


def test_configuration_name_defaults_to_the_definition(client: TestClient) -> None:
    doc = create_configuration(client, PII_DEFINITION)
    assert doc["name"] == "PII Detection"
    assert doc["schedule"] is None and doc["triggers"] == [] and doc["config"] == {}
