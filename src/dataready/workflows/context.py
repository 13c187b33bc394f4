"""The runner's implementation of :class:`RunContext`."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus
from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant
from dataready.errors import RunCancelled
from dataready.settings import Settings
from dataready.store import approvals as approvals_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowRun
from dataready.store.types import utcnow
from dataready.workflows.base import RunContext
from dataready.workflows.cancel import CancelWatcher, result_session


class StoreRunContext(RunContext):
    """Reads cancellation from the store (throttled) and from a local wake-up event."""

    CHECK_INTERVAL = 0.25

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        run: WorkflowRun,
        cancel_event: threading.Event,
    ) -> None:
        self.store = store
        self.settings = settings
        self.run_id = run.id
        self.tenant = Tenant(run.client_id, run.project_id)
        self.workflow_type = run.workflow_type
        self.asset_fqn = FQN.parse(run.asset_fqn) if run.asset_fqn else None
        self.config = dict(run.config or {})
        self.parameters = dict((run.input or {}).get("parameters") or {})
        self._cancel_event = cancel_event
        self._last_check = 0.0
        self._lock = threading.Lock()
        self._watcher = CancelWatcher(
            store=store, run_id=run.id, event=cancel_event, interval=self.CHECK_INTERVAL
        )

    @property
    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    def _poll_store(self) -> None:
        with self.store.session() as s:
            status = s.scalar(select(WorkflowRun.status).where(WorkflowRun.id == self.run_id))
        if status != RunStatus.RUNNING.value:
            self._cancel_event.set()

    def check_cancelled(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = now - self._last_check >= self.CHECK_INTERVAL
            if due:
                self._last_check = now
        if due and not self._cancel_event.is_set():
            self._poll_store()
        if self._cancel_event.is_set():
            raise RunCancelled(f"run {self.run_id} was cancelled", run_id=str(self.run_id))

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

    def heartbeat(self) -> None:
        with self.store.session() as s:
            s.execute(
                update(WorkflowRun)
                .where(WorkflowRun.id == self.run_id, WorkflowRun.status == "running")
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def set_progress(self, done: int, total: int) -> None:
        with self.store.session() as s:
            s.execute(
                update(WorkflowRun)
                # monotonic: concurrent tasks may report out of order
                .where(WorkflowRun.id == self.run_id, WorkflowRun.progress_done < done)
                .values(progress_done=done, progress_total=total, heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )


def new_worker_id() -> str:
    """``host:pid:token``: recovery reads the host and pid to tell a dead worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
