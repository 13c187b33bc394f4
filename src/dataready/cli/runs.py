"""``dataready runs`` (list, show, cancel) and ``dataready run`` (start one, follow it)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from types import FrameType
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from dataready.cli.configs import configuration_for_type, parse_assignments
from dataready.cli.context import (
    console,
    err_console,
    fail,
    local_engine,
    local_principal,
    print_json,
)
from dataready.domain.enums import ApprovalAction, RunStatus
from dataready.errors import DatareadyError
from dataready.store import configurations as configs_q
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowRun
from dataready.workflows.approval import decide
from dataready.workflows.engine import Engine
from dataready.workflows.service import cancel_run, start_run

app = typer.Typer(help="Workflow runs.", no_args_is_help=True)

FINISHED = {RunStatus.COMPLETED.value, RunStatus.FAILED.value, RunStatus.CANCELLED.value}


def run_document(run: WorkflowRun) -> dict[str, Any]:
    """The run as the API returns it from GET …/runs/{run_id}."""
    from dataready.api.schemas.runs import RunRead

    return RunRead.model_validate(run).model_dump(mode="json")


def _parse_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise fail(
            f"{text!r} is not a run id (a UUID); list runs with `dataready runs list`"
        ) from None


@app.command("list")
def list_(
    status: RunStatus | None = typer.Option(None, "--status"),
    workflow_type: str | None = typer.Option(None, "--type"),
    limit: int = typer.Option(20, "--limit"),
) -> None:
    """List the newest runs."""
    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, total = runs_q.list_runs(
            s,
            local_principal(engine.settings).tenant,
            status=status.value if status else None,
            workflow_type=workflow_type,
            limit=limit,
        )
        table = Table(
            "id",
            "workflow_type",
            "asset_fqn",
            "status",
            "started_at",
            "duration",
            title=f"{len(rows)} of {total} runs",
        )
        for r in rows:
            table.add_row(
                str(r.id),
                r.workflow_type,
                r.asset_fqn or "",
                r.status,
                r.started_at.isoformat(timespec="seconds") if r.started_at else "",
                f"{r.duration_seconds:.1f}s" if r.duration_seconds is not None else "",
            )
    console.print(table)


@app.command()
def show(run_id: str) -> None:
    """Print a run document as JSON."""
    rid = _parse_id(run_id)
    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            doc = run_document(runs_q.get_run(s, local_principal(engine.settings).tenant, rid))
    except DatareadyError as exc:
        raise fail(exc) from None
    print_json(doc)


@app.command()
def cancel(run_id: str) -> None:
    """Cancel a pending or running run."""
    rid = _parse_id(run_id)
    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            run = runs_q.get_run(s, principal.tenant, rid, with_tasks=False)
            cancel_run(s, principal, run.configuration_id, rid)
    except DatareadyError as exc:
        raise fail(exc) from None
    console.print(f"run {rid} cancelled")


def _decide(run_id: str, action: ApprovalAction, notes: str | None) -> None:
    rid = _parse_id(run_id)
    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            approval = decide(s, local_principal(engine.settings), rid, action, notes)
            doc = {"status": approval.status, "changes_applied": approval.changes_applied}
    except DatareadyError as exc:
        raise fail(exc) from None
    print_json(doc)


@app.command()
def approve(run_id: str, notes: str | None = typer.Option(None, "--notes")) -> None:
    """Approve a run's proposed results: they are applied in one transaction."""
    _decide(run_id, ApprovalAction.APPROVE, notes)


@app.command()
def reject(run_id: str, notes: str | None = typer.Option(None, "--notes")) -> None:
    """Reject a run's proposed results: they are discarded."""
    _decide(run_id, ApprovalAction.REJECT, notes)


def follow(engine: Engine, run_id: uuid.UUID, *, show_progress: bool) -> WorkflowRun:
    """Poll the store until the run ends, drawing a live progress bar on stderr."""
    tenant = local_principal(engine.settings).tenant
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, disable=not show_progress, transient=False) as bar:
        task = bar.add_task("pending", total=None)
        while True:
            with engine.store.session() as s:
                run = runs_q.get_run(s, tenant, run_id, with_tasks=False)
                status, done, total = run.status, run.progress_done, run.progress_total
            bar.update(
                task,
                description=f"{run.workflow_type} {status}",
                completed=done,
                total=total or None,
            )
            if status in FINISHED:
                break
            time.sleep(0.1)
    with engine.store.session() as s:
        return runs_q.get_run(s, tenant, run_id)


def run(
    workflow_type: str = typer.Argument(..., help="Workflow type, e.g. service-ingestion."),
    fqn: str = typer.Argument(..., help="Target asset FQN, e.g. sample.main.main.customer."),
    config: list[str] = typer.Option([], "--config", help="KEY=VALUE run parameter."),
    save_all: bool = typer.Option(False, "--save-all", help="Apply results without approval."),
    as_json: bool = typer.Option(False, "--json", help="Print only the final run document."),
) -> None:
    """Start a run on the local store, follow it to the end and print the run document."""
    start_and_follow(fqn, config, save_all, as_json, workflow_type=workflow_type)


def start_and_follow(
    fqn: str | None,
    config: list[str],
    save_all: bool,
    as_json: bool,
    *,
    workflow_type: str | None = None,
    configuration_id: uuid.UUID | None = None,
) -> None:
    """Start a run (on the type's default configuration, or on ``configuration_id``), follow
    it to the end and print the run document; exit 1 unless it completed."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        _run(fqn, config, save_all, as_json, workflow_type, configuration_id)
    except _Terminated:
        # The engine has shut down (its grace period given): the run is failed with a message
        # that says why. Die of the signal, as the caller expects, without waiting for a
        # thread stuck in a statement.
        err_console.print("[bold red]stopped:[/] SIGTERM; the run was failed", highlight=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """SIGTERM arrived while ``dataready run`` followed its run."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # Once: a second SIGTERM must not cut short the shutdown the first one started (it is
    # bounded by the grace period anyway).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated()


def _run(
    fqn: str | None,
    config: list[str],
    save_all: bool,
    as_json: bool,
    workflow_type: str | None,
    configuration_id: uuid.UUID | None,
) -> None:
    try:
        if workflow_type is not None:  # checked before the engine starts
            parameters = parse_assignments(config, workflow_type, field="parameters")
        with local_engine() as engine:
            principal = local_principal(engine.settings)
            with engine.store.session() as s:
                if configuration_id is None:
                    assert workflow_type is not None
                    configuration_id = configuration_for_type(s, principal, workflow_type)
                else:
                    row = configs_q.get_configuration(s, principal.tenant, configuration_id)
                    parameters = parse_assignments(
                        config, row.definition.workflow_type, field="parameters"
                    )
                created = start_run(
                    s,
                    principal,
                    configuration_id,
                    asset_fqn=fqn,
                    parameters=parameters,
                    save_all=save_all,
                )
                run_id = created.id
            engine.submit(run_id)
            try:
                finished = follow(engine, run_id, show_progress=not as_json)
            except KeyboardInterrupt:
                with engine.store.session() as s:
                    cancel_run(s, principal, configuration_id, run_id)
                engine.cancel(run_id)
                raise
            doc = run_document(finished)
    except DatareadyError as exc:
        raise fail(exc) from None
    if as_json:
        print_json(doc)
    else:
        console.print_json(data=doc)
    if doc["status"] != RunStatus.COMPLETED.value:
        raise typer.Exit(1)
