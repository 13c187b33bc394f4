"""A run's cancel reaching the source statements of its tasks, and results that never outlive it.

A run is cancelled by a request that writes ``cancelled`` to the store, possibly in another
process (the local executor also sets the run's event). A task blocked in a long source
statement calls no ``check_cancelled()``, so :class:`CancelWatcher` — one per run, a thread
that lives while a task holds a callback — wakes on the event at once and polls the run's
status in the store every quarter second; on a cancel it calls every registered callback
(``Connector.cancel``), and calls them again at each tick while they stay registered, so a
statement that started just after the first call is stopped too.

:func:`result_session` is the store transaction a task writes its results in. It locks the
run's row (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; on SQLite the transaction opens
with ``BEGIN IMMEDIATE`` and holds the write lock) and raises ``RunCancelled`` unless the run
is still ``running``. A concurrent cancel therefore either commits first (nothing is written)
or waits for the write (the task had finished before the run was cancelled).
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import select

from dataready.domain.enums import RunStatus
from dataready.errors import DatareadyError, RunCancelled
from dataready.store.orm import WorkflowRun

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.store.db import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25

CancelCallback = Callable[[], None]


def cancelled_error(run_id: uuid.UUID) -> RunCancelled:
    return RunCancelled(f"run {run_id} was cancelled", run_id=str(run_id))


class CancelWatcher:
    """Calls a run's cancel callbacks as soon as the run stops running.

    Args:
        store: where the run's status is polled.
        run_id: the run watched.
        event: the run's local cancel signal; set by the executor, and by the watcher when
            the store shows the run cancelled (so ``check_cancelled()`` sees it too).
        interval: seconds between polls of the store.
    """

    def __init__(
        self,
        *,
        store: Store,
        run_id: uuid.UUID,
        event: threading.Event,
        interval: float = POLL_SECONDS,
    ) -> None:
        self._store = store
        self._run_id = run_id
        self._event = event
        self._interval = interval
        self._callbacks: dict[int, CancelCallback] = {}
        self._keys = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition(self._lock)
        self._poll_failed = False

    @contextmanager
    def scope(self, callback: CancelCallback) -> Iterator[None]:
        """While inside, ``callback`` is called (on the watcher's thread) if the run is cancelled.

        It is called again at every tick while inside, so it must be idempotent and cheap
        when there is nothing to stop (as ``Connector.cancel`` is).

        Raises:
            RunCancelled: the run was cancelled before the scope was entered, or the work
                inside failed after the cancel (a statement the callback stopped fails its
                own way: a timeout, a lost connection).
        """
        if self._event.is_set():
            raise cancelled_error(self._run_id)
        key = self._register(callback)
        try:
            yield
        except DatareadyError as exc:
            if self._event.is_set() and not isinstance(exc, RunCancelled):
                raise cancelled_error(self._run_id) from exc
            raise
        finally:
            with self._lock:
                self._callbacks.pop(key, None)
                if not self._callbacks:
                    self._changed.notify_all()  # the thread ends now, not after its pause

    def _register(self, callback: CancelCallback) -> int:
        with self._lock:
            key = next(self._keys)
            self._callbacks[key] = callback
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, daemon=True, name=f"dr-cancel-{self._run_id}"
                )
                self._thread.start()
        return key

    def _watch(self) -> None:
        while not self._done():
            if not self._event.is_set():
                # The local signal wakes the wait at once; the store is read once per tick,
                # and only while a task is still inside a scope: a run whose last scope ended
                # during the pause (its engine may be gone by now) is never polled again.
                if not self._event.wait(self._interval):
                    if self._done():
                        return
                    if self._still_running():
                        continue
                self._event.set()
            self._fire()
            # Then again at the next tick: a statement may have started meanwhile.
            with self._changed:
                self._changed.wait_for(lambda: not self._callbacks, timeout=self._interval)

    def _done(self) -> bool:
        """No scope is open: the thread ends (under the lock: the next scope starts a new one)."""
        with self._lock:
            if self._callbacks:
                return False
            self._thread = None
            return True

    def _fire(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks.values())
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback must not stop the others (cancel() never raises)
                log.warning("a cancel callback of run %s failed", self._run_id, exc_info=True)

    def _still_running(self) -> bool:
        """The run's stored status is ``running``; a store that cannot answer counts as yes."""
        try:
            with self._store.read_session_factory() as s:
                status = s.scalar(select(WorkflowRun.status).where(WorkflowRun.id == self._run_id))
        except Exception:
            if not self._poll_failed:
                log.warning("cannot poll the status of run %s", self._run_id, exc_info=True)
            self._poll_failed = True
            return True
        self._poll_failed = False
        return status == RunStatus.RUNNING.value


@contextmanager
def result_session(store: Store, run_id: uuid.UUID, event: threading.Event) -> Iterator[Session]:
    """A store transaction for a task's results that commits only while the run is running.

    Raises:
        RunCancelled: the run is no longer ``running`` (``event`` is set, nothing is written).
    """
    if event.is_set():
        raise cancelled_error(run_id)
    with store.session() as s:
        status = s.scalar(
            select(WorkflowRun.status)
            .where(WorkflowRun.id == run_id)
            .with_for_update(key_share=True)  # NO KEY UPDATE: inserts referencing it go on
        )
        if status != RunStatus.RUNNING.value:
            event.set()
            raise cancelled_error(run_id)
        yield s
