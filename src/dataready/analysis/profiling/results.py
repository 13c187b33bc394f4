"""The profile of a table and of its columns: what every later step reads.

One scale: every count of a profile is for the *table* (``row_count`` rows). When the
statements read a sample, the sample's counts are scaled up and each says so:

- ``exact`` means computed over every row of the table. A figure read from a sample is never
  exact, whatever was exact about the sample.
- An estimate carries its 95% interval: the column's ``bounds`` maps each estimated count
  (``null_count``, ``distinct_count``, ``duplicate_count``, ``unique_count``, ``zero_count``,
  ``negative_count``, ``nan_count``, ``positive_infinity_count``,
  ``negative_infinity_count``, ``empty_count``, ``blank_count``, ``future_count``,
  ``true_count``, ``false_count``, and ``sum`` and ``mean``) to ``[low, high]``; a figure
  absent from ``bounds`` is exact, or has no interval because the sample was not uniform
  (``sample_uniform`` false: page sampling or the first rows — then no bound holds and none is
  stated). ``distinct_error`` is the distinct interval's widest side relative to the count.
- Quantiles from a sample carry ``quantiles_rank_error`` (the sketch's plus the sample's) and
  ``quantiles_bounds`` (each level's value interval); top values carry a status and, each, the
  ``error`` of its count (:mod:`dataready.analysis.profiling.estimates` explains every bound).

``to_dict()`` gives the same keys for every column (``None`` where a figure does not apply),
so consumers can rely on one shape; fields are only ever added, never renamed.
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
    profile_status: str = "complete"
    """``complete`` (every figure of its kind was computed), ``partial`` (a statement or the
    sample failed on this column: the figures it would have given are missing, the others
    stand; ``profile_errors`` says why), ``failed`` (not even its nulls could be counted:
    ``profiled`` is false and its counts are not measured), or
    ``skipped`` (a type the profiler does not profile: ``skipped_reason``)."""
    profile_errors: list[dict[str, Any]] | None = None
    """What failed on this column, each ``{"stage", "code", "message"}``: ``stage`` is
    ``aggregate`` (the SQL aggregates; the column was retried with a bare null count) or
    ``sample`` (a sampled value could not be read); ``code`` is the error code (the source's
    SQLSTATE or driver code appended when known); ``message`` the source's message, free of
    secrets (it may quote a value of the column, so masking withholds it)."""
    row_count: int = 0
    """The table's rows (the same as the table profile's ``row_count``)."""
    null_count: int = 0
    null_ratio: float | None = None
    counts_exact: bool = False
    """The aggregate figures (null, zero, negative, NaN, infinity, empty, blank, future, true
    and false counts; sum, mean, stddev, lengths) were computed over every row; false: scaled
    up from a sample, with their intervals in ``bounds``."""
    extremes_exact: bool = False
    """``min``, ``max``, ``min_length``, ``max_length`` (and the freshness they give) are the
    table's; false: the sample's, which lie inside the table's range."""
    bounds: dict[str, list[Any]] | None = None
    """95% interval ``[low, high]`` of every figure estimated from a uniform sample, by name."""
    distinct_count: int | None = None
    distinct_ratio: float | None = None
    distinct_exact: bool = False
    distinct_error: float | None = None
    """Relative: ``max(count - low, high - count) / count`` of the distinct interval."""
    distinct_method: str | None = None
    """``exact`` (COUNT(DISTINCT) over the table), ``sketch_exact`` (every row counted),
    ``hll``, ``native_approx``, ``hash_sampled_1_in_<m>`` (over the table, with a bound), or
    ``sample_chao_lin`` (estimated from the streamed sample: Chao-Lin's estimator, with an
    interval that holds for any column)."""
    duplicate_count: int | None = None
    """Non-null values that repeat an earlier one (non-null count minus distinct count)."""
    unique_count: int | None = None
    """Values that appear exactly once."""
    unique_exact: bool = False
    top_values: list[dict[str, Any]] = field(default_factory=list)
    """``{"value", "count", "error"}``, most frequent first: the count for the table and the
    most it may be off by at 95% (0 when exact). A sample's counts are shares of the stated
    non-null count; when ``row_count`` is extrapolated its own interval adds to theirs."""
    top_values_exact: bool = False
    top_values_error: int | None = None
    """The largest ``error`` of the listed counts (``None`` when exact or none listed)."""
    top_values_status: str | None = None
    """``exact`` (counted over every row), ``estimated`` (from the sample: the listed values
    are the most frequent ones at 95%, each count within its error), ``no_frequent_values``
    (the sample cannot tell which values are most frequent — none seen twice, or the counts
    within their bounds of each other — so none is listed), ``sample_not_uniform`` (counts of
    a non-uniform sample, scaled, without a bound)."""
    # numbers (ranges: ``min`` the smallest lower bound, ``max`` the largest upper bound)
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
    """The most a quantile's rank may be off by (0.01 = one percentile), about 95%."""
    quantiles_bounds: dict[str, list[float]] | None = None
    """Per level, the values at the level minus and plus ``quantiles_rank_error``: the table's
    quantile lies between them."""
    histogram: dict[str, Any] | None = None
    """``edges``, ``counts`` (for the table), ``exact``, and ``count_error`` (the most a bin's
    count may be off by) when estimated."""
    outliers: dict[str, Any] | None = None
    """``exact`` and, per fence (``iqr``, ``sigma``), ``low_fence``, ``high_fence``, ``count``,
    ``examples`` and, when estimated, ``count_error``."""
    # strings; for arrays the lengths and ``empty_count`` count elements (exact, in SQL)
    min_length: int | None = None
    mean_length: float | None = None
    max_length: int | None = None
    empty_count: int | None = None
    blank_count: int | None = None
    patterns: list[dict[str, Any]] | None = None
    """Shape patterns with their counts among the ``formats_values`` values they were computed
    over (the sketch's most frequent values; not scaled to the table, like ``formats``)."""
    pattern_count: int | None = None
    patterns_exact: bool = False
    formats: dict[str, float] | None = None
    """Recognised format name -> share of the ``formats_values`` values."""
    formats_values: int | None = None
    formats_version: int | None = None
    """The version of the recogniser data file the ``formats`` were recognised with."""
    observed_type: str | None = None
    # dates and timestamps
    future_count: int | None = None
    freshness_seconds: float | None = None
    # booleans
    true_count: int | None = None
    false_count: int | None = None
    true_ratio: float | None = None
    # documents (JSON, structs)
    key_presence: list[dict[str, Any]] | None = None
    """The top-level keys of the sampled object values, most present first: ``{"key",
    "count", "fraction"}``, ``fraction`` the share of the ``key_presence_values`` object
    values holding the key (from the sketch pass: not scaled to the table)."""
    key_presence_values: int | None = None
    """Object values of the sample the key presence was counted over."""
    key_presence_exact: bool = False
    """Counted over every row of the table (the sketch pass read all of them)."""
    # arrays: their elements, from the sketch pass (not scaled to the table)
    element_count: int | None = None
    """Elements of the sampled arrays (nulls included)."""
    element_distinct: int | None = None
    """Distinct non-null elements among them (a floor when ``element_stats_exact`` is false
    and more than the tracked number were seen)."""
    element_top_values: list[dict[str, Any]] | None = None
    """The most frequent elements of the sampled arrays: ``{"value", "count"}``."""
    element_stats_exact: bool = False
    """Counted over every row of the table (every row streamed, every element tracked)."""
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
    """``count`` (COUNT(*) over the table), ``catalogue`` (the engine's estimate),
    ``extrapolated`` (from a random share: rows read / share), or ``sample`` (only the rows
    read are known: a non-uniform sample of a table without an estimate)."""
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
    """Rows equal to an earlier row (compared by a 128-bit digest of each row)."""
    duplicate_rows_exact: bool
    row_count_bounds: list[int] | None = None
    """95% interval of an extrapolated ``row_count``."""
    sample_uniform: bool = True
    """Every sample read is a uniform random sample of rows, so the bounds hold; false: page
    sampling or the first rows of a scan, and no bound is stated."""
    counts_exact: bool = True
    """The aggregate read every row; false: its counts were scaled up by ``counts_scale``."""
    counts_scale: float = 1.0
    """Table rows per row the aggregate read."""
    duplicate_rows_bounds: list[int] | None = None
    """95% interval of an estimated ``duplicate_rows``."""
    newest: Any = None
    freshness_seconds: float | None = None
    freshness_column: str | None = None
    profiled_at: dt.datetime | None = None
    elapsed_seconds: float | None = None
    statements: int = 0
    full_passes: int = 0
    """Statements' reads of every page of the table (a page sample reads a fraction of them;
    a sample the aggregate carries costs none): 1 where the aggregate carries the sketches'
    sample, 2 where the sketches read their own (a row sample still scans every page)."""
    reads: list[dict[str, Any]] = field(default_factory=list)
    """What each read took, in order: ``read`` (``plan``: a page sample that only chose the
    aggregate's distinct-count methods; ``sketches``; ``aggregate``), ``method`` (a
    ``SampleMethod`` value, ``none`` for every row), ``percent``, ``rows``, ``uniform`` and
    ``full_passes``."""
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
