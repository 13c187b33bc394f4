"""The profile of a table and of its columns: what every later step reads.

Counts of a column refer to the rows the aggregate statement read (``rows_profiled`` of the
table: all rows, or the sample). Every figure that may be estimated says so next to it —
``distinct_exact`` and ``distinct_error`` (a relative bound at about 95%, ``None`` when no
bound can be stated), ``quantiles_exact`` and ``quantiles_rank_error``, ``top_values_exact``
— and ``to_dict()`` gives the same keys for every column (``None`` where a figure does not
apply), so consumers can rely on one shape.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    """A JSON-able form of a value read from a source."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return json_value(value)


@dataclass(slots=True)
class ColumnProfile:
    """Everything measured about one column."""

    name: str
    ordinal_position: int
    declared_type: str
    type_family: str
    kind: str
    profiled: bool = True
    skipped_reason: str | None = None
    row_count: int = 0
    null_count: int = 0
    null_ratio: float | None = None
    distinct_count: int | None = None
    distinct_ratio: float | None = None
    distinct_exact: bool = False
    distinct_error: float | None = None
    distinct_method: str | None = None
    duplicate_count: int | None = None
    """Non-null values that repeat an earlier one (non-null count minus distinct count)."""
    unique_count: int | None = None
    """Values that appear exactly once."""
    unique_exact: bool = False
    top_values: list[dict[str, Any]] = field(default_factory=list)
    top_values_exact: bool = False
    top_values_error: int | None = None
    # numbers
    min: Any = None
    max: Any = None
    sum: Any = None
    mean: float | None = None
    stddev: float | None = None
    zero_count: int | None = None
    negative_count: int | None = None
    nan_count: int | None = None
    positive_infinity_count: int | None = None
    negative_infinity_count: int | None = None
    quantiles: dict[str, float | None] | None = None
    quantiles_exact: bool = False
    quantiles_rank_error: float | None = None
    histogram: dict[str, Any] | None = None
    outliers: dict[str, Any] | None = None
    # strings
    min_length: int | None = None
    mean_length: float | None = None
    max_length: int | None = None
    empty_count: int | None = None
    blank_count: int | None = None
    patterns: list[dict[str, Any]] | None = None
    pattern_count: int | None = None
    patterns_exact: bool = False
    formats: dict[str, float] | None = None
    formats_values: int | None = None
    observed_type: str | None = None
    # dates and timestamps
    future_count: int | None = None
    freshness_seconds: float | None = None
    # booleans
    true_count: int | None = None
    false_count: int | None = None
    true_ratio: float | None = None
    # the sketch pass
    values_sampled: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(slots=True)
class TableProfile:
    """Everything measured about one table, and how."""

    database: str
    schema: str
    table: str
    row_count: int
    row_count_exact: bool
    row_count_source: str
    """``count`` (COUNT(*) over the table), ``catalogue`` or ``extrapolated`` (from a sample)."""
    column_count: int
    size_bytes: int | None
    sampled: bool
    sample_method: str
    sample_percent: float | None
    rows_profiled: int
    """Rows the aggregate statement read (the table, or its sample)."""
    rows_sketched: int
    """Rows streamed through the sketches."""
    duplicate_rows: int | None
    duplicate_rows_exact: bool
    newest: Any = None
    freshness_seconds: float | None = None
    freshness_column: str | None = None
    profiled_at: dt.datetime | None = None
    elapsed_seconds: float | None = None
    statements: int = 0
    columns: list[ColumnProfile] = field(default_factory=list)

    def column(self, name: str) -> ColumnProfile:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "columns"}
        out["columns"] = [c.to_dict() for c in self.columns]
        return out
