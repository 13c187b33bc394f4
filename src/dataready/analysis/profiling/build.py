"""Combine the aggregate row and the sketches into column and table profiles.

The profiler reads a table twice at most: one streamed sample pass (sketches) and one
aggregate statement. :func:`~dataready.analysis.profiling.distinct.plan_columns` decides,
from what the sample showed, how the aggregate counts distinct values per column;
:func:`build_column` and :func:`build_table` merge both sources, preferring the exact figure
whenever one exists.

Every count of a profile is for the table. When the aggregate read a sample, its counts are
scaled to the table's row count and each carries a 95% interval in the column's ``bounds``
(:class:`~dataready.analysis.profiling.estimates.Scale`); the sketches' figures are scaled to
the column's non-null count the same way. Nothing read from a sample is called exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataready.analysis.profiling.distinct import ColumnMeta, PassFacts, read_distinct
from dataready.analysis.profiling.estimates import (
    DistinctEstimate,
    Scale,
    ScaledCounts,
    estimate_distinct,
    estimate_unique,
    select_top,
)
from dataready.analysis.profiling.numbers import numbers
from dataready.analysis.profiling.results import ColumnProfile, TableProfile
from dataready.analysis.profiling.shapes import format_counts, observed_type, pattern_counts
from dataready.analysis.profiling.sketches import ColumnSketch, Frequencies
from dataready.analysis.recognisers import recognisers_version
from dataready.domain.profiling import ValueKind, skip_reason
from dataready.sql.profile import ColumnSpec

SHAPE_VALUES_CAP = 5_000
"""Distinct values (the most frequent) that shape patterns and formats are computed over."""


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def build_column(
    meta: ColumnMeta,
    spec: ColumnSpec | None,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    facts: PassFacts,
    *,
    top_n: int,
    max_patterns: int,
    histogram_bins_max: int,
    shapes: TextShapes | None = None,
    errors: Sequence[Mapping[str, Any]] = (),
) -> ColumnProfile:
    """The profile of one column from its aggregates and its sketch.

    ``shapes``: the text column's :func:`text_shapes`, when the caller computed them already.
    ``errors``: what failed on this column in SQL (``{"stage", "code", "message"}``); its
    ``metrics`` then hold what the retry could count (``non_null`` at most, or nothing).
    A sketch that stopped on an unreadable value (:attr:`ColumnSketch.error`) adds its own
    error and gives no figure.
    """
    found = [dict(e) for e in errors]
    if sketch is not None and sketch.error is not None:
        found.append({"stage": "sample", "code": SAMPLE_UNREADABLE, "message": sketch.error})
        sketch = None
    if found and "non_null" not in metrics:
        return _failed(meta, facts, found)
    counts = ScaledCounts(facts.rows)
    profile = _column(
        meta, spec, metrics, sketch, facts, counts, top_n, max_patterns, histogram_bins_max, shapes
    )
    profile.bounds = counts.bounds or None
    found.extend(profile.profile_errors or [])
    if found:
        profile.profile_errors = found
        profile.profile_status = "partial"
    return profile


SAMPLE_UNREADABLE = "SAMPLE_VALUE_UNREADABLE"
"""The code of a sampled value the column's kind cannot read."""
AGGREGATE_UNREADABLE = "AGGREGATE_VALUE_UNREADABLE"
"""The code of an aggregate result the column's kind cannot read."""


def _failed(meta: ColumnMeta, facts: PassFacts, errors: list[dict[str, Any]]) -> ColumnProfile:
    """A column of which nothing could be read, not even its null count."""
    return ColumnProfile(
        name=meta.name,
        ordinal_position=meta.ordinal_position,
        declared_type=meta.declared_type,
        type_family=meta.family.value,
        kind=meta.kind.value,
        row_count=facts.rows.population,
        profiled=False,
        skipped_reason="profiling this column failed: see profile_errors",
        profile_status="failed",
        profile_errors=errors,
    )


