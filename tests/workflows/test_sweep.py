"""The periodic sweep: stale runs of other processes are settled while the engine runs.

Runs of "another process" are rows written as that process would have left them: a worker
id on another host (so only the heartbeat can tell), a heartbeat of an hour ago.  The
orphan timeout is 2 s and the sweep runs every 0.5 s, so every outcome is bounded by a few
seconds; nothing restarts.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from tests.conftest import make_settings
from tests.workflows.conftest import TENANT, StartRun, wait_for

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowRun
from dataready.store.types import utcnow
from dataready.workflows.engine import Engine

ORPHAN_AFTER = 2.0
OTHER_HOST_WORKER = "another-host.example:4242:deadbeef"


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        store_url,
        tmp_path,
        heartbeat_seconds=0.2,
        orphan_after_seconds=ORPHAN_AFTER,
        sweep_interval_seconds=0.5,
    )


def _as_left_by_another_process(
    engine: Engine,
    run_id: uuid.UUID,
    *,
    worker_id: str = OTHER_HOST_WORKER,
    beat_age: float = 3600.0,
    task_started: bool,
) -> None:
    """Make a pending run look claimed by ``worker_id``, last heard of ``beat_age`` ago."""
    with engine.store.session() as s:
        run = runs_q.get_run_unscoped(s, run_id)
        if task_started:
            for position, name in enumerate(("step-1", "step-2")):
                runs_q.add_task(
                    s,
                    run,
                    position=position,
                    name=name,
                    task_type="step",
                    asset_fqn=None,
                    params={},
                    depends_on=[],
                )
            s.flush()
            s.refresh(run)
            first = run.tasks[0]
            runs_q.transition_task(s, first, TaskStatus.RUNNING, attempt=1, started_at=utcnow())
        s.execute(
            update(WorkflowRun)
            .where(WorkflowRun.id == run_id)
            .values(
                status=RunStatus.RUNNING.value,
                worker_id=worker_id,
                heartbeat_at=utcnow() - timedelta(seconds=beat_age),
            )
        )


def test_a_stale_run_of_another_process_is_failed_while_the_engine_runs(
    engine: Engine, start: StartRun
) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    _as_left_by_another_process(engine, run_id, task_started=True)
    run = wait_for(engine, run_id, timeout=4 * ORPHAN_AFTER)
    assert run.status == RunStatus.FAILED
    assert run.error_message is not None and "stopped before it finished" in run.error_message
    assert OTHER_HOST_WORKER in run.error_message
    assert {t.name: t.status for t in run.tasks} == {
        "step-1": TaskStatus.FAILED,
        "step-2": TaskStatus.CANCELLED,
    }
    deadline = time.monotonic() + 5  # the sweep records it once its pass is over
    while run_id not in engine.recovered:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_live_worker_of_another_process_keeps_its_run(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    _as_left_by_another_process(engine, run_id, beat_age=0.0, task_started=True)
    alive = threading.Event()
    alive.set()

    def beat() -> None:  # the other process's heartbeat thread
        while alive.is_set():
            with engine.store.session() as s:
                runs_q.prove_owner(s, run_id, OTHER_HOST_WORKER)
            time.sleep(0.2)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        time.sleep(2 * ORPHAN_AFTER)  # eight sweeps: none may touch a run that beats
        assert wait_for(engine, run_id, states=(RunStatus.RUNNING,)).status == "running"
    finally:
        alive.clear()
        thread.join(timeout=5)
    # the other process dies: its run goes once the heartbeat is stale
    assert wait_for(engine, run_id, timeout=4 * ORPHAN_AFTER).status == RunStatus.FAILED


def test_an_orphan_that_started_no_task_is_requeued_and_runs(
    engine: Engine, start: StartRun
) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    _as_left_by_another_process(engine, run_id, task_started=False)
    run = wait_for(engine, run_id, timeout=4 * ORPHAN_AFTER)
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert run.worker_id == engine.worker_id
    assert run.error_message is None
    assert {t.status for t in run.tasks} == {TaskStatus.COMPLETED}


def test_an_orphan_requeued_once_is_failed_the_second_time(engine: Engine, start: StartRun) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    with engine.store.session() as s:  # as a first sweep left it, then claimed and lost again
        s.execute(
            update(WorkflowRun)
            .where(WorkflowRun.id == run_id)
            .values(error_message="re-queued: the worker that claimed this run (x) stopped")
        )
    _as_left_by_another_process(engine, run_id, task_started=False)
    run = wait_for(engine, run_id, timeout=4 * ORPHAN_AFTER)
    assert run.status == RunStatus.FAILED
    assert run.error_message is not None and "stopped before it finished" in run.error_message


def test_a_pending_run_nobody_submitted_is_picked_up(engine: Engine, start: StartRun) -> None:
    # the creating process died between its commit and handing the run to its executor
    run_id = start("test-fanout", n=2, submit=False)
    run = wait_for(engine, run_id, timeout=4 * ORPHAN_AFTER)
    assert run.status == RunStatus.COMPLETED


def test_an_engine_that_takes_no_runs_leaves_pending_ones(
    settings: Settings, fakes: None, start: StartRun, engine: Engine
) -> None:
    engine.shutdown()  # only the API-only engine below is alive
    api_only = Engine(settings)
    api_only.start(migrate_store=False, take_runs=False)
    try:
        run_id = start("test-fanout", n=1, submit=False)
        time.sleep(4 * settings.executor.sweep_every)
        with api_only.store.session() as s:
            assert runs_q.get_run(s, TENANT, run_id).status == RunStatus.PENDING
    finally:
        api_only.shutdown()


def test_a_sweeper_never_fails_a_run_whose_worker_beat_since_it_read_it(
    engine: Engine, start: StartRun
) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    engine.shutdown()  # this test plays the sweepers itself
    _as_left_by_another_process(engine, run_id, task_started=True)
    with engine.store.session() as s:
        seen = runs_q.get_run_unscoped(s, run_id).heartbeat_at
    with engine.store.session() as s:  # the slow worker beats
        assert runs_q.prove_owner(s, run_id, OTHER_HOST_WORKER)
    with engine.store.session() as s:  # the sweeper acts on what it read
        moved = runs_q.fail_owned_run(
            s,
            run_id,
            worker_id=OTHER_HOST_WORKER,
            heartbeat_at=seen,
            match_heartbeat=True,
            message="orphan",
            task_message="orphan",
        )
    assert moved is False
    with engine.store.session() as s:
        assert runs_q.get_run_unscoped(s, run_id).status == RunStatus.RUNNING


def test_concurrent_sweepers_settle_each_orphan_exactly_once(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    from dataready.workflows.recovery import sweep

    engine.shutdown()  # four sweepers of four "processes" race instead
    run_ids = [start("test-fanout", n=1, submit=False) for _ in range(6)]
    for i, run_id in enumerate(run_ids):
        _as_left_by_another_process(engine, run_id, task_started=i % 2 == 0)
    barrier = threading.Barrier(4)
    results: list[tuple[list[uuid.UUID], list[uuid.UUID]]] = []
    errors: list[BaseException] = []

    def sweeper(n: int) -> None:
        try:
            barrier.wait()
            result = sweep(engine.store, settings, f"sweeper-{n}:1:x")
            results.append((result.failed, result.requeued))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweeper, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    failed = [r for f, _ in results for r in f]
    requeued = [r for _, q in results for r in q]
    assert sorted(failed, key=str) == sorted(run_ids[0::2], key=str)  # each once, no more
    assert sorted(requeued, key=str) == sorted(run_ids[1::2], key=str)
    with engine.store.session() as s:
        states = {r: runs_q.get_run_unscoped(s, r).status for r in run_ids}
    assert states == {r: ("failed" if i % 2 == 0 else "pending") for i, r in enumerate(run_ids)}


def test_a_worker_taken_over_writes_nothing_more(engine: Engine, start: StartRun) -> None:
    run_id = start("test-slow", seconds=60)
    run = wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    deadline = time.monotonic() + 10
    while not run.tasks or run.tasks[0].status != TaskStatus.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.05)
        run = wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    # A sweeper of another process decided this worker was gone (it froze, say).
    with engine.store.session() as s:
        assert runs_q.fail_owned_run(
            s,
            run_id,
            worker_id=engine.worker_id,
            message="failed by another sweeper",
            task_message="failed by another sweeper",
        )
    assert engine.executor.wait_idle(timeout=5)  # type: ignore[attr-defined]
    run = wait_for(engine, run_id)
    assert run.status == RunStatus.FAILED
    assert run.error_message == "failed by another sweeper"
    assert {t.name: (t.status, t.error_message) for t in run.tasks} == {
        "slow-1": (TaskStatus.FAILED, "failed by another sweeper"),
        "slow-2": (TaskStatus.CANCELLED, None),
    }
