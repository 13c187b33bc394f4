"""One task's attempts: transient errors retried with backoff, store outages waited out.

Every state a task moves through is written under the run's ownership (see
:mod:`dataready.workflows.context`) and idempotently, so that a write retried after an outage
whose commit had in fact gone through changes nothing.  A task that stops because its run
stops is left open: the run's ending closes it (cancel) or hands it back (shutdown).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataready.domain.enums import TaskStatus
from dataready.domain.states import TERMINAL_TASK_STATES
from dataready.errors import DatareadyError, RunCancelled
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowTask
from dataready.store.outage import is_store_unavailable
from dataready.store.types import utcnow
from dataready.workflows.base import TaskSpec, Workflow
from dataready.workflows.context import StoreRunContext

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 4000
TERMINAL_TASK_VALUES = frozenset(s.value for s in TERMINAL_TASK_STATES)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DatareadyError):
        return exc.transient
    return isinstance(exc, ConnectionError | TimeoutError)


def describe_error(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, DatareadyError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


class TaskAttempts:
    """The runner's task execution (mixed into :class:`~dataready.workflows.runner.Runner`)."""

    settings: Settings

    def _load_task(self, s: Any, run_id: uuid.UUID, name: str) -> WorkflowTask:
        task = s.scalars(
            select(WorkflowTask).where(WorkflowTask.run_id == run_id, WorkflowTask.name == name)
        ).one()
        return task  # type: ignore[no-any-return]

    def _set_task(self, ctx: StoreRunContext, name: str, status: TaskStatus, **values: Any) -> None:
        def write(s: Session) -> None:
            task = self._load_task(s, ctx.run_id, name)
            if task.status == status.value and status is not TaskStatus.PENDING:
                return  # a retried commit that had gone through
            now = utcnow()
            if status is TaskStatus.RUNNING and task.started_at is None:
                values["started_at"] = now  # the first attempt's start, kept through retries
            if status.value in TERMINAL_TASK_VALUES:
                values.setdefault("completed_at", now)
                if task.started_at is not None:
                    values.setdefault("duration_seconds", (now - task.started_at).total_seconds())
            runs_q.transition_task(s, task, status, **values)

        ctx.owned_write(f"recording task {name} {status.value}", write)

    def _run_task(
        self, workflow: Workflow, ctx: StoreRunContext, spec: TaskSpec, prior_attempts: int
    ) -> bool:
        """Run one task to its end; False when it did not complete (or the run stops).

        ``prior_attempts`` are those of earlier workers (a resumed task): the attempt number
        carries on, and this worker still gets ``max_attempts`` tries of its own.
        """
        max_attempts = int(ctx.config.get("max_attempts") or self.settings.executor.max_attempts)
        attempt, tries = prior_attempts, 0
        try:
            while True:
                ctx.check_cancelled()
                attempt += 1
                tries += 1
                self._set_task(
                    ctx, spec.name, TaskStatus.RUNNING, attempt=attempt, error_message=None
                )
                try:
                    output = workflow.run_task(ctx, spec)
                except RunCancelled:
                    raise
                except Exception as exc:
                    if is_store_unavailable(exc) and not ctx.cancelled:
                        # Not the task's fault and not one of its tries: wait, run it again.
                        log.warning("task %s: store outage; retrying once it is back", spec.name)
                        ctx.wait_for_store()
                        self._pending_retry(ctx, spec.name, attempt, describe_error(exc), "")
                        tries -= 1
                        continue
                    if not self._after_failure(ctx, spec, exc, attempt, tries, max_attempts):
                        return False
                    continue
                self._set_task(ctx, spec.name, TaskStatus.COMPLETED, output=output or {})
                return True
        except RunCancelled:
            # The task stays open: the clean-up cancels it, a hand-back resumes it.
            return False

    def _after_failure(
        self,
        ctx: StoreRunContext,
        spec: TaskSpec,
        exc: Exception,
        attempt: int,
        tries: int,
        max_attempts: int,
    ) -> bool:
        """Record a failed attempt; True when the task is to be tried again."""
        message = describe_error(exc)
        code = exc.code if isinstance(exc, DatareadyError) else "TASK_FAILED"
        if is_transient(exc) and tries < max_attempts:
            log.info("task %s attempt %d failed transiently: %s", spec.name, attempt, message)
            self._pending_retry(ctx, spec.name, attempt, message, code)
            ctx.sleep(self._backoff(tries))
            return True
        if not isinstance(exc, DatareadyError):
            log.error("task %s failed:\n%s", spec.name, traceback.format_exc())
        if is_transient(exc):
            message = f"{message} (gave up after {tries} attempts)"
        self._set_task(ctx, spec.name, TaskStatus.FAILED, error_message=message, error_code=code)
        return False

    def _pending_retry(
        self, ctx: StoreRunContext, name: str, attempt: int, message: str, code: str
    ) -> None:
        self._set_task(
            ctx,
            name,
            TaskStatus.PENDING,
            error_message=f"attempt {attempt} failed, retrying: {message}"[:MAX_ERROR_LENGTH],
            error_code=code or None,
        )

    def _backoff(self, attempt: int) -> float:
        ex = self.settings.executor
        return float(min(ex.backoff_max_seconds, ex.backoff_seconds * (2 ** (attempt - 1))))
