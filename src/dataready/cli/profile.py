"""``dataready profile FQN``: a table's latest profile, readable.

The CLI acts as the local tenant's admin, yet it masks values of personal columns as the API
does for viewers unless ``--unmasked`` is given: a terminal is read over shoulders, recorded
and pasted into tickets, and the person who needs a raw value asks for it on purpose.
Secret columns show no values either way (their profiles hold none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Cell,
    Column,
    OutputFormat,
    emit_rows,
    format_count,
    format_number,
    format_ratio,
    format_value,
    output_option,
    print_json,
    resolve_format,
    table_console,
)
from dataready.errors import DatareadyError, ValidationFailed

if TYPE_CHECKING:
    from rich.table import Table

UNMASKED_HELP = (
    "Show the values of columns tagged as personal data (masked by default; secret columns "
    "never show values)."
)

_MAX_VALUE = 40
"""A value cell (min, max, top value) longer than this is shortened with an ellipsis."""


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


def _value(value: Any, family: str | None) -> str:
    text = format_value(value, family)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


PROFILE_COLUMNS = [
    Column("column"),
    Column("type", "type_family"),
    Column("nulls", "null_ratio"),
    Column("distinct", "distinct_count"),
    Column("min"),
    Column("max"),
    Column("mean"),
    Column("top value", "top_value"),
    Column("formats"),
]


def profile_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """One row per column: the figures a person scans first, each formatted by its type."""
    rows: list[list[Any]] = []
    for col in doc.get("columns") or []:
        family = col.get("type_family")
        if col.get("skipped_reason"):
            rows.append([col["name"], family, *([None] * 6), f"skipped: {col['skipped_reason']}"])
            continue
        count = col.get("distinct_count")
        distinct = format_count(count)
        if distinct and not col.get("distinct_exact"):
            distinct = "≈" + distinct
        top = (col.get("top_values") or [{}])[0]
        formats = _notes(col)
        low, high, mean = col.get("min"), col.get("max"), col.get("mean")
        low_text, high_text = _value(low, family), _value(high, family)
        mean_text = "" if mean is None else format_number(mean)
        if low is None and col.get("min_length") is not None:  # text: show lengths
            low, high = col["min_length"], col.get("max_length")
            low_text, high_text = f"len {low}", f"len {high}"
            mean = col.get("mean_length")
            mean_text = "" if mean is None else format_number(mean, digits=1)
        top_text = (
            f"{_value(top.get('value'), family)} ({format_count(top.get('count'))})" if top else ""
        )
        rows.append(
            [
                col["name"],
                family,
                Cell(format_ratio(col.get("null_ratio") or 0), col.get("null_ratio")),
                Cell(distinct, count),
                Cell(low_text, format_value(low, family)),
                Cell(high_text, format_value(high, family)),
                Cell(mean_text, mean),
                Cell(top_text, format_value(top.get("value"), family) if top else None),
                formats,
            ]
        )
    return rows


def profile_table_view(doc: dict[str, Any], title: str) -> Table:
    """One row per column as a rich table (names and values escaped, nothing cut)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for c in PROFILE_COLUMNS:
        table.add_column(escape(c.header), overflow="fold")
    for row in profile_rows(doc):
        table.add_row(
            *(escape(cell.text if isinstance(cell, Cell) else format_value(cell)) for cell in row)
        )
    return table


def profile(
    fqn: str = typer.Argument(..., help="A table FQN, e.g. sample.sample.main.customer"),
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
    output: OutputFormat = output_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the whole profile as JSON."),
) -> None:
    """Show the latest profile of a table."""
    from dataready.domain.fqn import FQN, FQNLevel
    from dataready.store import profiles as profiles_q
    from dataready.workflows.profile_access import readable_profile

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
    fmt = resolve_format(output, as_json)
    if fmt is OutputFormat.JSON:
        print_json(doc)
        return
    if fmt is OutputFormat.CSV:
        emit_rows(PROFILE_COLUMNS, profile_rows(doc), fmt)
        return
    rows = format_count(doc.get("row_count")) or "?"
    how = "exact" if doc.get("row_count_exact") else "estimated"
    sampled = f", sampled ({doc.get('sample_method')})" if doc.get("sampled") else ""
    title = f"{key} — {rows} rows ({how}){sampled}, profiled {when:%Y-%m-%d %H:%M:%S} UTC"
    table_console().print(profile_table_view(doc, title))
