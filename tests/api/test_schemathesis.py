"""Fuzz the whole API from its own OpenAPI document, on both stores (schemathesis, pinned in the
dev extra).

Every operation gets schema-driven examples, coverage cases (boundaries, wrong types, missing
and extra fields) and random ones, sent in-process to a real app on a real store, with an admin
token so that they reach past authentication.  Half of the cases (chosen by a hash, so runs
repeat) address resources that exist — a service with an ingested catalogue, a configuration
with a completed run, a definition, a tag — so they reach the code behind the 404s.  Every
response must be no server error, and must be documented: its status, content type and body
schema.

``DATAREADY_FUZZ_EXAMPLES`` raises the examples per operation for a longer pass (default 12,
which keeps both stores under about two minutes together).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.conftest import BASE, claims_for, encode
from tests.conftest import _fresh_pg_database, make_settings

from dataready.api import create_app
from dataready.domain.definitions import builtin_definition_id
from dataready.domain.enums import WorkflowType
from dataready.settings import SourceSettings

EXAMPLES = int(os.environ.get("DATAREADY_FUZZ_EXAMPLES", "12"))
TOKEN = encode(claims_for("fuzz-client", "fuzz-project", ["admin"], exp=int(time.time()) + 86400))
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _source(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        "INSERT INTO customer (email) VALUES ('a@example.com'), ('b@example.com');"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES "
        "customer(id), amount REAL);"
    )
    con.close()
    return path


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    doc: dict[str, Any] = response.json()
    return doc


def _wait(client: Any, configuration_id: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        doc = _ok(client.get(f"{BASE}/workflows/{configuration_id}/runs/{run_id}"))
        if doc["status"] in ("completed", "failed", "cancelled"):
            return doc
        assert time.monotonic() < deadline, doc
        time.sleep(0.05)


def _seed(client: Any, source: Path) -> dict[str, str]:
    """Resources for the fuzzer to address, made through the API itself."""
    service = _ok(
        client.post(
            f"{BASE}/services",
            json={"name": "shop", "connection_type": "sqlite", "config": {"path": str(source)}},
        ),
        201,
    )
    ingestion = _ok(
        client.post(
            f"{BASE}/workflows",
            json={
                "workflow_definition_id": str(builtin_definition_id(WorkflowType.SERVICE_INGESTION))
            },
        ),
        201,
    )
    run = _ok(
        client.post(f"{BASE}/workflows/{ingestion['id']}/runs", json={"asset_fqn": "shop"}), 201
    )
    assert _wait(client, ingestion["id"], run["id"])["status"] == "completed"
    column = "shop.shop.main.customer.email"
    _ok(client.put(f"{BASE}/assets/{column}/tags/PII.Email", json={"note": "seed"}))
    definition = _ok(
        client.post(
            f"{BASE}/workflows/definitions",
            json={"name": "fuzz profiling", "workflow_type": "profiling"},
        ),
        201,
    )
    return {
        "service_id": service["id"],
        "configuration_id": ingestion["id"],
        "run_id": run["id"],
        "definition_id": definition["id"],
        "fqn": column,
        "tag": "PII.Email",
    }


def _document() -> dict[str, Any]:
    """The app's OpenAPI document (building an app touches no store)."""
    app = create_app(make_settings("sqlite://", Path(tempfile.gettempdir())))
    document: dict[str, Any] = app.openapi()
    return document


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240115,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "database": "none"},
        "warnings": False,
    }
)
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@contextmanager
def _store(kind: str, directory: Path) -> Iterator[str]:
    """A store URL: a SQLite file in ``directory``, or a fresh PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'store.db'}"
        return
    yield from _fresh_pg_database()


@dataclass
class Fuzzed:
    """The app under test on one store, what exists in it, and the statuses it answered."""

    app: Any
    store: str
    known: dict[str, str]
    statuses: Counter[int] = field(default_factory=Counter)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzz_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzed]:
    """One app per store for every operation's test, seeded with resources to address."""
    directory = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    sources = directory / "sources"
    with _store(request.param, directory) as url:
        store_settings = make_settings(url, directory)
        if "file_roots" in SourceSettings.model_fields:  # sources confined to allowed roots
            store_settings = store_settings.model_copy(
                update={
                    "sources": store_settings.sources.model_copy(update={"file_roots": [sources]})
                }
            )
        app = create_app(store_settings)
        try:
            with asgi.get_client(app) as client:  # starts the app's lifespan (the engine)
                client.headers.update(HEADERS)
                fuzzed = Fuzzed(app, request.param, _seed(client, _source(sources)))
            yield fuzzed
        finally:
            asgi.shutdown_lifespans()  # stops the engine before the store goes
    # shown with -s: the figures of a longer pass (DATAREADY_FUZZ_EXAMPLES)
    print(
        f"\nschemathesis on {fuzzed.store}: {fuzzed.statuses.total()} requests, "
        f"statuses {dict(sorted(fuzzed.statuses.items()))}"
    )


def _point_at_known(case: schemathesis.Case, known: dict[str, str]) -> None:
    """Half of the cases (by a stable hash) address existing resources instead of random ones."""
    params = case.path_parameters or {}
    if not params or zlib.crc32(repr(sorted(params.items())).encode()) % 2:
        return
    for name, value in list(params.items()):
        replacement = known.get(name)
        if replacement is None:
            continue
        if name.endswith("_id"):
            try:
                uuid.UUID(str(value))
            except ValueError:
                continue  # a case about a malformed id stays one
        params[name] = replacement


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzed_requests_get_documented_answers_and_no_server_error(
    case: schemathesis.Case, fuzz_app: Fuzzed
) -> None:
    _point_at_known(case, fuzz_app.known)
    response = case.call(app=fuzz_app.app, headers=HEADERS)
    fuzz_app.statuses[response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=HEADERS)
