"""A run left ``running`` by a killed process is marked failed at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.workflows.conftest import StartRun, wait_for

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.workflows.engine import Engine

WORKER = textwrap.dedent(
    """
    import sys, time, uuid
    sys.path.insert(0, {root!r})
    from tests.conftest import make_settings
    from tests.workflows.fakes import register_fakes
    from dataready.workflows.engine import Engine
    register_fakes()
    eng = Engine(make_settings({url!r}, __import__("pathlib").Path({data!r})))
    eng.start(migrate_store=False, recover=False)
    eng.submit(uuid.UUID({run_id!r}))
    time.sleep(120)
    """
)


@pytest.fixture
def engine(settings: Settings, fakes: None) -> Iterator[Engine]:
    """An engine that does not sweep: these tests start the sweeping engine themselves.

    The shared fixture's periodic sweep would fail a killed worker's run on its own within
    ``sweep_every`` seconds (as it should), which races the checks that the run is still
    ``running`` until a sweep; that periodic path is tested in ``test_sweep.py``.
    """
    eng = Engine(settings)
    eng.start(recover=False)
    yield eng
    eng.shutdown()


def test_run_of_a_killed_process_is_failed_at_next_start(
    engine: Engine, start: StartRun, settings: Settings, tmp_path: Path
) -> None:
    run_id = start("test-slow", seconds=120, submit=False)
    script = WORKER.format(
        root=str(Path(__file__).parents[2]),
        url=settings.database_url,
        data=str(tmp_path),
        run_id=str(run_id),
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        run = wait_for(engine, run_id, states=(RunStatus.RUNNING,), timeout=30)
        assert run.worker_id is not None and f":{proc.pid}:" in run.worker_id
        deadline = time.monotonic() + 20
        while run.tasks == [] or run.tasks[0].status != TaskStatus.RUNNING:
            assert time.monotonic() < deadline, "the worker never started its first task"
            time.sleep(0.05)
            run = wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    time.sleep(0.2)
    assert wait_for(engine, run_id, states=(RunStatus.RUNNING,)).status == RunStatus.RUNNING

    restarted = Engine(settings)
    restarted.start()
    try:
        assert run_id in restarted.recovered
        run = wait_for(restarted, run_id)
        assert run.status == RunStatus.FAILED
        assert run.error_message is not None
        assert "stopped before it finished" in run.error_message
        assert run.completed_at is not None
        states = {t.name: t.status for t in run.tasks}
        assert states == {"slow-1": TaskStatus.FAILED, "slow-2": TaskStatus.CANCELLED}
    finally:
        restarted.shutdown()


def test_live_runs_of_another_worker_are_left_alone(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    run_id = start("test-slow", seconds=60)
    wait_for(engine, run_id, states=(RunStatus.RUNNING,))
    other = Engine(settings)
    other.start()
    try:
        assert run_id not in other.recovered
        assert wait_for(engine, run_id, states=(RunStatus.RUNNING,)).status == "running"
    finally:
        other.shutdown()


def test_pending_runs_are_resumed_at_start(
    engine: Engine, start: StartRun, settings: Settings
) -> None:
    run_id = start("test-fanout", n=2, submit=False)
    other = Engine(settings)
    other.start()
    try:
        assert wait_for(other, run_id).status == RunStatus.COMPLETED
    finally:
        other.shutdown()
