"""FQNs in ``/assets`` paths: a slash written ``%2F`` belongs to the name, a literal slash
separates a sub-resource; sub-resources of an unknown asset are 404."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, as_role, assert_envelope, wait_run

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.settings import Settings
from dataready.workflows import registry

SCHEMA = "s.s.main"
# tables whose names end like the sub-resources, next to the tables they seem to address
TABLES = ["a", "a/profile", "b/tags", "x/profiles", "c/d"]


@pytest.fixture
def api(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    registry.registered_types()
    path = tmp_path / "s.db"
    con = sqlite3.connect(path)
    for i, name in enumerate(TABLES):
        con.execute(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, v{i} TEXT)')
        con.executemany(f'INSERT INTO "{name}" VALUES (?, ?)', [(k, name) for k in range(1, 4 + i)])
    con.commit()
    con.close()
    with TestClient(create_app(settings)) as c:
        body = {"name": "s", "connection_type": "sqlite", "config": {"path": str(path)}}
        assert c.post(f"{BASE}/services", headers=ADMIN_A, json=body).status_code == 201
        for workflow_type, fqn in (("service-ingestion", "s"), ("profiling", SCHEMA)):
            _run(c, workflow_type, fqn)
        yield c


def _run(api: TestClient, workflow_type: str, fqn: str) -> None:
    body = {"workflow_definition_id": str(builtin_definition_id(workflow_type))}
    cid = api.post(f"{BASE}/workflows", headers=ADMIN_A, json=body).json()["configuration_id"]
    r = api.post(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_A, json={"asset_fqn": fqn})
    assert r.status_code == 201, r.text
    assert wait_run(api, cid, r.json()["id"], timeout=60)["status"] == "completed"


def get(api: TestClient, path: str) -> Any:
    r = api.get(f"{BASE}/assets/{path}", headers=as_role("viewer"))
    assert r.status_code == 200, (path, r.text)
    return r.json()


def test_a_table_named_like_a_sub_resource_is_read_by_its_encoded_fqn(api: TestClient) -> None:
    asset = get(api, f"{SCHEMA}.a%2Fprofile")
    assert (asset["fqn"], asset["asset_type"]) == (f"{SCHEMA}.a/profile", "table")
    assert asset["profile"]["table_fqn"] == f"{SCHEMA}.a/profile"
    assert [c["name"] for c in asset["children"]] == ["id", "v1"]
    assert get(api, f"{SCHEMA}.b%2Ftags")["fqn"] == f"{SCHEMA}.b/tags"
    assert get(api, f"{SCHEMA}.x%2Fprofiles")["fqn"] == f"{SCHEMA}.x/profiles"
    assert get(api, f"{SCHEMA}.c%2Fd")["fqn"] == get(api, f"{SCHEMA}.c/d")["fqn"]
    assert get(api, f"{SCHEMA}.a%2Fprofile.v1")["fqn"] == f"{SCHEMA}.a/profile.v1"


def test_the_sub_resources_of_both_tables(api: TestClient) -> None:
    # a literal slash: the profile of the table ``a``
    profile = get(api, f"{SCHEMA}.a/profile")
    assert profile["table_fqn"] == f"{SCHEMA}.a" and profile["profile"]["row_count"] == 3
    # the table ``a/profile`` and its own sub-resources
    profile = get(api, f"{SCHEMA}.a%2Fprofile/profile")
    assert profile["table_fqn"] == f"{SCHEMA}.a/profile" and profile["profile"]["row_count"] == 4
    history = get(api, f"{SCHEMA}.a%2Fprofile/profiles")
    assert history["total"] == 1 and history["items"][0]["table_fqn"] == f"{SCHEMA}.a/profile"
    column = get(api, f"{SCHEMA}.a%2Fprofile.v1/profile")
    assert column["column"]["name"] == "v1"
    assert get(api, f"{SCHEMA}.x%2Fprofiles/profiles")["total"] == 1
    assert get(api, f"{SCHEMA}.b%2Ftags/tags") == []

    r = api.put(f"{BASE}/assets/{SCHEMA}.b%2Ftags/tags/Team.Sales", headers=ADMIN_A)
    assert r.status_code == 200, r.text
    assert r.json()["asset_fqn"] == f"{SCHEMA}.b/tags"
    assert [t["tag"] for t in get(api, f"{SCHEMA}.b%2Ftags/tags")] == ["Team.Sales"]
    assert [t["tag"] for t in get(api, f"{SCHEMA}.b%2Ftags")["tags"]] == ["Team.Sales"]
    r = api.delete(f"{BASE}/assets/{SCHEMA}.b%2Ftags/tags/Team.Sales", headers=ADMIN_A)
    assert r.status_code == 200 and r.json()["state"] == "removed"
    # the tag's own slash written %2F does not address the tag sub-resource
    r = api.put(f"{BASE}/assets/{SCHEMA}.b%2Ftags%2FTeam.Sales", headers=ADMIN_A)
    assert r.status_code in (404, 405), r.text


def test_a_literal_slash_before_a_sub_resource_name_says_how_to_reach_the_table(
    api: TestClient,
) -> None:
    # ``x`` does not exist, ``x/profiles`` does: the answer says to write %2F
    error = assert_envelope(
        api.get(f"{BASE}/assets/{SCHEMA}.x/profiles", headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND"
    )
    assert "%2F" in error["message"] and "x/profiles" in error["message"]


@pytest.mark.parametrize("suffix", ["profile", "profiles", "tags"])
def test_sub_resources_of_an_unknown_asset_are_404(api: TestClient, suffix: str) -> None:
    for fqn in ("nope.db.main.t", f"{SCHEMA}.missing", f"{SCHEMA}.a.no_such_column"):
        r = api.get(f"{BASE}/assets/{fqn}/{suffix}", headers=ADMIN_A)
        error = assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
        assert fqn in error["message"]
