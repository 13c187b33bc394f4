"""``dataready assets``: browse the catalogue."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from dataready.api.schemas.assets import TagRead
from dataready.cli.context import console, fail, local_engine, local_principal, print_json
from dataready.cli.profile import UNMASKED_HELP
from dataready.domain.fqn import FQN, FQNLevel
from dataready.domain.tenant import Tenant
from dataready.errors import DatareadyError, NotFound
from dataready.store import assets as assets_q
from dataready.store import profiles as profiles_q
from dataready.store import tags as tags_q
from dataready.store.orm import Asset
from dataready.workflows.profile_access import readable_profile

app = typer.Typer(help="The catalogue of ingested assets.", no_args_is_help=True)


def asset_document(a: Asset) -> dict[str, Any]:
    """The asset as the API returns it."""
    from dataready.api.schemas.assets import AssetRead

    return AssetRead.model_validate(a).model_dump(mode="json")


@app.command("list")
def list_(
    fqn: str | None = typer.Argument(None, help="FQN prefix, e.g. sample.main.main."),
    asset_type: str | None = typer.Option(None, "--type", help="table, view, column, …"),
    q: str | None = typer.Option(None, "--search", "-q", help="Text in names or comments."),
    limit: int = typer.Option(100, "--limit"),
) -> None:
    """List assets."""
    try:
        prefix = str(FQN.parse(fqn, field="fqn")) if fqn else None
        with local_engine(executor=False) as engine, engine.store.session() as s:
            rows, total = assets_q.list_assets(
                s,
                local_principal(engine.settings).tenant,
                fqn_prefix=prefix,
                asset_type=asset_type,
                q=q,
                limit=limit,
            )
            table = Table(
                "fqn",
                "type",
                "data type",
                "rows (est.)",
                "version",
                title=f"{len(rows)} of {total} assets",
            )
            for a in rows:
                table.add_row(
                    a.fqn,
                    a.asset_type,
                    a.data_type or "",
                    "" if a.row_count_estimate is None else f"{a.row_count_estimate:,}",
                    str(a.version),
                )
    except DatareadyError as exc:
        raise fail(exc) from None
    console.print(table)


@app.command()
def show(
    fqn: str,
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
) -> None:
    """Show one asset as JSON, with its tags and latest profile (as ``GET /assets/{fqn}``)."""
    try:
        key = FQN.parse(fqn, field="fqn")
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            doc = asset_document(assets_q.get_asset(s, tenant, str(key)))
            doc["tags"] = [
                TagRead.model_validate(t).model_dump(mode="json")
                for t in tags_q.list_tags(s, tenant, asset_fqn=str(key))
            ]
            doc["profile"] = _latest_profile(s, tenant, key, unmasked=unmasked)
    except DatareadyError as exc:
        raise fail(exc) from None
    print_json(doc)


def _latest_profile(
    session: Session, tenant: Tenant, key: FQN, *, unmasked: bool
) -> dict[str, Any] | None:
    """The latest profile of a table (or a column's part of it), masked unless asked not to."""
    if key.level not in (FQNLevel.TABLE, FQNLevel.COLUMN):
        return None
    table = str(FQN(*key.parts[:4]))
    try:
        row = profiles_q.latest_profile(session, tenant, table)
    except NotFound:
        return None
    doc: dict[str, Any] | None = readable_profile(
        session, tenant, table, row.profile, unmasked=unmasked
    )
    if key.level is FQNLevel.COLUMN:
        columns = (doc or {}).get("columns") or []
        doc = next((c for c in columns if c.get("name") == key.column), None)
    if doc is None:
        return None
    return {"run_id": str(row.run_id) if row.run_id else None, "profile": doc}