def _column(
    meta: ColumnMeta,
    spec: ColumnSpec | None,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    facts: PassFacts,
    counts: ScaledCounts,
    top_n: int,
    max_patterns: int,
    histogram_bins_max: int,
    shapes: TextShapes | None,
) -> ColumnProfile:
    scale = facts.rows
    sample_rows = facts.rows_profiled
    sample_non_null = int(metrics.get("non_null") or 0)
    profile = ColumnProfile(
        name=meta.name,
        ordinal_position=meta.ordinal_position,
        declared_type=meta.declared_type,
        type_family=meta.family.value,
        kind=meta.kind.value,
        row_count=scale.population,
        null_ratio=_ratio(sample_rows - sample_non_null, sample_rows),
        counts_exact=scale.exact,
        extremes_exact=scale.exact,
    )
    nulls = counts.count("null_count", sample_rows - sample_non_null) or 0
    profile.null_count = nulls
    non_null = scale.population - nulls
    reason = skip_reason(meta.family)
    if reason is not None or spec is None:
        profile.profiled = False
        profile.skipped_reason = reason or "not profiled"
        profile.profile_status = "skipped"
        return profile
    profile.values_sampled = sketch.values if sketch else 0
    exact_sketch = sketch is not None and sketch.complete and facts.stream_complete
    found = read_distinct(spec, metrics, sketch, facts, non_null)
    if non_null == 0 and scale.exact:
        found = type(found)(0, True, None, "exact")
    profile.distinct_count, profile.distinct_exact = found.count, found.exact
    profile.distinct_error, profile.distinct_method = found.error, found.method
    if found.bounds is not None:
        counts.bound("distinct_count", found.bounds)
    profile.distinct_ratio = _ratio(found.count, non_null)
    if found.count is not None:
        profile.duplicate_count = max(0, non_null - found.count)
        # non_null - distinct: both ends move, when the table's non-null count is scaled
        # from a sample as well as when the distinct count is estimated.
        _, non_null_bounds = scale.count(sample_non_null)
        if found.bounds is not None or non_null_bounds is not None:
            low, high = found.bounds or (found.count, found.count)
            fewest, most = non_null_bounds or (non_null, non_null)
            counts.bound("duplicate_count", [max(0, fewest - high), max(0, most - low)])
        _unique(profile, counts, sketch, exact_sketch, non_null, found.bounds, facts)
    if sketch is not None:
        # a stream that missed rows stands for more values than it saw, whatever the estimate
        values = non_null if facts.stream_complete else max(non_null, sketch.values + 1)
        _top(profile, sketch, Scale(sketch.values, values, facts.stream_uniform), top_n)
    try:
        _kind_figures(
            profile,
            counts,
            meta,
            metrics,
            sketch,
            facts,
            exact_sketch,
            non_null,
            max_patterns,
            histogram_bins_max,
            shapes,
        )
    except (ValueError, TypeError, ArithmeticError) as exc:
        # SQLite stores any value in any column: MAX of a REAL column may be the text 'n/a'
        profile.profile_errors = [
            {
                "stage": "aggregate",
                "code": AGGREGATE_UNREADABLE,
                "message": f"an aggregate of this {meta.kind.value} column returned a value "
                f"its kind cannot read ({type(exc).__name__}): the column holds values of "
                "another type",
            }
        ]
    return profile


def _kind_figures(
    profile: ColumnProfile,
    counts: ScaledCounts,
    meta: ColumnMeta,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    facts: PassFacts,
    exact_sketch: bool,
    non_null: int,
    max_patterns: int,
    histogram_bins_max: int,
    shapes: TextShapes | None,
) -> None:
    sample_non_null = int(metrics.get("non_null") or 0)
    kind = meta.kind
    if kind is ValueKind.NUMERIC:
        numbers(profile, counts, meta, metrics, sketch, exact_sketch, facts, histogram_bins_max)
    elif kind is ValueKind.STRING:
        _strings(profile, counts, metrics, sketch, exact_sketch, max_patterns, shapes)
    elif kind in (ValueKind.TEMPORAL, ValueKind.TIME):
        profile.min, profile.max = metrics.get("min"), metrics.get("max")
        if kind is ValueKind.TEMPORAL:
            profile.future_count = counts.count("future_count", metrics.get("future"))
            newest = as_datetime(profile.max)
            if newest is not None:
                profile.freshness_seconds = max(0.0, _age(newest, facts.now))
    elif kind is ValueKind.BOOLEAN:
        true = counts.count("true_count", metrics.get("true") or 0) or 0
        profile.true_count, profile.false_count = true, max(0, non_null - true)
        if "true_count" in counts.bounds:
            low, high = counts.bounds["true_count"]
            counts.bound("false_count", [max(0, non_null - high), max(0, non_null - low)])
        profile.true_ratio = _ratio(int(metrics.get("true") or 0), sample_non_null)
    elif kind is ValueKind.RANGE:
        profile.min, profile.max = metrics.get("min"), metrics.get("max")
        profile.empty_count = counts.count("empty_count", metrics.get("empty"))
    elif kind is ValueKind.ARRAY:
        profile.min_length = _int(metrics.get("min_length"))
        profile.max_length = _int(metrics.get("max_length"))
        total = metrics.get("sum_length")
        nn = sample_non_null
        profile.mean_length = float(total) / nn if total is not None and nn else None
        profile.empty_count = counts.count("empty_count", metrics.get("empty"))
        if sketch is not None and sketch.arrays:
            profile.element_count = sketch.element_total
            profile.element_distinct = len(sketch.elements)
            ranked = sorted(sketch.elements.items(), key=lambda kv: (-kv[1], kv[0]))
            profile.element_top_values = [
                {"value": v, "count": c} for v, c in ranked[:ELEMENTS_SHOWN]
            ]
            profile.element_stats_exact = facts.stream_complete and sketch.elements_complete
    elif kind is ValueKind.DOCUMENT and sketch is not None:
        _key_presence(profile, sketch, facts, top_n=KEYS_SHOWN)


