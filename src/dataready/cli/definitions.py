"""``dataready definitions``: the workflow templates."""

from __future__ import annotations

import typer
from rich.table import Table

from dataready.cli.context import console, local_engine, local_principal
from dataready.store import definitions as defs_q

app = typer.Typer(help="Workflow definitions (one per workflow type).", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """List the workflow definitions."""
    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, _ = defs_q.list_definitions(s, local_principal(engine.settings).tenant, limit=500)
        table = Table("id", "workflow_type", "name", "category", "approval", "active")
        for d in rows:
            table.add_row(
                str(d.id),
                d.workflow_type,
                d.name,
                d.category,
                "yes" if d.requires_approval else "no",
                "yes" if d.is_active else "no",
            )
    console.print(table)
