"""Run targets checked against the catalogue, config schemas, service names and scope
(issue 9, items 14, 15 and 21), on both stores, with the real built-in workflows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from tests.api.conftest import ADMIN_A, ADMIN_B, BASE, assert_envelope, ingest
from tests.conftest import _fresh_pg_database

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.settings import Settings
from dataready.workflows import registry

PROFILING = str(builtin_definition_id("profiling"))
INGESTION = str(builtin_definition_id("service-ingestion"))


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """An app with the real built-in workflows."""
    registry.registered_types()
    assert registry._REGISTRY["profiling"].__module__.startswith("dataready.")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def shop(api: TestClient, tmp_path: Path) -> str:
    """A SQLite source ``shop`` with tables customer and orders, ingested."""
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER)")
    con.commit()
    con.close()
    r = api.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": "shop", "connection_type": "sqlite", "config": {"path": str(path)}},
    )
    assert r.status_code == 201, r.text
    assert ingest(api, "shop")["status"] == "completed"
    return "shop.shop.main"


def configuration(api: TestClient, definition: str, config: dict[str, Any] | None = None) -> str:
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={"workflow_definition_id": definition, "config": config or {}},
    )
    assert r.status_code == 201, r.text
    cid: str = r.json()["configuration_id"]
    return cid


def post_run(api: TestClient, cid: str, fqn: str, **parameters: Any) -> Any:
    body = {"asset_fqn": fqn, "parameters": parameters}
    return api.post(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_A, json=body)


def run_count(api: TestClient) -> int:
    total: int = api.get(f"{BASE}/runs", headers=ADMIN_A).json()["total"]
    return total


# -- item 14: targets ------------------------------------------------------------------------


def test_a_mistyped_table_is_refused_naming_the_closest(api: TestClient, shop: str) -> None:
    before = run_count(api)
    cid = configuration(api, PROFILING)
    error = assert_envelope(post_run(api, cid, f"{shop}.custmer"), 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == [f"{shop}.customer"]
    assert error["details"]["field"] == "asset_fqn"
    assert f"did you mean {shop}.customer" in error["message"]
    # a schema-level typo is matched against schemas; nothing close: no suggestion
    error = assert_envelope(post_run(api, cid, "shop.shop.mian"), 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == ["shop.shop.main"]
    error = assert_envelope(post_run(api, cid, "zzz.qqq.www.xxx"), 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == []
    assert run_count(api) == before  # nothing was created
    assert post_run(api, cid, f"{shop}.customer").status_code == 201


def test_a_target_of_another_tenant_is_not_in_the_catalogue(api: TestClient, shop: str) -> None:
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_B,
        json={"workflow_definition_id": PROFILING},
    )
    cid = r.json()["configuration_id"]
    body = {"asset_fqn": f"{shop}.customer"}
    r = api.post(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_B, json=body)
    error = assert_envelope(r, 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == []  # A's names are never suggested to B


def test_ingestion_targets_a_registered_service(api: TestClient, shop: str) -> None:
    cid = configuration(api, INGESTION)
    error = assert_envelope(post_run(api, cid, "shp"), 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == ["shop"]
    assert "no service named 'shp'" in error["message"]
    error = assert_envelope(post_run(api, cid, "shpo.shop.main"), 422, "TARGET_NOT_FOUND")
    assert error["details"]["closest"] == ["shop"]
    # a database not yet catalogued is fine: ingestion is what catalogues it
    assert post_run(api, cid, "shop.shop").status_code == 201


# -- item 15: config schemas -----------------------------------------------------------------


def test_definitions_expose_their_config_schema(api: TestClient) -> None:
    doc = api.get(f"{BASE}/workflows/definitions/{PROFILING}", headers=ADMIN_A).json()
    schema = doc["config_schema"]
    assert schema["additionalProperties"] is False
    assert {"sample_rows", "sample_percent", "allow_estimates"} <= set(schema["properties"])
    listed = api.get(f"{BASE}/workflows/definitions?limit=50", headers=ADMIN_A).json()["items"]
    assert all(d["config_schema"] is not None for d in listed)  # every built-in type has one
    enrichment = [d for d in listed if d["workflow_type"] == "generate-table-description"]
    assert "llm" in enrichment[0]["config_schema"]["properties"]  # no implementation yet


def test_configuration_config_is_checked_on_create_and_patch(api: TestClient) -> None:
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={"workflow_definition_id": PROFILING, "config": {"sample_rows": "abc"}},
    )
    error = assert_envelope(r, 422, "INVALID_CONFIG", "config.sample_rows")
    assert error["details"]["errors"][0]["field"] == "config.sample_rows"
    assert "sample_rows" in error["details"]["known_keys"]
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={"workflow_definition_id": PROFILING, "config": {"nosuchkey": 1}},
    )
    error = assert_envelope(r, 422, "INVALID_CONFIG", "config.nosuchkey: unknown key")
    assert "known keys: " in error["message"] and "top_n" in error["message"]
    cid = configuration(api, PROFILING, {"sample_rows": "5000"})
    doc = api.get(f"{BASE}/workflows/{cid}", headers=ADMIN_A).json()
    assert doc["config"] == {"sample_rows": 5000}  # coerced by the schema
    r = api.patch(f"{BASE}/workflows/{cid}", headers=ADMIN_A, json={"config": {"top_n": 0}})
    assert_envelope(r, 422, "INVALID_CONFIG", "config.top_n")
    r = api.patch(f"{BASE}/workflows/{cid}", headers=ADMIN_A, json={"config": {"top_n": 5}})
    assert r.status_code == 200 and r.json()["config"] == {"top_n": 5}


def test_definition_default_config_is_checked(api: TestClient) -> None:
    body = {"name": "mine", "workflow_type": "profiling", "default_config": {"samples": 3}}
    r = api.post(f"{BASE}/workflows/definitions", headers=ADMIN_A, json=body)
    assert_envelope(r, 422, "INVALID_CONFIG", "default_config.samples")


def test_run_parameters_are_checked_with_the_config(api: TestClient, shop: str) -> None:
    before = run_count(api)
    cid = configuration(api, PROFILING)
    r = post_run(api, cid, f"{shop}.customer", nosuchkey=1)
    assert_envelope(r, 422, "INVALID_CONFIG", "parameters.nosuchkey: unknown key")
    r = post_run(api, cid, f"{shop}.customer", sample_rows="abc")
    assert_envelope(r, 422, "INVALID_CONFIG", "parameters.sample_rows")
    assert run_count(api) == before
    r = post_run(api, cid, f"{shop}.customer", sample_rows="5")
    assert r.status_code == 201, r.text
    run = api.get(f"{BASE}/workflows/{cid}/runs/{r.json()['id']}", headers=ADMIN_A).json()
    assert run["input"]["parameters"] == {"sample_rows": 5}


# -- item 21: service names, names in paths --------------------------------------------------


@pytest.mark.parametrize(
    "name", ["my.db", "my db", "a[1]", "x" * 65, "123e4567-e89b-12d3-a456-426614174000", ""]
)
def test_service_names_that_break_fqns_are_refused(
    api: TestClient, tmp_path: Path, name: str
) -> None:
    body = {"name": name, "connection_type": "sqlite", "config": {"path": str(tmp_path / "x")}}
    r = api.post(f"{BASE}/services", headers=ADMIN_A, json=body)
    assert_envelope(r, 422, "VALIDATION_ERROR", "body.name")
    assert api.get(f"{BASE}/services", headers=ADMIN_A).json()["total"] == 0


def test_service_routes_take_a_name_or_an_id(api: TestClient, shop: str) -> None:
    by_name = api.get(f"{BASE}/services/shop", headers=ADMIN_A)
    assert by_name.status_code == 200, by_name.text
    sid = by_name.json()["id"]
    assert api.get(f"{BASE}/services/{sid}", headers=ADMIN_A).json()["name"] == "shop"
    assert_envelope(api.get(f"{BASE}/services/shop", headers=ADMIN_B), 404, "RESOURCE_NOT_FOUND")
    r = api.patch(f"{BASE}/services/shop", headers=ADMIN_A, json={"description": "the shop"})
    assert r.status_code == 200 and r.json()["description"] == "the shop"
    assert_envelope(api.delete(f"{BASE}/services/shop", headers=ADMIN_B), 404, "RESOURCE_NOT_FOUND")
    assert api.delete(f"{BASE}/services/shop", headers=ADMIN_A).status_code == 204
    assert_envelope(api.get(f"{BASE}/services/{sid}", headers=ADMIN_A), 404, "RESOURCE_NOT_FOUND")


# -- item 21: a PostgreSQL URL's database limits the service to it ---------------------------


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases on one server, each with one table."""
    first = _fresh_pg_database()
    second = _fresh_pg_database()
    urls = (next(first), next(second))
    try:
        for url, table in zip(urls, ("alpha", "beta"), strict=True):
            with psycopg.connect(url.replace("+psycopg", "")) as con:
                con.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
        yield urls
    finally:
        for gen in (first, second):
            gen.close()


