"""``dataready assets``: browse the catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Cell,
    Column,
    OutputFormat,
    emit_document,
    emit_rows,
    format_count,
    json_option,
    output_option,
    resolve_format,
)
from dataready.cli.profile import UNMASKED_HELP
from dataready.errors import DatareadyError, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.domain.fqn import FQN
    from dataready.domain.tenant import Tenant
    from dataready.store.orm import Asset

app = typer.Typer(help="The catalogue of ingested assets.", no_args_is_help=True)


def asset_document(a: Asset) -> dict[str, Any]:
    """The asset as the API returns it."""
    from dataready.api.schemas.assets import AssetRead

    return AssetRead.model_validate(a).model_dump(mode="json")


@app.command("list")
def list_(
    fqn: str | None = typer.Argument(
        None, help="FQN prefix: a service (sample) or a schema (sample.sample.main)."
    ),
    asset_type: str | None = typer.Option(
        None, "--type", help="Only this asset type: service, database, schema, table, view, column."
    ),
    q: str | None = typer.Option(None, "--search", "-q", help="Text in names or comments."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many assets."),
    output: OutputFormat = output_option(),
    as_json: bool = json_option(),
) -> None:
    """List assets."""
    from dataready.domain.fqn import FQN
    from dataready.store import assets as assets_q

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
            cells = [
                [
                    a.fqn,
                    a.asset_type,
                    a.data_type,
                    Cell(format_count(a.row_count_estimate), a.row_count_estimate),
                    a.version,
                ]
                for a in rows
            ]
    except DatareadyError as exc:
        raise fail(exc) from None
    columns = [
        Column("fqn"),
        Column("type", "asset_type"),
        Column("data type", "data_type"),
        Column("rows (est.)", "row_count_estimate"),
        Column("version"),
    ]
    emit_rows(
        columns, cells, resolve_format(output, as_json), title=f"{len(rows)} of {total} assets"
    )


@app.command()
def show(
    fqn: str = typer.Argument(
        ..., help="An asset FQN, e.g. sample.sample.main.customer or …customer.email."
    ),
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
    output: OutputFormat = output_option(),
    as_json: bool = json_option(),
) -> None:
    """Show one asset as JSON, with its tags and latest profile (as ``GET /assets/{fqn}``)."""
    from dataready.api.schemas.assets import TagRead
    from dataready.domain.fqn import FQN
    from dataready.store import assets as assets_q
    from dataready.store import tags as tags_q

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
    emit_document(doc, resolve_format(output, as_json))


def _latest_profile(
    session: Session, tenant: Tenant, key: FQN, *, unmasked: bool
) -> dict[str, Any] | None:
    """The latest profile of a table (or a column's part of it), masked unless asked not to."""
    from dataready.domain.fqn import FQN, FQNLevel
    from dataready.store import profiles as profiles_q
    from dataready.workflows.profile_access import readable_profile

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
