"""The real tagging workflows through the API (no fakes): run creation checks, approval,
the tags API with people's decisions, sensitivity overrides, DQ tags, failures, and the
contract's headline example on sakila in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE, as_role, assert_envelope, wait_run
from tests.workflows.conftest import dvdrental  # noqa: F401  (fixture)
from tests.workflows.tagging_sources import (
    SCHEMA,
    SERVICE,
    copy_sample,
    execute,
    make_template,
)

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.settings import Settings
from dataready.workflows import registry

CUSTOMER = f"{SCHEMA}.customer"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """An app with the real built-in workflows (the ``client`` fixture installs fakes)."""
    registry.registered_types()
    assert registry._REGISTRY["generate-pii-tags"].__module__.startswith("dataready.")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def source(api: TestClient, template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample, registered through the API and ingested."""
    path = copy_sample(template, tmp_path)
    r = api.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={"name": SERVICE, "connection_type": "sqlite", "config": {"path": str(path)}},
    )
    assert r.status_code == 201, r.text
    assert run(api, "service-ingestion", SERVICE)["status"] == "completed"
    return path


def configure(api: TestClient, workflow_type: str, config: dict[str, Any] | None = None) -> str:
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={
            "workflow_definition_id": str(builtin_definition_id(workflow_type)),
            "config": config or {},
        },
    )
    assert r.status_code == 201, r.text
    configuration_id: str = r.json()["configuration_id"]
    return configuration_id


def create_run(
    api: TestClient,
    workflow_type: str,
    fqn: str,
    *,
    config: dict[str, Any] | None = None,
    save_all: bool = False,
    **parameters: Any,
) -> tuple[str, Any]:
    """A new configuration and a POSTed run: its id and the response (not yet checked)."""
    cid = configure(api, workflow_type, config)
    body = {"asset_fqn": fqn, "parameters": parameters, "save_all": save_all}
    return cid, api.post(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_A, json=body)


def run(api: TestClient, workflow_type: str, fqn: str, **kwargs: Any) -> dict[str, Any]:
    """Create a run, wait for its end, and return its document."""
    cid, r = create_run(api, workflow_type, fqn, **kwargs)
    assert r.status_code == 201, r.text
    return wait_run(api, cid, r.json()["id"], timeout=120)


def refused(api: TestClient, workflow_type: str, fqn: str, **kwargs: Any) -> Any:
    """Create a run that must be refused; the configuration is left without runs."""
    cid, r = create_run(api, workflow_type, fqn, **kwargs)
    runs = api.get(f"{BASE}/workflows/{cid}/runs", headers=ADMIN_A).json()
    assert runs["total"] == 0, runs
    return r


def approval_url(doc: dict[str, Any]) -> str:
    return f"{BASE}/workflows/runs/{doc['id']}/approval"


def reread(api: TestClient, doc: dict[str, Any]) -> dict[str, Any]:
    r = api.get(f"{BASE}/workflows/{doc['configuration_id']}/runs/{doc['id']}", headers=ADMIN_A)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def tags_of(api: TestClient, fqn: str, *, removed: bool = False) -> dict[str, dict[str, Any]]:
    query = "?include_removed=true" if removed else ""
    r = api.get(f"{BASE}/assets/{fqn}/tags{query}", headers=as_role("viewer"))
    assert r.status_code == 200, r.text
    return {t["tag"]: t for t in r.json()}


def tagged_assets(api: TestClient, tag: str) -> set[str]:
    r = api.get(f"{BASE}/assets?tag={tag}&limit=500", headers=ADMIN_A)
    assert r.status_code == 200, r.text
    return {a["fqn"].removeprefix(SCHEMA + ".") for a in r.json()["items"]}


# -- run creation ---------------------------------------------------------------------------


