"""``dataready assets``: browse the catalogue."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from dataready.api.schemas.assets import TagRead
from dataready.cli.context import console, fail, local_engine, local_principal, print_json
from dataready.domain.fqn import FQN
from dataready.errors import DatareadyError
from dataready.store import assets as assets_q
from dataready.store import tags as tags_q
from dataready.store.orm import Asset

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
def show(fqn: str) -> None:
    """Show one asset as JSON."""
    try:
        key = str(FQN.parse(fqn, field="fqn"))
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            doc = asset_document(assets_q.get_asset(s, tenant, key))
            doc["tags"] = [
                TagRead.model_validate(t).model_dump(mode="json")
                for t in tags_q.list_tags(s, tenant, asset_fqn=key)
            ]
    except DatareadyError as exc:
        raise fail(exc) from None
    print_json(doc)
