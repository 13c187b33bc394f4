"""What a source may be, through the API, on both stores (issue 8, items 1, 4 and 12).

A tenant must not read the store (other tenants' rows) by registering it as a source, nor
probe the server's files: refused paths all get one answer. Generic SQLAlchemy sources need
the admin role; an unknown connection type is a 422 naming the field, never a 500.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from tests.api.conftest import ADMIN_A, BASE, as_role, assert_envelope, engine_of, ingest

from dataready.settings import Settings

DEVELOPER = as_role("developer")


def _sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS customer (id INTEGER PRIMARY KEY, email TEXT)")
    con.close()
    return path


def test_refused_paths_get_one_answer_everywhere(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    # the key exists once a credential was stored; the store file on the SQLite variant
    r = client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": "keyed", "connection_type": "postgres", "credentials": {"password": "x"}},
    )
    assert r.status_code == 201, r.text
    data = settings.data_dir
    assert (data / "secret.key").is_file()
    refused = ["/etc/passwd", "/nonexistent/shop.db", str(data / "secret.key")]
    refused += [str(_sqlite(data / "copy.db")), str(data / "missing.db")]
    store = make_url(settings.database_url)
    if store.get_backend_name() == "sqlite":
        assert Path(str(store.database)).is_file()
        refused.append(str(store.database))
    link = tmp_path / "innocent.db"
    link.symlink_to(refused[-1])
    refused.append(str(link))
    ok = _sqlite(tmp_path / "ok.db")
    r = client.post(
        f"{BASE}/services",
        headers=DEVELOPER,
        json={"name": "ok", "connection_type": "sqlite", "config": {"path": str(ok)}},
    )
    assert r.status_code == 201, r.text
    ok_id = r.json()["id"]
    messages = set()
    for path in refused:
        for kind in ("sqlite", "duckdb"):
            body = {"connection_type": kind, "config": {"path": path}}
            for r in (
                client.post(f"{BASE}/services/verify", headers=DEVELOPER, json=body),
                client.post(f"{BASE}/services", headers=DEVELOPER, json={**body, "name": "s"}),
                client.patch(f"{BASE}/services/{ok_id}", headers=DEVELOPER, json=body),
            ):
                error = assert_envelope(r, 422, "SOURCE_NOT_ALLOWED", "config.path")
                assert error["details"] == {"field": "config.path"}
                messages.add(error["message"])
    assert len(messages) == 1, messages  # nothing tells a missing file from a present one
    (message,) = messages
    assert "passwd" not in message and "exist" not in message and "database" not in message
    again = client.get(f"{BASE}/services/{ok_id}", headers=ADMIN_A).json()
    assert again["config"]["path"] == str(ok)  # the refused PATCH changed nothing
    assert client.get(f"{BASE}/services", headers=ADMIN_A).json()["total"] == 2


def test_a_file_source_is_checked_again_when_a_run_opens_it(
    client: TestClient, tmp_path: Path
) -> None:
    path = _sqlite(tmp_path / "shop.db")
    r = client.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": "shop", "connection_type": "sqlite", "config": {"path": str(path)}},
    )
    assert r.status_code == 201, r.text
    settings = engine_of(client).settings
    before = settings.sources.file_roots
    settings.sources.file_roots = [tmp_path / "elsewhere"]  # the operator narrowed the roots
    try:
        run = ingest(client, "shop")
    finally:
        settings.sources.file_roots = before
    assert run["status"] == "failed"
    assert "not in a directory this server allows" in (run["error_message"] or ""), run
    assert ingest(client, "shop")["status"] == "completed"


def test_the_store_database_cannot_be_registered(client: TestClient, settings: Settings) -> None:
    store = make_url(settings.database_url)
    if store.get_backend_name() != "postgresql":
        pytest.skip("the store is a SQLite file here (its refusal is tested above)")
    db = store.database
    for host in ("127.0.0.1", "localhost", "::1"):
        body = {
            "connection_type": "postgres",
            "config": {"host": host, "port": store.port or 5432, "database": db},
            "credentials": {"username": "postgres"},
        }
        assert_envelope(
            client.post(f"{BASE}/services/verify", headers=DEVELOPER, json=body),
            422,
            "SOURCE_NOT_ALLOWED",
            "config.database",
        )
        assert_envelope(
            client.post(f"{BASE}/services", headers=DEVELOPER, json={**body, "name": "x"}),
            422,
            "SOURCE_NOT_ALLOWED",
        )
    url = {"url": f"postgresql://postgres@localhost:{store.port or 5432}/{db}"}
    assert_envelope(
        client.post(
            f"{BASE}/services",
            headers=ADMIN_A,
            json={"name": "u", "connection_type": "sqlalchemy", "config": url},
        ),
        422,
        "SOURCE_NOT_ALLOWED",
    )
    # the server's other databases may be a source, but FQNs naming the store stay refused
    r = client.post(
        f"{BASE}/services",
        headers=DEVELOPER,
        json={
            "name": "pg",
            "connection_type": "postgres",
            "config": {
                "host": "127.0.0.1",
                "port": store.port or 5432,
                "database": "postgres",
                "all_databases": True,
            },
            "credentials": {"username": "postgres"},
        },
    )
    assert r.status_code == 201, r.text
    run = ingest(client, f"pg.{db}")
    assert run["status"] == "failed", run  # the service does not even list it
    assert f"database {db!r} is not a database of service 'pg'" in (run["error_message"] or "")
    assert client.get(f"{BASE}/assets?fqn=pg.{db}", headers=ADMIN_A).json()["total"] == 0


def test_generic_sqlalchemy_sources_need_the_admin_role(client: TestClient, tmp_path: Path) -> None:
    trino = {
        "connection_type": "trino",
        "config": {"host": "192.0.2.1", "port": 8080, "database": "hive"},
    }
    for r in (
        client.post(f"{BASE}/services", headers=DEVELOPER, json={**trino, "name": "t"}),
        client.post(f"{BASE}/services/verify", headers=DEVELOPER, json=trino),
    ):
        error = assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS", "admin")
        assert error["details"]["required_role"] == "admin"
    r = client.post(f"{BASE}/services", headers=ADMIN_A, json={**trino, "name": "t"})
    assert r.status_code == 201 and r.json()["connection_type"] == "sqlalchemy", r.text
    # a URL with a native connector is not generic: a developer may register it
    path = _sqlite(tmp_path / "n.db")
    r = client.post(
        f"{BASE}/services",
        headers=DEVELOPER,
        json={
            "name": "native",
            "connection_type": "sqlalchemy",
            "config": {"url": f"sqlite:///{path}"},
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["connection_type"] == "sqlite" and r.json()["config"]["path"] == str(path)
    # nor may a developer turn a service into a generic one
    r = client.patch(f"{BASE}/services/{r.json()['id']}", headers=DEVELOPER, json=trino)
    assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")


@pytest.mark.parametrize("kind", ["nosuch", "a b", "sqlite3", "x" * 64])
def test_an_unknown_connection_type_is_422_naming_the_field(client: TestClient, kind: str) -> None:
    body = {"connection_type": kind, "config": {"host": "h"}}
    for r in (
        client.post(f"{BASE}/services/verify", headers=ADMIN_A, json=body),
        client.post(f"{BASE}/services", headers=ADMIN_A, json={**body, "name": "n"}),
    ):
        error = assert_envelope(r, 422, "VALIDATION_ERROR", "connection_type")
        assert error["details"]["field"] == "connection_type"


def test_a_known_dialect_without_its_package_is_a_failed_verify(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/services/verify",
        headers=ADMIN_A,
        json={"connection_type": "snowflake", "config": {"host": "acct", "database": "db"}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["success"] is False
    assert r.json()["details"]["code"] == "MISSING_DEPENDENCY"
    assert "dataready[snowflake]" in r.json()["message"]
