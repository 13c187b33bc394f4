"""Runs: ``/workflows/{configuration_id}/runs[/...]`` and ``/runs`` (all runs of the tenant).

Starting a run answers at once with ``status: "pending"``; the run is handed to the engine
only after the request's transaction has committed.  ``GET .../runs/{run_id}`` is the hot path
clients poll: one scoped query for the run, one for its tasks, serialised straight to JSON.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from dataready.api import reads
from dataready.api.auth import Operator, Viewer
from dataready.api.deps import DbSession, Page, Runs
from dataready.api.schemas.common import AssetFQN, InputTimestamp, WorkflowTypeAlias, json_response
from dataready.api.schemas.common import Page as PageOf
from dataready.api.schemas.runs import RunCancelRead, RunCreate, RunCreated, RunRead, TaskRead
from dataready.domain.enums import ApprovalStatus, RunStatus, WorkflowType
from dataready.store import configurations as configs_q
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowRun
from dataready.workflows import service

router = APIRouter(tags=["workflow runs"])


@router.post("/workflows/{configuration_id}/runs", status_code=201, response_model=RunCreated)
def start_run(
    configuration_id: uuid.UUID,
    principal: Operator,
    session: DbSession,
    engine: Runs,
    body: Annotated[RunCreate | None, Body()] = None,
) -> Response:
    """Create a pending run (operator); poll it with GET."""
    body = body or RunCreate()
    run = service.start_run(
        session,
        principal,
        configuration_id,
        asset_fqn=body.asset_fqn,
        parameters=body.parameters,
        save_all=body.save_all,
    )
    doc = RunCreated.model_validate(run)
    session.commit()
    engine.submit(run.id)
    return json_response(doc, 201)


@router.get("/workflows/{configuration_id}/runs", response_model=PageOf[RunRead])
def list_configuration_runs(
    configuration_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    page: Page,
    status: RunStatus | None = None,
    approval: ApprovalStatus | None = None,
) -> Response:
    """The runs of one configuration, newest first (``approval=pending``: the ones waiting
    for a person's approval)."""
    configs_q.get_configuration(session, principal.tenant, configuration_id)
    rows, total = runs_q.list_runs(
        session,
        principal.tenant,
        configuration_id=configuration_id,
        status=status.value if status else None,
        approval=approval.value if approval else None,
        limit=page.limit,
        offset=page.offset,
    )
    return _page(rows, total, page.limit, page.offset)


@router.get("/workflows/{configuration_id}/runs/{run_id}", response_model=RunRead)
async def get_run(
    configuration_id: uuid.UUID, run_id: uuid.UUID, principal: Viewer, request: Request
) -> Response:
    """One run with its tasks (the hot path clients poll: see :mod:`dataready.api.reads`)."""
    body = await reads.read_run_document(
        request.app.state, principal.tenant, configuration_id, run_id
    )
    return Response(content=body, media_type="application/json")


@router.get("/workflows/{configuration_id}/runs/{run_id}/tasks", response_model=list[TaskRead])
def list_run_tasks(
    configuration_id: uuid.UUID, run_id: uuid.UUID, principal: Viewer, session: DbSession
) -> Response:
    """The tasks of one run, in plan order."""
    runs_q.get_run(
        session, principal.tenant, run_id, configuration_id=configuration_id, with_tasks=False
    )
    tasks = runs_q.list_tasks(session, principal.tenant, run_id)
    body = b"[" + b",".join(TaskRead.model_validate(t).model_dump_json().encode() for t in tasks)
    return Response(content=body + b"]", media_type="application/json")


@router.post("/workflows/{configuration_id}/runs/{run_id}/cancel", response_model=RunCancelRead)
def cancel_run(
    configuration_id: uuid.UUID,
    run_id: uuid.UUID,
    principal: Operator,
    session: DbSession,
    engine: Runs,
) -> Response:
    """Cancel a pending or running run (operator); a finished run answers 409."""
    run = service.cancel_run(session, principal, configuration_id, run_id)
    doc = RunCancelRead.model_validate(run)
    session.commit()
    engine.cancel(run.id)
    return json_response(doc)


@router.get("/runs", response_model=PageOf[RunRead])
def list_runs(
    principal: Viewer,
    session: DbSession,
    page: Page,
    status: RunStatus | None = None,
    workflow_type: Annotated[WorkflowType, WorkflowTypeAlias] | None = None,
    asset_fqn: Annotated[AssetFQN | None, Query()] = None,
    since: Annotated[InputTimestamp | None, Query()] = None,
    approval: ApprovalStatus | None = None,
) -> Response:
    """Every run of the tenant, newest first (``approval=pending``: the ones waiting for a
    person's approval)."""
    rows, total = runs_q.list_runs(
        session,
        principal.tenant,
        status=status.value if status else None,
        workflow_type=workflow_type.value if workflow_type else None,
        asset_fqn=asset_fqn,
        since=since,
        approval=approval.value if approval else None,
        limit=page.limit,
        offset=page.offset,
    )
    return _page(rows, total, page.limit, page.offset)


def _page(rows: list[WorkflowRun], total: int, limit: int, offset: int) -> Response:
    items = [RunRead.model_validate(r) for r in rows]
    return json_response(PageOf[RunRead](items=items, total=total, limit=limit, offset=offset))
