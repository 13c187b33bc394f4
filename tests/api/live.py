"""A real HTTP server for the race tests: uvicorn serving the app on a free port, in a thread.

FastAPI runs sync routes on a thread pool, so requests sent at the same time by separate
clients really overlap in the store — which ``TestClient`` (one event loop, one portal) does
not promise.  The server runs in this process, so the tests keep the fake workflows they
register and can read the engine and the store directly.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from tests.api.conftest import BASE, as_role

from dataready.api import create_app
from dataready.settings import Settings
from dataready.workflows.engine import Engine


def admin() -> dict[str, str]:
    """Headers of an admin of tenant A, signed now (a module-level token would expire
    during a long test session)."""
    return as_role("admin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """The base URL of a running server and the engine of its app."""

    url: str
    engine: Engine

    def client(self, headers: dict[str, str]) -> httpx.Client:
        return httpx.Client(base_url=self.url + BASE, headers=headers, timeout=60)


@contextmanager
def serve(settings: Settings) -> Iterator[LiveServer]:
    """Serve ``create_app(settings)`` with uvicorn until the block ends."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="dr-test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the test server did not start (see the log above)"
        assert time.monotonic() < deadline, "the test server did not start within 30 s"
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app.state.engine)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(name="live")
def live_fixture(settings: Settings, api_workflows: None) -> Iterator[LiveServer]:
    """A live server on the test's store (SQLite or PostgreSQL) with the fake workflows."""
    with serve(settings) as server:
        yield server


def new_configuration(client: httpx.Client, definition_id: str) -> str:
    r = client.post("/workflows", json={"workflow_definition_id": definition_id})
    assert r.status_code == 201, r.text
    configuration_id: str = r.json()["id"]
    return configuration_id


Call = Callable[[httpx.Client], httpx.Response]


def race(
    server: LiveServer, calls: list[Call], headers: dict[str, str] | None = None
) -> list[httpx.Response]:
    """Send ``calls`` at once, each from its own thread and connection; their responses in order.

    Every call goes as ``headers`` (default: an admin of tenant A).

    Each thread opens its connection first (a throwaway request), then all wait at a barrier
    so that the calls leave together.
    """
    headers = headers or admin()
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def work(i: int) -> None:
        with server.client(headers) as client:
            try:
                client.get("/health")  # connect before the barrier
                barrier.wait(timeout=30)
                results[i] = calls[i](client)
            except BaseException as exc:
                barrier.abort()
                results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    out: list[httpx.Response] = []
    for i, result in enumerate(results):
        if not isinstance(result, httpx.Response):
            raise AssertionError(f"call {i} did not answer: {result!r}")
        out.append(result)
    return out


def summary(responses: list[httpx.Response]) -> list[tuple[int, Any]]:
    """Status and error code of each response (for assertion messages)."""
    out: list[tuple[int, Any]] = []
    for r in responses:
        code = r.json().get("error", {}).get("code") if r.status_code >= 400 else None
        out.append((r.status_code, code))
    return out
