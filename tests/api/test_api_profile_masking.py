"""Personal values masked and secrets absent in every profile read, on real sources.

The sample's ``staff`` table (SQLite and PostgreSQL sources, SQLite and PostgreSQL stores) is
ingested and profiled before anything is tagged, then classified: the earlier profile is
masked by the later tags.  A viewer sees masked e-mails and no password hash anywhere; an
admin sees the e-mails but still no hash; the store itself never held the hashes.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, TENANT_A, as_role, engine_of, wait_run
from tests.services import pg_params, require_postgres

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.domain.enums import Role
from dataready.domain.tenant import Tenant
from dataready.sample import generate_sample
from dataready.settings import Settings
from dataready.store import profiles as profiles_q
from dataready.store.orm import Profile
from dataready.workflows import registry

VIEWER = as_role("viewer")
DEVELOPER = as_role("developer")


@dataclass
class Sample:
    """A generated sample registered as a service: where its tables are, what they hold."""

    service: str
    schema_fqn: str
    values: dict[str, dict[str, list[Any]]]
    """table -> column -> every value, read straight from the source."""

    def table(self, name: str) -> str:
        return f"{self.schema_fqn}.{name}"

    @property
    def database_fqn(self) -> str:
        """What to ingest (the PostgreSQL server holds other tests' databases too)."""
        return self.schema_fqn.rsplit(".", 1)[0]


def _sqlite_values(path: Path, tables: list[str]) -> dict[str, dict[str, list[Any]]]:
    con = sqlite3.connect(path)
    try:
        out = {}
        for table in tables:
            cur = con.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            out[table] = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        return out
    finally:
        con.close()


def _pg_values(database: str, tables: list[str]) -> dict[str, dict[str, list[Any]]]:
    import psycopg

    with psycopg.connect(**pg_params(database)) as con:
        out = {}
        for table in tables:
            cur = con.execute(f'SELECT * FROM "{table}"')
            names = [d.name for d in cur.description or []]
            rows = cur.fetchall()
            out[table] = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        return out


TABLES = ["staff", "customer"]


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    registry.registered_types()  # the real built-in workflows
    with TestClient(create_app(settings)) as c:
        yield c


def _register(api: TestClient, name: str, connection_type: str, config: dict[str, Any]) -> None:
    body = {"name": name, "connection_type": connection_type, "config": config}
    r = api.post(f"{BASE}/services", headers=ADMIN_A, json=body)
    assert r.status_code == 201, r.text


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sample(request: pytest.FixtureRequest, api: TestClient, tmp_path: Path) -> Iterator[Sample]:
    if request.param == "sqlite":
        path = tmp_path / "sample.db"
        generate_sample(f"sqlite:///{path}", scale=0.05)
        _register(api, "src", "sqlite", {"path": str(path)})
        yield Sample("src", "src.sample.main", _sqlite_values(path, TABLES))
        return
    import psycopg

    require_postgres()
    name = f"dr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        p = pg_params(name)
        generate_sample(f"postgresql://{p['user']}@{p['host']}:{p['port']}/{name}", scale=0.05)
        config = {"host": p["host"], "port": p["port"], "user": p["user"], "database": name}
        _register(api, "src", "postgres", config)
        yield Sample("src", f"src.{name}.public", _pg_values(name, TABLES))
    finally:
        with psycopg.connect(**pg_params(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(api: TestClient, workflow_type: str, fqn: str, **body: Any) -> dict[str, Any]:
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={"workflow_definition_id": str(builtin_definition_id(workflow_type))},
    )
    assert r.status_code == 201, r.text
    cid = r.json()["configuration_id"]
    r = api.post(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_A, json={"asset_fqn": fqn, **body})
    assert r.status_code == 201, r.text
    doc = wait_run(api, cid, r.json()["id"], timeout=120)
    assert doc["status"] == "completed", doc
    return doc


def _raw(values: list[Any]) -> set[str]:
    return {str(v) for v in values if isinstance(v, str) and len(v) >= 6}


def _found(doc: Any, values: set[str]) -> set[str]:
    text = json.dumps(doc)
    return {v for v in values if v in text}


def _stored_docs(api: TestClient, table_fqn: str) -> list[dict[str, Any]]:
    with engine_of(api).store.session() as s:
        rows = s.query(Profile).filter(Profile.table_fqn == table_fqn).all()
        return [dict(r.profile) for r in rows]


def _reads(api: TestClient, table: str, headers: dict[str, str]) -> list[Any]:
    """Every API read that carries the table's profile, as ``headers`` sees them."""
    out = []
    for url in (
        f"/assets/{table}/profile",
        f"/assets/{table}/profiles",
        f"/assets/{table}",
        f"/assets/{table}.email/profile",
        f"/assets/{table}.email",
        f"/assets/{table}.password/profile",
    ):
        r = api.get(BASE + url, headers=headers)
        assert r.status_code == 200, (url, r.text)
        out.append(r.json())
    return out


def test_viewer_sees_masked_emails_and_no_secret_admin_sees_emails(
    api: TestClient, sample: Sample
) -> None:
    staff = sample.table("staff")
    emails = _raw(sample.values["staff"]["email"])
    hashes = _raw(sample.values["staff"]["password"])
    assert emails and hashes
    run(api, "service-ingestion", sample.database_fqn)
    run(api, "profiling", staff)

    # written before any tag: the store holds the e-mails but never held the hashes
    stored = _stored_docs(api, staff)
    assert len(stored) == 1 and _found(stored, emails) == emails
    assert _found(stored, hashes) == set()
    # no tag yet: nothing says the e-mails are personal
    assert _found(_reads(api, staff, VIEWER), emails) == emails

    tagged = run(api, "generate-pii-tags", staff, save_all=True)
    assert tagged["output"]["tags_applied"] > 0
    tags = api.get(f"{BASE}/assets/{staff}.password/tags", headers=VIEWER).json()
    assert "PII.Secret" in {t["tag"] for t in tags}

    # the profile written before the tags is masked by them
    for role in ("viewer", "operator", "developer"):
        reads = _reads(api, staff, as_role(role))
        assert _found(reads, emails) == set(), role
        assert _found(reads, hashes) == set(), role
    profile = api.get(f"{BASE}/assets/{staff}/profile", headers=VIEWER).json()["profile"]
    columns = {c["name"]: c for c in profile["columns"]}
    email = columns["email"]
    assert email["masked"] == "personal" and len(email["top_values"]) == len(emails)
    assert all("***@" in t["value"] and t["count"] == 1 for t in email["top_values"])
    assert email["formats"]["email"] == 1.0 and email["distinct_count"] == len(emails)
    password = columns["password"]
    assert password["masked"] == "secret" and password["top_values"] == []
    assert password["patterns"] is None and password["distinct_count"] == len(hashes)
    assert columns["staff_id"]["masked"] is None  # untagged columns as they are

    admin = _reads(api, staff, ADMIN_A)
    assert _found(admin, emails) == emails
    assert _found(admin, hashes) == set()
    detail = api.get(f"{BASE}/assets/{staff}.email", headers=ADMIN_A).json()
    assert detail["profile"]["column"]["masked"] is None


def test_the_unmasked_role_is_a_setting(settings: Settings, tmp_path: Path) -> None:
    settings = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"unmasked_role": Role.DEVELOPER})}
    )
    registry.registered_types()
    path = tmp_path / "sample.db"
    generate_sample(f"sqlite:///{path}", scale=0.05)
    emails = _raw(_sqlite_values(path, ["customer"])["customer"]["email"])
    customer = "src.sample.main.customer"
    with TestClient(create_app(settings)) as api:
        _register(api, "src", "sqlite", {"path": str(path)})
        run(api, "service-ingestion", "src")
        run(api, "profiling", customer)
        r = api.put(f"{BASE}/assets/{customer}.email/tags/PII.Email", headers=DEVELOPER)
        assert r.status_code == 200, r.text
        url = f"{BASE}/assets/{customer}.email/profile"
        clear = api.get(url, headers=DEVELOPER).json()["column"]
        assert clear["masked"] is None
        assert {t["value"] for t in clear["top_values"]} <= emails
        assert len(_found(clear, emails)) == len(clear["top_values"]) == 10
        assert _found(api.get(url, headers=as_role("operator")).json(), emails) == set()
        removed = api.delete(f"{BASE}/assets/{customer}.email/tags/PII.Email", headers=DEVELOPER)
        assert removed.status_code == 200, removed.text
        assert len(_found(api.get(url, headers=as_role("viewer")).json(), emails)) == 10


