"""The OpenAPI document tells every error status and constraint; the docs page works offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests.api.conftest import ADMIN_A, BASE
from tests.conftest import make_settings

from dataready.api import create_app
from dataready.api.deps import MAX_OFFSET

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
WRITES = {"post", "put", "patch", "delete"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def test_every_error_status_is_documented_with_the_envelope(client: TestClient) -> None:
    document = client.get(f"{BASE}/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorEnvelope"]["properties"]) == {"error"}
    assert set(schemas["ErrorBody"]["required"]) == {
        "code",
        "message",
        "status",
        "details",
        "request_id",
        "trace_id",
    }
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    operations = _operations(document)
    assert len(operations) >= 30
    problems = []
    for method, path, op in operations:
        responses = op["responses"]
        errors = {int(s) for s in responses if int(s) >= 400}
        expected: set[int] = set()
        if op.get("security"):
            expected |= {401, 403, 503}
        if op.get("parameters") or "requestBody" in op:
            expected.add(422)
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            expected.add(404)
        if "requestBody" in op:
            expected |= {400, 413}
        if method in WRITES and not path.endswith("/services/verify"):
            expected.add(409)
        if not expected <= errors:
            problems.append(f"{method} {path}: missing {sorted(expected - errors)}")
        for status in errors:
            content = responses[str(status)]["content"]["application/json"]["schema"]
            if not (path.endswith("/health") and status == 503) and content != ENVELOPE:
                problems.append(f"{method} {path} {status}: {content}")
        if 500 in errors:
            problems.append(f"{method} {path}: documents a 500")
    assert not problems, "\n".join(problems)
    health = document["paths"][f"{BASE}/health"]["get"]["responses"]["503"]
    assert health["content"]["application/json"]["schema"]["$ref"].endswith("/HealthRead")


def _parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    for parameter in document["paths"][f"{BASE}{path}"][method]["parameters"]:
        if parameter["name"] == name:
            schema: dict[str, Any] = parameter["schema"]
            branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
            return branches[0]
    raise AssertionError(f"{method} {path} has no parameter {name}")


def test_the_constraints_the_server_enforces_are_documented(client: TestClient) -> None:
    document = client.get(f"{BASE}/openapi.json").json()
    schemas = document["components"]["schemas"]
    limit = _parameter(document, "/runs", "get", "limit")
    assert (limit["minimum"], limit["maximum"]) == (1, 500)
    offset = _parameter(document, "/runs", "get", "offset")
    assert (offset["minimum"], offset["maximum"]) == (0, MAX_OFFSET)
    fqn = _parameter(document, "/assets/{fqn}", "get", "fqn")
    pattern = re.compile(fqn["pattern"])
    for good in ("pg", "pg.db.public.customer.email", 'pg.sales."eu.west".orders'):
        assert pattern.match(good), good
    for bad in ("pg..t", "a.b.c.d.e.f", "", '"', "a." + "x" * 256):
        assert not pattern.match(bad), bad
    profile = re.compile(_parameter(document, "/assets/{fqn}/profile", "get", "fqn")["pattern"])
    assert profile.match("pg.db.public.t") and not profile.match("pg.db.public")
    assert _parameter(document, "/runs", "get", "asset_fqn")["pattern"] == fqn["pattern"]
    tag = _parameter(document, "/assets/{fqn}/tags/{tag}", "put", "tag")
    assert re.compile(tag["pattern"]).match("PII.Email") and tag["maxLength"] == 255
    parameters = schemas["RunCreate"]["properties"]["parameters"]
    assert parameters["maxProperties"] == 1000 and "65536 bytes" in parameters["description"]
    schedule = schemas["Schedule"]["properties"]
    assert schedule["timezone"]["maxLength"] == 64 and "pattern" in schedule["timezone"]
    assert schedule["cron_expression"]["maxLength"] == 255
    assert schemas["ConfigurationCreate"]["properties"]["triggers"]["maxItems"] == 100
    assert schemas["ApprovalUpdate"]["properties"]["action"]["$ref"].endswith("ApprovalAction")


def test_the_page_size_maximum_follows_the_setting(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    small = settings.model_copy(
        update={"api": settings.api.model_copy(update={"max_page_size": 20})}
    )
    document = create_app(small).openapi()
    assert _parameter(document, "/services", "get", "limit")["maximum"] == 20


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def test_the_docs_page_needs_nothing_from_the_internet(client: TestClient) -> None:
    r = client.get(f"{BASE}/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = _References()
    page.feed(r.text)
    assert len(page.urls) == 3  # the script, the stylesheet, the icon
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", r.text, re.IGNORECASE), r.text
    assert "validatorUrl" in r.text and f"'{BASE}/openapi.json'" in r.text
    types = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for url in page.urls:
        assert url.startswith(f"{BASE}/docs/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert types[url[url.rindex(".") :]] in asset.headers["content-type"], url
        assert len(asset.content) > 500
    bundle = client.get(f"{BASE}/docs/assets/swagger-ui-bundle.js").text
    # Swagger UI 5 renders OpenAPI 3.1, which FastAPI emits (4.x refuses it)
    assert 'PACKAGE_VERSION:"5.' in bundle
    assert client.get(f"{BASE}/openapi.json").json()["openapi"].startswith("3.1")
    assert client.get(f"{BASE}/docs/assets/LICENSE").status_code == 200
    missing = client.get(f"{BASE}/docs/assets/nope.js", headers=ADMIN_A)
    assert missing.status_code == 404


@pytest.mark.slow
def test_the_docs_render_in_a_real_browser_without_internet(tmp_path: Path) -> None:
    """Headless Chromium, every host but loopback unresolvable: Swagger UI draws each operation."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'store.db'}", tmp_path))
    operations = len(_operations(app.openapi()))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        dom = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=20000",
                "--dump-dom",
                f"http://127.0.0.1:{port}{BASE}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert "Unable to render" not in dom
    assert dom.count('class="opblock-summary-path"') == operations
    assert "OAS 3.1" in dom
