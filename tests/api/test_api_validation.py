"""Bad input answers the envelope with the right code and the field named, never 500, and
leaves no row behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    PROFILING_DEFINITION,
    assert_envelope,
    create_configuration,
    row_counts,
    start_run,
    wait_run,
)

Call = Callable[[TestClient, dict[str, str]], Response]


def _post_json(path: str, body: Any) -> Call:
    return lambda c, ctx: c.post(BASE + path.format(**ctx), json=body, headers=ADMIN_A)


def _patch_json(path: str, body: Any) -> Call:
    return lambda c, ctx: c.patch(BASE + path.format(**ctx), json=body, headers=ADMIN_A)


def _get(path: str) -> Call:
    return lambda c, ctx: c.get(BASE + path.format(**ctx), headers=ADMIN_A)


def _raw(method: str, path: str, content: bytes) -> Call:
    headers = {**ADMIN_A, "Content-Type": "application/json"}
    return lambda c, ctx: c.request(
        method, BASE + path.format(**ctx), content=content, headers=headers
    )


CONFIG = {"workflow_definition_id": PII_DEFINITION}
LONG = "x" * 2001

CASES: list[tuple[str, Call, int, str, str | None]] = [
    # (id, call, status, code, field named in the message)
    (
        "malformed json",
        _raw("POST", "/workflows", b'{"workflow_definition_id": '),
        400,
        "INVALID_REQUEST",
        "JSON",
    ),
    (
        "malformed json run",
        _raw("POST", "/workflows/{config}/runs", b"{,}"),
        400,
        "INVALID_REQUEST",
        None,
    ),
    (
        "not a json object",
        lambda c, ctx: c.post(
            f"{BASE}/workflows",
            content=b"a=b",
            headers={**ADMIN_A, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        400,
        "INVALID_REQUEST",
        None,
    ),
    (
        "unknown field config",
        _post_json("/workflows", {**CONFIG, "colour": "red"}),
        422,
        "VALIDATION_ERROR",
        "body.colour",
    ),
    (
        "unknown field schedule",
        _post_json(
            "/workflows", {**CONFIG, "schedule": {"cron_expression": "0 2 * * *", "every": 1}}
        ),
        422,
        "VALIDATION_ERROR",
        "body.schedule.every",
    ),
    (
        "unknown field run",
        _post_json("/workflows/{config}/runs", {"asset": "x"}),
        422,
        "VALIDATION_ERROR",
        "body.asset",
    ),
    (
        "unknown field approval",
        _patch_json("/workflows/runs/{run}/approval", {"action": "approve", "by": "me"}),
        422,
        "VALIDATION_ERROR",
        "body.by",
    ),
    (
        "unknown field definition",
        _post_json(
            "/workflows/definitions", {"name": "x", "workflow_type": "profiling", "owner": "me"}
        ),
        422,
        "VALIDATION_ERROR",
        "body.owner",
    ),
    (
        "missing field",
        _post_json("/workflows", {"name": "x"}),
        422,
        "VALIDATION_ERROR",
        "body.workflow_definition_id",
    ),
    (
        "bad enum workflow_type",
        _post_json("/workflows/definitions", {"name": "x", "workflow_type": "mining"}),
        422,
        "VALIDATION_ERROR",
        "body.workflow_type",
    ),
    (
        "bad enum category",
        _post_json(
            "/workflows/definitions",
            {"name": "x", "workflow_type": "profiling", "category": "misc"},
        ),
        422,
        "VALIDATION_ERROR",
        "body.category",
    ),
    (
        "bad enum action",
        _patch_json("/workflows/runs/{run}/approval", {"action": "maybe"}),
        422,
        "VALIDATION_ERROR",
        "body.action",
    ),
    (
        "bad enum config status",
        _patch_json("/workflows/{config}", {"status": "paused"}),
        422,
        "VALIDATION_ERROR",
        "body.status",
    ),
    (
        "null name",
        _patch_json("/workflows/{config}", {"name": None}),
        422,
        "VALIDATION_ERROR",
        "body.name",
    ),
    (
        "bad enum status filter",
        _get("/runs?status=finished"),
        422,
        "VALIDATION_ERROR",
        "query.status",
    ),
    (
        "bad enum type filter",
        _get("/workflows?workflow_type=nope"),
        422,
        "VALIDATION_ERROR",
        "query.workflow_type",
    ),
    ("bad since", _get("/runs?since=yesterday"), 422, "VALIDATION_ERROR", "query.since"),
    ("bad fqn filter", _get("/runs?asset_fqn=a..b"), 422, "VALIDATION_ERROR", "query.asset_fqn"),
    (
        "bad uuid path config",
        _get("/workflows/not-a-uuid"),
        422,
        "VALIDATION_ERROR",
        "path.configuration_id",
    ),
    (
        "bad uuid path run",
        _get("/workflows/{config}/runs/42"),
        422,
        "VALIDATION_ERROR",
        "path.run_id",
    ),
    (
        "bad uuid path approval",
        _patch_json("/workflows/runs/xyz/approval", {"action": "approve"}),
        422,
        "VALIDATION_ERROR",
        "path.run_id",
    ),
    (
        "bad uuid path definition",
        _get("/workflows/definitions/xyz"),
        422,
        "VALIDATION_ERROR",
        "path.definition_id",
    ),
    (
        "bad uuid body",
        _post_json("/workflows", {"workflow_definition_id": "pii"}),
        422,
        "VALIDATION_ERROR",
        "body.workflow_definition_id",
    ),
    (
        "fqn does not parse",
        _post_json("/workflows/{config}/runs", {"asset_fqn": 'pg.sales."eu.west'}),
        422,
        "VALIDATION_ERROR",
        "body.asset_fqn",
    ),
    (
        "fqn empty part",
        _post_json("/workflows/{config}/runs", {"asset_fqn": "pg..public.t"}),
        422,
        "VALIDATION_ERROR",
        "body.asset_fqn",
    ),
    (
        "fqn too many parts",
        _post_json("/workflows/{config}/runs", {"asset_fqn": "a.b.c.d.e.f"}),
        422,
        "VALIDATION_ERROR",
        "body.asset_fqn",
    ),
    (
        "cron does not parse",
        _post_json("/workflows", {**CONFIG, "schedule": {"cron_expression": "every day"}}),
        422,
        "VALIDATION_ERROR",
        "body.schedule.cron_expression",
    ),
    (
        "cron on patch",
        _patch_json("/workflows/{config}", {"schedule": {"cron_expression": "61 * * * *"}}),
        422,
        "VALIDATION_ERROR",
        "body.schedule.cron_expression",
    ),
    (
        "bad timezone",
        _post_json(
            "/workflows",
            {**CONFIG, "schedule": {"cron_expression": "0 2 * * *", "timezone": "Mars/Olympus"}},
        ),
        422,
        "VALIDATION_ERROR",
        "body.schedule.timezone",
    ),
    (
        "oversized notes",
        _patch_json("/workflows/runs/{run}/approval", {"action": "approve", "notes": LONG}),
        422,
        "VALIDATION_ERROR",
        "body.notes: String should have at most 2000 characters",
    ),
    ("limit above max", _get("/runs?limit=501"), 422, "VALIDATION_ERROR", "query.limit"),
    ("limit zero", _get("/workflows?limit=0"), 422, "VALIDATION_ERROR", "query.limit"),
    (
        "limit not a number",
        _get("/workflows/definitions?limit=ten"),
        422,
        "VALIDATION_ERROR",
        "query.limit",
    ),
    ("negative offset", _get("/runs?offset=-1"), 422, "VALIDATION_ERROR", "query.offset"),
    (
        "parameters not an object",
        _post_json("/workflows/{config}/runs", {"parameters": [1, 2]}),
        422,
        "VALIDATION_ERROR",
        "body.parameters",
    ),
    (
        "save_all not a bool",
        _post_json("/workflows/{config}/runs", {"save_all": "perhaps"}),
        422,
        "VALIDATION_ERROR",
        "body.save_all",
    ),
    ("body is a list", _post_json("/workflows", [CONFIG]), 422, "VALIDATION_ERROR", "body"),
    (
        "unknown definition",
        _post_json(
            "/workflows", {"workflow_definition_id": "123e4567-e89b-12d3-a456-426614174099"}
        ),
        404,
        "RESOURCE_NOT_FOUND",
        None,
    ),
    (
        "database-level target",
        _post_json("/workflows/{profiling}/runs", {"asset_fqn": "pg.sales"}),
        422,
        "VALIDATION_ERROR",
        "asset_fqn",
    ),
    (
        "builtin definition patch",
        _patch_json(f"/workflows/definitions/{PII_DEFINITION}", {"name": "mine"}),
        409,
        "CONFLICT",
        None,
    ),
]


@pytest.fixture
def ctx(client: TestClient) -> dict[str, str]:
    config = create_configuration(client, PII_DEFINITION, name="Validation target")
    profiling = create_configuration(client, PROFILING_DEFINITION)
    run = start_run(client, config["id"], parameters={"n": 1})
    wait_run(client, config["id"], run["id"])
    return {"config": config["id"], "run": run["id"], "profiling": profiling["id"]}


def test_bad_input_answers_the_envelope_and_writes_nothing(
    client: TestClient, ctx: dict[str, str]
) -> None:
    before = row_counts(client)
    approval_before = client.get(
        f"{BASE}/workflows/runs/{ctx['run']}/approval", headers=ADMIN_A
    ).json()
    config_before = client.get(f"{BASE}/workflows/{ctx['config']}", headers=ADMIN_A).json()
    failures = []
    for name, call, status, code, field in CASES:
        r = call(client, ctx)
        try:
            assert_envelope(r, status, code, field)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    assert row_counts(client) == before
    assert (
        client.get(f"{BASE}/workflows/runs/{ctx['run']}/approval", headers=ADMIN_A).json()
        == approval_before
    )
    assert client.get(f"{BASE}/workflows/{ctx['config']}", headers=ADMIN_A).json() == config_before


def test_validation_details_list_every_error(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/workflows",
        json={"workflow_definition_id": "x", "colour": "red", "schedule": {"cron_expression": "?"}},
        headers=ADMIN_A,
    )
    error = assert_envelope(r, 422, "VALIDATION_ERROR")
    fields = {e["field"] for e in error["details"]["errors"]}
    assert fields == {"workflow_definition_id", "colour", "schedule.cron_expression"}
    assert all(e["location"] == "body" for e in error["details"]["errors"])
    assert "(and 2 more error(s))" in error["message"]
    assert "red" not in r.text  # inputs are not echoed back


def test_a_failing_request_rolls_back_everything_it_wrote(client: TestClient) -> None:
    # the definition lookup succeeds, then the store refuses: nothing half-written remains
    config = create_configuration(client, PROFILING_DEFINITION)
    client.patch(f"{BASE}/workflows/{config['id']}", json={"status": "inactive"}, headers=ADMIN_A)
    before = row_counts(client)
    r = client.post(f"{BASE}/workflows/{config['id']}/runs", json={}, headers=ADMIN_A)
    assert_envelope(r, 409, "CONFLICT")
    assert row_counts(client) == before
