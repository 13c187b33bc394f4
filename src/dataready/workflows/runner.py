"""The runner: executes one run's tasks and records everything in the store.

Life of a run: ``pending`` → ``running`` (this worker claims it with a compare-and-set) →
plan tasks → run them as a DAG with retries of transient errors → roll up into the run
(``completed`` even when some tasks failed, ``failed`` when all did or planning failed) →
settle the approval.  A cancellation, written to the store by a request, is noticed between
steps; the runner then stops starting tasks and never overwrites the ``cancelled`` state.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from typing import Any

from sqlalchemy import select

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.errors import DatareadyError, InvalidTransition, RunCancelled
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowDefinition, WorkflowRun, WorkflowTask
from dataready.store.types import utcnow
from dataready.workflows.approval import settle_completed_run
from dataready.workflows.base import TaskResult, TaskSpec, Workflow
from dataready.workflows.context import StoreRunContext
from dataready.workflows.dag import Node, NodeOutcome, run_dag
from dataready.workflows.registry import get_workflow

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 4000


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DatareadyError):
        return exc.transient
    return isinstance(exc, ConnectionError | TimeoutError)


def describe_error(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, DatareadyError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


class Runner:
    """Executes runs on behalf of one worker process."""

    def __init__(self, store: Store, settings: Settings, worker_id: str) -> None:
        self.store = store
        self.settings = settings
        self.worker_id = worker_id

    # -- claiming -----------------------------------------------------------------------

    def _claim(self, run_id: uuid.UUID) -> WorkflowRun | None:
        with self.store.session() as s:
            run = s.get(WorkflowRun, run_id)
            if run is None or run.status != RunStatus.PENDING.value:
                return None
            try:
                runs_q.transition_run(
                    s, run, RunStatus.RUNNING, worker_id=self.worker_id, heartbeat_at=utcnow()
                )
            except InvalidTransition:
                return None
            s.expunge(run)
            return run

    def _stored_run(self, s: Any, run_id: uuid.UUID) -> WorkflowRun | None:
        """The run's row, or ``None`` when it vanished: deleting a configuration deletes its
        runs (the API refuses while one is active; the store's cascade does not)."""
        run: WorkflowRun | None = s.get(WorkflowRun, run_id, populate_existing=True)
        if run is None:
            log.warning(
                "run %s is no longer in the store (its workflow configuration was deleted "
                "while it ran); it stopped with nothing left to record",
                run_id,
            )
        return run

    def _fail_run(self, run_id: uuid.UUID, message: str) -> None:
        with self.store.session() as s:
            run = self._stored_run(s, run_id)
            if run is None or run.status != RunStatus.RUNNING.value:
                return
            now = utcnow()
            runs_q.close_open_tasks(s, run, now)
            runs_q.transition_run(
                s,
                run,
                RunStatus.FAILED,
                error_message=message,
                completed_at=now,
                duration_seconds=_duration(run, now),
            )

    # -- the run --------------------------------------------------------------------------

    def execute(self, run_id: uuid.UUID, cancel_event: threading.Event | None = None) -> None:
        """Execute a pending run to its end. Never raises: failures land in the store."""
        run = self._claim(run_id)
        if run is None:
            return
        event = cancel_event or threading.Event()
        ctx = StoreRunContext(store=self.store, settings=self.settings, run=run, cancel_event=event)
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
            self._cancel_leftover_tasks(run_id)
        except Exception as exc:
            log.exception("run %s failed", run_id)
            self._fail_run(run_id, describe_error(exc))
        finally:
            stop_heartbeat.set()
            beat.join(timeout=5)

    def _heartbeat_loop(self, ctx: StoreRunContext, stop: threading.Event) -> None:
        while not stop.wait(self.settings.executor.heartbeat_seconds):
            try:
                ctx.heartbeat()
            except Exception:
                log.warning("heartbeat of run %s failed", ctx.run_id, exc_info=True)

    def _execute(self, run: WorkflowRun, ctx: StoreRunContext) -> None:
        workflow = get_workflow(run.workflow_type)
        specs = workflow.plan(ctx)
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"{run.workflow_type} planned two tasks with the same name")
        with self.store.session() as s:
            db_run = runs_q.get_run_unscoped(s, run.id)
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
        ctx.check_cancelled()
        by_name = {spec.name: spec for spec in specs}
        done_count = [0]
        count_lock = threading.Lock()

        def run_node(name: str) -> bool:
            ok = self._run_task(workflow, ctx, by_name[name])
            with count_lock:
                done_count[0] += 1
                finished = done_count[0]
            ctx.set_progress(finished, len(specs))
            return ok

        def skip(name: str) -> None:
            self._set_task(
                run.id,
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
        self._finish(workflow, ctx, run.id)

    def _finish(self, workflow: Workflow, ctx: StoreRunContext, run_id: uuid.UUID) -> None:
        with self.store.session() as s:
            run = runs_q.get_run_unscoped(s, run_id)
            tasks = list(run.tasks)
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
        with self.store.session() as s:
            run = runs_q.get_run_unscoped(s, run_id)
            now = utcnow()
            error = None
            if failed:
                first = failed[0]
                error = (
                    f"{len(failed)} of {len(tasks)} tasks failed; first: "
                    f"{first.name}: {first.error_message}"
                )[:MAX_ERROR_LENGTH]
            target = RunStatus.FAILED if all_failed else RunStatus.COMPLETED
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
                raise RunCancelled(f"run {run_id} was cancelled while finishing") from None
            if target is RunStatus.COMPLETED:
                requires = s.scalar(
                    select(WorkflowDefinition.requires_approval)
                    .join_from(WorkflowRun, WorkflowRun.configuration)
                    .join(WorkflowDefinition)
                    .where(WorkflowRun.id == run_id)
                )
                settle_completed_run(s, run, requires_approval=bool(requires))

    # -- tasks ----------------------------------------------------------------------------

    def _load_task(self, s: Any, run_id: uuid.UUID, name: str) -> WorkflowTask:
        task = s.scalars(
            select(WorkflowTask).where(WorkflowTask.run_id == run_id, WorkflowTask.name == name)
        ).one()
        return task  # type: ignore[no-any-return]

    def _set_task(self, run_id: uuid.UUID, name: str, status: TaskStatus, **values: Any) -> None:
        with self.store.session() as s:
            task = self._load_task(s, run_id, name)
            now = utcnow()
            if status in (
                TaskStatus.COMPLETED,
                TaskStatus.FAILED,
                TaskStatus.CANCELLED,
                TaskStatus.SKIPPED,
            ):
                values.setdefault("completed_at", now)
                if task.started_at is not None:
                    values.setdefault("duration_seconds", (now - task.started_at).total_seconds())
            runs_q.transition_task(s, task, status, **values)

    def _run_task(self, workflow: Workflow, ctx: StoreRunContext, spec: TaskSpec) -> bool:
        max_attempts = int(ctx.config.get("max_attempts") or self.settings.executor.max_attempts)
        attempt = 0
        while True:
            attempt += 1
            try:
                ctx.check_cancelled()
            except RunCancelled:
                self._set_task(ctx.run_id, spec.name, TaskStatus.CANCELLED)
                return False
            with self.store.session() as s:
                task = self._load_task(s, ctx.run_id, spec.name)
                runs_q.transition_task(
                    s,
                    task,
                    TaskStatus.RUNNING,
                    attempt=attempt,
                    started_at=task.started_at or utcnow(),
                    error_message=None,
                )
            try:
                output = workflow.run_task(ctx, spec)
            except RunCancelled:
                self._set_task(
                    ctx.run_id, spec.name, TaskStatus.CANCELLED, error_message="cancelled"
                )
                return False
            except Exception as exc:
                message = describe_error(exc)
                code = exc.code if isinstance(exc, DatareadyError) else "TASK_FAILED"
                if is_transient(exc) and attempt < max_attempts:
                    log.info(
                        "task %s attempt %d failed transiently: %s", spec.name, attempt, message
                    )
                    self._set_task_pending_retry(ctx.run_id, spec.name, attempt, message, code)
                    try:
                        ctx.sleep(self._backoff(attempt))
                    except RunCancelled:
                        self._set_task(ctx.run_id, spec.name, TaskStatus.CANCELLED)
                        return False
                    continue
                if not isinstance(exc, DatareadyError):
                    log.error("task %s failed:\n%s", spec.name, traceback.format_exc())
                if is_transient(exc):
                    message = f"{message} (gave up after {attempt} attempts)"
                self._set_task(
                    ctx.run_id, spec.name, TaskStatus.FAILED, error_message=message, error_code=code
                )
                return False
            self._set_task(ctx.run_id, spec.name, TaskStatus.COMPLETED, output=output or {})
            return True

    def _set_task_pending_retry(
        self, run_id: uuid.UUID, name: str, attempt: int, message: str, code: str
    ) -> None:
        with self.store.session() as s:
            task = self._load_task(s, run_id, name)
            runs_q.transition_task(
                s,
                task,
                TaskStatus.PENDING,
                error_message=f"attempt {attempt} failed, retrying: {message}"[:MAX_ERROR_LENGTH],
                error_code=code,
            )

    def _backoff(self, attempt: int) -> float:
        ex = self.settings.executor
        return float(min(ex.backoff_max_seconds, ex.backoff_seconds * (2 ** (attempt - 1))))

    def _cancel_leftover_tasks(self, run_id: uuid.UUID) -> None:
        with self.store.session() as s:
            run = self._stored_run(s, run_id)
            if run is None:
                return
            now = utcnow()
            runs_q.close_open_tasks(s, run, now)
            if run.status == RunStatus.RUNNING.value:  # stopped for another reason
                runs_q.transition_run(
                    s,
                    run,
                    RunStatus.CANCELLED,
                    cancelled_at=now,
                    completed_at=now,
                    duration_seconds=_duration(run, now),
                )


def _duration(run: WorkflowRun, now: Any) -> float | None:
    return (now - run.started_at).total_seconds() if run.started_at else None
