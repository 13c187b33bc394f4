"""The runner's implementation of :class:`RunContext`.

Besides cancellation and progress, the context guards what a run writes to the store:

- **Ownership.** Every transaction the run commits — the runner's own task updates and the
  results a workflow writes through ``ctx.store`` — first proves, in the same transaction,
  that this worker still runs the run (``status = running`` and ``worker_id`` = this worker)
  and renews the heartbeat.  A run cancelled by a request, failed by another process's sweep
  or handed back at shutdown is therefore never written to by its old worker again.
- **Outages.** The runner's writes are retried through a store outage (see
  :mod:`dataready.store.outage`); one :class:`OutageClock` per run bounds the whole outage by
  ``executor.orphan_after_seconds``, after which the worker gives up on the run without
  writing anything: the sweep of whichever process sees the store first fails it.
- **Why it stops.** ``cancelled`` (a request, or a take-over), ``shutting_down`` (this process
  is stopping: not a user's cancel) and ``store_lost`` are kept apart so that the runner
  records the right ending.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus
from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant
from dataready.errors import RunCancelled, StoreUnavailable
from dataready.settings import Settings
from dataready.store import approvals as approvals_q
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowRun
from dataready.store.outage import OutageClock, is_store_unavailable, retry_store
from dataready.store.types import utcnow
from dataready.workflows.base import RunContext
from dataready.workflows.cancel import CancelWatcher, result_session

log = logging.getLogger(__name__)

T = TypeVar("T")


class RunStore(Store):
    """The store as a run's workflow sees it: a commit happens only while the run is ours."""

    def __init__(self, base: Store, ctx: StoreRunContext) -> None:  # shares base's engine
        self.settings = base.settings
        self.engine = base.engine
        self.session_factory = base.session_factory
        self.read_engine = base.read_engine
        self.read_session_factory = base.read_session_factory
        self._base = base
        self._ctx = ctx

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._base.session() as session:
            yield session
            # at the end, not the start: a long write must not hold the run row's lock
            self._ctx.prove_owner(session)

    def dispose(self) -> None:  # the engine belongs to the base store
        return None


