"""Deleting a configuration while runs start on it, from real clients against a live server.

The delete and the run creation lock the configuration row, so one of them goes first: the
delete answers 409 while a run is active or starting, a start that comes after the delete
answers 404, and nothing answers 500.  The runner never crashes, even when a run vanishes
from the store under it.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from tests.api.conftest import SLOW_DEFINITION, TERMINAL, assert_envelope
from tests.api.live import (
    LiveServer,
    admin,
    live_fixture,  # noqa: F401  (fixture)
    new_configuration,
    race,
    summary,
)

from dataready.store.orm import WorkflowConfiguration, WorkflowRun
from dataready.workflows.executors.local import LocalExecutor

TRIALS = 20
STARTS = 3


def crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines of runs that escaped the runner (the executor's last line of defence)."""
    return [r.getMessage() for r in caplog.records if "crashed" in r.getMessage()]


def wait_idle(server: LiveServer) -> None:
    executor = server.engine.executor
    assert isinstance(executor, LocalExecutor)
    assert executor.wait_idle(timeout=60), "the executor still has runs after 60 s"


def cancel(c: httpx.Client, cid: str, rid: str) -> None:
    """Cancel a run that has not finished: one request, 200 — also when it meets the runner's
    claim of the run (the cancel retries the compare-and-set on the fresh state)."""
    r = c.post(f"/workflows/{cid}/runs/{rid}/cancel")
    assert r.status_code == 200, r.text


def test_delete_while_runs_start_is_never_500(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    outcomes: dict[str, int] = {}
    body = {"asset_fqn": "pg.sales.public.orders", "parameters": {"seconds": 30}}
    with live.client(admin()) as c:
        for _ in range(TRIALS):
            cid = new_configuration(c, SLOW_DEFINITION)
            calls: list[Any] = [lambda c, cid=cid: c.delete(f"/workflows/{cid}")]
            calls += [lambda c, cid=cid: c.post(f"/workflows/{cid}/runs", json=body)] * STARTS
            answers = race(live, calls)
            deleted, starts = answers[0], answers[1:]
            assert deleted.status_code in (204, 409), summary(answers)
            assert {r.status_code for r in starts} <= {201, 404}, summary(answers)
            started = [r.json()["id"] for r in starts if r.status_code == 201]
            if deleted.status_code == 204:
                # the delete went first: every start found no configuration
                assert started == [], summary(answers)
                for r in starts:
                    assert_envelope(r, 404, "RESOURCE_NOT_FOUND")
                assert c.get(f"/workflows/{cid}").status_code == 404
            else:
                # a run started first: the delete was refused and the runs are intact
                assert started, summary(answers)
                error = assert_envelope(deleted, 409, "CONFLICT")
                assert "active run" in error["message"]
                for rid in started:
                    assert c.get(f"/workflows/{cid}/runs/{rid}").status_code == 200
                    cancel(c, cid, rid)
            outcomes[str(deleted.status_code)] = outcomes.get(str(deleted.status_code), 0) + 1
            wait_idle(live)
            for rid in started:
                doc = c.get(f"/workflows/{cid}/runs/{rid}").json()
                assert doc["status"] == "cancelled", doc
    assert crashes(caplog) == []
    assert sum(outcomes.values()) == TRIALS


def test_runner_survives_its_run_vanishing(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A configuration deleted behind the API's back (its runs go with it, by cascade)."""
    caplog.set_level(logging.WARNING)
    with live.client(admin()) as c:
        cid = new_configuration(c, SLOW_DEFINITION)
        body = {"asset_fqn": "pg.sales.public.orders", "parameters": {"seconds": 30}}
        rid = c.post(f"/workflows/{cid}/runs", json=body).json()["id"]
        deadline = time.monotonic() + 20
        while c.get(f"/workflows/{cid}/runs/{rid}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # the API refuses: the run is active
        assert_envelope(c.delete(f"/workflows/{cid}"), 409, "CONFLICT")
    with live.engine.store.session() as s:
        s.execute(delete(WorkflowConfiguration).where(WorkflowConfiguration.id == uuid.UUID(cid)))
    wait_idle(live)
    with live.engine.store.session() as s:
        assert s.scalar(select(WorkflowRun.id).where(WorkflowRun.id == uuid.UUID(rid))) is None
    assert crashes(caplog) == []
    gone = [r.getMessage() for r in caplog.records if rid in r.getMessage()]
    assert any("no longer in the store" in m for m in gone), gone
    # the engine goes on: a new run on a new configuration completes
    with live.client(admin()) as c:
        cid = new_configuration(c, SLOW_DEFINITION)
        body["parameters"] = {"seconds": 0.1}
        rid = c.post(f"/workflows/{cid}/runs", json=body).json()["id"]
        wait_idle(live)
        doc = c.get(f"/workflows/{cid}/runs/{rid}").json()
        assert doc["status"] in TERMINAL and doc["status"] == "completed", doc
