"""The runner: executes one run's tasks and records everything in the store.

Life of a run: ``pending`` → ``running`` (this worker claims it with a compare-and-set) →
plan tasks → run them as a DAG with retries of transient errors → roll up into the run
(``completed`` even when some tasks failed, ``failed`` when all did or planning failed) →
settle the approval.  A cancellation, written to the store by a request, is noticed between
steps; the runner then stops starting tasks and never overwrites the ``cancelled`` state.

A run handed back at shutdown (``running`` → ``pending``) keeps its tasks; the worker that
claims it next *resumes* it: completed, failed and skipped tasks keep their results and are not
run again, the rest run (an interrupted task with its attempt count kept).  Every write of
the run's worker is guarded by ownership and ridden through store outages; see
:mod:`dataready.workflows.context`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.errors import InvalidTransition, RunCancelled, StoreUnavailable
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowDefinition, WorkflowRun, WorkflowTask
from dataready.store.outage import OutageClock, is_store_unavailable, retry_store
from dataready.store.types import utcnow
from dataready.workflows.approval import settle_completed_run
from dataready.workflows.attempts import (
    MAX_ERROR_LENGTH,
    TERMINAL_TASK_VALUES,
    TaskAttempts,
    describe_error,
)
from dataready.workflows.base import TaskResult, TaskSpec, Workflow
from dataready.workflows.context import StoreRunContext
from dataready.workflows.dag import Node, NodeOutcome, run_dag
from dataready.workflows.registry import get_workflow, is_implemented
from dataready.workflows.stopping import RunEndings

log = logging.getLogger(__name__)


class Runner(TaskAttempts, RunEndings):
    """Executes runs on behalf of one worker process."""

    def __init__(self, store: Store, settings: Settings, worker_id: str) -> None:
        self.store = store
        self.settings = settings
        self.worker_id = worker_id
        self.requeue_on_shutdown = True
        """At shutdown: hand unfinished runs back as pending (False: fail them)."""
        self.closed = threading.Event()
        """Set when the engine has shut down: threads still running wait for no store."""

    # -- claiming -----------------------------------------------------------------------

    def _claim(self, run_id: uuid.UUID) -> WorkflowRun | None:
        def attempt() -> WorkflowRun | None:
            with self.store.session() as s:
                run = s.get(WorkflowRun, run_id)
                if run is None or run.status != RunStatus.PENDING.value:
                    return None
                if not is_implemented(run.workflow_type):
                    # Another process (the one that created the run) has the plugin: a sweep
                    # here must not claim the run only to fail it.
                    log.debug("run %s: type %s not installed here", run_id, run.workflow_type)
                    return None
                if not runs_q.claim_run(s, run, self.worker_id):
                    return None
                s.expunge(run)
                return run

        clock = OutageClock(self.settings.executor.orphan_after_seconds)
        try:
            return retry_store(
                attempt, clock, what=f"claiming run {run_id}", should_stop=self.closed.is_set
            )
        except StoreUnavailable:
            return None  # still pending: the sweep of a live process submits it again

    # -- the run --------------------------------------------------------------------------

    def execute(
        self,
        run_id: uuid.UUID,
        cancel_event: threading.Event | None = None,
        *,
        shutdown_event: threading.Event | None = None,
    ) -> None:
        """Execute a pending run to its end. Never raises: failures land in the store.

        Args:
            run_id: the run.
            cancel_event: set to wake the run up when it was cancelled (or must stop).
            shutdown_event: set when this process shuts down; the run is then handed back
                (or failed, see ``requeue_on_shutdown``), never recorded as cancelled.
        """
        run = self._claim(run_id)
        if run is None:
            return
        event = cancel_event or threading.Event()
        ctx = StoreRunContext(
            store=self.store,
            settings=self.settings,
            run=run,
            cancel_event=event,
            worker_id=self.worker_id,
            shutdown_event=shutdown_event,
            closed_event=self.closed,
        )
        stop_heartbeat = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat_loop,
            args=(ctx, stop_heartbeat),
            daemon=True,
            name=f"dr-heartbeat-{run_id}",
        )
        beat.start()
        try:
            self._execute(run, ctx)
        except RunCancelled:
            self.end_stopped(ctx)
        except Exception as exc:
            if is_store_unavailable(exc):
                log.warning("run %s: store outage outside a retried write", run_id)
            else:
                log.exception("run %s failed", run_id)
            self.end_failed(ctx, describe_error(exc))
        finally:
            stop_heartbeat.set()
            beat.join(timeout=5)

    def _heartbeat_loop(self, ctx: StoreRunContext, stop: threading.Event) -> None:
        # Survives anything: a dead heartbeat would let a sweeper fail a live run.
        while not stop.wait(self.settings.executor.heartbeat_seconds):
            try:
                ctx.heartbeat()
            except Exception:
                log.warning("heartbeat of run %s failed", ctx.run_id, exc_info=True)

    def _load_or_plan(
        self, workflow: Workflow, ctx: StoreRunContext
    ) -> tuple[list[TaskSpec], dict[str, WorkflowTask]]:
        """The run's tasks: those stored by an earlier worker (a resume), else a new plan."""

        def stored(s: Session) -> list[WorkflowTask]:
            rows = list(
                s.scalars(
                    select(WorkflowTask)
                    .where(WorkflowTask.run_id == ctx.run_id)
                    .order_by(WorkflowTask.position)
                ).all()
            )
            for row in rows:
                s.expunge(row)
            return rows

        tasks = ctx.owned_write("reading tasks", stored)
        if not tasks:
            specs = self._plan(workflow, ctx)

            def add(s: Session) -> list[WorkflowTask]:
                db_run = runs_q.get_run_unscoped(s, ctx.run_id)
                if not db_run.tasks:  # a retried commit may have gone through already
                    for position, spec in enumerate(specs):
                        runs_q.add_task(
                            s,
                            db_run,
                            position=position,
                            name=spec.name,
                            task_type=spec.task_type,
                            asset_fqn=spec.asset_fqn,
                            params=spec.params,
                            depends_on=spec.depends_on,
                        )
                    db_run.progress_total = len(specs)
                    s.flush()
                return stored(s)

            tasks = ctx.owned_write("recording the plan", add)
        else:
            log.info("run %s resumes: %d tasks stored", ctx.run_id, len(tasks))
        specs = [
            TaskSpec(t.name, t.task_type, t.asset_fqn, dict(t.params or {}), list(t.depends_on))
            for t in tasks
        ]
        return specs, {t.name: t for t in tasks}

    def _plan(self, workflow: Workflow, ctx: StoreRunContext) -> list[TaskSpec]:
        while True:
            try:
                specs = workflow.plan(ctx)
            except Exception as exc:
                if not is_store_unavailable(exc):
                    raise
                ctx.wait_for_store()  # planning read the store during an outage: plan again
                continue
            names = [s.name for s in specs]
            if len(set(names)) != len(names):
                raise ValueError(f"{ctx.workflow_type} planned two tasks with the same name")
            return specs

    def _execute(self, run: WorkflowRun, ctx: StoreRunContext) -> None:
        workflow = get_workflow(run.workflow_type)
        specs, stored = self._load_or_plan(workflow, ctx)
        ctx.check_cancelled()
        by_name = {spec.name: spec for spec in specs}
        done_count = [0]
        count_lock = threading.Lock()

        def run_node(name: str) -> bool:
            task = stored[name]
            if task.status in TERMINAL_TASK_VALUES:  # done by an earlier worker: keep its result
                ok = task.status == TaskStatus.COMPLETED.value
            else:
                ok = self._run_task(workflow, ctx, by_name[name], task.attempt)
            with count_lock:
                done_count[0] += 1
                finished = done_count[0]
            ctx.set_progress(finished, len(specs))
            return ok

        def skip(name: str) -> None:
            if ctx.cancelled:  # stopping: the task stays open, for a resume or the clean-up
                return
            self._set_task(
                ctx,
                name,
                TaskStatus.SKIPPED,
                error_message="skipped: a task it depends on did not complete",
            )

        def should_stop() -> bool:
            try:
                ctx.check_cancelled()
            except RunCancelled:
                return True
            return False

        outcome = run_dag(
            [Node(s.name, tuple(s.depends_on)) for s in specs],
            run_node,
            concurrency=int(
                ctx.config.get("task_concurrency") or self.settings.executor.task_concurrency
            ),
            should_stop=should_stop,
            on_skip=skip,
        )
        if ctx.cancelled or any(o is NodeOutcome.NOT_RUN for o in outcome.values()):
            raise RunCancelled(f"run {run.id} was cancelled")
        self._finish(workflow, ctx)

    def _finish(self, workflow: Workflow, ctx: StoreRunContext) -> None:
        tasks = ctx.owned_write(
            "reading results", lambda s: list(runs_q.get_run_unscoped(s, ctx.run_id).tasks)
        )
        results = [
            TaskResult(t.name, t.task_type, t.asset_fqn, t.status, t.output, t.error_message)
            for t in tasks
        ]
        output: dict[str, Any] = workflow.summarize(ctx, results)
        failed = [t for t in tasks if t.status == TaskStatus.FAILED.value]
        skipped = [t for t in tasks if t.status == TaskStatus.SKIPPED.value]
        output["tasks_total"] = len(tasks)
        output["tasks_failed"] = len(failed)
        if skipped:
            output["tasks_skipped"] = len(skipped)
        all_failed = bool(tasks) and len(failed) + len(skipped) == len(tasks)
        error = None
        if failed:
            first = failed[0]
            error = (
                f"{len(failed)} of {len(tasks)} tasks failed; first: "
                f"{first.name}: {first.error_message}"
            )[:MAX_ERROR_LENGTH]
        target = RunStatus.FAILED if all_failed else RunStatus.COMPLETED

        def close(s: Session) -> None:
            run = runs_q.get_run_unscoped(s, ctx.run_id)
            now = utcnow()
            try:
                runs_q.transition_run(
                    s,
                    run,
                    target,
                    output=output,
                    error_message=error,
                    completed_at=now,
                    duration_seconds=_duration(run, now),
                )
            except InvalidTransition:
                raise RunCancelled(f"run {ctx.run_id} was cancelled while finishing") from None
            if target is RunStatus.COMPLETED:
                requires = s.scalar(
                    select(WorkflowDefinition.requires_approval)
                    .join_from(WorkflowRun, WorkflowRun.configuration)
                    .join(WorkflowDefinition)
                    .where(WorkflowRun.id == ctx.run_id)
                )
                settle_completed_run(s, run, requires_approval=bool(requires))

        ctx.owned_write("finishing", close)


def _duration(run: WorkflowRun, now: Any) -> float | None:
    return (now - run.started_at).total_seconds() if run.started_at else None