def test_bad_config_is_refused_at_run_creation_naming_the_field(api: TestClient) -> None:
    fqn = CUSTOMER  # nothing is catalogued: validation comes before any work
    r = refused(api, "generate-pii-tags", fqn, confidence_threshold=2)
    assert_envelope(r, 422, "INVALID_CONFIG", "parameters.confidence_threshold")
    # a configuration's config is checked when it is written
    r = api.post(
        f"{BASE}/workflows",
        headers=ADMIN_A,
        json={
            "workflow_definition_id": str(builtin_definition_id("generate-pii-tags")),
            "config": {"confidence_threshold": "high"},
        },
    )
    assert_envelope(r, 422, "INVALID_CONFIG", "config.confidence_threshold")
    r = refused(
        api, "generate-sensitivity-tags", fqn, level_overrides={"levels": {"Emale": "Restricted"}}
    )
    assert "Emale" in assert_envelope(r, 422, "VALIDATION_ERROR")["message"]
    r = refused(api, "generate-sensitivity-tags", fqn, config={"level_overrides": {"hue": 1}})
    assert "hue" in assert_envelope(r, 422, "VALIDATION_ERROR")["message"]
    r = refused(api, "generate-sensitivity-tags", fqn, level_overrides="Restricted")
    assert_envelope(r, 422, "INVALID_CONFIG", "parameters.level_overrides")
    r = refused(api, "generate-dq-tags", fqn, null_rate_threshold=-1)
    assert_envelope(r, 422, "INVALID_CONFIG", "null_rate_threshold")
    r = refused(api, "generate-pii-tags", f"{SERVICE}.sample")  # a database: not a target
    assert_envelope(r, 422, "VALIDATION_ERROR", "asset_fqn")


def test_high_threshold_applies_nothing(api: TestClient, source: Path) -> None:
    doc = run(api, "generate-pii-tags", CUSTOMER, save_all=True, confidence_threshold=0.999)
    assert doc["status"] == "completed" and doc["output"]["tags_applied"] == 0
    assert tags_of(api, f"{CUSTOMER}.email") == {}


# -- approval -------------------------------------------------------------------------------


