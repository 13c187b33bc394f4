"""Changing and deleting services, through the API on both stores (issue 8, items 2, 3, 16).

- A stored password never follows a re-pointed service to its new target.
- Secrets anywhere in a config (params, connect_args, a URL's query) are stored encrypted
  and shown as ``***`` in every answer, run document and log line.
- Profiles and tags belong to assets: deleting or re-pointing a service takes them along,
  and a new service with the old name starts with none.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    assert_envelope,
    create_configuration,
    engine_of,
    ingest,
    start_run,
    wait_run,
)

from dataready.domain.tenant import Tenant
from dataready.store import profiles as profiles_q
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Profile, Proposal, Service, Tag

TENANT = Tenant("client-a", "project-a")
S = "Sx9-very-secret-value"


def _source(path: Path, rows: int = 3) -> Path:
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        + "".join(f"INSERT INTO customer VALUES ({i}, 'u{i}@example.com');" for i in range(rows))
    )
    con.commit()
    con.close()
    return path


def _two_sources(tmp_path: Path) -> tuple[Path, Path]:
    """Two files with one stem: the FQNs of the old and the new target are the same."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    return _source(tmp_path / "a" / "first.db", rows=50), _source(tmp_path / "b" / "first.db")


def _create(client: TestClient, name: str, kind: str, config: dict[str, Any], **extra: Any) -> Any:
    body = {"name": name, "connection_type": kind, "config": config, **extra}
    r = client.post(f"{BASE}/services", headers=ADMIN_A, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _patch(client: TestClient, service_id: str, **body: Any) -> Any:
    r = client.patch(f"{BASE}/services/{service_id}", headers=ADMIN_A, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _stored(client: TestClient, service_id: str) -> Any:
    engine = engine_of(client)
    with engine.store.session() as s:
        row = s.get(Service, uuid.UUID(service_id))
        assert row is not None
        return services_q.connection_config(row, CredentialCipher(engine.settings))


def _ingest(client: TestClient, fqn: str) -> dict[str, Any]:
    done = ingest(client, fqn)
    tasks = client.get(
        f"{BASE}/workflows/{done['configuration_id']}/runs/{done['id']}/tasks", headers=ADMIN_A
    )
    done["_tasks_text"] = tasks.text
    return done


# -- item 2: re-pointing clears the stored credentials ------------------------------------


PG = {"host": "192.0.2.10", "port": 5432, "database": "shop", "params": {"sslpassword": S}}


@pytest.mark.parametrize(
    "change",
    [
        {"config": {"host": "192.0.2.99"}},
        {"config": {"port": 6543}},
        {"config": {"database": "other"}},
        {"credentials": {"username": "someone-else"}},
        {"connection_type": "mysql", "config": {"host": "192.0.2.10"}},
        {"connection_type": "sqlalchemy", "config": {"url": "postgresql://u@192.0.2.77/shop"}},
    ],
)
def test_repointing_without_credentials_clears_them(
    client: TestClient, change: dict[str, Any]
) -> None:
    service = _create(client, "pg", "postgres", PG, credentials={"username": "u", "password": S})
    assert service["has_credentials"] is True
    doc = _patch(client, service["id"], **change)
    assert doc["has_credentials"] is False and doc["credentials_cleared"] is True
    assert any("credentials were cleared" in n for n in doc["notices"]), doc
    config = _stored(client, service["id"])
    assert getattr(config, "password", None) is None  # the next run sends no password
    assert S not in json.dumps(config.model_dump(mode="json"))
    assert S not in json.dumps(doc)


def test_repointing_with_credentials_and_keeping_the_target(client: TestClient) -> None:
    service = _create(client, "pg", "postgres", PG, credentials={"username": "u", "password": S})
    # options that keep the target keep the credentials
    doc = _patch(client, service["id"], description="d", config={"sslmode": "require"})
    assert doc["has_credentials"] is True and doc["credentials_cleared"] is False
    assert doc["notices"] == [] and doc["catalogue_dropped"] is False
    # sending back the config as shown ("***" included) keeps every stored secret
    shown = client.get(f"{BASE}/services/{service['id']}", headers=ADMIN_A).json()["config"]
    assert shown["params"] == {"sslpassword": "***"}
    _patch(client, service["id"], config=shown)
    kept = _stored(client, service["id"])
    assert kept.password.get_secret_value() == S and kept.params == {"sslpassword": S}
    # a new target with a new password: only it is stored (the sslpassword is not carried)
    doc = _patch(
        client,
        service["id"],
        config={"host": "192.0.2.20", "params": {}},
        credentials={"password": "new-one"},
    )
    assert doc["has_credentials"] is True and doc["credentials_cleared"] is True
    assert "params.sslpassword" in doc["notices"][0] and "new-one" not in json.dumps(doc)
    config = _stored(client, service["id"])
    assert config.host == "192.0.2.20" and config.password.get_secret_value() == "new-one"
    assert config.params == {}
    # a new target where the old sslpassword was sent back as "***": it does not follow
    doc = _patch(
        client,
        service["id"],
        config={"params": {"sslpassword": "second"}},
        credentials={"password": "p2"},
    )
    doc = _patch(client, service["id"], config={"host": "192.0.2.30", "params": shown["params"]})
    assert doc["credentials_cleared"] is True
    assert _stored(client, service["id"]).params == {}


# -- item 3: secrets anywhere are encrypted and shown as *** ---------------------------------


def test_secrets_anywhere_are_encrypted_and_never_shown(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    pg = _create(
        client,
        "pg",
        "postgres",
        {"host": "127.0.0.1", "port": 1, "database": "x", "params": {"sslpassword": S + "1"}},
        credentials={"username": "u", "password": S + "2"},
    )
    trino = _create(
        client,
        "tr",
        "trino",
        {
            "url": f"trino://u@192.0.2.5:8080/hive?access_token={S}3&source=dr",
            "connect_args": {"client_secret": S + "4", "deep": [{"api_key": S + "5"}]},
        },
    )
    texts += [json.dumps(pg), json.dumps(trino)]
    assert pg["config"]["params"] == {"sslpassword": "***"}
    assert "access_token=***" in trino["config"]["url"] and "source=dr" in trino["config"]["url"]
    assert trino["config"]["connect_args"] == {"client_secret": "***", "deep": [{"api_key": "***"}]}
    assert trino["has_credentials"] is True
    for r in (
        client.get(f"{BASE}/services", headers=ADMIN_A),
        client.get(f"{BASE}/services/{pg['id']}", headers=ADMIN_A),
        client.get(f"{BASE}/services/{trino['id']}", headers=ADMIN_A),
        client.patch(f"{BASE}/services/{trino['id']}", headers=ADMIN_A, json={"description": "d"}),
        client.post(
            f"{BASE}/services/verify",
            headers=ADMIN_A,
            json={
                "connection_type": "postgres",
                "config": {"host": "127.0.0.1", "port": 1, "params": {"sslpassword": S + "6"}},
                "credentials": {"password": S + "7"},
            },
        ),
        client.post(
            f"{BASE}/services/verify",
            headers=ADMIN_A,
            json={"connection_type": "trino", "config": {"url": f"trino://u@h/c?token={S}8"}},
        ),
    ):
        assert r.status_code == 200, r.text
        texts.append(r.text)
    # stored: the public config holds none of them; the encrypted blob holds all
    with engine_of(client).store.session() as s:
        rows = s.scalars(select(Service)).all()
        texts += [json.dumps(r.config) + (r.credentials_encrypted or "") for r in rows]
    config = _stored(client, trino["id"])
    assert (
        f"access_token={S}3" in config.url and config.connect_args["deep"][0]["api_key"] == S + "5"
    )
    assert _stored(client, pg["id"]).params == {"sslpassword": S + "1"}
    # runs that fail on these sources: the run and task documents stay clean
    for fqn in ("pg", "tr"):
        run = _ingest(client, fqn)
        assert run["status"] == "failed", run
        texts += [json.dumps(run), run.pop("_tasks_text")]
    texts.append(caplog.text)
    leaks = [t for t in texts if S in t]
    assert leaks == []


# -- item 16: results belong to assets -------------------------------------------------------


def _profile(client: TestClient, fqn: str) -> None:
    with engine_of(client).store.session() as s:
        profiles_q.add_profile(
            s, TENANT, table_fqn=fqn, run_id=None, profile={"row_count": 50, "columns": []}
        )


def _results(client: TestClient) -> tuple[int, int]:
    with engine_of(client).store.session() as s:
        profiles = s.scalar(select(func.count()).select_from(Profile))
        tags = s.scalar(select(func.count()).select_from(Tag))
    return int(profiles or 0), int(tags or 0)


def _has_results(client: TestClient) -> None:
    table = "S.first.main.customer"
    assert client.get(f"{BASE}/assets/{table}/profile", headers=ADMIN_A).status_code == 200
    tags = client.get(f"{BASE}/assets/{table}.email/tags", headers=ADMIN_A).json()
    assert [t["tag"] for t in tags] == [  # a person's PII.Email and what derives from it
        "PII.Email",
        "PII.Sensitive",
        "PrivacyCategory.Identifier",
        "Sensitivity.Confidential",
    ]


def _catalogue_with_results(client: TestClient, path: Path) -> dict[str, Any]:
    service = _create(client, "S", "sqlite", {"path": str(path)})
    assert _ingest(client, "S")["status"] == "completed"
    _profile(client, "S.first.main.customer")
    r = client.put(f"{BASE}/assets/S.first.main.customer.email/tags/PII.Email", headers=ADMIN_A)
    assert r.status_code == 200, r.text
    _has_results(client)
    assert _results(client) == (1, 5)  # and the table's PII.Sensitive
    return service  # type: ignore[no-any-return]


def _starts_clean(client: TestClient, fqn_db: str) -> None:
    table = f"S.{fqn_db}.main.customer"
    assert client.get(f"{BASE}/assets/{table}", headers=ADMIN_A).status_code == 200
    assert_envelope(
        client.get(f"{BASE}/assets/{table}/profile", headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND"
    )
    assert client.get(f"{BASE}/assets/{table}/profiles", headers=ADMIN_A).json()["total"] == 0
    assert client.get(f"{BASE}/assets/{table}.email/tags", headers=ADMIN_A).json() == []
    detail = client.get(f"{BASE}/assets/{table}", headers=ADMIN_A).json()
    assert detail["profile"] is None and detail["tags"] == []
    assert client.get(f"{BASE}/assets?tag=PII.Email", headers=ADMIN_A).json()["total"] == 0


def test_deleting_a_service_deletes_its_profiles_and_tags(
    client: TestClient, tmp_path: Path
) -> None:
    first, again = _two_sources(tmp_path)
    service = _catalogue_with_results(client, first)
    r = client.delete(f"{BASE}/services/{service['id']}", headers=ADMIN_A)
    assert r.status_code == 204, r.text
    assert _results(client) == (0, 0)  # gone from the store, not only hidden
    _create(client, "S", "sqlite", {"path": str(again)})
    assert _ingest(client, "S")["status"] == "completed"
    _starts_clean(client, "first")


def test_repointing_a_service_drops_its_catalogue_and_results(
    client: TestClient, tmp_path: Path
) -> None:
    first, again = _two_sources(tmp_path)
    service = _catalogue_with_results(client, first)
    # a run waiting for approval proposes tags on the old target's assets
    config = create_configuration(client, PII_DEFINITION)
    run = start_run(client, config["id"], asset_fqn="S.first.main.customer", parameters={"n": 2})
    assert wait_run(client, config["id"], run["id"])["status"] == "completed"
    # the same target (description, no path change) keeps everything
    doc = _patch(client, service["id"], description="renamed", config={"path": str(first)})
    assert doc["catalogue_dropped"] is False and doc["notices"] == []
    _has_results(client)
    doc = _patch(client, service["id"], config={"path": str(again)})
    assert doc["catalogue_dropped"] is True and doc["assets_dropped"] > 0, doc
    assert any("catalogue" in n for n in doc["notices"]), doc
    assert _results(client) == (0, 0)
    assert client.get(f"{BASE}/assets?fqn=S", headers=ADMIN_A).json()["total"] == 0
    assert _ingest(client, "S")["status"] == "completed"
    _starts_clean(client, "first")
    # approving the old run now applies nothing to the new target's assets
    r = client.patch(
        f"{BASE}/workflows/runs/{run['id']}/approval", headers=ADMIN_A, json={"action": "approve"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["changes_applied"] or {}).get("tags_applied", 0) == 0
    with engine_of(client).store.session() as s:
        states = s.scalars(select(Proposal.status).where(Proposal.run_id == uuid.UUID(run["id"])))
        assert set(states) == {"obsolete"}
