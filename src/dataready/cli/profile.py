"""``dataready profile FQN``: a table's latest profile, readable.

The CLI acts as the local tenant's admin, yet it masks values of personal columns as the API
does for viewers unless ``--unmasked`` is given: a terminal is read over shoulders, recorded
and pasted into tickets, and the person who needs a raw value asks for it on purpose.
Secret columns show no values either way (their profiles hold none).
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from dataready.cli.context import console, fail, local_engine, local_principal, print_json
from dataready.domain.fqn import FQN, FQNLevel
from dataready.errors import DatareadyError, ValidationFailed
from dataready.store import profiles as profiles_q
from dataready.workflows.profile_access import readable_profile

UNMASKED_HELP = (
    "Show the values of columns tagged as personal data (masked by default; secret columns "
    "never show values)."
)


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "…"


def _notes(col: dict[str, Any]) -> str:
    """The last cell: recognised formats, a document's keys, and what failed on the column."""
    notes = [f"{k} {v:.0%}" for k, v in (col.get("formats") or {}).items() if v >= 0.5]
    keys = col.get("key_presence") or []
    if keys:
        notes.append("keys " + " ".join(f"{k['key']} {k['fraction']:.0%}" for k in keys[:4]))
    if col.get("profile_status") == "partial":
        codes = sorted({str(e.get("code")) for e in col.get("profile_errors") or []})
        notes.append("partial: " + ", ".join(codes) if codes else "partial")
    return ", ".join(notes)


def profile_table_view(doc: dict[str, Any], title: str) -> Table:
    """One row per column: the figures a person scans first."""
    table = Table(
        "column",
        "type",
        "nulls",
        "distinct",
        "min",
        "max",
        "mean",
        "top value",
        "formats",
        title=title,
    )
    for col in doc.get("columns") or []:
        if col.get("skipped_reason"):
            table.add_row(
                col["name"],
                col.get("type_family") or "",
                "",
                "",
                "",
                "",
                "",
                "",
                f"skipped: {col['skipped_reason']}",
            )
            continue
        distinct = _num(col.get("distinct_count"))
        if distinct and not col.get("distinct_exact"):
            distinct = "≈" + distinct
        top = (col.get("top_values") or [{}])[0]
        formats = _notes(col)
        low, high, mean = col.get("min"), col.get("max"), col.get("mean")
        if low is None and col.get("min_length") is not None:  # text: show lengths
            low, high = f"len {col['min_length']}", f"len {col.get('max_length')}"
            mean = col.get("mean_length")
        table.add_row(
            col["name"],
            col.get("type_family") or "",
            f"{col.get('null_ratio') or 0:.1%}",
            distinct,
            _num(low),
            _num(high),
            _num(mean),
            f"{_num(top.get('value'))} ({top.get('count')})" if top else "",
            formats,
        )
    return table


def profile(
    fqn: str = typer.Argument(..., help="A table FQN, e.g. sample.sample.main.customer"),
    as_json: bool = typer.Option(False, "--json", help="Print the whole profile as JSON."),
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
) -> None:
    """Show the latest profile of a table."""
    try:
        key = FQN.parse(fqn, field="fqn")
        if key.level is not FQNLevel.TABLE:
            raise ValidationFailed(
                f"{fqn} is not a table FQN (service.database.schema.table)", field="fqn"
            )
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            row = profiles_q.latest_profile(s, tenant, str(key))
            doc = readable_profile(s, tenant, str(key), row.profile, unmasked=unmasked)
            when = row.profiled_at
    except DatareadyError as exc:
        raise fail(exc) from None
    if as_json:
        print_json(doc)
        return
    rows = f"{doc.get('row_count'):,}" if doc.get("row_count") is not None else "?"
    how = "exact" if doc.get("row_count_exact") else "estimated"
    sampled = f", sampled ({doc.get('sample_method')})" if doc.get("sampled") else ""
    console.print(
        profile_table_view(
            doc, f"{key} — {rows} rows ({how}){sampled}, profiled {when:%Y-%m-%d %H:%M:%S} UTC"
        )
    )
