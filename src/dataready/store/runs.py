"""Queries over workflow runs and their tasks.

Functions take the session and never commit: the route or the runner owns the transaction.
Status changes go through the transition table; a conditional UPDATE makes the move atomic
so that two writers (a cancelling request, a finishing runner) never both win.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from dataready.domain.enums import RunStatus, TaskStatus
from dataready.domain.fqn import FQN
from dataready.domain.states import check_run_transition, check_task_transition
from dataready.domain.tenant import Tenant
from dataready.errors import InvalidTransition, NotFound
from dataready.store.orm import Approval, WorkflowConfiguration, WorkflowRun, WorkflowTask
from dataready.store.tenancy import scoped
from dataready.store.types import utcnow


def create_run(
    session: Session,
    tenant: Tenant,
    configuration: WorkflowConfiguration,
    *,
    asset_fqn: FQN | None,
    config: dict[str, Any],
    parameters: dict[str, Any],
    save_all: bool,
    created_by: str | None,
) -> WorkflowRun:
    now = utcnow()
    run_input: dict[str, Any] = {}
    if asset_fqn is not None:
        run_input["asset_fqn"] = str(asset_fqn)
    if parameters:
        run_input["parameters"] = parameters
    run = WorkflowRun(
        client_id=tenant.client_id,
        project_id=tenant.project_id,
        configuration_id=configuration.id,
        workflow_type=configuration.definition.workflow_type,
        workflow_name=configuration.name,
        status=RunStatus.PENDING.value,
        asset_fqn=str(asset_fqn) if asset_fqn else None,
        service_name=asset_fqn.service if asset_fqn else None,
        database_name=asset_fqn.database if asset_fqn else None,
        schema_name=asset_fqn.schema if asset_fqn else None,
        table_name=asset_fqn.table if asset_fqn else None,
        save_all=save_all,
        config=config,
        input=run_input,
        output=None,
        started_at=now,
        created_at=now,
        updated_at=now,
        created_by=created_by,
    )
    session.add(run)
    session.flush()
    return run


def _not_found(run_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"workflow run {run_id} not found; list runs with GET /runs",
        resource="workflow_run",
        id=str(run_id),
    )


def get_run(
    session: Session,
    tenant: Tenant,
    run_id: uuid.UUID,
    *,
    configuration_id: uuid.UUID | None = None,
    with_tasks: bool = True,
) -> WorkflowRun:
    stmt = scoped(select(WorkflowRun).where(WorkflowRun.id == run_id), WorkflowRun, tenant)
    if configuration_id is not None:
        stmt = stmt.where(WorkflowRun.configuration_id == configuration_id)
    if with_tasks:  # one round trip: the tasks come joined to the run
        stmt = stmt.options(joinedload(WorkflowRun.tasks))
    found = session.scalars(stmt).unique().first()
    if found is None:
        raise _not_found(run_id)
    return found


def find_run_ids(
    session: Session, tenant: Tenant, prefix: str, *, limit: int = 10
) -> list[uuid.UUID]:
    """The tenant's run ids that start with ``prefix`` (hex digits, dashes ignored).

    One range scan on the primary key: every id from ``prefix`` followed by zeros to
    ``prefix`` followed by ``f``s, which orders the same on a native ``uuid`` column and on
    SQLite's hex text.
    """
    digits = prefix.replace("-", "").lower()
    if not digits or len(digits) > 32 or any(c not in "0123456789abcdef" for c in digits):
        return []
    low = uuid.UUID(digits.ljust(32, "0"))
    high = uuid.UUID(digits.ljust(32, "f"))
    stmt = scoped(
        select(WorkflowRun.id).where(WorkflowRun.id >= low, WorkflowRun.id <= high),
        WorkflowRun,
        tenant,
    )
    return list(session.scalars(stmt.order_by(WorkflowRun.id).limit(limit)))


def get_run_unscoped(session: Session, run_id: uuid.UUID) -> WorkflowRun:
    """For the runner, which acts on behalf of the run's own tenant."""
    found = session.get(WorkflowRun, run_id, populate_existing=True)
    if found is None:
        raise _not_found(run_id)
    return found


