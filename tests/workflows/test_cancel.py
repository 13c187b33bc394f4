"""A run's cancel stops its source statement, and a cancelled run stores no result.

The acceptance test of issue 8 (item 8): a profiling run on PostgreSQL and on MariaDB whose
aggregate statement runs for seconds (it reads a view that sleeps on every row, so the
statement is slow without a large table; the view also hides the sleep from the SQL guard).
The run is cancelled the way the API does it — a store write, from "another process" (no
in-memory signal) or from this one (the route also signals the local executor) — and:

* the statement is gone from the server's process list within 1 s of the cancel (polled
  every 10 ms; the figure is printed, run with ``-s`` to see it);
* the run and its task end ``cancelled`` and no profile of the run is stored.

Both metadata stores are covered (the ``store_url`` fixture).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.connectors.process_list import ProcessList, seconds_until
from tests.connectors.sources import SourceCase, make_source
from tests.store.catalog import add_catalogue
from tests.workflows.conftest import (
    PRINCIPAL,
    TENANT,
    add_service,
    run_builtin,
    start_builtin,
    wait_for,
)

from dataready.connectors.config import ConnectionConfig
from dataready.domain.enums import RunStatus, TaskStatus
from dataready.errors import ConnectionFailed, NotFound, RunCancelled
from dataready.sample import generate_sample
from dataready.store import approvals as approvals_q
from dataready.store import assets as assets_q
from dataready.store import configurations as configs_q
from dataready.store import definitions as defs_q
from dataready.store import runs as runs_q
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Asset, Profile, Proposal, WorkflowRun
from dataready.store.types import utcnow
from dataready.workflows.cancel import CancelWatcher
from dataready.workflows.context import StoreRunContext
from dataready.workflows.engine import Engine
from dataready.workflows.registry import get_workflow
from dataready.workflows.service import cancel_run, start_run

ROWS = 200
SLEEP_PER_ROW = 0.05  # the aggregate reads every row: ~10 s, far past the 1 s bound
GONE_WITHIN = 1.0  # the target, from the cancel's commit to the statement's end

_VIEW = {
    "postgres": (
        "CREATE VIEW slow AS SELECT g AS id, md5(g::text) AS label "
        f"FROM generate_series(1, {ROWS}) g WHERE pg_sleep({SLEEP_PER_ROW}) IS NOT NULL"
    ),
    "mysql": (
        "CREATE VIEW slow AS SELECT seq AS id, MD5(seq) AS label "
        f"FROM seq_1_to_{ROWS} WHERE SLEEP({SLEEP_PER_ROW}) = 0"
    ),
}


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def slow_source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SourceCase]:
    for source in make_source(request.param, tmp_path):
        source.run(_VIEW[source.engine])
        yield source


@pytest.fixture
def processes(slow_source: SourceCase) -> Iterator[ProcessList]:
    plist = ProcessList(slow_source)
    yield plist
    plist.close()


def _register(engine: Engine, name: str, config: ConnectionConfig) -> None:
    with engine.store.session() as s:
        services_q.put_service(
            s,
            TENANT,
            CredentialCipher(engine.settings),
            name=name,
            config=config,
            description=None,
            created_by="test",
        )


def _profiles_of(engine: Engine, run_id: uuid.UUID) -> int:
    with engine.store.session() as s:
        return int(s.scalar(select(func.count()).where(Profile.run_id == run_id)) or 0)


@pytest.mark.parametrize("signal", ["store", "api"])
def test_cancel_stops_the_source_statement_and_stores_no_profile(
    engine: Engine, slow_source: SourceCase, processes: ProcessList, signal: str
) -> None:
    source = slow_source
    _register(engine, "src", source.config)
    schema_fqn = f"src.{source.database}.{source.schema}"
    assert run_builtin(engine, "service-ingestion", schema_fqn).status == RunStatus.COMPLETED
    # A few sampled rows for the sketches (fast); the aggregate then reads the whole view.
    run_id = start_builtin(engine, "profiling", f"{schema_fqn}.slow", save_all=True, sketch_rows=5)
    aggregate = ("count(", "slow")  # the profiler's one aggregate statement over the view
    waited = seconds_until(lambda: bool(processes.statements(*aggregate)), 30)
    assert waited is not None, "the aggregate statement never showed in the process list"

    with engine.store.session() as s:  # what POST .../runs/{id}/cancel does
        run = runs_q.get_run(s, TENANT, run_id, with_tasks=False)
        cancel_run(s, PRINCIPAL, run.configuration_id, run_id)
    if signal == "api":  # the route also signals the executor of its own process
        engine.cancel(run_id)
    gone = seconds_until(lambda: not processes.statements(*aggregate), 2 * ROWS * SLEEP_PER_ROW)
    print(f"\n{source.engine} cancelled via {signal}: statement gone after {gone}s")
    assert gone is not None and gone < GONE_WITHIN, f"statement still there after {gone}s"

    assert engine.executor.wait_idle(timeout=10)  # type: ignore[attr-defined]
    run = wait_for(engine, run_id)
    assert run.status == RunStatus.CANCELLED
    assert [t.status for t in run.tasks] == [TaskStatus.CANCELLED]
    assert _profiles_of(engine, run_id) == 0  # and the runner is done: none will come


# -- results written only while the run runs ---------------------------------------------


class LateNoticing(StoreRunContext):
    """A context that notices a cancel written to the store only much later: the state of a
    task whose last check passed just before the cancel landed. Only the guarded write of
    the results stands between the cancel and a stored result."""

    CHECK_INTERVAL = 3600.0


FAKE_TABLE = "svc.db.s.t"


def _running_context(
    engine: Engine, workflow_type: str, fqn: str, **parameters: Any
) -> tuple[LateNoticing, threading.Event]:
    with engine.store.session() as s:
        if fqn == FAKE_TABLE and not assets_q.is_catalogued(s, TENANT, fqn, ["table"]):
            # runs start on catalogued assets only: a catalogue without a source behind it
            add_catalogue(s, TENANT, "svc", ["svc.db", "svc.db.s", FAKE_TABLE])
        definition = defs_q.default_definition_for_type(s, TENANT, workflow_type)
        configuration = configs_q.create_configuration(
            s,
            TENANT,
            definition,
            name=None,
            description=None,
            config={},
            schedule=None,
            triggers=[],
            created_by="test",
        )
        run = start_run(
            s, PRINCIPAL, configuration.id, asset_fqn=fqn, parameters=parameters, save_all=True
        )
        runs_q.transition_run(s, run, RunStatus.RUNNING, worker_id="test", heartbeat_at=utcnow())
        s.expunge(run)
    event = threading.Event()
    ctx = LateNoticing(
        store=engine.store, settings=engine.settings, run=run, cancel_event=event, worker_id="test"
    )
    return ctx, event


def _cancel_in_store(engine: Engine, run_id: uuid.UUID) -> None:
    with engine.store.session() as s:
        run = runs_q.get_run(s, TENANT, run_id, with_tasks=False)
        cancel_run(s, PRINCIPAL, run.configuration_id, run_id)


def _stored_results(engine: Engine, run_id: uuid.UUID) -> dict[str, int]:
    with engine.store.session() as s:
        return {
            "profiles": int(s.scalar(select(func.count()).where(Profile.run_id == run_id)) or 0),
            "proposals": int(s.scalar(select(func.count()).where(Proposal.run_id == run_id)) or 0),
            "assets": int(s.scalar(select(func.count()).where(Asset.last_run_id == run_id)) or 0),
        }


@pytest.fixture
def sample_service(engine: Engine, tmp_path: Path) -> Path:
    """The small sample shop as service ``s``, catalogued (its schema is ``s.sample.main``)."""
    path = tmp_path / "sample.db"
    generate_sample(f"sqlite:///{path}", scale=0.02, seed=3)
    add_service(engine, "s", f"sqlite:///{path}")
    assert run_builtin(engine, "service-ingestion", "s").status == RunStatus.COMPLETED
    return path


@pytest.mark.parametrize(
    ("workflow_type", "fqn"),
    [
        ("service-ingestion", "s.sample.main"),
        ("profiling", "s.sample.main.customer"),
        ("generate-pii-tags", "s.sample.main.customer"),
        ("generate-dq-tags", "s.sample.main.customer"),
        ("generate-sensitivity-tags", "s.sample.main.customer"),
    ],
)
def test_a_task_that_finishes_after_the_cancel_stores_nothing(
    engine: Engine, sample_service: Path, workflow_type: str, fqn: str
) -> None:
    with sqlite3.connect(sample_service) as con:  # something new for the ingestion to find
        con.execute("CREATE TABLE fresh (id INTEGER PRIMARY KEY)")
    ctx, event = _running_context(engine, workflow_type, fqn)
    try:
        workflow = get_workflow(workflow_type)
        tasks = workflow.plan(ctx)  # (the ingestion records the schema while planning)
        planned = _stored_results(engine, ctx.run_id)
        ctx.check_cancelled()  # the task's last look at the store: still running
        _cancel_in_store(engine, ctx.run_id)  # lands while the task works
        with pytest.raises(RunCancelled):
            workflow.run_task(ctx, tasks[0])
        assert event.is_set()  # the runner stops the rest of the run
    finally:
        event.set()  # ends the context's watcher
    assert _stored_results(engine, ctx.run_id) == planned
    assert planned["profiles"] == planned["proposals"] == 0
    with engine.store.session() as s, pytest.raises(NotFound):
        assets_q.get_asset(s, TENANT, "s.sample.main.fresh")


def test_a_cancel_waits_for_a_result_being_written(engine: Engine) -> None:
    """The write and the cancel are serialised on the run: the cancel commits after the
    result (which the task finished first), never in the middle."""
    ctx, event = _running_context(engine, "profiling", "svc.db.s.t")
    inside, release = threading.Event(), threading.Event()
    cancel_done = threading.Event()

    def write() -> None:
        with ctx.result_session() as s:
            run = s.get(WorkflowRun, ctx.run_id)
            assert run is not None
            approvals_q.add_proposal(
                s, run, kind="machine-tags", asset_fqn="svc.db.s.t", payload={}
            )
            inside.set()
            release.wait(10)

    def cancel() -> None:
        _cancel_in_store(engine, ctx.run_id)
        cancel_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(10)
    canceller = threading.Thread(target=cancel)
    canceller.start()
    # Blocked by the write's lock on the run (a cancel that did not wait would be done).
    assert not cancel_done.wait(0.5)
    release.set()
    writer.join(10)
    canceller.join(30)
    assert cancel_done.is_set()
    with engine.store.session() as s:
        assert runs_q.get_run(s, TENANT, ctx.run_id).status == RunStatus.CANCELLED
    assert _stored_results(engine, ctx.run_id)["proposals"] == 1
    # And once the cancel is in, the next write is refused.
    with pytest.raises(RunCancelled), ctx.result_session():
        pytest.fail("a cancelled run must not open a result transaction")
    assert event.is_set()


# -- the watcher ------------------------------------------------------------------------


def _watcher(engine: Engine, interval: float = 0.05) -> tuple[CancelWatcher, uuid.UUID]:
    ctx, event = _running_context(engine, "profiling", "svc.db.s.t")
    return CancelWatcher(store=engine.store, run_id=ctx.run_id, event=event, interval=interval), (
        ctx.run_id
    )


def test_the_watcher_calls_again_for_a_statement_started_after_the_cancel(
    engine: Engine,
) -> None:
    """A statement may start between the task's last check and the first call: the
    callback is called at every tick while it stays registered."""
    watcher, run_id = _watcher(engine)
    calls: list[float] = []
    twice = threading.Event()

    def callback() -> None:
        calls.append(time.monotonic())
        if len(calls) >= 2:
            twice.set()

    with watcher.scope(callback):
        _cancel_in_store(engine, run_id)  # another process: seen by polling the store
        assert twice.wait(10), calls


def test_a_failing_callback_does_not_stop_the_others(engine: Engine) -> None:
    watcher, _ = _watcher(engine)
    reached = threading.Event()

    def broken() -> None:
        raise RuntimeError("the source is unreachable")

    with watcher.scope(broken), watcher.scope(reached.set):
        watcher._event.set()  # the local executor's signal
        assert reached.wait(10)


def test_an_error_after_the_cancel_is_raised_as_cancelled(engine: Engine) -> None:
    """A statement stopped by the callback fails its own way (a timeout, a lost
    connection): the task sees ``RunCancelled``, so the runner neither fails nor retries it."""
    watcher, run_id = _watcher(engine)
    stopped = threading.Event()
    with pytest.raises(RunCancelled) as info, watcher.scope(stopped.set):
        _cancel_in_store(engine, run_id)
        assert stopped.wait(10)
        raise ConnectionFailed("the connection to the source was lost")
    assert isinstance(info.value.__cause__, ConnectionFailed)
    with pytest.raises(RunCancelled), watcher.scope(stopped.set):  # a cancelled run's scope
        pytest.fail("a scope of a cancelled run must not be entered")


def test_an_error_without_a_cancel_is_left_alone(engine: Engine) -> None:
    watcher, _ = _watcher(engine)
    with pytest.raises(ConnectionFailed), watcher.scope(lambda: None):
        raise ConnectionFailed("the connection to the source was lost")


def test_the_watcher_reads_the_store_no_more_once_the_last_scope_ends(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's last task may end (and its engine be shut down) during the watcher's pause:
    the thread ends then, without polling a store that may be gone."""
    watcher, _ = _watcher(engine, interval=1.0)
    polls: list[float] = []
    real = engine.store.read_session_factory

    def counting() -> Any:
        polls.append(time.monotonic())
        return real()

    monkeypatch.setattr(engine.store, "read_session_factory", counting)
    with watcher.scope(lambda: None):
        time.sleep(0.2)  # the thread is in its pause; the scope ends well before the tick
    time.sleep(1.6)
    assert polls == []
    assert watcher._thread is None