@pytest.mark.postgres
def test_a_postgres_url_naming_a_database_ingests_only_it(
    api: TestClient, two_databases: tuple[str, str]
) -> None:
    one, other = (make_url(u) for u in two_databases)
    url = f"postgresql://{one.username or 'postgres'}@{one.host}:{one.port or 5432}/{one.database}"
    body = {"name": "pg", "connection_type": "sqlalchemy", "config": {"url": url}}
    r = api.post(f"{BASE}/services", headers=ADMIN_A, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["config"]["all_databases"] is False
    run = ingest(api, "pg")
    assert run["status"] == "completed", run
    databases = api.get(f"{BASE}/assets?fqn=pg&type=database", headers=ADMIN_A).json()
    assert [a["fqn"] for a in databases["items"]] == [f"pg.{one.database}"]
    tables = api.get(f"{BASE}/assets?fqn=pg&type=table", headers=ADMIN_A).json()
    assert [a["fqn"] for a in tables["items"]] == [f"pg.{one.database}.public.alpha"]
    # the other database is outside the service unless it says all_databases
    run = ingest(api, f"pg.{other.database}")
    assert run["status"] == "failed" and "all_databases" in run["error_message"], run
    r = api.patch(f"{BASE}/services/pg", headers=ADMIN_A, json={"config": {"all_databases": True}})
    assert r.status_code == 200 and r.json()["config"]["all_databases"] is True
    assert ingest(api, f"pg.{other.database}")["status"] == "completed"
    tables = api.get(f"{BASE}/assets?fqn=pg&type=table", headers=ADMIN_A).json()
    assert f"pg.{other.database}.public.beta" in [a["fqn"] for a in tables["items"]]