ELEMENTS_SHOWN = 10
"""The most frequent array elements listed per array column."""
KEYS_SHOWN = 50
"""Top-level keys listed per document column (the most present)."""


def _key_presence(
    profile: ColumnProfile, sketch: ColumnSketch, facts: PassFacts, top_n: int
) -> None:
    objects = sketch.objects
    profile.key_presence_values = objects
    ranked = sorted(sketch.keys.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
    profile.key_presence = [
        {"key": key, "count": count, "fraction": count / objects} for key, count in ranked
    ]
    profile.key_presence_exact = facts.stream_complete and sketch.keys_complete


def _unique(
    profile: ColumnProfile,
    counts: ScaledCounts,
    sketch: ColumnSketch | None,
    exact_sketch: bool,
    non_null: int,
    distinct_bounds: list[int] | None,
    facts: PassFacts,
) -> None:
    distinct = profile.distinct_count or 0
    if exact_sketch and sketch is not None:
        profile.unique_count, profile.unique_exact = sketch.singletons(), True
        return
    if profile.distinct_exact and distinct == non_null:
        profile.unique_count, profile.unique_exact = distinct, True
        return
    profile.unique_exact = False
    low, high = distinct_bounds or [distinct, distinct]
    interval = DistinctEstimate(distinct, low, high)
    if sketch is None or not sketch.values:
        bounds = [max(0, 2 * low - non_null), high]
        profile.unique_count = min(max(distinct, bounds[0]), bounds[1])
    else:
        freq = sketch.frequencies()
        profile.unique_count, bounds = estimate_unique(freq, sketch.values, non_null, interval)
    if facts.stream_uniform and (facts.aggregate_uniform or not facts.aggregate_sampled):
        counts.bound("unique_count", bounds)


def _top(profile: ColumnProfile, sketch: ColumnSketch, values: Scale, n: int) -> None:
    pairs, complete, error = sketch.top(n + 1)
    exact = values.exact and complete
    found = select_top(pairs, n, values, sketch_error=error, complete=complete)
    profile.top_values = found.items
    profile.top_values_status = found.status
    profile.top_values_exact = exact
    errors = [int(e) for e in (i["error"] for i in found.items) if isinstance(e, int)]
    profile.top_values_error = None if exact or not errors else max(errors)


@dataclass(frozen=True, slots=True)
class TextShapes:
    """Shape patterns and formats of a text column's most frequent sampled values."""

    patterns: list[tuple[str, int]]
    pattern_count: int
    all_values: bool
    """Computed over every distinct value the counter holds (none left out by the cap)."""
    values: int
    formats: dict[str, int]
    non_empty: int


def text_shapes(sketch: ColumnSketch, max_patterns: int) -> TextShapes | None:
    """The shapes and formats of the sketch's counted values (``None``: it holds none).

    It needs only the sketch, so the profiler computes it while the aggregate statement runs.
    """
    if not sketch.counts:
        return None
    # Shapes and formats over the most frequent values: all of them in small columns.
    common = sketch.counts.most_common(SHAPE_VALUES_CAP)
    base = {str(k): c for k, c in common}
    ranked, total_patterns = pattern_counts(base, max_patterns)
    return TextShapes(
        patterns=ranked,
        pattern_count=total_patterns,
        all_values=sketch.complete and len(sketch.counts) <= SHAPE_VALUES_CAP,
        values=sum(base.values()),
        formats=format_counts(base),
        non_empty=sum(c for v, c in base.items() if v.strip()),
    )


def _strings(
    profile: ColumnProfile,
    counts: ScaledCounts,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    exact_sketch: bool,
    max_patterns: int,
    shapes: TextShapes | None,
) -> None:
    profile.min_length = _int(metrics.get("min_length"))
    profile.max_length = _int(metrics.get("max_length"))
    non_null = int(metrics.get("non_null") or 0)
    total = metrics.get("sum_length")
    profile.mean_length = float(total) / non_null if total is not None and non_null else None
    profile.empty_count = counts.count("empty_count", metrics.get("empty"))
    profile.blank_count = counts.count("blank_count", metrics.get("blank"))
    if shapes is None and sketch is not None:
        shapes = text_shapes(sketch, max_patterns)
    if shapes is None:
        return
    profile.patterns = [{"pattern": p, "count": c} for p, c in shapes.patterns]
    profile.pattern_count = shapes.pattern_count
    profile.patterns_exact = exact_sketch and shapes.all_values
    matched = shapes.formats
    profile.formats_values = shapes.values
    profile.formats_version = recognisers_version()
    profile.formats = {name: count / shapes.values for name, count in sorted(matched.items())}
    profile.observed_type = observed_type(matched, shapes.non_empty)


def as_datetime(value: Any) -> dt.datetime | None:
    """A date, timestamp or ISO text (SQLite stores dates as text) as a datetime."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _age(newest: dt.datetime, now: dt.datetime) -> float:
    reference = now.astimezone().replace(tzinfo=None) if newest.tzinfo is None else now
    return (reference - newest).total_seconds()


def duplicate_rows(
    freq: Frequencies, sketched: int, table_rows: int, *, complete: bool, uniform: bool
) -> tuple[int | None, bool, list[int] | None]:
    """Rows that repeat an earlier row: ``(count, exact, 95% interval)``.

    Counted when every row was streamed; else the table's distinct rows are estimated from the
    sample like a column's distinct values, and the duplicates are the rest.
    """
    if complete:
        return sketched - round(freq.seen), True, None
    if not sketched or not table_rows:
        return None, False, None
    found = estimate_distinct(freq, sketched, max(table_rows, sketched))
    count = max(0, table_rows - found.estimate)
    if not uniform:
        return count, False, None
    return count, False, [max(0, table_rows - found.high), max(0, table_rows - found.low)]


def build_table(
    *,
    database: str,
    schema: str,
    table: str,
    columns: list[ColumnProfile],
    row_count: int,
    row_count_exact: bool,
    row_count_source: str,
    size_bytes: int | None,
    sample: tuple[bool, str, float | None],
    facts: PassFacts,
    duplicate_rows: tuple[int | None, bool],
    duplicate_rows_bounds: list[int] | None = None,
    row_count_bounds: list[int] | None = None,
) -> TableProfile:
    """The table profile; freshness is the newest value of any date/timestamp column."""
    newest: tuple[dt.datetime, str, Any] | None = None
    for column in columns:
        if column.kind != ValueKind.TEMPORAL.value or column.max is None:
            continue
        stamp = as_datetime(column.max)
        if stamp is None:
            continue
        stamp_naive = stamp.replace(tzinfo=None) if stamp.tzinfo else stamp
        if newest is None or stamp_naive > newest[0]:
            newest = (stamp_naive, column.name, column.max)
    sampled, method, percent = sample
    profile = TableProfile(
        database=database,
        schema=schema,
        table=table,
        row_count=row_count,
        row_count_exact=row_count_exact,
        row_count_source=row_count_source,
        row_count_bounds=row_count_bounds,
        column_count=len(columns),
        size_bytes=size_bytes,
        sampled=sampled,
        sample_method=method,
        sample_percent=percent,
        sample_uniform=facts.aggregate_uniform and facts.stream_uniform,
        counts_exact=facts.rows.exact,
        counts_scale=round(facts.rows.factor, 6),
        rows_profiled=facts.rows_profiled,
        rows_sketched=facts.rows_sketched,
        duplicate_rows=duplicate_rows[0],
        duplicate_rows_exact=duplicate_rows[1],
        duplicate_rows_bounds=duplicate_rows_bounds,
        profiled_at=facts.now,
        columns=columns,
    )
    if newest is not None:
        column = next(c for c in columns if c.name == newest[1])
        profile.newest, profile.freshness_column = newest[2], newest[1]
        profile.freshness_seconds = column.freshness_seconds
    return profile
