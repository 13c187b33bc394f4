"""``dataready runs`` (list, show, cancel) and ``dataready run`` (start one, follow it)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from types import FrameType
from typing import TYPE_CHECKING, Any

import typer
from typer import _click as click  # typer ships its own click: its types are these
from typer.core import TyperCommand

from dataready.cli import review
from dataready.cli.context import err_console, fail, local_engine, local_principal
from dataready.cli.output import (
    Cell,
    Column,
    OutputFormat,
    emit_document,
    emit_rows,
    json_option,
    output_option,
    print_json,
    resolve_format,
    say,
)
from dataready.domain.enums import ApprovalAction, ApprovalStatus, RunStatus
from dataready.errors import DatareadyError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.domain.tenant import Tenant
    from dataready.store.orm import WorkflowRun
    from dataready.workflows.engine import Engine

app = typer.Typer(help="Workflow runs.", no_args_is_help=True)
app.command("review")(review.review)

FINISHED = {RunStatus.COMPLETED.value, RunStatus.FAILED.value, RunStatus.CANCELLED.value}
RUN_ID_HELP = "A run id, or an unambiguous prefix of one (as `dataready runs list` shows)."


def run_document(run: WorkflowRun) -> dict[str, Any]:
    """The run as the API returns it from GET …/runs/{run_id}."""
    from dataready.api.schemas.runs import RunRead

    return RunRead.model_validate(run).model_dump(mode="json")


def resolve_run_id(session: Session, tenant: Tenant, text: str) -> uuid.UUID:
    """A whole run id, or the one run whose id starts with ``text``.

    Raises:
        ValidationFailed: ``text`` is neither a UUID nor hex digits.
        NotFound: no run of the tenant starts with it.
        Conflict-like ValidationFailed: more than one does (the message lists them).
    """
    from dataready.store import runs as runs_q

    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    digits = text.strip().replace("-", "").lower()
    if not digits or len(digits) > 32 or any(c not in "0123456789abcdef" for c in digits):
        raise ValidationFailed(
            f"{text!r} is not a run id (a UUID or the start of one); list runs with "
            "`dataready runs list`",
            field="run_id",
        )
    matches = runs_q.find_run_ids(session, tenant, text, limit=11)
    if not matches:
        raise NotFound(f"no run id starts with {text!r}; list runs with `dataready runs list`")
    if len(matches) > 1:
        shown = ", ".join(str(m) for m in matches[:10])
        more = " and more" if len(matches) > 10 else ""
        raise ValidationFailed(
            f"{text!r} is ambiguous: it starts the ids {shown}{more}; give more digits",
            field="run_id",
        )
    return matches[0]


def _duration(seconds: float | None) -> Cell:
    return Cell("" if seconds is None else f"{seconds:.1f}s", seconds)


@app.command("list")
def list_(
    status: RunStatus | None = typer.Option(None, "--status", help="Only runs in this status."),
    workflow_type: str | None = typer.Option(
        None, "--type", help="Only runs of this workflow type, e.g. profiling."
    ),
    approval: ApprovalStatus | None = typer.Option(
        None, "--approval", help="Only runs whose approval is in this state, e.g. pending."
    ),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many (newest first)."),
    output: OutputFormat = output_option(),
    as_json: bool = json_option(),
) -> None:
    """List the newest runs."""
    from dataready.store import runs as runs_q

    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, total = runs_q.list_runs(
            s,
            local_principal(engine.settings).tenant,
            status=status.value if status else None,
            workflow_type=workflow_type,
            approval=approval.value if approval else None,
            limit=limit,
        )
        cells = [
            [
                r.id,
                r.workflow_type,
                r.asset_fqn,
                r.status,
                r.started_at.replace(microsecond=0) if r.started_at else None,
                _duration(r.duration_seconds),
            ]
            for r in rows
        ]
    columns = [
        Column("id"),
        Column("workflow_type"),
        Column("asset_fqn"),
        Column("status"),
        Column("started_at", family="timestamp"),
        Column("duration", "duration_seconds"),
    ]
    emit_rows(columns, cells, resolve_format(output, as_json), title=f"{len(rows)} of {total} runs")


@app.command()
def show(
    run_id: str = typer.Argument(..., help=RUN_ID_HELP),
    output: OutputFormat = output_option(),
    as_json: bool = json_option(),
) -> None:
    """Print a run document as JSON (as ``GET …/runs/{run_id}`` returns it)."""
    from dataready.store import runs as runs_q

    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            rid = resolve_run_id(s, tenant, run_id)
            doc = run_document(runs_q.get_run(s, tenant, rid))
    except DatareadyError as exc:
        raise fail(exc) from None
    emit_document(doc, resolve_format(output, as_json))


@app.command()
def cancel(run_id: str = typer.Argument(..., help=RUN_ID_HELP)) -> None:
    """Cancel a pending or running run."""
    from dataready.store import runs as runs_q
    from dataready.workflows.service import cancel_run

    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            rid = resolve_run_id(s, principal.tenant, run_id)
            run = runs_q.get_run(s, principal.tenant, rid, with_tasks=False)
            cancel_run(s, principal, run.configuration_id, rid)
    except DatareadyError as exc:
        raise fail(exc) from None
    say("run {} cancelled", rid)


def _decide(run_id: str, action: ApprovalAction, notes: str | None) -> None:
    from dataready.workflows.approval import decide

    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            rid = resolve_run_id(s, principal.tenant, run_id)
            approval = decide(s, principal, rid, action, notes)
            doc = review.decision_document(s, principal, approval)
    except DatareadyError as exc:
        raise fail(exc) from None
    print_json(doc)


NOTES_HELP = "Why: kept with the decision."


@app.command()
def approve(
    run_id: str = typer.Argument(..., help=RUN_ID_HELP),
    notes: str | None = typer.Option(None, "--notes", help=NOTES_HELP),
) -> None:
    """Approve a run's proposed results: they are applied in one transaction."""
    _decide(run_id, ApprovalAction.APPROVE, notes)


