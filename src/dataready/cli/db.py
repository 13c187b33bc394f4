"""``dataready db``: migrate the metadata store."""

from __future__ import annotations

import typer

from dataready.cli.context import fail
from dataready.cli.output import say

app = typer.Typer(help="Manage the metadata store.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Migrate the store to the newest schema and create the built-in definitions."""
    from dataready.settings import get_settings
    from dataready.store import migrate
    from dataready.store.db import Store
    from dataready.workflows.engine import prepare_store

    store = Store(get_settings())
    try:
        before = migrate.current_revision(store.engine)
        prepare_store(store)
        after = migrate.current_revision(store.engine)
        where = store.engine.url.render_as_string(hide_password=True)
    finally:
        store.dispose()
    if before is None:
        say("created the store at revision {} (the newest): {}", after, where)
    elif before != after:
        say("upgraded the store from revision {} to {} (the newest): {}", before, after, where)
    else:
        say("the store is up to date (revision {}): {}", after, where)


@app.command()
def downgrade(
    revision: str = typer.Argument(
        ...,
        help="Target revision, e.g. 0005 (one step down from 0006); `base` drops every "
        "table of the store.",
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Do not ask for a confirmation (for scripts)."
    ),
) -> None:
    """Migrate the store down to REVISION, dropping what later revisions added (development)."""
    from dataready.settings import get_settings
    from dataready.store import migrate
    from dataready.store.db import Store

    store = Store(get_settings())
    try:
        where = store.engine.url.render_as_string(hide_password=True)
        current = migrate.current_revision(store.engine)
        known = migrate.known_revisions(store.engine)
        if revision not in ("base", *known) and not (
            revision.startswith("-") and revision[1:].isdigit()
        ):
            raise fail(f"unknown revision {revision!r}; known: base, {', '.join(reversed(known))}")
        if not yes:
            what = "drops every table and all data" if revision == "base" else "may drop data"
            typer.confirm(
                f"Downgrade the store {where} from {current} to {revision}? This {what}.",
                abort=True,
            )
        migrate.downgrade(store.engine, revision)
        now = migrate.current_revision(store.engine)
    finally:
        store.dispose()
    say("store downgraded from revision {} to {}", current, now or "base")
