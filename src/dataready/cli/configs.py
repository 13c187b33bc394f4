"""``dataready configs``: workflow configurations."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Column,
    OutputFormat,
    emit_rows,
    json_option,
    output_option,
    print_json,
    resolve_format,
    say,
)
from dataready.errors import DatareadyError, ValidationFailed

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from dataready.domain.tenant import Principal

app = typer.Typer(help="Workflow configurations (a definition specialised).", no_args_is_help=True)


def parse_assignments(pairs: list[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs; values are read as JSON when they parse, else as strings."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed(f"--config {pair!r} is not KEY=VALUE", field="config")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


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
        overrides = parse_assignments(config)
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
