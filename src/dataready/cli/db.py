"""``dataready db``: migrate the metadata store."""

from __future__ import annotations

import typer

from dataready.cli.context import console
from dataready.settings import get_settings
from dataready.store import migrate
from dataready.store.db import Store
from dataready.workflows.engine import prepare_store

app = typer.Typer(help="Manage the metadata store.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Migrate the store to the newest schema and create the built-in definitions."""
    settings = get_settings()
    store = Store(settings)
    try:
        prepare_store(store)
    finally:
        store.dispose()
    console.print(f"store is up to date: {store.engine.url.render_as_string(hide_password=True)}")


@app.command()
def downgrade(revision: str = typer.Argument("base", help="Target revision.")) -> None:
    """Migrate the store down (development only)."""
    store = Store(get_settings())
    try:
        migrate.downgrade(store.engine, revision)
    finally:
        store.dispose()
    console.print(f"store downgraded to {revision}")
