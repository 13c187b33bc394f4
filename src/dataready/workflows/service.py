"""Starting and cancelling runs: the checks a request must pass, in the caller's transaction.

The caller commits, then hands the run id to the executor (never before: the worker must
see the committed row).
"""

from __future__ import annotations

import difflib
import uuid
from typing import Any

from sqlalchemy.orm import Session

from dataready.domain.catalog import TABLE_LIKE
from dataready.domain.enums import RunStatus
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Principal, Tenant
from dataready.errors import Conflict, InvalidTransition, TargetNotFound, ValidationFailed
from dataready.store import assets as assets_q
from dataready.store import configurations as configs_q
from dataready.store import runs as runs_q
from dataready.store import services as services_q
from dataready.store.orm import WorkflowRun
from dataready.store.types import utcnow
from dataready.workflows.base import TargetKind, Workflow
from dataready.workflows.config_schemas import check_config
from dataready.workflows.registry import config_model_for, get_workflow

_LEVEL_NAMES = {level.value for level in FQNLevel}
_ASSET_TYPES: dict[FQNLevel, tuple[str, ...]] = {
    FQNLevel.DATABASE: ("database",),
    FQNLevel.SCHEMA: ("schema",),
    FQNLevel.TABLE: tuple(sorted(TABLE_LIKE)),
    FQNLevel.COLUMN: ("column",),
}
_CLOSEST = 3
_CUTOFF = 0.6


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < _CUTOFF or matcher.quick_ratio() < _CUTOFF:
        return 0.0
    return matcher.ratio()


def closest_fqns(target: FQN, candidates: list[str]) -> list[str]:
    """The catalogued FQNs nearest to ``target``, best first: each part is compared with
    its counterpart and the worst part decides (so ``s.d.main.custmer`` finds
    ``s.d.main.customer`` and not ``s.d.main.orders``, whose shared prefix is no help)."""
    wanted = target.parts
    scored: list[tuple[float, str]] = []
    for text in candidates:
        parts = FQN.parse(text).parts
        if len(parts) != len(wanted):
            continue
        score = 1.0
        for mine, theirs in zip(wanted, parts, strict=True):
            score = min(score, 1.0 if mine == theirs else _similarity(mine, theirs))
            if score < _CUTOFF:
                break
        if score >= _CUTOFF:
            scored.append((score, text))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [text for _, text in scored[:_CLOSEST]]


def _did_you_mean(closest: list[str]) -> str:
    return f"; did you mean {' or '.join(closest)}?" if closest else ""


def check_target_exists(
    session: Session, tenant: Tenant, workflow: Workflow, target: FQN | None
) -> None:
    """Refuse (422 ``TARGET_NOT_FOUND``) a target the workflow type cannot work on: for a
    service target, a service that is not registered; for an asset target, an FQN that is
    not in the catalogue. The error names the closest names at the same level."""
    if target is None or workflow.target_kind is None:
        return
    if workflow.target_kind is TargetKind.SERVICE or target.level is FQNLevel.SERVICE:
        names = services_q.service_names(session, tenant)
        if target.service in names:
            if workflow.target_kind is TargetKind.SERVICE:
                return
        else:
            closest = difflib.get_close_matches(target.service, names, _CLOSEST, _CUTOFF)
            raise TargetNotFound(
                f"asset_fqn {target}: no service named {target.service!r} in this project"
                f"{_did_you_mean(closest)} (list them with GET /services or "
                "`dataready services list`)",
                field="asset_fqn",
                asset_fqn=str(target),
                closest=closest,
            )
    types = _ASSET_TYPES.get(target.level, ())
    if assets_q.is_catalogued(session, tenant, str(target), types):
        return
    candidates = assets_q.catalogued_fqns(session, tenant, types)
    closest = closest_fqns(target, candidates)
    raise TargetNotFound(
        f"asset_fqn {target} is not in the catalogue{_did_you_mean(closest)} (a new asset "
        f"appears once service-ingestion has run on its service; {workflow.workflow_type} "
        "works on catalogued assets)",
        field="asset_fqn",
        asset_fqn=str(target),
        closest=closest,
    )


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


def check_config_values(
    workflow_type: str, config: dict[str, Any], *, field: str = "config"
) -> dict[str, Any]:
    """A definition's ``default_config`` or a configuration's ``config`` checked against the
    type's schema (422 ``INVALID_CONFIG`` naming each bad key and the known ones); returns
    it with its values coerced (``"5000"`` → ``5000``)."""
    model = config_model_for(workflow_type)
    if model is None:
        return dict(config)
    return check_config(model, workflow_type, config, field=field)


def check_run_values(
    workflow_type: str, config: dict[str, Any], parameters: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A run's effective config merged with its parameters, checked against the type's
    schema; returns both with their values coerced."""
    model = config_model_for(workflow_type)
    if model is None:
        return config, parameters
    merged = check_config(
        model,
        workflow_type,
        {**config, **parameters},
        field="config",
        field_of=dict.fromkeys(parameters, "parameters"),
    )
    checked_config = {k: config[k] if k in parameters else merged[k] for k in config}
    return checked_config, {k: merged[k] for k in parameters}


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
    config, params = check_run_values(
        definition.workflow_type,
        configs_q.effective_config(configuration),
        dict(parameters or {}),
    )
    workflow.validate(target, config, params)
    check_target_exists(session, principal.tenant, workflow, target)
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