def list_runs(
    session: Session,
    tenant: Tenant,
    *,
    configuration_id: uuid.UUID | None = None,
    status: str | None = None,
    workflow_type: str | None = None,
    asset_fqn: str | None = None,
    since: datetime | None = None,
    approval: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WorkflowRun], int]:
    """The tenant's runs, newest first; ``approval`` keeps the runs whose approval is in that
    state (``pending``: the runs waiting for a person)."""
    stmt = scoped(select(WorkflowRun), WorkflowRun, tenant)
    if approval is not None:
        stmt = stmt.join(Approval, Approval.workflow_run_id == WorkflowRun.id).where(
            Approval.status == approval
        )
    if configuration_id is not None:
        stmt = stmt.where(WorkflowRun.configuration_id == configuration_id)
    if status is not None:
        stmt = stmt.where(WorkflowRun.status == status)
    if workflow_type is not None:
        stmt = stmt.where(WorkflowRun.workflow_type == workflow_type)
    if asset_fqn is not None:
        stmt = stmt.where(WorkflowRun.asset_fqn == asset_fqn)
    if since is not None:
        stmt = stmt.where(WorkflowRun.created_at >= since)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(WorkflowRun.tasks))
        .order_by(WorkflowRun.created_at.desc(), WorkflowRun.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def list_tasks(session: Session, tenant: Tenant, run_id: uuid.UUID) -> list[WorkflowTask]:
    stmt = scoped(
        select(WorkflowTask).where(WorkflowTask.run_id == run_id), WorkflowTask, tenant
    ).order_by(WorkflowTask.position)
    return list(session.scalars(stmt).all())


def transition_run(
    session: Session, run: WorkflowRun, target: RunStatus, **values: Any
) -> WorkflowRun:
    """Move a run to ``target`` if its stored status allows it (atomic compare-and-set).

    Raises:
        InvalidTransition: when the stored status does not allow the move (for example the
            run was cancelled by a request while the runner was finishing it).
    """
    current = session.scalar(select(WorkflowRun.status).where(WorkflowRun.id == run.id))
    if current is None:
        raise _not_found(run.id)
    check_run_transition(current, target, run_id=str(run.id))
    now = utcnow()
    values.setdefault("updated_at", now)
    result = session.execute(
        update(WorkflowRun)
        .where(WorkflowRun.id == run.id, WorkflowRun.status == current)
        .values(status=target.value, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(
            f"run {run.id} changed state concurrently; reload it and try again",
            run_id=str(run.id),
        )
    session.refresh(run)
    return run


def transition_task(
    session: Session, task: WorkflowTask, target: TaskStatus, **values: Any
) -> WorkflowTask:
    check_task_transition(task.status, target, task_id=str(task.id))
    task.status = target.value
    for key, value in values.items():
        setattr(task, key, value)
    task.updated_at = utcnow()
    session.flush()
    return task


def close_open_tasks(
    session: Session,
    run: WorkflowRun,
    now: datetime,
    *,
    running_to: TaskStatus = TaskStatus.CANCELLED,
    running_message: str | None = None,
) -> None:
    """End a stopping run's unfinished tasks: pending ones cancelled, running ones
    ``running_to`` (with ``running_message`` when given)."""
    for task in run.tasks:
        if task.status == TaskStatus.PENDING.value:
            transition_task(session, task, TaskStatus.CANCELLED, completed_at=now)
        elif task.status == TaskStatus.RUNNING.value:
            extra = {"error_message": running_message} if running_message else {}
            transition_task(session, task, running_to, completed_at=now, **extra)


def add_task(
    session: Session,
    run: WorkflowRun,
    *,
    position: int,
    name: str,
    task_type: str,
    asset_fqn: str | None,
    params: dict[str, Any],
    depends_on: list[str],
) -> WorkflowTask:
    task = WorkflowTask(
        client_id=run.client_id,
        project_id=run.project_id,
        run_id=run.id,
        position=position,
        name=name,
        task_type=task_type,
        asset_fqn=asset_fqn,
        params=params,
        depends_on=depends_on,
        status=TaskStatus.PENDING.value,
        attempt=0,
    )
    session.add(task)
    return task


def runs_in_states(session: Session, states: tuple[str, ...]) -> list[WorkflowRun]:
    """Every tenant's runs in the given states (for recovery at start-up)."""
    return list(session.scalars(select(WorkflowRun).where(WorkflowRun.status.in_(states))).all())


def active_run_count(session: Session, configuration_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(WorkflowRun)
            .where(
                WorkflowRun.configuration_id == configuration_id,
                WorkflowRun.status.in_((RunStatus.PENDING.value, RunStatus.RUNNING.value)),
            )
        )
        or 0
    )


# -- ownership: moves that only the run's worker (or a sweeper that proved it gone) makes ----


def claim_run(session: Session, run: WorkflowRun, worker_id: str) -> bool:
    """``pending`` → ``running`` for ``worker_id``; False when another worker got there first."""
    try:
        transition_run(
            session,
            run,
            RunStatus.RUNNING,
            worker_id=worker_id,
            heartbeat_at=utcnow(),
        )
    except InvalidTransition:
        return False
    return True


def prove_owner(session: Session, run_id: uuid.UUID, worker_id: str) -> bool:
    """Renew the heartbeat if ``worker_id`` still runs the run; False when it does not.

    Called in a transaction before it commits: on PostgreSQL the UPDATE also locks the run
    row until then, so no sweeper or shutdown can take the run over in between.
    """
    result = session.execute(
        update(WorkflowRun)
        .where(
            WorkflowRun.id == run_id,
            WorkflowRun.status == RunStatus.RUNNING.value,
            WorkflowRun.worker_id == worker_id,
        )
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _move_owned(
    session: Session,
    run_id: uuid.UUID,
    target: RunStatus,
    *,
    worker_id: str | None,
    heartbeat_at: datetime | None,
    match_heartbeat: bool,
    values: dict[str, Any],
) -> WorkflowRun | None:
    """Compare-and-set a running run on its worker (and, for sweepers, the heartbeat seen)."""
    check_run_transition(RunStatus.RUNNING.value, target, run_id=str(run_id))
    conditions = [WorkflowRun.id == run_id, WorkflowRun.status == RunStatus.RUNNING.value]
    conditions.append(
        WorkflowRun.worker_id.is_(None) if worker_id is None else WorkflowRun.worker_id == worker_id
    )
    if match_heartbeat:
        conditions.append(
            WorkflowRun.heartbeat_at.is_(None)
            if heartbeat_at is None
            else WorkflowRun.heartbeat_at == heartbeat_at
        )
    result = session.execute(
        update(WorkflowRun)
        .where(*conditions)
        .values(status=target.value, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return get_run_unscoped(session, run_id)


def requeue_run(
    session: Session,
    run_id: uuid.UUID,
    *,
    worker_id: str | None,
    message: str,
    heartbeat_at: datetime | None = None,
    match_heartbeat: bool = False,
    run_message: str | None = None,
) -> bool:
    """Hand a running run back as ``pending`` for any worker to resume.

    Completed, failed and skipped tasks keep their results (a resumed run does not redo
    them); running tasks go back to ``pending`` with their attempt kept and ``message``.
    False when the run is no longer ``running`` on ``worker_id`` (and heartbeat).
    """
    run = _move_owned(
        session,
        run_id,
        RunStatus.PENDING,
        worker_id=worker_id,
        heartbeat_at=heartbeat_at,
        match_heartbeat=match_heartbeat,
        values={"worker_id": None, "heartbeat_at": None, "error_message": run_message},
    )
    if run is None:
        return False
    for task in run.tasks:
        if task.status == TaskStatus.RUNNING.value:
            transition_task(session, task, TaskStatus.PENDING, error_message=message)
    return True


def fail_owned_run(
    session: Session,
    run_id: uuid.UUID,
    *,
    worker_id: str | None,
    message: str,
    task_message: str,
    heartbeat_at: datetime | None = None,
    match_heartbeat: bool = False,
    running_to: TaskStatus = TaskStatus.FAILED,
) -> bool:
    """Fail a running run of ``worker_id`` (and heartbeat) and close its open tasks.

    False when someone else moved it first (it finished, was cancelled, or another sweeper
    or a live worker touched it since it was read).
    """
    now = utcnow()
    run = _move_owned(
        session,
        run_id,
        RunStatus.FAILED,
        worker_id=worker_id,
        heartbeat_at=heartbeat_at,
        match_heartbeat=match_heartbeat,
        values={"error_message": message, "completed_at": now},
    )
    if run is None:
        return False
    if run.started_at is not None:
        run.duration_seconds = (now - run.started_at).total_seconds()
    close_open_tasks(session, run, now, running_to=running_to, running_message=task_message)
    session.flush()
    return True


def stale_pending_runs(session: Session, before: datetime) -> list[uuid.UUID]:
    """Pending runs last touched before ``before``: nobody may be about to claim them."""
    return list(
        session.scalars(
            select(WorkflowRun.id)
            .where(WorkflowRun.status == RunStatus.PENDING.value, WorkflowRun.updated_at < before)
            .order_by(WorkflowRun.created_at)
        ).all()
    )
