"""Finding runs a dead process left behind.

A run is orphaned when it is ``running`` but its worker is gone: on this host, the worker's
process no longer exists; anywhere, its heartbeat is older than
``executor.orphan_after_seconds``.  Orphans are marked ``failed`` with a message that says
so; pending runs are handed back to the executor.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.settings import Settings
from dataready.store import runs as runs_q
from dataready.store.db import Store
from dataready.store.orm import WorkflowRun
from dataready.store.types import utcnow

log = logging.getLogger(__name__)


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
) -> bool:
    """Whether the worker that claimed a run is certainly no longer running it."""
    if worker_id == own_worker_id:
        return False
    if worker_id:
        host, _, rest = worker_id.partition(":")
        pid_text = rest.partition(":")[0]
        if host == socket.gethostname() and pid_text.isdigit():
            pid = int(pid_text)
            if not _pid_alive(pid):
                return True  # the worker's process is dead
    return heartbeat_at is None or heartbeat_at < stale_before


def recover_orphans(
    store: Store, settings: Settings, own_worker_id: str
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Fail orphaned running runs; return (failed run ids, pending run ids to resubmit)."""
    stale_before = utcnow() - timedelta(seconds=settings.executor.orphan_after_seconds)
    failed: list[uuid.UUID] = []
    with store.session() as s:
        running = runs_q.runs_in_states(s, (RunStatus.RUNNING.value,))
        for run in running:
            if not worker_is_gone(
                run.worker_id,
                run.heartbeat_at,
                own_worker_id=own_worker_id,
                stale_before=stale_before,
            ):
                continue
            _mark_orphan_failed(s, run)
            failed.append(run.id)
        pending = [r.id for r in runs_q.runs_in_states(s, (RunStatus.PENDING.value,))]
    if failed:
        log.warning("marked %d orphaned run(s) failed: %s", len(failed), failed)
    return failed, pending


def _mark_orphan_failed(s: Session, run: WorkflowRun) -> None:
    now = utcnow()
    beat = run.heartbeat_at.isoformat() if run.heartbeat_at else "never"
    message = (
        f"The dataready worker running this run ({run.worker_id or 'unknown'}) stopped before it "
        f"finished (last heartbeat: {beat}). Nothing was applied; start a new run to retry."
    )
    runs_q.close_open_tasks(
        s,
        run,
        now,
        running_to=TaskStatus.FAILED,
        running_message="worker stopped while this task was running",
    )
    runs_q.transition_run(
        s,
        run,
        RunStatus.FAILED,
        error_message=message,
        completed_at=now,
        duration_seconds=(now - run.started_at).total_seconds() if run.started_at else None,
    )
