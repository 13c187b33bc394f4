"""Services (credentials write-only), verify, and the catalogue read API."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, ADMIN_B, BASE, as_role, assert_envelope, engine_of

from dataready.store.orm import Service

SECRET_PW = "pw-s3cr3t-never-shown"


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES "
        "customer(id), amount REAL);"
    )
    con.close()
    return path


def test_verify_reports_failures_without_secrets(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1", "port": 1, "database": "x"},
            "credentials": {"username": "u", "password": SECRET_PW},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is False
    assert "127.0.0.1" in body["message"] and "1" in body["message"]
    assert SECRET_PW not in r.text
    r = client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1", "port": 5432, "database": "postgres"},
            "credentials": {"username": "postgres"},
        },
    )
    assert r.json()["success"] is True, r.text
    assert r.json()["details"]["read_only"] is True
    assert r.json()["latency_ms"] >= 0


def test_verify_bad_input_is_422(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={
            "connection_type": "postgres",
            "config": {"port": "not-a-port"},
        },
    )
    assert_envelope(r, 422, "VALIDATION_ERROR")
    r = client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={
            "connection_type": "postgres",
            "credentials": {"token": "x"},
        },
    )
    assert_envelope(r, 422, "VALIDATION_ERROR", "credentials.token")


def test_service_crud_keeps_credentials_write_only(client: TestClient, tmp_path: Path) -> None:
    r = client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={
            "name": "pg",
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1", "database": "postgres"},
            "credentials": {"username": "postgres", "password": SECRET_PW},
        },
    )
    assert r.status_code == 201, r.text
    service = r.json()
    assert service["has_credentials"] is True
    assert "password" not in service["config"] and SECRET_PW not in r.text
    with engine_of(client).store.session() as s:
        row = s.get(Service, __import__("uuid").UUID(service["id"]))
        assert row is not None and SECRET_PW not in (row.credentials_encrypted or "")
        assert SECRET_PW not in str(row.config)
    dup = client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": "pg", "connection_type": "sqlite", "config": {"path": str(tmp_path / "x")}},
    )
    assert_envelope(dup, 409, "RESOURCE_ALREADY_EXISTS")
    listed = client.get(f"{BASE}/services", headers=ADMIN_A).json()
    assert [s["name"] for s in listed["items"]] == ["pg"]
    assert SECRET_PW not in str(listed)
    # another tenant: the same 404 as an unknown id, and an empty list
    assert_envelope(
        client.get(f"{BASE}/services/{service['id']}", headers=ADMIN_B), 404, "RESOURCE_NOT_FOUND"
    )
    assert client.get(f"{BASE}/services", headers=ADMIN_B).json()["total"] == 0
    r = client.patch(
        f"{BASE}/services/{service['id']}",
        headers=ADMIN_A,
        json={"description": "main warehouse", "config": {"sslmode": "prefer"}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["config"]["sslmode"] == "prefer" and r.json()["has_credentials"] is True
    assert r.json()["credentials_cleared"] is False and r.json()["notices"] == []
    viewer = as_role("viewer")
    assert_envelope(
        client.delete(f"{BASE}/services/{service['id']}", headers=viewer),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )
    assert client.delete(f"{BASE}/services/{service['id']}", headers=ADMIN_A).status_code == 204
    assert_envelope(
        client.get(f"{BASE}/services/{service['id']}", headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND"
    )


def test_catalogue_read_api(client: TestClient, tmp_path: Path) -> None:
    path = _source(tmp_path)
    r = client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": "shop", "connection_type": "sqlite", "config": {"path": str(path)}},
    )
    assert r.status_code == 201, r.text
    cfg = client.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={
            "workflow_definition_id": client.get(
                f"{BASE}/workflows/definitions?workflow_type=service-ingestion", headers=ADMIN_A
            ).json()["items"][0]["id"]
        },
    ).json()
    run = client.post(
        f"{BASE}/workflows/{cfg['configuration_id']}/runs",
        headers=ADMIN_A,
        json={"asset_fqn": "shop"},
    ).json()
    from tests.api.conftest import wait_run

    done = wait_run(client, cfg["configuration_id"], run["id"])
    assert done["status"] == "completed", done
    assert done["output"]["tables"] == 2

    tables = client.get(f"{BASE}/assets?fqn=shop&type=table", headers=ADMIN_A).json()
    assert [a["fqn"] for a in tables["items"]] == [
        "shop.shop.main.customer",
        "shop.shop.main.orders",
    ]
    found = client.get(f"{BASE}/assets?q=EMAIL", headers=ADMIN_A).json()
    assert [a["fqn"] for a in found["items"]] == ["shop.shop.main.customer.email"]
    detail = client.get(f"{BASE}/assets/shop.shop.main.orders", headers=ADMIN_A).json()
    assert [c["name"] for c in detail["children"]] == ["id", "customer_id", "amount"]
    assert detail["details"]["foreign_keys"][0]["referred_fqn"] == "shop.shop.main.customer"
    assert detail["profile"] is None and detail["tags"] == []
    assert_envelope(
        client.get(f"{BASE}/assets/shop.shop.main.orders", headers=ADMIN_B),
        404,
        "RESOURCE_NOT_FOUND",
    )
    assert_envelope(
        client.get(f"{BASE}/assets/a..b", headers=ADMIN_A), 422, "VALIDATION_ERROR", "fqn"
    )
    assert_envelope(
        client.get(f"{BASE}/assets/shop.shop.main.orders/profile", headers=ADMIN_A),
        404,
        "RESOURCE_NOT_FOUND",
    )

    # tags set and removed by a person
    email = "shop.shop.main.customer.email"
    r = client.put(
        f"{BASE}/assets/{email}/tags/PII.Email", headers=ADMIN_A, json={"note": "checked by hand"}
    )
    assert r.status_code == 200 and r.json()["source"] == "person", r.text
    hand = {t["tag"]: t for t in client.get(f"{BASE}/assets/{email}/tags", headers=ADMIN_A).json()}
    assert hand["PII.Email"]["label_type"] == "Manual"
    assert hand["PII.Sensitive"]["derived_from"] == [{"asset_fqn": email, "tag": "PII.Email"}]
    assert client.get(f"{BASE}/assets?tag=PII.Email", headers=ADMIN_A).json()["total"] == 1
    assert_envelope(
        client.put(f"{BASE}/assets/{email}/tags/bad%20tag", headers=ADMIN_A),
        422,
        "VALIDATION_ERROR",
        "tag",
    )
    r = client.delete(f"{BASE}/assets/{email}/tags/PII.Email", headers=ADMIN_A)
    assert r.status_code == 200 and r.json()["state"] == "removed"
    assert client.get(f"{BASE}/assets/{email}/tags", headers=ADMIN_A).json() == []


def test_credentials_never_reach_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1", "port": 5432, "database": "postgres"},
            "credentials": {"username": "nobody_here", "password": SECRET_PW},
        },
    )
    client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={
            "name": "logged",
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1"},
            "credentials": {"password": SECRET_PW},
        },
    )
    assert SECRET_PW not in caplog.text


def test_production_mode_refuses_default_secrets(tmp_path: Path) -> None:
    from dataready.errors import ConfigError
    from dataready.settings import AuthSettings, DbSettings, Settings
    from dataready.workflows.engine import Engine

    base = {
        "data_dir": tmp_path,
        "db": DbSettings(url=f"sqlite:///{tmp_path}/s.db"),
        "mode": "production",
    }
    with pytest.raises(ConfigError, match="DATAREADY_AUTH__SECRET"):
        Engine(Settings(**base)).start()  # type: ignore[arg-type]
    strong = AuthSettings(secret="a-real-production-secret-0123456789")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="DATAREADY_SECRET_KEY"):
        Engine(Settings(**base, auth=strong)).start()  # type: ignore[arg-type]
    engine = Engine(Settings(**base, auth=strong, secret_key="k" * 40))  # type: ignore[arg-type]
    engine.start()
    engine.shutdown()