class StoreRunContext(RunContext):
    """Reads cancellation from the store (throttled) and from local wake-up events."""

    CHECK_INTERVAL = 0.25

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        run: WorkflowRun,
        cancel_event: threading.Event,
        worker_id: str,
        shutdown_event: threading.Event | None = None,
        closed_event: threading.Event | None = None,
    ) -> None:
        self.base_store = store
        self.settings = settings
        self.run_id = run.id
        self.worker_id = worker_id
        self.tenant = Tenant(run.client_id, run.project_id)
        self.workflow_type = run.workflow_type
        self.asset_fqn = FQN.parse(run.asset_fqn) if run.asset_fqn else None
        self.config = dict(run.config or {})
        self.parameters = dict((run.input or {}).get("parameters") or {})
        self.outage = OutageClock(settings.executor.orphan_after_seconds)
        self.store = RunStore(store, self)
        self._cancel_event = cancel_event
        self._shutdown_event = shutdown_event or threading.Event()
        self._store_lost = threading.Event()
        # set once the engine has shut down: a thread still running then waits for no store
        self._closed_event = closed_event or threading.Event()
        self._last_check = 0.0
        self._lock = threading.Lock()
        self._watcher = CancelWatcher(
            store=store, run_id=run.id, event=cancel_event, interval=self.CHECK_INTERVAL
        )

    # -- why the run stops ------------------------------------------------------------------

    @property
    def cancelled(self) -> bool:
        """The run must stop, for whatever reason."""
        return self._cancel_event.is_set() or self._shutdown_event.is_set()

    @property
    def shutting_down(self) -> bool:
        """This process is stopping: the run is handed back, not cancelled."""
        return self._shutdown_event.is_set()

    @property
    def store_lost(self) -> bool:
        """The store stayed unreachable past the budget: nothing more is written."""
        return self._store_lost.is_set()

    def give_up(self) -> None:
        if not self._store_lost.is_set():
            log.error(
                "run %s: the store has been unreachable for %.0fs; this worker gives up on the "
                "run (the sweep of a live process fails it once the store is back)",
                self.run_id,
                self.outage.down_for,
            )
        self._store_lost.set()
        self._cancel_event.set()

    def _stop_error(self) -> RunCancelled:
        if self.store_lost:
            why = "this worker lost the store"
        elif self.shutting_down:
            why = "this worker is shutting down"
        else:
            why = "it was cancelled"
        return RunCancelled(f"run {self.run_id} stopped: {why}", run_id=str(self.run_id))

    # -- ownership ---------------------------------------------------------------------------

    def prove_owner(self, session: Session) -> None:
        """Raise :class:`RunCancelled` (and stop the run) unless this worker still runs it."""
        if not runs_q.prove_owner(session, self.run_id, self.worker_id):
            self._cancel_event.set()
            raise RunCancelled(
                f"run {self.run_id} is no longer run by this worker ({self.worker_id}): it was "
                "cancelled, handed back or taken over; nothing more is written for it",
                run_id=str(self.run_id),
            )

    @contextmanager
    def owned_session(self) -> Iterator[Session]:
        """A transaction that starts by proving ownership (and holds the run row on PG)."""
        with self.base_store.session() as session:
            self.prove_owner(session)
            yield session

    def owned_write(self, what: str, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in an owned transaction, again after an outage, within the run's budget.

        Raises:
            RunCancelled: the run is no longer ours, or the store stayed away too long.
        """

        def attempt() -> T:
            with self.owned_session() as s:
                return fn(s)

        try:
            return retry_store(
                attempt,
                self.outage,
                what=f"{what} (run {self.run_id})",
                should_stop=self.stop_retrying,
            )
        except StoreUnavailable:
            self.give_up()
            raise self._stop_error() from None

    def stop_retrying(self) -> bool:
        """Whether an outage is to be waited out no longer: shutting down has a deadline."""
        if self._closed_event.is_set():
            return True
        return self.shutting_down and self.outage.down_for >= shutdown_budget(self.settings)

    def wait_for_store(self) -> None:
        """Block until the store answers again (and the run is still ours)."""
        self.owned_write("waiting for the store", lambda s: None)

    # -- cancellation --------------------------------------------------------------------------

    def _poll_store(self) -> None:
        try:
            with self.base_store.session() as s:
                row = s.execute(
                    select(WorkflowRun.status, WorkflowRun.worker_id).where(
                        WorkflowRun.id == self.run_id
                    )
                ).one_or_none()
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            if self.outage.failed() >= self.outage.budget_seconds:
                self.give_up()
            return  # the store cannot say: carry on until it can or the budget is spent
        self.outage.succeeded()
        if row is None or row.status != RunStatus.RUNNING.value or row.worker_id != self.worker_id:
            self._cancel_event.set()

    def check_cancelled(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = now - self._last_check >= self.CHECK_INTERVAL
            if due:
                self._last_check = now
        if due and not self.cancelled:
            self._poll_store()
        if self.cancelled:
            raise self._stop_error()

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self.check_cancelled()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._cancel_event.wait(min(left, self.CHECK_INTERVAL))

    def progress(self, message: str | None = None) -> None:
        self.check_cancelled()

    def cancel_scope(self, callback: Callable[[], None]) -> AbstractContextManager[None]:
        return self._watcher.scope(callback)

    def result_session(self) -> AbstractContextManager[Session]:
        return result_session(self.store, self.run_id, self._cancel_event)

    def propose(self, kind: str, asset_fqn: str | None, payload: dict[str, Any]) -> None:
        with self.result_session() as s:
            run = s.get(WorkflowRun, self.run_id)
            assert run is not None
            approvals_q.add_proposal(s, run, kind=kind, asset_fqn=asset_fqn, payload=payload)

    # -- liveness --------------------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Renew the heartbeat; an outage counts on the run's clock, a loss stops the run."""
        try:
            with self.base_store.session() as s:
                ours = runs_q.prove_owner(s, self.run_id, self.worker_id)
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            if self.outage.failed() >= self.outage.budget_seconds:
                self.give_up()
            return
        self.outage.succeeded()
        if not ours:
            self._poll_store()  # cancelled, failed by a sweep or handed back: find out now

    def set_progress(self, done: int, total: int) -> None:
        """Best effort: progress is informative, an outage must not fail a task for it."""
        try:
            with self.base_store.session() as s:
                s.execute(
                    update(WorkflowRun)
                    # monotonic: concurrent tasks may report out of order
                    .where(
                        WorkflowRun.id == self.run_id,
                        WorkflowRun.worker_id == self.worker_id,
                        WorkflowRun.status == RunStatus.RUNNING.value,
                        WorkflowRun.progress_done < done,
                    )
                    .values(progress_done=done, progress_total=total, heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            self.outage.failed()


def shutdown_budget(settings: Settings) -> float:
    """How long a shutting-down worker waits for an unreachable store (at least 1 s)."""
    ex = settings.executor
    return min(ex.orphan_after_seconds, max(1.0, ex.shutdown_grace_seconds))


def new_worker_id() -> str:
    """``host:pid:token``: recovery reads the host and pid to tell a dead worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
