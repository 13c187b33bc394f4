"""Fault test: the PostgreSQL store stopped and restarted under a running engine.

The store is a throwaway cluster this module starts itself (never the shared service).  The
orphan timeout is 5 s and the heartbeat 0.5 s.  A run caught by an outage ends — completed
when the store is back within the timeout, failed otherwise — within twice the orphan
timeout of the store's return, without restarting the process, and nothing else in the
store is lost or changed.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import make_settings
from tests.throwaway_pg import ThrowawayPostgres, throwaway_pg
from tests.workflows.conftest import TENANT, StartRun

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.orm import (
    Proposal,
    WorkflowConfiguration,
    WorkflowDefinition,
    WorkflowRun,
    WorkflowTask,
)
from dataready.store.outage import is_store_unavailable
from dataready.workflows.engine import Engine

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

__all__ = ["throwaway_pg"]  # the fixture, imported for this module's tests

ORPHAN_AFTER = 5.0
FINISHED = (RunStatus.COMPLETED.value, RunStatus.FAILED.value, RunStatus.CANCELLED.value)


@pytest.fixture
def settings(throwaway_pg: ThrowawayPostgres, tmp_path: Path) -> Settings:
    throwaway_pg.ensure_running()
    s = make_settings(
        throwaway_pg.create_database(),
        tmp_path,
        heartbeat_seconds=0.5,
        orphan_after_seconds=ORPHAN_AFTER,
    )
    s.db.connect_timeout_seconds = 2.0
    return s


@pytest.fixture(autouse=True)
def _store_back_for_teardown(throwaway_pg: ThrowawayPostgres, engine: Engine) -> Any:
    yield
    throwaway_pg.ensure_running()


def _read(engine: Engine, run_id: uuid.UUID, timeout: float = 10.0) -> WorkflowRun:
    """The run, read through an outage's aftermath (stale pooled connections fail once)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with engine.store.session() as s:
                run = runs_q.get_run(s, TENANT, run_id)
                s.expunge_all()
                return run
        except Exception as exc:
            if not is_store_unavailable(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_finished(engine: Engine, run_id: uuid.UUID, timeout: float) -> WorkflowRun:
    deadline = time.monotonic() + timeout
    while True:
        run = _read(engine, run_id)
        if run.status in FINISHED:
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run.status} after {timeout}s"
        time.sleep(0.1)


def _wait_task_running(engine: Engine, run_id: uuid.UUID) -> None:
    deadline = time.monotonic() + 20
    while True:
        run = _read(engine, run_id)
        if run.tasks and run.tasks[0].status == TaskStatus.RUNNING:
            return
        assert time.monotonic() < deadline, "the run never started its first task"
        time.sleep(0.05)


def _snapshot(engine: Engine, exclude: uuid.UUID) -> dict[str, Any]:
    """Everything in the store but the run under test."""
    with engine.store.session() as s:
        runs = {
            r.id: (r.status, r.output, r.completed_at, r.error_message)
            for r in s.scalars(select(WorkflowRun).where(WorkflowRun.id != exclude))
        }
        tasks = {
            t.id: (t.status, t.output, t.attempt)
            for t in s.scalars(select(WorkflowTask).where(WorkflowTask.run_id != exclude))
        }
        proposals = {
            p.id: (p.status, p.payload)
            for p in s.scalars(select(Proposal).where(Proposal.run_id != exclude))
        }
        counts = {
            "definitions": s.scalar(select(func.count()).select_from(WorkflowDefinition)),
            "configurations": s.scalar(select(func.count()).select_from(WorkflowConfiguration)),
        }
    return {"runs": runs, "tasks": tasks, "proposals": proposals, "counts": counts}


def _outage(
    cluster: ThrowawayPostgres, engine: Engine, start: StartRun, seconds: float
) -> tuple[uuid.UUID, dict[str, Any], float]:
    """Run a finished run, start a slow one, stop the store ``seconds`` mid-run, restart it.

    Returns (the slow run, the store without it before the outage, when the store was back).
    """
    done = start("test-fanout", n=3)
    assert _wait_finished(engine, done, 20).status == RunStatus.COMPLETED
    run_id = start("test-slow", seconds=3)
    _wait_task_running(engine, run_id)
    before = _snapshot(engine, exclude=run_id)
    cluster.stop("immediate")
    time.sleep(seconds)
    cluster.start()
    return run_id, before, time.monotonic()


def test_store_stopped_10s_mid_run_the_run_ends_within_twice_the_orphan_timeout(
    throwaway_pg: ThrowawayPostgres, engine: Engine, start: StartRun
) -> None:
    run_id, before, back = _outage(throwaway_pg, engine, start, 10.0)
    run = _wait_finished(engine, run_id, timeout=2 * ORPHAN_AFTER)
    ended_after = time.monotonic() - back
    assert run.status in (RunStatus.FAILED, RunStatus.COMPLETED)
    if run.status == RunStatus.FAILED:  # the outage outlasted the worker's budget
        assert run.error_message is not None
        assert "lost the metadata store" in run.error_message
    assert run.completed_at is not None
    assert all(t.status not in ("pending", "running") for t in run.tasks), [
        (t.name, t.status) for t in run.tasks
    ]
    assert _snapshot(engine, exclude=run_id) == before  # nothing else lost or changed
    print(f"\nrun ended {run.status} {ended_after:.1f}s after the store came back")

    # the same process goes on working, without a restart
    again = start("test-fanout", n=2)
    assert _wait_finished(engine, again, 20).status == RunStatus.COMPLETED


def test_store_back_within_the_timeout_the_run_continues_and_completes(
    throwaway_pg: ThrowawayPostgres, engine: Engine, start: StartRun
) -> None:
    run_id, before, _ = _outage(throwaway_pg, engine, start, 2.0)
    run = _wait_finished(engine, run_id, timeout=4 * ORPHAN_AFTER)
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert {t.name: (t.status, t.attempt) for t in run.tasks} == {
        "slow-1": (TaskStatus.COMPLETED, 1),  # waited out, not failed nor redone
        "slow-2": (TaskStatus.COMPLETED, 1),
    }
    assert _snapshot(engine, exclude=run_id) == before


def test_a_second_process_sweeps_the_run_its_worker_lost(
    throwaway_pg: ThrowawayPostgres, engine: Engine, start: StartRun, settings: Settings
) -> None:
    """Two live engines on the store: whichever reaches it first settles the run."""
    other = Engine(settings)
    other.start(migrate_store=False)
    try:
        run_id, before, back = _outage(throwaway_pg, engine, start, 10.0)
        run = _wait_finished(engine, run_id, timeout=2 * ORPHAN_AFTER)
        assert run.status in (RunStatus.FAILED, RunStatus.COMPLETED)
        assert run.completed_at is not None
        assert _snapshot(engine, exclude=run_id) == before
        print(f"\nrun ended {run.status} {time.monotonic() - back:.1f}s after the store came back")
    finally:
        throwaway_pg.ensure_running()
        other.shutdown()
