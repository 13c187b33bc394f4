"""Everything the CLI prints goes through here: messages, tables, JSON and CSV.

Names and values come from users' databases and can hold anything, ``[/]`` and ``[bold]``
included, so nothing from data ever reaches rich as markup: :func:`say` and :func:`error`
escape every value they interpolate, and :func:`emit_rows` escapes every cell. A command
that prints through this module cannot forget to.

Values are formatted by their type in one place (:func:`format_value`): no float shows in
exponent form below 10¹⁵, integers are never grouped (a year is 2006, an id is 1234567),
counts are grouped on purpose (:func:`format_count`), booleans read ``true``/``false`` and
timestamps read the same on every engine (``2006-02-15 09:34:33``).

Tables never cut a cell: when stdout is not a terminal they are as wide as they need to be
(a pipe gets whole run ids and FQNs), and on a terminal a long cell wraps instead of ending
in an ellipsis. ``--json`` and ``--output json|csv`` print the same rows for machines.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import sys
import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_WIDE = 100_000
"""Console width when stdout is not a terminal: a table is as wide as its widest row."""


class OutputFormat(StrEnum):
    """How a list or show command prints its result."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


OUTPUT_HELP = "table (for people), json or csv (for scripts)."
JSON_HELP = "Print JSON (the same as --output json)."


def output_option() -> Any:
    """The ``--output/-o`` option every list and show command takes."""
    return typer.Option(OutputFormat.TABLE, "--output", "-o", help=OUTPUT_HELP)


def json_option() -> Any:
    """The ``--json`` flag every list and show command takes."""
    return typer.Option(False, "--json", help=JSON_HELP)


def resolve_format(output: OutputFormat, as_json: bool) -> OutputFormat:
    """``--json`` wins over ``--output``."""
    return OutputFormat.JSON if as_json else output


# -- values ----------------------------------------------------------------------------------

_TEMPORAL = {"timestamp", "datetime", "date", "time"}


def format_value(value: Any, family: str | None = None) -> str:
    """One value as a person reads it, by its Python type and the column's type family.

    Args:
        value: the value (from a profile, a store row or a JSON document).
        family: the column's type family (``integer``, ``float``, ``boolean``, ``timestamp``,
            …) when known; it decides how an engine's representation is read (SQLite's
            booleans are ``1``/``0``, MySQL's timestamps have no ``T``).
    """
    if value is None:
        return ""
    if family == "boolean" and isinstance(value, int | str) and not isinstance(value, bool):
        flag = _as_bool(value)
        if flag is not None:
            return "true" if flag else "false"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and family in _TEMPORAL:
        return _temporal_text(value, family)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def format_number(value: float | decimal.Decimal, *, digits: int = 6) -> str:
    """A float without exponent form: 99999.99 → ``99999.99``, 10000.5 → ``10000.5``.

    At most ``digits`` decimals, trailing zeros dropped; only magnitudes of 10¹⁵ and more
    (or below 10⁻⁶) use exponent form, where digits would be noise.
    """
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return str(number)
    magnitude = abs(number)
    if magnitude >= 1e15 or (0 < magnitude < 1e-6):
        return f"{number:.6g}"
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_count(value: int | None) -> str:
    """A count of rows or values, grouped for reading: ``1,234,567``."""
    return "" if value is None else f"{value:,}"


def format_ratio(value: float | None) -> str:
    """A ratio as a percentage with one decimal."""
    return "" if value is None else f"{value:.1%}"


def _as_bool(value: int | str) -> bool | None:
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y"):
        return True
    if text in ("0", "false", "f", "no", "n"):
        return False
    return None


def _datetime(value: dt.datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if value.utcoffset() is not None:
        offset = value.strftime("%z")
        text += "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    return text


def _temporal_text(text: str, family: str) -> str:
    try:
        if family == "time":
            return dt.time.fromisoformat(text).isoformat()
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return text
    if family == "date" and not (parsed.hour or parsed.minute or parsed.second):
        return parsed.date().isoformat()
    return _datetime(parsed)


def json_value(value: Any) -> Any:
    """A value as JSON carries it: numbers and booleans stay themselves, the rest is text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


# -- messages --------------------------------------------------------------------------------


def say(template: str, *values: Any, err: bool = False) -> None:
    """Print ``template`` (which may hold markup) with ``values`` escaped into its ``{}``.

    >>> say("service [bold]{}[/] added", "svc[/]")  # prints: service svc[/] added
    """
    text = template.format(*(escape(format_value(v)) for v in values))
    target = err_console if err else console
    target.print(text, soft_wrap=not target.is_terminal)


def error(message: str) -> None:
    """One error line on stderr; ``message`` is plain text, never markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def plain(text: str) -> None:
    """Text exactly as given, on stdout."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def print_json(doc: Any) -> None:
    """A JSON document on stdout (values not JSON-native are written as text)."""
    plain(json.dumps(doc, indent=2, default=str, ensure_ascii=False))


# -- rows ------------------------------------------------------------------------------------


class Column:
    """A column of a list: its header, its JSON key and how its values read."""

    def __init__(self, header: str, key: str | None = None, *, family: str | None = None):
        self.header = header
        self.key = key or header.replace(" ", "_")
        self.family = family


def table_console() -> Console:
    """stdout, as wide as needed when it is not a terminal (a pipe gets every character)."""
    if console.is_terminal:
        return console
    return Console(width=_WIDE, highlight=False, file=sys.stdout)


class Cell:
    """A value already formatted by the command (a count, a duration): printed as text."""

    def __init__(self, text: str, raw: Any = None):
        self.text = text
        self.raw = raw

    def __str__(self) -> str:
        return self.text


def emit_rows(
    columns: Sequence[Column | str],
    rows: Sequence[Sequence[Any]],
    fmt: OutputFormat,
    *,
    title: str | None = None,
) -> None:
    """Print ``rows`` as a table, a JSON array of objects, or CSV with a header row.

    Cells are raw values (formatted here by type); a :class:`Cell` carries a text for the
    table and its raw value for JSON and CSV.
    """
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    if fmt is OutputFormat.JSON:
        print_json(
            [
                {c.key: json_value(_raw(cell)) for c, cell in zip(cols, row, strict=True)}
                for row in rows
            ]
        )
        return
    if fmt is OutputFormat.CSV:  # raw values (formatted by type), as JSON has them
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in cols])
        for row in rows:
            writer.writerow(
                [format_value(_raw(cell), c.family) for c, cell in zip(cols, row, strict=True)]
            )
        sys.stdout.flush()
        return
    texts = [[_text(cell, c) for c, cell in zip(cols, row, strict=True)] for row in rows]
    table = Table(title=escape(title) if title else None)
    for c in cols:
        table.add_column(escape(c.header), overflow="fold")
    for line in texts:
        table.add_row(*(escape(t) for t in line))
    table_console().print(table)


def _raw(cell: Any) -> Any:
    return cell.raw if isinstance(cell, Cell) else cell


def _text(cell: Any, column: Column) -> str:
    return cell.text if isinstance(cell, Cell) else format_value(cell, column.family)


def emit_document(doc: Any, fmt: OutputFormat) -> None:
    """A show command's document: JSON for ``json`` and ``table`` alike, flattened for CSV."""
    if fmt is OutputFormat.CSV and isinstance(doc, Mapping):
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["field", "value"])
        for key, value in doc.items():
            writer.writerow([key, format_value(value)])
        sys.stdout.flush()
        return
    print_json(doc)
