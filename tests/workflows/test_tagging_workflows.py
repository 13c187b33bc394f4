"""PII, sensitivity and DQ tagging through the engine, on the real sample (SQLite) and on
sakila (PostgreSQL): right tags, no raw values in evidence, approval, people's decisions kept,
vanished evidence withdrawn, and bad input skipped or failed with a stated reason."""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from tests.workflows.conftest import (
    PRINCIPAL,
    TENANT,
    add_service,
    run_builtin,
    start_builtin,
    wait_for,
)
from tests.workflows.tagging_sources import (
    EXPECTED_PII,
    HARD_NEGATIVE_COLUMNS,
    HARD_NEGATIVE_NAMES,
    SCHEMA,
    SERVICE,
    UNTAGGED_TABLES,
    add_odd_table,
    column_values,
    copy_sample,
    execute,
    leaked_values,
    make_template,
)

from dataready.domain.enums import ApprovalAction, RunStatus
from dataready.errors import DatareadyError, TargetNotFound, ValidationFailed
from dataready.store import profiles as profiles_q
from dataready.store import tags as tags_q
from dataready.store.orm import Tag, WorkflowRun
from dataready.workflows import approval
from dataready.workflows.engine import Engine


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def source(engine: Engine, template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample, registered as service ``sample`` and ingested."""
    path = copy_sample(template, tmp_path)
    add_service(engine, SERVICE, f"sqlite:///{path}")
    ingest(engine)
    return path


def ingest(engine: Engine) -> None:
    run = run_builtin(engine, "service-ingestion", SERVICE)
    assert run.status == RunStatus.COMPLETED, run.error_message


def start(engine: Engine, workflow_type: str, fqn: str, **parameters: Any) -> uuid.UUID:
    """Start a built-in run that waits for approval (no save_all)."""
    return start_builtin(engine, workflow_type, fqn, save_all=False, **parameters)


def decide(engine: Engine, run_id: uuid.UUID, action: ApprovalAction) -> dict[str, Any]:
    with engine.store.session() as s:
        row = approval.decide(s, PRINCIPAL, run_id, action, None)
        changes = dict(row.changes_applied or {})
        s.commit()
    return changes


def tags(engine: Engine, under: str = SCHEMA, *, inactive: bool = False) -> list[Tag]:
    with engine.store.session() as s:
        rows = tags_q.list_tags(s, TENANT, under=under, include_inactive=inactive)
        s.expunge_all()
    return rows


def by_column(rows: list[Tag], prefix: str) -> dict[str, set[str]]:
    """``{"customer.email": {"PII.Email", …}}`` for the tags starting with ``prefix``."""
    out: dict[str, set[str]] = defaultdict(set)
    for t in rows:
        if t.tag.startswith(prefix):
            out[t.asset_fqn.removeprefix(SCHEMA + ".")].add(t.tag)
    return dict(out)


def entities(rows: list[Tag]) -> dict[str, str]:
    """Column -> entity, for the ``PII.<Entity>`` tags (not Sensitive/NonSensitive)."""
    out = {}
    for key, names in by_column(rows, "PII.").items():
        found = names - {"PII.Sensitive", "PII.NonSensitive"}
        if "." in key and found:
            assert len(found) == 1, (key, found)
            out[key] = found.pop().removeprefix("PII.")
    return out


def completed(run: WorkflowRun) -> dict[str, Any]:
    assert run.status == RunStatus.COMPLETED, run.error_message
    return dict(run.output or {})


# -- generate-pii-tags ---------------------------------------------------------------------


def test_pii_tags_on_the_sample_are_right_and_carry_no_raw_values(
    engine: Engine, source: Path
) -> None:
    # a profile first: its top values must not leak into the tags' evidence either
    completed(run_builtin(engine, "profiling", SCHEMA))
    out = completed(run_builtin(engine, "generate-pii-tags", SCHEMA))
    assert out["tasks_failed"] == 0 and out["tasks_total"] == 15
    assert out["tags_applied"] == out["tags_new"] == out["tags_proposed"]

    rows = tags(engine)
    assert entities(rows) == EXPECTED_PII
    pii = by_column(rows, "PII.")
    for key in pii:
        table, _, column = key.partition(".")
        assert table not in UNTAGGED_TABLES, key
        if column:
            assert column not in HARD_NEGATIVE_NAMES and key not in HARD_NEGATIVE_COLUMNS, key
            assert not column.endswith("_id") and column != "last_update", key
    assert {k for k, v in pii.items() if "." not in k and "PII.Sensitive" in v} == {
        "actor",
        "address",
        "customer",
        "staff",
    }
    assert "PII.Sensitive" in pii["staff.password"] and "PII.NonSensitive" in pii["city.city"]

    values = {t: column_values(source, t) for t in ("customer", "staff", "address", "actor")}
    for t in rows:
        assert t.source == "machine" and t.state == "applied"
        assert t.workflow_type == "generate-pii-tags"
        assert t.confidence is not None and 0.8 <= t.confidence <= 1.0, t.tag
        assert t.evidence, t.tag
        table, _, column = t.asset_fqn.removeprefix(SCHEMA + ".").partition(".")
        if table not in values:
            continue
        raw = values[table][column] if column else [v for c in values[table].values() for v in c]
        assert leaked_values(t.evidence, raw) == [], (t.asset_fqn, t.tag)
    email = next(t for t in rows if t.asset_fqn.endswith("customer.email") and t.tag == "PII.Email")
    assert email.evidence["values"]["matched_share"] > 0.9
    assert email.evidence["name"]["tokens"] == ["email"]


def test_confidence_threshold(engine: Engine, source: Path) -> None:
    out = completed(run_builtin(engine, "generate-pii-tags", SCHEMA, confidence_threshold=0.999))
    assert out["tasks_failed"] == 0 and out["columns_classified"] > 0
    assert out["tags_applied"] == 0 and tags(engine) == []
    with pytest.raises(ValidationFailed, match=r"parameters\.confidence_threshold"):
        run_builtin(engine, "generate-pii-tags", SCHEMA, confidence_threshold=2)
    with pytest.raises(ValidationFailed, match=r"parameters\.confidence_threshold"):
        run_builtin(engine, "generate-pii-tags", SCHEMA, confidence_threshold="high")


def test_approval_keeps_proposals_until_approved_and_reject_discards(
    engine: Engine, source: Path
) -> None:
    run_id = start(engine, "generate-pii-tags", f"{SCHEMA}.customer")
    out = completed(wait_for(engine, run_id))
    assert "tags_applied" not in out and tags(engine) == []
    changes = decide(engine, run_id, ApprovalAction.APPROVE)
    assert changes["tags_applied"] == out["tags_proposed"] == len(changes["tag_ids"])
    assert wait_for(engine, run_id).output["tags_applied"] == changes["tags_applied"]  # type: ignore[index]
    assert len(tags(engine)) == changes["tags_applied"]
    with pytest.raises(DatareadyError) as err:
        decide(engine, run_id, ApprovalAction.APPROVE)
    assert err.value.status == 409

    other = start(engine, "generate-pii-tags", f"{SCHEMA}.staff")
    completed(wait_for(engine, other))
    assert decide(engine, other, ApprovalAction.REJECT)["proposals_discarded"] == 1
    assert tags(engine, f"{SCHEMA}.staff") == []


def test_people_win_and_machine_tags_are_re_evaluated(engine: Engine, source: Path) -> None:
    customer = f"{SCHEMA}.customer"
    first = start(engine, "generate-pii-tags", customer)
    completed(wait_for(engine, first))
    decide(engine, first, ApprovalAction.APPROVE)
    assert entities(tags(engine, customer))["customer.first_name"] == "FirstName"

    # a person removes a machine tag and sets one by hand
    with engine.store.session() as s:
        tags_q.remove_tag(s, TENANT, f"{customer}.first_name", "PII.FirstName", by="steward")
        tags_q.set_tag(s, TENANT, f"{customer}.create_date", "PII.DateOfBirth", by="steward")
        s.commit()
    # the source changes: the e-mail column no longer holds e-mail addresses
    execute(source, "UPDATE customer SET email = 'customer ' || customer_id")
    ingest(engine)

    second = start(engine, "generate-pii-tags", customer)
    completed(wait_for(engine, second))
    changes = decide(engine, second, ApprovalAction.APPROVE)
    assert changes["tags_kept_by_person"] == 1  # PII.FirstName wanted again, not re-applied
    assert changes["tags_withdrawn"] == 2  # PII.Email and PII.Sensitive of the e-mail column

    applied = by_column(tags(engine, customer), "PII.")
    assert "PII.FirstName" not in applied.get("customer.first_name", set())
    # a person's entity tag is an input: its derived tag follows it
    assert applied["customer.create_date"] == {"PII.DateOfBirth", "PII.Sensitive"}
    assert "customer.first_name" not in applied  # its PII.Sensitive went with PII.FirstName
    assert "customer.email" not in applied
    assert applied["customer.last_name"] == {"PII.LastName", "PII.Sensitive"}
    state = {(t.asset_fqn, t.tag): t for t in tags(engine, customer, inactive=True)}
    removed = state[(f"{customer}.first_name", "PII.FirstName")]
    assert (removed.source, removed.state) == ("person", "removed")
    hand = state[(f"{customer}.create_date", "PII.DateOfBirth")]
    assert (hand.source, hand.state) == ("person", "applied")
    gone = state[(f"{customer}.email", "PII.Email")]
    assert (gone.source, gone.state) == ("machine", "withdrawn")
    assert gone.evidence["withdrawn"] == "evidence no longer found"
    assert gone.run_id == second


# -- generate-sensitivity-tags -------------------------------------------------------------


def test_a_person_is_an_input_to_every_later_run(engine: Engine, source: Path) -> None:
    """A removed entity tag stays removed with what it supported; hand-set levels stand."""
    customer = f"{SCHEMA}.customer"
    completed(run_builtin(engine, "generate-pii-tags", customer))
    completed(run_builtin(engine, "generate-sensitivity-tags", customer))
    before = {(t.asset_fqn, t.tag): t for t in tags(engine, customer)}
    last = f"{customer}.last_name"
    level = before[(last, "Sensitivity.Confidential")]
    assert level.derived_from == [{"asset_fqn": last, "tag": "PII.LastName"}]

    with engine.store.session() as s:
        tags_q.remove_tag(s, TENANT, last, "PII.LastName", by="steward")
        tags_q.set_tag(s, TENANT, f"{customer}.store_id", "PII.Sensitive", by="steward")
        tags_q.set_tag(s, TENANT, f"{customer}.email", "Sensitivity.Restricted", by="dpo")
        s.commit()
    now = by_column(tags(engine, customer), "")
    assert now["customer.last_name"] == {"Sensitivity.Internal", "PrivacyCategory.None"}

    for workflow_type in ("generate-pii-tags", "generate-sensitivity-tags"):
        completed(run_builtin(engine, workflow_type, customer))
    after = by_column(tags(engine, customer), "")
    # the same evidence again: the removed tag and what it supported are not re-added
    assert after["customer.last_name"] == {"Sensitivity.Internal", "PrivacyCategory.None"}
    # a hand-set PII.Sensitive survives and makes the column at least Confidential
    assert {"PII.Sensitive", "Sensitivity.Confidential"} <= after["customer.store_id"]
    assert "Sensitivity.Internal" not in after["customer.store_id"]
    # a hand-set level is neither overridden nor downgraded, and the table takes it
    assert {t for t in after["customer.email"] if t.startswith("Sensitivity.")} == {
        "Sensitivity.Restricted"
    }
    assert levels(tags(engine, customer))["customer"] == "Restricted"
    rows = {(t.asset_fqn, t.tag): t for t in tags(engine, customer, inactive=True)}
    assert rows[(last, "PII.LastName")].state == "removed"
    assert rows[(f"{customer}.store_id", "PII.Sensitive")].source == "person"


def levels(rows: list[Tag]) -> dict[str, str]:
    return {
        key: next(iter(names)).removeprefix("Sensitivity.")
        for key, names in by_column(rows, "Sensitivity.").items()
    }


def test_sensitivity_levels_follow_the_documented_mapping(engine: Engine, source: Path) -> None:
    out = completed(run_builtin(engine, "generate-sensitivity-tags", SCHEMA))
    assert out["tables_restricted"] == 1  # staff
    rows = tags(engine)
    level = levels(rows)
    assert level["customer.email"] == "Confidential"
    assert level["staff.password"] == "Restricted"
    assert level["staff"] == "Restricted"  # the maximum of its columns
    assert level["customer"] == "Confidential"
    assert level["address.postal_code"] == "Internal"
    assert level["film.title"] == level["film.rental_rate"] == "Internal"  # no finding: default
    assert level["film"] == "Internal"
    categories = by_column(rows, "PrivacyCategory.")
    assert categories["customer.email"] == {"PrivacyCategory.Identifier"}
    assert categories["customer.first_name"] == {"PrivacyCategory.QuasiIdentifier"}
    assert categories["staff.password"] == {"PrivacyCategory.SensitiveAttribute"}
    assert categories["film.title"] == {"PrivacyCategory.None"}

    overridden = run_builtin(
        engine,
        "generate-sensitivity-tags",
        f"{SCHEMA}.customer",
        level_overrides={"levels": {"Email": "Restricted"}, "default_level": "Public"},
    )
    completed(overridden)
    level = levels(tags(engine, f"{SCHEMA}.customer"))
    assert level["customer.email"] == level["customer"] == "Restricted"
    assert level["customer.first_name"] == "Confidential"
    assert level["customer.store_id"] == "Public"
    # the film table was not re-run: its levels stay
    assert levels(tags(engine, f"{SCHEMA}.film"))["film"] == "Internal"

    for bad in ({"colours": {}}, {"levels": {"Emale": "Restricted"}}, {"levels": {"Email": "Hot"}}):
        with pytest.raises(DatareadyError) as err:
            run_builtin(engine, "generate-sensitivity-tags", SCHEMA, level_overrides=bad)
        assert err.value.status == 422


# -- generate-dq-tags / dq-tag-generation --------------------------------------------------


@pytest.mark.parametrize("workflow_type", ["generate-dq-tags", "dq-tag-generation"])
def test_dq_tags_profile_first_and_carry_their_figures(
    engine: Engine, source: Path, workflow_type: str
) -> None:
    run = run_builtin(engine, workflow_type, f"{SCHEMA}.address", industry_info="retail")
    out = completed(run)
    assert out["tables_profiled_first"] == 1
    assert (run.input or {})["parameters"] == {"industry_info": "retail"}
    with engine.store.session() as s:  # the profile it made is kept
        assert profiles_q.latest_profile(s, TENANT, f"{SCHEMA}.address").run_id == run.id
    state = {(t.asset_fqn.removeprefix(SCHEMA + "."), t.tag): t for t in tags(engine)}
    null = state[("address.address2", "DQ.HighNullRate")]
    assert null.evidence == {"null_ratio": 1.0, "threshold": 0.5}
    key = state[("address.address_id", "DQ.KeyCandidate")]
    assert key.evidence == {
        "reason": "declared primary key",
        "distinct_ratio": 1.0,
        "null_ratio": 0.0,
    }
    assert ("address.phone", "DQ.HighNullRate") not in state

    # a second run uses the stored profile; keys found from figures carry them
    again = completed(run_builtin(engine, workflow_type, f"{SCHEMA}.customer"))
    assert again["tables_profiled_first"] == 1
    third = completed(run_builtin(engine, workflow_type, f"{SCHEMA}.customer"))
    assert third["tables_profiled_first"] == 0
    state = {(t.asset_fqn.removeprefix(SCHEMA + "."), t.tag): t for t in tags(engine)}
    assert state[("customer.customer_id", "DQ.KeyCandidate")].workflow_type == workflow_type
    derived = state[("customer.address_id", "DQ.KeyCandidate")].evidence
    assert derived["distinct_ratio"] == 1.0 and derived["null_ratio"] == 0.0
    assert state[("customer.activebool", "DQ.Constant")].evidence["distinct_count"] == 1


def test_key_candidates_are_checked_exactly_when_the_profile_sampled(
    engine: Engine, source: Path
) -> None:
    """Item 5 of issue 9: uniqueness is decided by an exact check, never by an estimate."""
    execute(source, "CREATE TABLE keys (code INTEGER, almost INTEGER, ref TEXT)")
    rows = [(i * 7, i if i != 4_999 else 0, f"R{i:05d}") for i in range(5_000)]
    execute(source, "INSERT INTO keys VALUES (?, ?, ?)", rows)
    ingest(engine)
    table = f"{SCHEMA}.keys"
    completed(run_builtin(engine, "profiling", table, sample_percent=20))
    with engine.store.session() as s:
        profile = profiles_q.latest_profile(s, TENANT, table).profile
    assert all(not c["distinct_exact"] for c in profile["columns"])  # a sample's estimates
    run = run_builtin(engine, "generate-dq-tags", table)
    out = run.tasks[0].output or {}
    assert completed(run)["tables_profiled_first"] == 0
    assert out["key_check"] == "checked" and out["key_candidates_checked"] == 3
    keys = {
        t.asset_fqn.rsplit(".", 1)[-1]: t.evidence
        for t in tags(engine, table)
        if t.tag == "DQ.KeyCandidate"
    }
    assert set(keys) == {"code", "ref"}  # "almost" repeats one value: no key
    assert keys["code"]["check"].startswith("uniqueness checked exactly over 5000 rows at ")
    assert keys["code"]["distinct_ratio"] == 1.0 and keys["code"]["row_count"] == 5_000

    # a check past the statement timeout tags nothing on a guess, and says why
    engine.settings.sources.statement_timeout_seconds = 1e-9
    timed_out = run_builtin(engine, "generate-dq-tags", table)
    assert (timed_out.tasks[0].output or {})["key_check"].startswith("not checked: "), timed_out
    assert "statement timeout" in (timed_out.tasks[0].output or {})["key_check"]
    assert not [t for t in tags(engine, table) if t.tag == "DQ.KeyCandidate"]
    engine.settings.sources.statement_timeout_seconds = 30
    # a candidate that left the source is not checked; the others are
    execute(source, "ALTER TABLE keys DROP COLUMN ref")
    again = run_builtin(engine, "generate-dq-tags", table)
    assert (again.tasks[0].output or {})["key_check"] == "checked; no longer in the source: ref"
    assert {t.asset_fqn for t in tags(engine, table) if t.tag == "DQ.KeyCandidate"} == {
        f"{table}.code"
    }


# -- bad input and failure -----------------------------------------------------------------


def test_uncatalogued_table_is_refused_saying_to_ingest(engine: Engine, source: Path) -> None:
    execute(source, "CREATE TABLE late (id INTEGER PRIMARY KEY, email TEXT)")
    for workflow_type in ("generate-pii-tags", "generate-sensitivity-tags", "generate-dq-tags"):
        with pytest.raises(TargetNotFound, match="service-ingestion") as caught:
            run_builtin(engine, workflow_type, f"{SCHEMA}.late")  # refused at creation
        assert all(c.startswith(SCHEMA + ".") for c in caught.value.details["closest"])
    with pytest.raises(TargetNotFound, match="service-ingestion") as caught:
        run_builtin(engine, "generate-pii-tags", "sample.sample.nosuch")
    assert caught.value.details["closest"] == []


def test_vanished_column_and_table_after_ingestion(engine: Engine, source: Path) -> None:
    execute(
        source,
        "ALTER TABLE customer DROP COLUMN email; ALTER TABLE staff RENAME COLUMN username TO "
        "login; DROP TABLE film_category;",
    )
    run = run_builtin(engine, "generate-pii-tags", SCHEMA)
    out = completed(run)
    assert out["tasks_failed"] == 1
    tasks = {t.asset_fqn.removeprefix(SCHEMA + "."): t for t in run.tasks}
    failed = tasks["film_category"]
    assert failed.status == "failed" and "film_category no longer exists" in (
        failed.error_message or ""
    )
    assert all(t.status == "completed" for k, t in tasks.items() if k != "film_category")
    customer = tasks["customer"].output or {}
    assert customer["skipped"]["email"].startswith("no longer in the source")
    assert customer["columns_skipped"] == len(customer["skipped"]) >= 1
    assert "username" in (tasks["staff"].output or {})["skipped"]
    assert out["columns_skipped"] >= 2
    found = entities(tags(engine))
    assert found["customer.first_name"] == "FirstName" and "customer.email" not in found
    assert "staff.username" not in found and found["staff.password"] == "Secret"

    for workflow_type in ("generate-sensitivity-tags", "generate-dq-tags"):
        other = run_builtin(engine, workflow_type, SCHEMA)
        assert completed(other)["tasks_failed"] == 1, workflow_type


def test_json_binary_and_all_null_columns_are_skipped_with_a_reason(
    engine: Engine, source: Path
) -> None:
    add_odd_table(source)
    ingest(engine)
    odd = f"{SCHEMA}.odd"
    run = run_builtin(engine, "generate-pii-tags", odd)
    completed(run)
    task = run.tasks[0].output or {}
    assert set(task["skipped"]) == {"payload", "picture", "empty_col"}
    assert "holds no classifiable values" in task["skipped"]["picture"]
    assert "null" in task["skipped"]["empty_col"]
    assert entities(tags(engine, odd)) == {"odd.contact_email": "Email"}

    for workflow_type in ("generate-sensitivity-tags", "generate-dq-tags"):
        completed(run_builtin(engine, workflow_type, odd))
    dq = by_column(tags(engine, odd), "DQ.")
    assert "DQ.HighNullRate" in dq["odd.empty_col"]
    assert "odd.picture" not in by_column(tags(engine, odd), "Sensitivity.")


# -- real data: sakila in PostgreSQL ------------------------------------------------------


@pytest.mark.postgres
def test_sakila_customer_headline(engine: Engine, dvdrental: str) -> None:
    add_service(engine, "PostgreSQL", dvdrental)
    completed(run_builtin(engine, "service-ingestion", "PostgreSQL.dvdrental.public"))
    customer = "PostgreSQL.dvdrental.public.customer"
    out = completed(run_builtin(engine, "generate-pii-tags", customer))
    assert out["tags_applied"] > 0
    found = {(t.asset_fqn.rsplit(".", 1)[-1], t.tag) for t in tags(engine, customer)}
    assert {
        ("email", "PII.Email"),
        ("first_name", "PII.FirstName"),
        ("last_name", "PII.LastName"),
    } <= found
    assert not {c for c, tag in found if c in ("activebool", "active", "customer_id")}
