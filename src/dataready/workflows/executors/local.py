"""The local executor: a bounded thread pool inside the server or CLI process."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from dataready.workflows.executors.base import Executor
from dataready.workflows.runner import Runner

log = logging.getLogger(__name__)


class LocalExecutor(Executor):
    """Runs submitted runs on ``max_workers`` threads of this process."""

    def __init__(self, runner: Runner, max_workers: int) -> None:
        self.runner = runner
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="dr-run")
        self._events: dict[uuid.UUID, threading.Event] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, run_id: uuid.UUID) -> None:
        with self._lock:
            if run_id in self._events:
                return
            self._events[run_id] = threading.Event()
        self._pool.submit(self._run, run_id)

    def _run(self, run_id: uuid.UUID) -> None:
        try:
            self.runner.execute(run_id, self._events[run_id])
        except Exception:
            log.exception("executor: run %s crashed", run_id)
        finally:
            with self._lock:
                self._events.pop(run_id, None)
                self._idle.notify_all()

    def cancel(self, run_id: uuid.UUID) -> None:
        with self._lock:
            event = self._events.get(run_id)
        if event is not None:
            event.set()

    def active_runs(self) -> int:
        with self._lock:
            return len(self._events)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no run is queued or running (tests and the CLI use this)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._events, timeout=timeout)

    def shutdown(self, wait: bool = True) -> None:
        if not wait:
            with self._lock:
                for event in self._events.values():
                    event.set()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