@app.command()
def reject(
    run_id: str = typer.Argument(..., help=RUN_ID_HELP),
    notes: str | None = typer.Option(None, "--notes", help=NOTES_HELP),
) -> None:
    """Reject a run's proposed results: they are discarded."""
    _decide(run_id, ApprovalAction.REJECT, notes)


def follow(engine: Engine, run_id: uuid.UUID, *, show_progress: bool) -> WorkflowRun:
    """Poll the store until the run ends, drawing a live progress bar on stderr."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from dataready.store import runs as runs_q

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


class _RunCommand(TyperCommand):
    """``run``, whose help lists the workflow types this installation can run.

    The registry is read only when the help is asked for: ``dataready --help`` and every
    other command start without loading a workflow.
    """

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.epilog = workflow_types_help()
        super().format_help(ctx, formatter)


def workflow_types_help() -> str:
    """The registered workflow types, each with the configuration keys its definition has."""
    from rich.markup import escape

    from dataready.domain.definitions import BUILTIN_DEFINITIONS
    from dataready.domain.enums import WORKFLOW_TYPE_ALIASES
    from dataready.workflows.registry import registered_types

    keys = {str(d.workflow_type): sorted(d.default_config) for d in BUILTIN_DEFINITIONS}
    lines = []
    for name in registered_types():
        if name in WORKFLOW_TYPE_ALIASES:  # an old spelling of another type
            continue
        config = ", ".join(keys.get(name, [])) or "none"
        lines.append(f"  {name} (config keys: {config})")
    listing = "\n".join(escape(line) for line in lines)
    return (
        "Workflow types:\n\n\b\n"
        + listing
        + "\n\nA --config KEY=VALUE overrides a key of the type's configuration for this run "
        "(values are read as JSON when they parse: --config sample_rows=1000)."
    )


def run(
    workflow_type: str = typer.Argument(
        ..., help="Workflow type, e.g. service-ingestion (the list is below)."
    ),
    fqn: str = typer.Argument(
        ...,
        help="Target FQN: a service (sample), a schema (sample.sample.main) or a table "
        "(sample.sample.main.customer), as the workflow type takes.",
    ),
    config: list[str] = typer.Option(
        [], "--config", help="KEY=VALUE run parameter (repeat for more; keys listed below)."
    ),
    save_all: bool = typer.Option(
        False, "--save-all", help="Apply proposed results without waiting for an approval."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="No progress bar; print only the final run document."
    ),
) -> None:
    """Start a run on the local store, follow it to the end and print the run document.

    Exits 1 unless the run completed with every task completed.
    """
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
    it to the end and print the run document; exit 1 unless the run and every task completed."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        _run(fqn, config, save_all, as_json, workflow_type, configuration_id)
    except _Terminated:
        # The engine has shut down (its grace period given): the run is failed with a message
        # that says why. Die of the signal, as the caller expects, without waiting for a
        # thread stuck in a statement.
        err_console.print("[bold red]stopped:[/] SIGTERM; the run was failed")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)


RUN_COMMAND_CLASS = _RunCommand


class _Terminated(Exception):
    """SIGTERM arrived while ``dataready run`` followed its run."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # Once: a second SIGTERM must not cut short the shutdown the first one started (it is
    # bounded by the grace period anyway).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated()


def failed_tasks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The tasks of a run document that did not complete (failed or cancelled)."""
    return [t for t in doc.get("tasks") or [] if t.get("status") in ("failed", "cancelled")]


def _run(
    fqn: str | None,
    config: list[str],
    save_all: bool,
    as_json: bool,
    workflow_type: str | None,
    configuration_id: uuid.UUID | None,
) -> None:
    from dataready.cli.configs import configuration_for_type, parse_assignments
    from dataready.store import configurations as configs_q
    from dataready.workflows.service import cancel_run, start_run

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
    failed = failed_tasks(doc)
    if as_json:
        print_json(doc)
    else:
        from dataready.cli.output import console

        console.print_json(data=doc)
        if doc["status"] != RunStatus.COMPLETED.value:
            say(
                "[bold red]run {} {}[/]: {}",
                doc["id"],
                doc["status"],
                doc.get("error_message") or "see the tasks above",
                err=True,
            )
        if failed:
            say(
                "[bold red]{} of {} task(s) did not complete:[/]",
                len(failed),
                len(doc.get("tasks") or []),
                err=True,
            )
            for t in failed:
                say(
                    "  {} ({}) {}: {}",
                    t.get("name"),
                    t.get("asset_fqn") or "",
                    t.get("status"),
                    t.get("error_message") or "",
                    err=True,
                )
    if doc["status"] != RunStatus.COMPLETED.value or failed:
        raise typer.Exit(1)