def test_a_secret_tag_scrubs_stored_profiles(api: TestClient, sample: Sample) -> None:
    staff = sample.table("staff")
    usernames = _raw(sample.values["staff"]["username"])
    hashes = _raw(sample.values["staff"]["password"])
    assert usernames
    run(api, "service-ingestion", sample.database_fqn)
    run(api, "profiling", staff)
    run(api, "profiling", staff)
    assert _found(_stored_docs(api, staff), usernames)

    # a person says the usernames are secrets: every stored profile loses them, at once
    r = api.put(f"{BASE}/assets/{staff}.username/tags/PII.Secret", headers=DEVELOPER)
    assert r.status_code == 200, r.text
    stored = _stored_docs(api, staff)
    assert len(stored) == 2 and _found(stored, usernames) == set()
    assert _found(_reads(api, staff, ADMIN_A), usernames) == set()

    # a profile stored by an older version, with the hashes in it
    doc = json.loads(json.dumps(stored[0]))
    password = next(c for c in doc["columns"] if c["name"] == "password")
    password["top_values"] = [{"value": h, "count": 1} for h in sorted(hashes)]
    password["masked"] = None
    with engine_of(api).store.session() as s:
        profiles_q.add_profile(s, Tenant(*TENANT_A), table_fqn=staff, run_id=None, profile=doc)
    assert _found(_stored_docs(api, staff), hashes) == hashes
    assert _found(_reads(api, staff, ADMIN_A), hashes) == set()  # read time strips them

    # classification tags the password column a secret: the store stops holding the hashes
    tagged = run(api, "generate-pii-tags", staff, save_all=True)
    assert tagged["output"]["profiles_scrubbed"] >= 1
    assert _found(_stored_docs(api, staff), hashes) == set()
