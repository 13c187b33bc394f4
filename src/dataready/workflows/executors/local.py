"""The local executor: a bounded thread pool inside the server or CLI process."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from dataready.workflows.executors.base import Executor
from dataready.workflows.runner import Runner

log = logging.getLogger(__name__)


class LocalExecutor(Executor):
    """Runs submitted runs on ``max_workers`` threads of this process."""

    def __init__(self, runner: Runner, max_workers: int) -> None:
        self.runner = runner
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="dr-run")
        self._events: dict[uuid.UUID, threading.Event] = {}
        self._futures: dict[uuid.UUID, Future[None]] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        # One event for the whole process: set at shutdown, it tells every run that the stop
        # is this process going away, not a user's cancel.
        self._shutdown = threading.Event()

    def submit(self, run_id: uuid.UUID) -> None:
        with self._lock:
            if self._shutdown.is_set():
                log.info("shutting down: run %s stays pending for another process", run_id)
                return
            if run_id in self._events:
                return
            event = threading.Event()
            self._events[run_id] = event
            self._futures[run_id] = self._pool.submit(self._run, run_id, event)

    def _run(self, run_id: uuid.UUID, event: threading.Event) -> None:
        try:
            self.runner.execute(run_id, event, shutdown_event=self._shutdown)
        except Exception:
            log.exception("executor: run %s crashed", run_id)
        finally:
            with self._lock:
                self._events.pop(run_id, None)
                self._futures.pop(run_id, None)
                self._idle.notify_all()

    def cancel(self, run_id: uuid.UUID) -> None:
        with self._lock:
            event = self._events.get(run_id)
        if event is not None:
            event.set()

    def running_ids(self) -> set[uuid.UUID]:
        with self._lock:
            return set(self._events)

    def active_runs(self) -> int:
        with self._lock:
            return len(self._events)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no run is queued or running (tests and the CLI use this)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._events, timeout=timeout)

    def shutdown(self, grace: float = 0.0) -> list[uuid.UUID]:
        with self._lock:
            self._shutdown.set()  # first: a run that stops now reads it as a shutdown
            events = list(self._events.values())
        for event in events:
            event.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for run_id, future in list(self._futures.items()):
                if future.cancelled():  # never started: still pending in the store
                    self._events.pop(run_id, None)
                    self._futures.pop(run_id, None)
            self._idle.notify_all()
        if not self.wait_idle(timeout=grace):
            left = self.running_ids()
            log.warning(
                "%d run(s) did not stop within the %.1fs shutdown grace period: %s",
                len(left),
                grace,
                sorted(map(str, left)),
            )
            return sorted(left, key=str)
        return []
