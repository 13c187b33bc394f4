"""How a run that stops before its end is recorded: cancelled, handed back, failed or left.

- **Cancelled** by a request (the store says ``cancelled``): its open tasks are closed.
- **Shutdown** of this process: the run goes back to ``pending`` with its tasks (completed
  ones keep their results; the interrupted ones are resumed by the next worker) — or, for an
  engine whose runs nothing else would resume (``dataready run`` in a terminal),
  ``failed`` with a message that says so.  Never ``cancelled``: no user asked for it.
- **Store lost** past the outage budget: nothing is written (nothing can be); the sweep of
  whichever live process reaches the store first fails the run.
- **Taken over** (failed by a sweep, handed back and claimed by another worker): not ours
  to touch any more.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.domain.states import TERMINAL_RUN_STATES
from dataready.errors import StoreUnavailable
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowRun
from dataready.store.outage import OutageClock, retry_store
from dataready.store.types import utcnow
from dataready.workflows.context import StoreRunContext, shutdown_budget

log = logging.getLogger(__name__)

T = TypeVar("T")

_TERMINAL_RUNS = frozenset(s.value for s in TERMINAL_RUN_STATES)


def interrupted_message(worker_id: str) -> str:
    return (
        f"interrupted: the worker running it ({worker_id}) shut down before it finished; "
        "it runs again when the run resumes"
    )


def shutdown_failed_message(worker_id: str) -> str:
    return (
        f"stopped: the dataready process running this run ({worker_id}) was shut down before "
        "the run finished, and no other process resumes runs of that command; tasks that "
        "completed kept their results; start the run again to finish the work"
    )


class RunEndings:
    """The runner's endings for runs that stop early (mixed into :class:`Runner`)."""

    store: Store
    settings: Settings
    worker_id: str
    requeue_on_shutdown: bool
    closed: threading.Event

    def _shutdown_clock(self) -> OutageClock:
        # Shutting down has a deadline: a store that is away now is not waited for long.
        return OutageClock(shutdown_budget(self.settings))

    def hand_back(self, run_id: uuid.UUID) -> bool:
        """At shutdown: requeue (or fail) a run this worker still runs; False if it does not.

        Safe to call while the run's thread is still working: the compare-and-set on the
        worker makes the first of the two win, and the thread's later writes are refused.
        """

        def write(s: Session) -> bool:
            if self.requeue_on_shutdown:
                return runs_q.requeue_run(
                    s, run_id, worker_id=self.worker_id, message=interrupted_message(self.worker_id)
                )
            return runs_q.fail_owned_run(
                s,
                run_id,
                worker_id=self.worker_id,
                message=shutdown_failed_message(self.worker_id),
                task_message=interrupted_message(self.worker_id).replace(
                    "; it runs again when the run resumes", ""
                ),
            )

        try:
            done = retry_store(
                self._in_session(write),
                self._shutdown_clock(),
                what=f"handing back {run_id}",
                should_stop=self.closed.is_set,
            )
        except StoreUnavailable:
            log.error("run %s: the store is unreachable; it is left for the sweep", run_id)
            return False
        if done:
            action = "handed back as pending" if self.requeue_on_shutdown else "failed"
            log.warning("run %s %s: this worker is shutting down", run_id, action)
        return done

    def end_stopped(self, ctx: StoreRunContext) -> None:
        """Record a run whose DAG stopped early (see the module docstring)."""
        if ctx.store_lost:
            return
        if ctx.shutting_down and self.hand_back(ctx.run_id):
            return

        def close(s: Session) -> None:
            run = s.get(WorkflowRun, ctx.run_id, populate_existing=True)
            if run is None:  # its configuration was deleted while it ran (runs go with it)
                log.warning("run %s is no longer in the store; nothing left to record", ctx.run_id)
                return
            if run.worker_id != self.worker_id:
                return  # handed back and claimed by another worker since
            now = utcnow()
            if run.status == RunStatus.RUNNING.value:  # stopped by a local signal only
                runs_q.close_open_tasks(s, run, now)
                runs_q.transition_run(
                    s,
                    run,
                    RunStatus.CANCELLED,
                    cancelled_at=now,
                    completed_at=now,
                    duration_seconds=_duration(run, now),
                )
            elif run.status in _TERMINAL_RUNS:
                runs_q.close_open_tasks(s, run, now)

        self._write_ending(ctx, "closing a stopped run", close)

    def end_failed(self, ctx: StoreRunContext, message: str) -> None:
        """Fail a run that broke outside any task (planning, an unexpected error)."""
        if ctx.store_lost:
            return

        def fail(s: Session) -> None:
            runs_q.fail_owned_run(
                s,
                ctx.run_id,
                worker_id=self.worker_id,
                message=message,
                task_message="cancelled: the run failed",
                running_to=TaskStatus.CANCELLED,
            )

        self._write_ending(ctx, "failing a run", fail)

    def _write_ending(self, ctx: StoreRunContext, what: str, fn: Callable[[Session], None]) -> None:
        clock = self._shutdown_clock() if ctx.shutting_down else ctx.outage
        try:
            retry_store(
                self._in_session(fn),
                clock,
                what=f"{what} {ctx.run_id}",
                should_stop=ctx.stop_retrying,
            )
        except StoreUnavailable:
            ctx.give_up()

    def _in_session(self, fn: Callable[[Session], T]) -> Callable[[], T]:
        def call() -> T:
            with self.store.session() as s:
                return fn(s)

        return call


def _duration(run: WorkflowRun, now: datetime) -> float | None:
    return (now - run.started_at).total_seconds() if run.started_at else None