def test_approval_for_real(api: TestClient, source: Path) -> None:
    doc = run(api, "generate-pii-tags", CUSTOMER)
    assert doc["status"] == "completed", doc
    assert doc["output"]["tags_proposed"] > 0 and "tags_applied" not in doc["output"]
    assert tags_of(api, f"{CUSTOMER}.email") == {} and tags_of(api, CUSTOMER) == {}
    pending = api.get(approval_url(doc), headers=as_role("viewer")).json()
    assert pending["status"] == "pending" and pending["auto_saved"] is False

    for role in ("viewer", "developer"):
        r = api.patch(approval_url(doc), json={"action": "approve"}, headers=as_role(role))
        assert_envelope(r, 403, "INSUFFICIENT_PERMISSIONS")
    assert tags_of(api, f"{CUSTOMER}.email") == {}

    r = api.patch(approval_url(doc), json={"action": "approve"}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    changes = r.json()["changes_applied"]
    assert changes["tags_applied"] == doc["output"]["tags_proposed"] == len(changes["tag_ids"])
    assert reread(api, doc)["output"]["tags_applied"] == changes["tags_applied"]
    email = tags_of(api, f"{CUSTOMER}.email")
    assert set(email) == {"PII.Email", "PII.Sensitive"}
    tag = email["PII.Email"]
    assert (tag["source"], tag["state"], tag["workflow_type"]) == (
        "machine",
        "applied",
        "generate-pii-tags",
    )
    assert tag["run_id"] == doc["id"] and 0.8 <= tag["confidence"] <= 1.0
    assert tag["evidence"]["values"]["pattern"] == "email"
    assert {f"customer.{c}" for c in ("first_name", "last_name", "email")} == (
        tagged_assets(api, "PII.FirstName")
        | tagged_assets(api, "PII.LastName")
        | tagged_assets(api, "PII.Email")
    )
    assert_envelope(
        api.patch(approval_url(doc), json={"action": "approve"}, headers=ADMIN_A),
        409,
        "INVALID_STATE_TRANSITION",
    )

    # another run, rejected: nothing applied
    rejected = run(api, "generate-pii-tags", f"{SCHEMA}.staff")
    r = api.patch(approval_url(rejected), json={"action": "reject"}, headers=ADMIN_A)
    assert r.status_code == 200 and r.json()["changes_applied"] == {"proposals_discarded": 1}
    assert "tags_applied" not in reread(api, rejected)["output"]
    assert tags_of(api, f"{SCHEMA}.staff.password") == {} and tags_of(api, f"{SCHEMA}.staff") == {}

    # save_all: applied at once, the approval auto-saved
    saved = run(api, "generate-pii-tags", f"{SCHEMA}.staff", save_all=True)
    assert saved["output"]["tags_applied"] == saved["output"]["tags_proposed"] > 0
    auto = api.get(approval_url(saved), headers=ADMIN_A).json()
    assert auto["status"] == "approved" and auto["auto_saved"] is True
    assert tags_of(api, f"{SCHEMA}.staff.password")["PII.Secret"]["run_id"] == saved["id"]
    assert_envelope(
        api.patch(approval_url(saved), json={"action": "approve"}, headers=ADMIN_A),
        409,
        "INVALID_STATE_TRANSITION",
    )


def test_person_decisions_are_never_overturned(api: TestClient, source: Path) -> None:
    first = run(api, "generate-pii-tags", CUSTOMER, save_all=True)
    assert "PII.FirstName" in tags_of(api, f"{CUSTOMER}.first_name")
    r = api.delete(f"{BASE}/assets/{CUSTOMER}.first_name/tags/PII.FirstName", headers=ADMIN_A)
    assert r.status_code == 200 and (r.json()["source"], r.json()["state"]) == (
        "person",
        "removed",
    )
    r = api.put(
        f"{BASE}/assets/{CUSTOMER}.create_date/tags/PII.DateOfBirth",
        headers=as_role("developer"),
        json={"note": "sign-up date doubles as birthday in this shop"},
    )
    assert r.status_code == 200 and r.json()["source"] == "person", r.text
    # the source changes behind dataready's back: e-mail values are gone
    execute(source, "UPDATE customer SET email = 'customer ' || customer_id")
    assert run(api, "service-ingestion", SERVICE)["status"] == "completed"

    second = run(api, "generate-pii-tags", CUSTOMER)
    decided = api.patch(approval_url(second), json={"action": "approve"}, headers=ADMIN_A)
    assert decided.status_code == 200, decided.text
    changes = decided.json()["changes_applied"]
    assert changes["tags_kept_by_person"] == 1 and changes["tags_withdrawn"] == 2
    assert reread(api, second)["output"]["tags_withdrawn"] == 2

    assert "PII.FirstName" not in tags_of(api, f"{CUSTOMER}.first_name")
    removed = tags_of(api, f"{CUSTOMER}.first_name", removed=True)["PII.FirstName"]
    assert (removed["source"], removed["state"]) == ("person", "removed")
    assert removed["run_id"] == first["id"]  # the later run did not touch it
    hand = tags_of(api, f"{CUSTOMER}.create_date")["PII.DateOfBirth"]
    assert (hand["source"], hand["state"]) == ("person", "applied")
    assert hand["evidence"]["note"].startswith("sign-up date")
    assert tags_of(api, f"{CUSTOMER}.email") == {}
    withdrawn = tags_of(api, f"{CUSTOMER}.email", removed=True)["PII.Email"]
    assert (withdrawn["source"], withdrawn["state"]) == ("machine", "withdrawn")
    assert withdrawn["run_id"] == second["id"]
    # the table's PII.Sensitive follows people's decisions on its columns: not first_name
    # (its PII.FirstName was removed), but create_date (a person's PII.DateOfBirth)
    assert tags_of(api, CUSTOMER)["PII.Sensitive"]["evidence"]["sensitive_columns"] == [
        "create_date",
        "last_name",
    ]


# -- sensitivity and DQ ---------------------------------------------------------------------


def level(api: TestClient, fqn: str) -> str:
    names = [t for t in tags_of(api, fqn) if t.startswith("Sensitivity.")]
    assert len(names) == 1, names
    return names[0].removeprefix("Sensitivity.")


def test_sensitivity_tags_and_overrides(api: TestClient, source: Path) -> None:
    doc = run(api, "generate-sensitivity-tags", SCHEMA, save_all=True)
    assert doc["status"] == "completed" and doc["output"]["tasks_failed"] == 0
    assert level(api, f"{CUSTOMER}.email") == "Confidential"
    assert level(api, f"{SCHEMA}.staff.password") == "Restricted"
    assert level(api, f"{SCHEMA}.staff") == "Restricted"
    assert level(api, f"{SCHEMA}.film.title") == "Internal"
    staff = tags_of(api, f"{SCHEMA}.staff")["Sensitivity.Restricted"]
    assert staff["evidence"]["columns"] == ["password"]

    cfg = {"level_overrides": {"levels": {"PII.Email": "Restricted"}}}
    doc = run(api, "generate-sensitivity-tags", CUSTOMER, config=cfg)
    assert level(api, f"{CUSTOMER}.email") == "Confidential"  # waits for approval
    r = api.patch(approval_url(doc), json={"action": "approve"}, headers=ADMIN_A)
    assert r.status_code == 200, r.text
    assert r.json()["changes_applied"]["tags_withdrawn"] >= 2  # Confidential on email, table
    assert level(api, f"{CUSTOMER}.email") == level(api, CUSTOMER) == "Restricted"


@pytest.mark.parametrize("workflow_type", ["generate-dq-tags", "dq-tag-generation"])
def test_dq_tags(api: TestClient, source: Path, workflow_type: str) -> None:
    doc = run(
        api,
        workflow_type,
        f"{SCHEMA}.address",
        save_all=True,
        industry_info={"industry": "retail", "region": "EU"},
    )
    assert doc["status"] == "completed", doc
    assert doc["input"]["parameters"] == {"industry_info": {"industry": "retail", "region": "EU"}}
    assert doc["output"]["tables_profiled_first"] == 1
    null = tags_of(api, f"{SCHEMA}.address.address2")["DQ.HighNullRate"]
    assert null["evidence"]["null_ratio"] == 1.0 and null["source"] == "machine"
    key = tags_of(api, f"{SCHEMA}.address.address_id")["DQ.KeyCandidate"]
    assert key["evidence"] == {
        "reason": "declared primary key",
        "distinct_ratio": 1.0,
        "null_ratio": 0.0,
    }
    r = api.get(f"{BASE}/assets/{SCHEMA}.address/profile", headers=ADMIN_A)
    assert r.status_code == 200, r.text  # the profile made first is kept


# -- failure --------------------------------------------------------------------------------


def test_failures_are_stated(api: TestClient, source: Path) -> None:
    missing = refused(api, "generate-pii-tags", f"{SCHEMA}.not_ingested")  # at creation
    assert "service-ingestion" in assert_envelope(missing, 422, "TARGET_NOT_FOUND")["message"]

    execute(source, "ALTER TABLE customer DROP COLUMN email; DROP TABLE film_category;")
    doc = run(api, "generate-pii-tags", SCHEMA, save_all=True)
    assert doc["status"] == "completed" and doc["output"]["tasks_failed"] == 1
    tasks = {t["asset_fqn"].removeprefix(SCHEMA + "."): t for t in doc["tasks"]}
    assert tasks["film_category"]["status"] == "failed"
    assert "film_category no longer exists" in tasks["film_category"]["error_message"]
    assert tasks["customer"]["status"] == "completed"
    assert tasks["customer"]["output"]["skipped"]["email"].startswith("no longer in the source")
    assert "PII.FirstName" in tags_of(api, f"{CUSTOMER}.first_name")


# -- the contract's headline example ------------------------------------------------------


@pytest.mark.postgres
def test_headline_pii_tags_on_dvdrental(api: TestClient, dvdrental: str) -> None:  # noqa: F811
    r = api.post(
        f"{BASE}/services",
        headers=ADMIN_A,
        json={
            "name": "PostgreSQL",
            "connection_type": "postgres",
            "config": {"host": "127.0.0.1", "port": 5432, "database": "dvdrental"},
            "credentials": {"username": "postgres"},
        },
    )
    assert r.status_code == 201, r.text
    assert run(api, "service-ingestion", "PostgreSQL.dvdrental")["status"] == "completed"
    customer = "PostgreSQL.dvdrental.public.customer"
    doc = run(api, "generate-pii-tags", customer, save_all=True)
    assert doc["status"] == "completed", doc
    assert doc["output"]["tags_applied"] > 0
    assert (doc["service_name"], doc["database_name"], doc["table_name"]) == (
        "PostgreSQL",
        "dvdrental",
        "customer",
    )
    email = tags_of(api, f"{customer}.email")["PII.Email"]
    assert email["source"] == "machine" and email["confidence"] >= 0.8
    assert api.get(approval_url(doc), headers=ADMIN_A).json()["auto_saved"] is True
