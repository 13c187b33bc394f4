"""The contract's example run, stored directly, comes back through the API field for field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from tests.api.conftest import BASE, TENANT_A, as_role, engine_of

from dataready.domain.definitions import builtin_definition_id
from dataready.domain.enums import WorkflowType
from dataready.store.orm import WorkflowConfiguration, WorkflowRun

CONTRACT_RUN = {
    "id": "123e4567-e89b-12d3-a456-426614174002",
    "configuration_id": "123e4567-e89b-12d3-a456-426614174000",
    "status": "completed",
    "workflow_name": "PII Detection - Production",
    "workflow_type": "generate-pii-tags",
    "asset_fqn": "PostgreSQL.dvdrental.public.customer",
    "started_at": "2024-01-15T10:30:00Z",
    "completed_at": "2024-01-15T10:35:00Z",
    "service_name": "PostgreSQL",
    "database_name": "dvdrental",
    "schema_name": "public",
    "table_name": "customer",
    "duration_seconds": 300.5,
    "error_message": None,
    "input": {"asset_fqn": "PostgreSQL.dvdrental.public.customer"},
    "output": {"tags_applied": 15},
    "tasks": [],
}


def seed(client: TestClient) -> None:
    client_id, project_id = TENANT_A
    with engine_of(client).store.session() as s:
        s.add(
            WorkflowConfiguration(
                id=uuid.UUID(CONTRACT_RUN["configuration_id"]),  # type: ignore[arg-type]
                client_id=client_id,
                project_id=project_id,
                definition_id=builtin_definition_id(WorkflowType.GENERATE_PII_TAGS),
                name="PII Detection - Production",
                description="PII detection on production tables",
                config={"confidence_threshold": 0.85},
                schedule={"cron_expression": "0 2 * * *", "enabled": True, "timezone": "UTC"},
                triggers=[],
                status="active",
                is_default=True,
            )
        )
        s.flush()
        s.add(
            WorkflowRun(
                id=uuid.UUID(CONTRACT_RUN["id"]),  # type: ignore[arg-type]
                client_id=client_id,
                project_id=project_id,
                configuration_id=uuid.UUID(CONTRACT_RUN["configuration_id"]),  # type: ignore[arg-type]
                workflow_type="generate-pii-tags",
                workflow_name="PII Detection - Production",
                status="completed",
                asset_fqn="PostgreSQL.dvdrental.public.customer",
                service_name="PostgreSQL",
                database_name="dvdrental",
                schema_name="public",
                table_name="customer",
                save_all=False,
                config={"confidence_threshold": 0.85},
                input={"asset_fqn": "PostgreSQL.dvdrental.public.customer"},
                output={"tags_applied": 15},
                error_message=None,
                started_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
                completed_at=datetime(2024, 1, 15, 10, 35, tzinfo=UTC),
                duration_seconds=300.5,
            )
        )


def test_contract_example_run_round_trips_exactly(client: TestClient) -> None:
    seed(client)
    viewer = as_role("viewer")
    cid, rid = CONTRACT_RUN["configuration_id"], CONTRACT_RUN["id"]
    r = client.get(f"{BASE}/workflows/{cid}/runs/{rid}", headers=viewer)
    assert r.status_code == 200, r.text
    assert r.json() == CONTRACT_RUN
    assert list(r.json()) == list(CONTRACT_RUN)  # and in the contract's order
    r = client.get(f"{BASE}/runs", headers=viewer)
    assert r.json()["items"] == [CONTRACT_RUN]
    r = client.get(f"{BASE}/workflows/{cid}/runs", headers=viewer)
    assert r.json() == {"items": [CONTRACT_RUN], "total": 1, "limit": 50, "offset": 0}


def test_contract_example_configuration_is_joined_with_its_definition(client: TestClient) -> None:
    seed(client)
    r = client.get(
        f"{BASE}/workflows/{CONTRACT_RUN['configuration_id']}", headers=as_role("viewer")
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    expected = {
        "id": CONTRACT_RUN["configuration_id"],
        "name": "PII Detection - Production",
        "workflow_type": "generate-pii-tags",
        "category": "enrichment",
        "data_asset_types": ["schema", "table"],
        "status": "active",
        "is_default": True,
        "description": "PII detection on production tables",
        "config": {"confidence_threshold": 0.85},
        "schedule": {"cron_expression": "0 2 * * *", "enabled": True, "timezone": "UTC"},
        "triggers": [],
        "require_reference_pack": False,
    }
    assert {k: doc[k] for k in expected} == expected
    assert doc["created_at"].endswith("Z") and doc["updated_at"].endswith("Z")
