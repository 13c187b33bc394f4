"""``dataready tags``: list, set and remove the tags of an asset, as a person.

``set`` and ``remove`` take the path ``PUT``/``DELETE /assets/{fqn}/tags/{tag}`` take: the
tags derived from the tag follow, and later runs respect the decision.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from dataready.cli.context import console, fail, local_engine, local_principal, print_json
from dataready.domain.fqn import FQN
from dataready.errors import DatareadyError

app = typer.Typer(
    help="Tags on assets: list them, set or remove one by hand.", no_args_is_help=True
)


def _doc(row: object) -> dict[str, Any]:
    from dataready.api.schemas.assets import TagRead

    return TagRead.model_validate(row).model_dump(mode="json")


def _by(doc: dict[str, Any]) -> str:
    """Who decided: the person, or the workflow (``derivation`` after a person's change)."""
    evidence = doc.get("evidence") or {}
    if doc["source"] == "person":
        return str(evidence.get("removed_by") or evidence.get("set_by") or doc.get("created_by"))
    return str(doc.get("workflow_type") or "derivation")


def _derived_from(doc: dict[str, Any], fqn: str) -> str:
    refs = doc.get("derived_from") or []
    return ", ".join(
        r["tag"] if r["asset_fqn"] == fqn else f"{r['asset_fqn']}:{r['tag']}" for r in refs
    )


@app.command("list")
def list_(
    fqn: str = typer.Argument(..., help="The asset, e.g. sample.sample.main.customer.email"),
    include_removed: bool = typer.Option(
        False, "--all", help="Also tags removed by a person or withdrawn by a run."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the tags as the API returns them."),
) -> None:
    """The tags of an asset: who or what set each, how sure, and what it follows."""
    from dataready.store import assets as assets_q
    from dataready.store import tags as tags_q

    try:
        key = str(FQN.parse(fqn, field="fqn"))
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            assets_q.get_asset(s, tenant, key)
            docs = [
                _doc(t)
                for t in tags_q.list_tags(
                    s, tenant, asset_fqn=key, include_inactive=include_removed
                )
            ]
    except DatareadyError as exc:
        raise fail(exc) from None
    if as_json:
        print_json(docs)
        return
    table = Table("tag", "origin", "by", "confidence", "derived from", title=escape(key))
    if include_removed:
        table.add_column("state")
    for d in docs:
        cells = [
            escape(d["tag"]),
            d["label_type"],
            escape(_by(d)),
            "" if d["confidence"] is None else f"{d['confidence']:.2f}",
            escape(_derived_from(d, key)),
        ]
        table.add_row(*cells, *([d["state"]] if include_removed else []))
    console.print(table)


def _decide(fqn: str, tag: str, *, remove: bool, note: str | None = None) -> dict[str, Any]:
    from dataready.workflows import tag_decisions

    try:
        key = str(FQN.parse(fqn, field="fqn"))
        with local_engine(executor=False) as engine, engine.store.session() as s:
            principal = local_principal(engine.settings)
            tenant, by = principal.tenant, principal.subject or "cli"
            if remove:
                row = tag_decisions.remove_tag(s, tenant, key, tag, by=by)
            else:
                row = tag_decisions.set_tag(s, tenant, key, tag, by=by, note=note)
            doc = _doc(row)
            s.commit()
    except DatareadyError as exc:
        raise fail(exc) from None
    return doc


@app.command("set")
def set_(
    fqn: str = typer.Argument(..., help="The asset, e.g. sample.sample.main.customer.email"),
    tag: str = typer.Argument(..., help="The tag, e.g. PII.Email or Sensitivity.Restricted"),
    note: str | None = typer.Option(None, "--note", help="Why (kept with the tag)."),
    as_json: bool = typer.Option(False, "--json", help="Print the tag as the API returns it."),
) -> None:
    """Set a tag by hand: no later run removes or downgrades it; its derived tags follow."""
    doc = _decide(fqn, tag, remove=False, note=note)
    if as_json:
        print_json(doc)
    else:
        console.print(f"set {escape(doc['tag'])} on {escape(doc['asset_fqn'])}", highlight=False)


@app.command("remove")
def remove(
    fqn: str = typer.Argument(..., help="The asset, e.g. sample.sample.main.customer.email"),
    tag: str = typer.Argument(..., help="The tag, e.g. PII.LastName"),
    as_json: bool = typer.Option(False, "--json", help="Print the tag as the API returns it."),
) -> None:
    """Remove a tag by hand: later runs do not re-add it (``set`` undoes this); the tags
    derived only from it go."""
    doc = _decide(fqn, tag, remove=True)
    if as_json:
        print_json(doc)
    else:
        console.print(
            f"removed {escape(doc['tag'])} from {escape(doc['asset_fqn'])}", highlight=False
        )
