"""``dataready configs``: workflow configurations."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_rows,
    json_option,
    output_option,
    print_json,
    resolve_format,
    say,
)
from dataready.errors import DatareadyError, ValidationFailed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.domain.tenant import Principal
    from dataready.store.orm import WorkflowConfiguration

app = typer.Typer(help="Workflow configurations (a definition specialised).", no_args_is_help=True)


def parse_assignments(pairs: list[str], workflow_type: str, *, field: str) -> dict[str, Any]:
    """``KEY=VALUE`` pairs typed by the workflow type's config schema (``sample_rows=5000``
    is the number 5000, ``include_schemas=["a","b"]`` a list); unknown keys and bad values
    raise ``InvalidConfig`` naming the known keys."""
    from dataready.workflows.config_schemas import coerce_text_values
    from dataready.workflows.registry import canonical_type, config_model_for

    raw: dict[str, str] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed(f"--config {pair!r} is not KEY=VALUE", field=field)
        raw[key.strip()] = text
    return coerce_text_values(
        config_model_for(workflow_type), canonical_type(workflow_type), raw, field=field
    )


@app.command("list")
def list_(
    workflow_type: str | None = typer.Option(
        None, "--type", help="Only configurations of this workflow type, e.g. profiling."
    ),
    output: OutputFormat = output_option(),
    as_json: bool = json_option(),
) -> None:
    """List configurations."""
    from dataready.store import configurations as configs_q

    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, _ = configs_q.list_configurations(
            s, local_principal(engine.settings).tenant, workflow_type=workflow_type, limit=500
        )
        cells = [[c.id, c.name, c.definition.workflow_type, c.status, c.config] for c in rows]
    columns = [Column("id"), Column("name"), Column("workflow_type"), Column("status")]
    emit_rows([*columns, Column("config")], cells, resolve_format(output, as_json))


@app.command()
def create(
    workflow_type: str = typer.Argument(..., help="Workflow type, e.g. profiling."),
    name: str | None = typer.Option(None, "--name", help="A name (default: generated)."),
    description: str | None = typer.Option(None, "--description", help="Free text."),
    config: list[str] = typer.Option([], "--config", help="KEY=VALUE (JSON values allowed)."),
    as_json: bool = typer.Option(False, "--json", help="Print the configuration as JSON."),
) -> None:
    """Create a configuration of a workflow type's active definition."""
    from dataready.store import configurations as configs_q
    from dataready.store import definitions as defs_q

    try:
        overrides = parse_assignments(config, workflow_type, field="config")
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            definition = defs_q.default_definition_for_type(s, principal.tenant, workflow_type)
            row = configs_q.create_configuration(
                s,
                principal.tenant,
                definition,
                name=name,
                description=description,
                config=overrides,
                schedule=None,
                triggers=[],
                created_by=principal.client_id,
            )
            doc = {
                "configuration_id": str(row.id),
                "name": row.name,
                "workflow_type": definition.workflow_type,
                "config": row.config,
            }
    except DatareadyError as exc:
        raise fail(exc) from None
    if as_json:
        print_json(doc)
    else:
        say("created configuration {} ({})", doc["configuration_id"], doc["name"])


def configuration_for_type(s: Session, principal: Principal, workflow_type: str) -> uuid.UUID:
    """The local tenant's default configuration of a type, created on first use."""
    from dataready.store import configurations as configs_q
    from dataready.store import definitions as defs_q

    rows, _ = configs_q.list_configurations(
        s, principal.tenant, workflow_type=workflow_type, status="active", limit=500
    )
    for row in rows:
        if row.is_default:
            return row.id
    definition = defs_q.default_definition_for_type(s, principal.tenant, workflow_type)
    row = configs_q.create_configuration(
        s,
        principal.tenant,
        definition,
        name=None,
        description="created by the CLI",
        config={},
        schedule=None,
        triggers=[],
        created_by=principal.client_id,
        is_default=True,
    )
    return row.id


def _configuration_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise fail(
            f"{text!r} is not a configuration id (a UUID); list them with `dataready configs list`"
        ) from None


def configuration_document(row: WorkflowConfiguration) -> dict[str, Any]:
    """The configuration as ``GET /workflows/{configuration_id}`` returns it."""
    from dataready.api.schemas.configurations import ConfigurationRead

    return ConfigurationRead.from_row(row).model_dump(mode="json")


@app.command()
def show(
    configuration_id: str = typer.Argument(..., help="A configuration id."),
    as_json: bool = typer.Option(False, "--json", help="Print the configuration as JSON."),
) -> None:
    """Show a configuration with its definition's type and its config."""
    from dataready.store import configurations as configs_q

    cid = _configuration_id(configuration_id)
    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            row = configs_q.get_configuration(s, local_principal(engine.settings).tenant, cid)
            doc = configuration_document(row)
    except DatareadyError as exc:
        raise fail(exc.message) from None
    if as_json:
        print_json(doc)
        return
    table = Table("field", "value", title=f"configuration {doc['id']}", show_header=False)
    for key in ("name", "workflow_type", "status", "is_default", "description", "created_at"):
        value = doc[key]
        table.add_row(key, escape("" if value is None else str(value)))
    table.add_row("config", escape(json.dumps(doc["config"])))
    table.add_row("schedule", escape(json.dumps(doc["schedule"])))
    console.print(table)


@app.command()
def delete(
    configuration_id: str = typer.Argument(..., help="A configuration id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a configuration and its finished runs (refused while a run is active)."""
    from dataready.store import configurations as configs_q

    cid = _configuration_id(configuration_id)
    try:
        with local_engine(executor=False) as engine:
            tenant = local_principal(engine.settings).tenant
            with engine.store.session() as s:
                row = configs_q.get_configuration(s, tenant, cid)
                label = f"{row.name} ({row.definition.workflow_type})"
            prompt = f"delete configuration {cid} {label} and its finished runs?"
            if not yes and not typer.confirm(prompt, default=False):
                raise fail("not deleted")
            with engine.store.session() as s:
                configs_q.delete_configuration(s, tenant, cid)
    except DatareadyError as exc:
        raise fail(exc.message) from None
    console.print(f"deleted configuration {cid} {escape(label)}", highlight=False)


@app.command("run")
def run_configuration(
    configuration_id: str = typer.Argument(..., help="A configuration id."),
    fqn: str | None = typer.Argument(None, help="Target asset FQN."),
    config: list[str] = typer.Option([], "--config", help="KEY=VALUE run parameter."),
    save_all: bool = typer.Option(False, "--save-all", help="Apply results without approval."),
    as_json: bool = typer.Option(False, "--json", help="Print only the final run document."),
) -> None:
    """Run a saved configuration, follow the run to the end and print the run document."""
    from dataready.cli.runs import start_and_follow

    start_and_follow(
        fqn, config, save_all, as_json, configuration_id=_configuration_id(configuration_id)
    )
