"""Bad input answers the envelope with the right code and the field named, never 500, and
leaves no row behind."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from tests.api.conftest import (
    ADMIN_A,
    BASE,
    PII_DEFINITION,
    PROFILING_DEFINITION,
    assert_envelope,
    create_configuration,
    engine_of,
    row_counts,
    start_run,
    wait_run,
)

from dataready.api import create_app
from dataready.api.deps import DbSession
from dataready.api.middleware import BodyLimitMiddleware
from dataready.settings import Settings
from dataready.store.orm import Approval, Service

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


# --- input no store can keep, and out-of-range values (issue 8, item 12) ---------------------

NUL = "\u0000"
BIG = 2**63

UNSTORABLE: list[tuple[str, Call, str]] = [
    # (id, call, field named in the message)
    ("offset 2^63", _get(f"/runs?offset={BIG}"), "query.offset"),
    ("offset 2^64 on services", _get(f"/services?offset={2**64}"), "query.offset"),
    ("offset huge on assets", _get(f"/assets?offset={10**30}"), "query.offset"),
    ("since year 1 with offset", _get("/runs?since=0001-01-01T00:00:00%2B01:00"), "query.since"),
    (
        "start_date year 9999 with offset",
        _post_json(
            "/workflows",
            {
                **CONFIG,
                "schedule": {
                    "cron_expression": "0 2 * * *",
                    "start_date": "9999-12-31T23:30:00-01:00",
                },
            },
        ),
        "body.schedule.start_date",
    ),
    ("nul in a name", _post_json("/workflows", {**CONFIG, "name": f"a{NUL}b"}), "body.name"),
    (
        "nul deep in parameters",
        _post_json("/workflows/{config}/runs", {"parameters": {"a": [{"b": f"x{NUL}"}]}}),
        "body.parameters: parameters.a[0].b holds a NUL character",
    ),
    (
        "nul in a key of config",
        _patch_json("/workflows/{config}", {"config": {"ok": {f"k{NUL}": 1}}}),
        "body.config: a key of config.ok holds a NUL character",
    ),
    (
        "nul in a service config",
        _post_json(
            "/services",
            {"name": "s", "connection_type": "sqlite", "config": {"path": f"/tmp/x{NUL}.db"}},
        ),
        "body.config",
    ),
    (
        "nul in notes",
        _patch_json("/workflows/runs/{run}/approval", {"action": "approve", "notes": NUL}),
        "body.notes",
    ),
    ("nul in a query parameter", _get("/assets?q=a%00b"), "query.q"),
    ("nul in a path parameter", _get("/assets/pg.db.s.t%00x"), "path.fqn"),
    (
        "nul in a tag",
        lambda c, ctx: c.put(f"{BASE}/assets/a.b.c.d/tags/PII%00", headers=ADMIN_A),
        "path.tag",
    ),
    (
        "unpaired surrogate",
        _raw("PATCH", "/workflows/{config}", b'{"config": {"label": "a\\ud800"}}'),
        "body.config: config.label holds an unpaired UTF-16 surrogate",
    ),
    (
        "NaN in parameters",
        _raw("POST", "/workflows/{config}/runs", b'{"parameters": {"x": NaN}}'),
        "body.parameters: parameters.x is nan",
    ),
    (
        "Infinity in config",
        _raw("PATCH", "/workflows/{config}", b'{"config": {"x": [1, -Infinity]}}'),
        "body.config: config.x[1] is -inf",
    ),
    (
        "1e999 overflows to infinity",
        _raw("PATCH", "/workflows/{config}", b'{"config": {"x": 1e999}}'),
        "body.config: config.x is inf",
    ),
    (
        "long time zone",
        _post_json(
            "/workflows",
            {
                **CONFIG,
                "schedule": {"cron_expression": "0 2 * * *", "timezone": "Europe/" + "x" * 300},
            },
        ),
        "body.schedule.timezone",
    ),
    (
        "fqn part longer than a run column",
        _post_json("/workflows/{config}/runs", {"asset_fqn": "pg." + "d" * 256}),
        "body.asset_fqn: the database name is 256 characters long; at most 255",
    ),
]


def test_unstorable_or_out_of_range_input_is_422_naming_the_field(
    client: TestClient, ctx: dict[str, str]
) -> None:
    before = row_counts(client)
    config_before = client.get(f"{BASE}/workflows/{ctx['config']}", headers=ADMIN_A).json()
    failures = []
    for name, call, field in UNSTORABLE:
        r = call(client, ctx)
        try:
            assert_envelope(r, 422, "VALIDATION_ERROR", field)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    assert row_counts(client) == before
    assert client.get(f"{BASE}/workflows/{ctx['config']}", headers=ADMIN_A).json() == config_before
    assert client.get(f"{BASE}/services", headers=ADMIN_A).json()["total"] == 0


def test_boundary_values_that_the_stores_keep_are_accepted(
    client: TestClient, ctx: dict[str, str]
) -> None:
    r = client.get(f"{BASE}/runs?offset={BIG - 1}", headers=ADMIN_A)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [] and r.json()["offset"] == BIG - 1
    r = client.get(f"{BASE}/runs?since=0001-01-01T00:00:00Z", headers=ADMIN_A)
    assert r.status_code == 200 and r.json()["total"] >= 1, r.text
    schedule = {"cron_expression": "0 2 * * *", "start_date": "9999-12-31T23:59:59Z"}
    doc = create_configuration(client, PII_DEFINITION, schedule=schedule)
    assert doc["schedule"]["start_date"] == "9999-12-31T23:59:59Z"
    text = "naïve café ☕ 𝄞 \u200b"  # non-ASCII, astral and zero-width: all storable
    doc = create_configuration(client, PII_DEFINITION, name=text, config={text: [text]})
    assert doc["name"] == text and doc["config"] == {text: [text]}


def test_json_the_parser_cannot_read_is_400(client: TestClient, ctx: dict[str, str]) -> None:
    depth = 200_000  # 400 kB: under the body limit, far past any recursion limit
    body = b'{"parameters": ' + b"[" * depth + b"]" * depth + b"}"
    r = _raw("POST", "/workflows/{config}/runs", body)(client, ctx)
    assert_envelope(r, 400, "INVALID_REQUEST", "malformed JSON body: it is nested too deeply")
    r = _raw("POST", "/workflows/{config}/runs", b'{"parameters": {"n": 1' + b"0" * 5000 + b"}}")(
        client, ctx
    )
    assert_envelope(r, 400, "INVALID_REQUEST", "a number in it has more than 4300 digits")


# --- integrity errors at commit (item 12) ----------------------------------------------------


def test_integrity_errors_from_the_store_answer_409_without_values(settings: Settings) -> None:
    """A write the store's constraints refuse (the race the API's own checks cannot close)."""
    app = create_app(settings)

    @app.post(f"{BASE}/test-duplicate")
    def duplicate(session: DbSession) -> None:
        for _ in range(2):
            session.add(
                Service(
                    client_id="c", project_id="p", name="secret-name-xyz", connection_type="sqlite"
                )
            )
            session.flush()

    @app.post(f"{BASE}/test-dangling")
    def dangling(session: DbSession) -> None:
        session.add(
            Approval(client_id="c", project_id="p", workflow_run_id=uuid.uuid4(), status="pending")
        )
        session.commit()

    with TestClient(app) as c:
        r = c.post(f"{BASE}/test-duplicate")
        error = assert_envelope(r, 409, "RESOURCE_ALREADY_EXISTS", "a service with the same name")
        assert error["details"] == {"resource": "service", "fields": ["name"]}
        assert "secret-name-xyz" not in r.text and "INSERT" not in r.text
        r = c.post(f"{BASE}/test-dangling")
        error = assert_envelope(r, 409, "CONFLICT", "approval")
        assert "INSERT" not in r.text
        with engine_of(c).store.session() as s:  # both requests were rolled back
            assert s.scalar(select(func.count()).select_from(Service)) == 0
            assert s.scalar(select(func.count()).select_from(Approval)) == 0


# --- request body limit and bounded JSON fields (item 13) ------------------------------------


def test_body_over_the_limit_is_413_before_it_is_parsed(client: TestClient) -> None:
    limit = 1024 * 1024
    assert client.app.state.settings.api.max_body_bytes == limit  # type: ignore[attr-defined]
    before = row_counts(client)
    body = b'{"workflow_definition_id": "%s", "description": "' % PII_DEFINITION.encode()
    body += b"x" * (limit - len(body) - 2 + 1) + b'"}'
    assert len(body) == limit + 1
    headers = {**ADMIN_A, "Content-Type": "application/json"}
    r = client.post(f"{BASE}/workflows", content=body, headers=headers)
    error = assert_envelope(r, 413, "PAYLOAD_TOO_LARGE", "larger than 1048576 bytes")
    assert error["details"] == {"limit_bytes": limit}

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        yield body[: limit // 2]
        yield body[limit // 2 :]

    r = client.post(f"{BASE}/workflows", content=chunks(), headers=headers)
    assert_envelope(r, 413, "PAYLOAD_TOO_LARGE", "DATAREADY_API__MAX_BODY_BYTES")
    assert row_counts(client) == before
    # at the limit exactly, the body is read and validated (description is too long: 422)
    r = client.post(f"{BASE}/workflows", content=body[:-3] + b'"}', headers=headers)
    assert_envelope(r, 422, "VALIDATION_ERROR", "body.description")


class _Recorder:
    """A bare ASGI exchange: counts what the app reads and keeps what it answers."""

    def __init__(self, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> None:
        self.chunks = chunks
        self.read = 0
        self.sent: list[dict[str, Any]] = []
        self.scope = {
            "type": "http",
            "method": "POST",
            "path": "/x",
            "headers": headers,
            "query_string": b"",
        }

    async def receive(self) -> dict[str, Any]:
        self.read += 1
        i = self.read - 1
        return {
            "type": "http.request",
            "body": self.chunks[i],
            "more_body": i + 1 < len(self.chunks),
        }

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def status(self) -> int:
        return int(self.sent[0]["status"])


async def _echo_length(scope: Any, receive: Any, send: Any) -> None:
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_body_limit_reads_no_more_than_it_must() -> None:
    limit = 2048
    middleware = BodyLimitMiddleware(_echo_length, max_bytes=limit)
    # a declared length over the limit: refused without reading a byte
    rec = _Recorder([b"x" * 10], [(b"content-length", str(limit + 1).encode())])
    anyio.run(middleware, rec.scope, rec.receive, rec.send)
    assert rec.status() == 413 and rec.read == 0
    # chunked: reading stops at the chunk that crosses the limit (the third of five)
    rec = _Recorder([b"x" * 1000] * 5, [(b"transfer-encoding", b"chunked")])
    anyio.run(middleware, rec.scope, rec.receive, rec.send)
    assert rec.status() == 413 and rec.read == 3
    body = json.loads(rec.sent[1]["body"])
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE" and body["error"]["status"] == 413
    # under the limit, chunked: the app gets the whole body
    rec = _Recorder([b"x" * 1000, b"x" * 1000], [(b"transfer-encoding", b"chunked")])
    anyio.run(middleware, rec.scope, rec.receive, rec.send)
    assert rec.status() == 200 and rec.sent[1]["body"] == b"2000"
    # a Content-Length that is not a number
    rec = _Recorder([b""], [(b"content-length", b"ten")])
    anyio.run(middleware, rec.scope, rec.receive, rec.send)
    assert rec.status() == 400 and rec.read == 0


def test_the_body_limit_is_a_setting(settings: Settings, api_workflows: None) -> None:
    small = settings.model_copy(
        update={"api": settings.api.model_copy(update={"max_body_bytes": 4096})}
    )
    with TestClient(create_app(small)) as c:
        config = create_configuration(c, PII_DEFINITION)
        r = c.post(
            f"{BASE}/workflows/{config['id']}/runs",
            json={"parameters": {"industry_info": "x" * 5000}},
            headers=ADMIN_A,
        )
        assert_envelope(r, 413, "PAYLOAD_TOO_LARGE", "larger than 4096 bytes")
        assert c.get(f"{BASE}/runs", headers=ADMIN_A).json()["total"] == 0


def _nest(levels: int) -> dict[str, Any]:
    """A JSON object ``levels`` objects deep (``{}`` is one)."""
    return {} if levels == 1 else {"a": _nest(levels - 1)}


def test_run_parameters_and_other_json_fields_are_bounded(
    client: TestClient, ctx: dict[str, str]
) -> None:
    before = row_counts(client)
    runs = f"{BASE}/workflows/{ctx['config']}/runs"
    big = {"include": [f"pg.db.public.{'t' * 120}{i:04d}" for i in range(600)]}  # ~80 kB
    r = client.post(runs, json={"parameters": big}, headers=ADMIN_A)
    assert_envelope(r, 422, "VALIDATION_ERROR", "body.parameters: ")
    assert "bytes of JSON; at most 65536 bytes" in r.json()["error"]["message"]
    r = client.post(runs, json={"parameters": _nest(17)}, headers=ADMIN_A)
    assert_envelope(r, 422, "VALIDATION_ERROR", "nested deeper than 16 levels")
    many = {f"k{i}": i for i in range(1001)}
    r = client.post(runs, json={"parameters": {"x": many}}, headers=ADMIN_A)
    assert_envelope(r, 422, "VALIDATION_ERROR", "parameters.x has 1001 keys; at most 1000")
    for path, body in (
        (f"/workflows/{ctx['config']}", {"config": big}),
        ("/workflows", {**CONFIG, "triggers": [big]}),
        (
            "/workflows/definitions",
            {"name": "d", "workflow_type": "profiling", "default_config": big},
        ),
        ("/services", {"name": "s", "connection_type": "sqlite", "config": big}),
        ("/services/verify", {"connection_type": "sqlite", "credentials": big}),
    ):
        call = client.patch if path == f"/workflows/{ctx['config']}" else client.post
        r = call(f"{BASE}{path}", json=body, headers=ADMIN_A)
        assert_envelope(r, 422, "VALIDATION_ERROR", "bytes of JSON")
    assert row_counts(client) == before
    # within the bounds: stored, and read back whole on every poll
    ok = {"include": [f"pg.db.public.t{i:04d}" for i in range(1000)], "nested": _nest(15)}
    run = start_run(client, ctx["config"], parameters=ok)
    doc = wait_run(client, ctx["config"], run["id"])
    assert doc["input"]["parameters"] == ok
