"""The sweep: finding runs that nobody is running any more, from any live process.

Every engine that executes runs sweeps at start-up and then every
``executor.sweep_every`` seconds (a quarter of ``orphan_after_seconds`` by default):

- A ``running`` run is **orphaned** when its worker is certainly gone: on this host, the
  worker's process no longer exists; anywhere, its heartbeat is older than
  ``executor.orphan_after_seconds``; in this process, its worker is this engine but no thread
  runs it any more (the runner gave up on it during a store outage).  An orphan whose worker
  had not started any task yet is **re-queued** once (nothing ran, nothing can be half done;
  the worker most likely died for reasons of its own); any other orphan is **failed**
  with a message that says so — a worker that died while a task ran may have died *of*
  that task (memory on a huge table), and running it again unasked could kill the next one.
- A ``pending`` run that no engine has claimed for a sweep interval (its creator died
  between creating and submitting it, or it was handed back at a shutdown) is submitted.

Several processes sweep the same store at once.  Each move is a compare-and-set on the
status, the worker *and the heartbeat the sweeper read*: of two sweepers only one moves a
run, and a worker that renewed its heartbeat in the meantime — alive, only slow — keeps it.
A worker that was taken over anyway (its process froze for longer than the timeout) finds
out at its next write, which its ownership check refuses.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowRun
from dataready.store.outage import is_store_unavailable
from dataready.store.types import utcnow

log = logging.getLogger(__name__)

REQUEUED_PREFIX = "re-queued: "


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_is_gone(
    worker_id: str | None,
    heartbeat_at: datetime | None,
    *,
    own_worker_id: str,
    stale_before: datetime,
    own_active: bool = True,
) -> bool:
    """Whether the worker that claimed a run is certainly no longer running it.

    ``own_active`` tells, for a run of this very worker, whether a thread still runs it.
    """
    if worker_id == own_worker_id:
        return not own_active
    if worker_id:
        host, _, rest = worker_id.partition(":")
        pid_text = rest.partition(":")[0]
        if host == socket.gethostname() and pid_text.isdigit():
            pid = int(pid_text)
            if not _pid_alive(pid):
                return True  # the worker's process is dead
    return heartbeat_at is None or heartbeat_at < stale_before


@dataclass
class SweepResult:
    failed: list[uuid.UUID] = field(default_factory=list)
    requeued: list[uuid.UUID] = field(default_factory=list)
    pending: list[uuid.UUID] = field(default_factory=list)
    """Pending runs for the sweeping engine to submit (re-queued ones included)."""


@dataclass(frozen=True)
class _Seen:
    run_id: uuid.UUID
    worker_id: str | None
    heartbeat_at: datetime | None


def _orphan_message(seen: _Seen, own_worker_id: str, settings: Settings) -> str:
    beat = seen.heartbeat_at.isoformat() if seen.heartbeat_at else "never"
    worker = seen.worker_id or "unknown"
    if seen.worker_id == own_worker_id:
        why = (
            f"lost the metadata store for more than "
            f"{settings.executor.orphan_after_seconds:g}s and gave up on it"
        )
    else:
        why = "stopped before it finished"
    return (
        f"The dataready worker running this run ({worker}) {why} (last heartbeat: {beat}). "
        "Nothing was applied; start a new run to retry."
    )


def _settle(s: Session, seen: _Seen, own_worker_id: str, settings: Settings) -> str | None:
    """Re-queue or fail one orphan, if nobody moved it since it was read."""
    run = runs_q.get_run_unscoped(s, seen.run_id)
    started = any(t.attempt > 0 or t.status != TaskStatus.PENDING.value for t in run.tasks)
    if not started and not (run.error_message or "").startswith(REQUEUED_PREFIX):
        beat = seen.heartbeat_at.isoformat() if seen.heartbeat_at else "never"
        note = (
            f"{REQUEUED_PREFIX}the worker that claimed this run ({seen.worker_id}) stopped "
            f"before starting any task (last heartbeat: {beat})"
        )
        requeued = runs_q.requeue_run(
            s,
            seen.run_id,
            worker_id=seen.worker_id,
            heartbeat_at=seen.heartbeat_at,
            match_heartbeat=True,
            message=note,
            run_message=note,
        )
        return "requeued" if requeued else None
    moved = runs_q.fail_owned_run(
        s,
        seen.run_id,
        worker_id=seen.worker_id,
        heartbeat_at=seen.heartbeat_at,
        match_heartbeat=True,
        message=_orphan_message(seen, own_worker_id, settings),
        task_message="worker stopped while this task was running",
    )
    return "failed" if moved else None


def sweep(
    store: Store,
    settings: Settings,
    own_worker_id: str,
    *,
    own_active: Callable[[], Collection[uuid.UUID]] = frozenset,
    pending_before: datetime | None = None,
) -> SweepResult:
    """One pass over the store (see the module docstring).

    Args:
        own_active: the runs this process's threads are executing; read *after* the runs,
            so that a run claimed in between is never taken for abandoned.
        pending_before: submit pending runs last touched before this (``None``: all).
    """
    stale_before = utcnow() - timedelta(seconds=settings.executor.orphan_after_seconds)
    with store.session() as s:
        running = [
            _Seen(r.id, r.worker_id, r.heartbeat_at)
            for r in s.execute(
                select(WorkflowRun.id, WorkflowRun.worker_id, WorkflowRun.heartbeat_at).where(
                    WorkflowRun.status == RunStatus.RUNNING.value
                )
            )
        ]
    active = set(own_active())
    result = SweepResult()
    for seen in running:
        if not worker_is_gone(
            seen.worker_id,
            seen.heartbeat_at,
            own_worker_id=own_worker_id,
            stale_before=stale_before,
            own_active=seen.run_id in active,
        ):
            continue
        with store.session() as s:  # one run per transaction: one conflict spoils no other
            outcome = _settle(s, seen, own_worker_id, settings)
        if outcome == "failed":
            result.failed.append(seen.run_id)
        elif outcome == "requeued":
            result.requeued.append(seen.run_id)
    with store.session() as s:
        if pending_before is None:
            pending = [r.id for r in runs_q.runs_in_states(s, (RunStatus.PENDING.value,))]
        else:
            pending = runs_q.stale_pending_runs(s, pending_before)
    active = set(own_active())
    result.pending = [r for r in dict.fromkeys([*result.requeued, *pending]) if r not in active]
    if result.failed:
        log.warning("marked %d orphaned run(s) failed: %s", len(result.failed), result.failed)
    if result.requeued:
        log.warning("re-queued %d orphaned run(s): %s", len(result.requeued), result.requeued)
    return result


class Sweeper:
    """Sweeps every ``interval`` seconds on a daemon thread until stopped."""

    def __init__(
        self,
        interval: float,
        pass_: Callable[[], None],
    ) -> None:
        self.interval = interval
        self._pass = pass_
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="dr-sweeper")
        self._store_down = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            # Short: a pass stuck on an unreachable store must not hold a shutdown up; what it
            # would submit is refused by the stopped executor anyway.
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._pass()
            except Exception as exc:
                if is_store_unavailable(exc):
                    if not self._store_down:  # once per outage, not every interval
                        log.warning("sweep: the store is unreachable; trying again: %s", exc)
                    self._store_down = True
                    continue
                log.exception("sweep failed; trying again in %.1fs", self.interval)
            else:
                if self._store_down:
                    log.info("sweep: the store is reachable again")
                self._store_down = False


def recover_orphans(
    store: Store, settings: Settings, own_worker_id: str
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The start-up sweep: (failed run ids, pending run ids to submit)."""
    result = sweep(store, settings, own_worker_id)
    return result.failed, result.pending
