"""Starting and cancelling runs: the checks a request must pass, in the caller's transaction.

The caller commits, then hands the run id to the executor (never before: the worker must
see the committed row).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from dataready.domain.enums import RunStatus
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Principal
from dataready.errors import Conflict, InvalidTransition, ValidationFailed
from dataready.store import configurations as configs_q
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowRun
from dataready.store.types import utcnow
from dataready.workflows.registry import get_workflow

_LEVEL_NAMES = {level.value for level in FQNLevel}


def check_target(asset_fqn: FQN | None, data_asset_types: list[str], workflow_type: str) -> None:
    """Refuse a target whose level the definition does not take (422)."""
    if asset_fqn is None:
        return
    allowed = [t for t in data_asset_types if t in _LEVEL_NAMES]
    if allowed and asset_fqn.level.value not in allowed:
        raise ValidationFailed(
            f"asset_fqn {asset_fqn} is a {asset_fqn.level.value}-level target; "
            f"{workflow_type} takes {' or '.join(allowed)}-level targets",
            field="asset_fqn",
        )


def start_run(
    session: Session,
    principal: Principal,
    configuration_id: uuid.UUID,
    *,
    asset_fqn: str | None,
    parameters: dict[str, Any] | None,
    save_all: bool,
) -> WorkflowRun:
    """Create a pending run after every check; the caller commits and submits it."""
    # held until the commit: a concurrent delete waits for the run to exist, then refuses
    configs_q.lock_configuration(session, principal.tenant, configuration_id, exclusive=False)
    configuration = configs_q.get_configuration(session, principal.tenant, configuration_id)
    definition = configuration.definition
    if configuration.status != "active":
        raise Conflict(
            f"workflow configuration {configuration_id} is inactive; activate it with PATCH "
            '/workflows/{configuration_id} {"status": "active"}',
            configuration_id=str(configuration_id),
        )
    if not definition.is_active:
        raise Conflict(
            f"workflow definition {definition.id} ({definition.workflow_type}) is inactive",
            definition_id=str(definition.id),
        )
    target = FQN.parse(asset_fqn) if asset_fqn is not None else None
    check_target(target, list(definition.data_asset_types or []), definition.workflow_type)
    workflow = get_workflow(definition.workflow_type)
    config = configs_q.effective_config(configuration)
    params = dict(parameters or {})
    workflow.validate(target, config, params)
    return runs_q.create_run(
        session,
        principal.tenant,
        configuration,
        asset_fqn=target,
        config=config,
        parameters=params,
        save_all=save_all,
        created_by=principal.client_id,
    )


_CANCEL_ATTEMPTS = 3


def cancel_run(
    session: Session, principal: Principal, configuration_id: uuid.UUID, run_id: uuid.UUID
) -> WorkflowRun:
    """Mark a pending or running run cancelled; its runner stops at its next check.

    A runner may claim the run (``pending`` → ``running``) between our read and our write, so
    the compare-and-set can miss; cancelling a running run is just as allowed, so the move is
    tried again on the fresh state rather than answering 409 for a race the caller cannot see.
    """
    run = runs_q.get_run(
        session, principal.tenant, run_id, configuration_id=configuration_id, with_tasks=False
    )
    for attempt in range(_CANCEL_ATTEMPTS):
        if run.status not in (RunStatus.PENDING.value, RunStatus.RUNNING.value):
            raise Conflict(
                f"run {run_id} has already finished ({run.status}); only pending or running "
                "runs can be cancelled",
                run_id=str(run_id),
                status=run.status,
            )
        now = utcnow()
        duration = (now - run.started_at).total_seconds() if run.started_at else None
        was_pending = run.status == RunStatus.PENDING.value
        try:
            # the run row first, then its tasks: the order every writer of a run keeps
            runs_q.transition_run(
                session,
                run,
                RunStatus.CANCELLED,
                cancelled_at=now,
                completed_at=now,
                duration_seconds=duration,
                error_message="cancelled by " + principal.client_id,
            )
        except InvalidTransition:
            if attempt == _CANCEL_ATTEMPTS - 1:
                raise
            session.refresh(run)
            continue
        if was_pending and run.tasks:  # handed back at a shutdown: no runner closes its tasks
            runs_q.close_open_tasks(session, run, now)
        return run
    raise InvalidTransition(f"run {run_id} kept changing state; try again", run_id=str(run_id))
