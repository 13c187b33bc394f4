"""``dataready definitions``: the workflow templates."""

from __future__ import annotations

import typer

from dataready.cli.context import local_engine, local_principal
from dataready.cli.output import (
    Column,
    OutputFormat,
    emit_rows,
    json_option,
    output_option,
    resolve_format,
)

app = typer.Typer(help="Workflow definitions (one per workflow type).", no_args_is_help=True)


@app.command("list")
def list_(output: OutputFormat = output_option(), as_json: bool = json_option()) -> None:
    """List the workflow definitions."""
    from dataready.store import definitions as defs_q

    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, _ = defs_q.list_definitions(s, local_principal(engine.settings).tenant, limit=500)
        cells = [
            [d.id, d.workflow_type, d.name, d.category, d.requires_approval, d.is_active]
            for d in rows
        ]
    columns = [Column("id"), Column("workflow_type"), Column("name"), Column("category")]
    columns += [Column("approval", "requires_approval"), Column("active", "is_active")]
    emit_rows(columns, cells, resolve_format(output, as_json))
