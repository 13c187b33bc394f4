"""Shutting an engine down: runs are handed back (never cancelled) and resumed elsewhere.

``Engine.shutdown`` tells the running tasks it is a shutdown, gives them the grace period,
and puts what did not finish back to ``pending``; another engine on the same store resumes
the run without redoing completed tasks or duplicating results.  ``tests/cli/test_serve.py``
checks the same through SIGTERM on ``dataready serve``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from tests.workflows.conftest import PRINCIPAL, TENANT, StartRun, wait_for
from tests.workflows.fakes import GATE, executions

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.orm import Proposal, WorkflowRun
from dataready.workflows.engine import Engine
from dataready.workflows.service import cancel_run


@pytest.fixture(autouse=True)
def _open_gate_before_teardown(engine: Engine) -> Iterator[None]:
    """A regression must fail the test, not hang its engine's teardown on a closed gate."""
    yield
    GATE.set()


def _wait_task_running(engine: Engine, run_id: uuid.UUID, name: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        run = wait_for(engine, run_id, states=(RunStatus.RUNNING,))
        states = {t.name: t.status for t in run.tasks}
        if states.get(name) == TaskStatus.RUNNING and executions(run_id, name) >= 1:
            return
        assert time.monotonic() < deadline, f"task {name} never started: {states}"
        time.sleep(0.02)


def _proposals(engine: Engine, run_id: uuid.UUID) -> list[str]:
    with engine.store.session() as s:
        rows = s.scalars(select(Proposal.asset_fqn).where(Proposal.run_id == run_id)).all()
    return sorted(str(r) for r in rows)


def _read(engine: Engine, run_id: uuid.UUID) -> WorkflowRun:
    with engine.store.session() as s:
        run = runs_q.get_run(s, TENANT, run_id)
        s.expunge_all()
        return run


def test_shutdown_hands_a_run_back_and_another_engine_resumes_it(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    run_id = start("test-resumable")
    _wait_task_running(engine, run_id, "wait")
    t0 = time.monotonic()
    left = engine.shutdown(grace=10)
    took = time.monotonic() - t0
    assert left == []  # a cooperative task stops at its next check, well within the grace
    assert took < 5, f"shutdown took {took:.1f}s"

    run = _read(engine, run_id)
    assert run.status == RunStatus.PENDING  # handed back, not cancelled: nobody asked for it
    assert run.worker_id is None and run.heartbeat_at is None
    assert run.cancelled_at is None and run.completed_at is None
    tasks = {t.name: t for t in run.tasks}
    assert tasks["prepare"].status == TaskStatus.COMPLETED
    assert tasks["wait"].status == TaskStatus.PENDING
    assert tasks["wait"].attempt == 1  # kept
    assert "interrupted" in (tasks["wait"].error_message or "")
    assert tasks["report"].status == TaskStatus.PENDING and tasks["report"].attempt == 0
    assert _proposals(engine, run_id) == ["svc.db.s.prepare"]

    GATE.set()
    other = Engine(settings)
    other.start()
    try:
        run = wait_for(other, run_id)
    finally:
        other.shutdown()
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert {t.name: t.status for t in run.tasks} == dict.fromkeys(
        ("prepare", "wait", "report"), TaskStatus.COMPLETED
    )
    assert {t.name: t.attempt for t in run.tasks} == {"prepare": 1, "wait": 2, "report": 1}
    # completed work is not redone, and no result appears twice
    assert executions(run_id, "prepare") == 1
    assert executions(run_id, "report") == 1
    assert _proposals(engine, run_id) == ["svc.db.s.prepare", "svc.db.s.report", "svc.db.s.wait"]
    assert run.output is not None and run.output["tasks_total"] == 3
    assert run.output["steps"] == 3


def test_a_task_that_ignores_the_signal_is_handed_back_after_the_grace(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    run_id = start("test-resumable", stubborn=True)
    _wait_task_running(engine, run_id, "wait")
    t0 = time.monotonic()
    left = engine.shutdown(grace=0.5)
    took = time.monotonic() - t0
    assert left == [run_id]
    assert took < 3.5, f"shutdown took {took:.1f}s for a 0.5s grace"
    assert _read(engine, run_id).status == RunStatus.PENDING

    # The stubborn task finally ends: what it writes now must be refused, since the run is
    # no longer this worker's.
    GATE.set()
    assert engine.executor.wait_idle(timeout=10)  # type: ignore[attr-defined]
    engine.store.dispose()  # connections the late thread opened
    run = _read(engine, run_id)
    assert run.status == RunStatus.PENDING
    assert {t.name: t.status for t in run.tasks}["wait"] == TaskStatus.PENDING
    assert _proposals(engine, run_id) == ["svc.db.s.prepare"]

    other = Engine(settings)
    other.start()
    try:
        run = wait_for(other, run_id)
    finally:
        other.shutdown()
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert executions(run_id, "prepare") == 1
    assert _proposals(engine, run_id) == ["svc.db.s.prepare", "svc.db.s.report", "svc.db.s.wait"]


def test_an_engine_whose_runs_nothing_resumes_fails_them_with_a_message(
    engine: Engine, start: StartRun
) -> None:
    engine.requeue_on_shutdown = False  # as `dataready run` does
    run_id = start("test-resumable")
    _wait_task_running(engine, run_id, "wait")
    assert engine.shutdown(grace=10) == []
    run = _read(engine, run_id)
    assert run.status == RunStatus.FAILED
    assert run.cancelled_at is None
    assert run.error_message is not None and "was shut down before" in run.error_message
    assert run.completed_at is not None
    states = {t.name: t.status for t in run.tasks}
    assert states == {
        "prepare": TaskStatus.COMPLETED,
        "wait": TaskStatus.FAILED,
        "report": TaskStatus.CANCELLED,
    }


def test_runs_queued_but_not_started_stay_pending(
    settings: Settings, fakes: None, start: StartRun, engine: Engine
) -> None:
    small = settings.model_copy(
        update={"executor": settings.executor.model_copy(update={"max_workers": 1})}
    )
    one = Engine(small)
    one.start(migrate_store=False, recover=False)
    try:
        busy = start("test-resumable", submit=False)
        queued = start("test-fanout", n=1, submit=False)
        one.submit(busy)
        one.submit(queued)
        _wait_task_running(one, busy, "wait")
        assert one.shutdown(grace=10) == []
    finally:
        one.shutdown(wait=False)
    assert _read(engine, queued).status == RunStatus.PENDING
    assert _read(engine, queued).tasks == []
    one.submit(queued)  # refused once shut down: it stays for another process
    time.sleep(0.2)
    assert _read(engine, queued).status == RunStatus.PENDING


def test_cancelling_a_handed_back_run_closes_its_tasks(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    run_id = start("test-resumable")
    _wait_task_running(engine, run_id, "wait")
    engine.shutdown(grace=10)
    other = Engine(settings)  # an engine that does not take runs: the run stays pending
    other.start(take_runs=False)
    try:
        with other.store.session() as s:
            run = runs_q.get_run(s, TENANT, run_id, with_tasks=False)
            cancel_run(s, PRINCIPAL, run.configuration_id, run_id)
        run = _read(other, run_id)
        assert run.status == RunStatus.CANCELLED
        assert {t.name: t.status for t in run.tasks} == {
            "prepare": TaskStatus.COMPLETED,
            "wait": TaskStatus.CANCELLED,
            "report": TaskStatus.CANCELLED,
        }
        with other.store.session() as s:
            assert s.scalar(select(func.count()).select_from(WorkflowRun)) == 1
    finally:
        other.shutdown()
