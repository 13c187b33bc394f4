"""Combine the aggregate row and the sketches into column and table profiles.

The profiler reads a table twice at most: one streamed sample pass (sketches) and one
aggregate statement. :func:`~dataready.analysis.profiling.distinct.plan_columns` decides,
from what the sample showed, how the aggregate counts distinct values per column;
:func:`build_column` and :func:`build_table`
merge both sources, preferring the exact figure whenever one exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dataready.analysis.profiling.distinct import ColumnMeta, PassFacts, read_distinct
from dataready.analysis.profiling.numeric import (
    Distribution,
    Fences,
    exact_histogram,
    exact_outliers,
    fd_edges,
    sketch_histogram,
    sketch_outliers,
    stddev_from_sums,
)
from dataready.analysis.profiling.results import ColumnProfile, TableProfile
from dataready.analysis.profiling.shapes import format_counts, observed_type, pattern_counts
from dataready.analysis.profiling.sketches import ColumnSketch
from dataready.analysis.profiling.sketchlib import kll_rank_error
from dataready.domain.profiling import ValueKind, skip_reason
from dataready.sql.profile import (
    QUANTILE_LEVELS,
    ColumnSpec,
)
from dataready.sql.types import TypeFamily

SHAPE_VALUES_CAP = 5_000
"""Distinct values (the most frequent) that shape patterns and formats are computed over."""


def _ratio(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


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
) -> ColumnProfile:
    """The profile of one column from its aggregates and its sketch.

    ``shapes``: the text column's :func:`text_shapes`, when the caller computed them already.
    """
    rows = facts.rows_profiled
    non_null = int(metrics.get("non_null") or 0)
    profile = ColumnProfile(
        name=meta.name,
        ordinal_position=meta.ordinal_position,
        declared_type=meta.declared_type,
        type_family=meta.family.value,
        kind=meta.kind.value,
        row_count=rows,
        null_count=rows - non_null,
        null_ratio=_ratio(rows - non_null, rows),
    )
    reason = skip_reason(meta.family)
    if reason is not None or spec is None:
        profile.profiled = False
        profile.skipped_reason = reason or "not profiled"
        return profile
    profile.values_sampled = sketch.values if sketch else 0
    exact_sketch = sketch is not None and sketch.complete and facts.stream_complete
    count, exact, error, method = read_distinct(spec, metrics, sketch, facts, non_null)
    if non_null == 0:
        count, exact, error, method = 0, True, None, "exact"
    profile.distinct_count, profile.distinct_exact = count, exact
    profile.distinct_error, profile.distinct_method = error, method
    profile.distinct_ratio = _ratio(count, non_null)
    if count is not None:
        profile.duplicate_count = non_null - count
        _unique(profile, sketch, exact_sketch, non_null)
    if sketch is not None:
        _top(profile, sketch, exact_sketch, non_null, top_n)
    kind = meta.kind
    if kind is ValueKind.NUMERIC:
        _numbers(profile, meta, metrics, sketch, exact_sketch, histogram_bins_max)
    elif kind is ValueKind.STRING:
        _strings(profile, metrics, sketch, exact_sketch, max_patterns, shapes)
    elif kind in (ValueKind.TEMPORAL, ValueKind.TIME):
        profile.min, profile.max = metrics.get("min"), metrics.get("max")
        if kind is ValueKind.TEMPORAL:
            profile.future_count = _int(metrics.get("future"))
            newest = as_datetime(profile.max)
            if newest is not None:
                profile.freshness_seconds = max(0.0, _age(newest, facts.now))
    elif kind is ValueKind.BOOLEAN:
        true = int(metrics.get("true") or 0)
        profile.true_count, profile.false_count = true, non_null - true
        profile.true_ratio = _ratio(true, non_null)
    return profile


def _unique(
    profile: ColumnProfile, sketch: ColumnSketch | None, exact_sketch: bool, non_null: int
) -> None:
    distinct = profile.distinct_count or 0
    if exact_sketch and sketch is not None:
        profile.unique_count, profile.unique_exact = sketch.singletons(), True
    elif profile.distinct_exact and distinct == non_null:
        profile.unique_count, profile.unique_exact = distinct, True
    else:
        low, high = max(0, 2 * distinct - non_null), distinct
        share = 1.0
        if sketch is not None and sketch.complete and sketch.counts:
            share = (sketch.singletons() or 0) / len(sketch.counts)
        profile.unique_count = min(high, max(low, round(distinct * share)))
        profile.unique_exact = False


def _top(
    profile: ColumnProfile, sketch: ColumnSketch, exact_sketch: bool, non_null: int, n: int
) -> None:
    pairs, exact, error = sketch.top(n)
    scale = non_null / sketch.values if sketch.values and not exact_sketch else 1.0
    profile.top_values = [{"value": v, "count": round(c * scale)} for v, c in pairs]
    profile.top_values_exact = exact and exact_sketch
    profile.top_values_error = round(error * scale) if not exact else None


def _numbers(
    profile: ColumnProfile,
    meta: ColumnMeta,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    exact_sketch: bool,
    bins_max: int,
) -> None:
    integer = meta.family is TypeFamily.INTEGER
    convert = _int if integer else _float
    profile.min, profile.max = convert(metrics.get("min")), convert(metrics.get("max"))
    profile.sum = convert(metrics.get("sum"))
    finite = int(metrics.get("finite", metrics.get("non_null")) or 0)
    total = metrics.get("sum")
    profile.mean = float(total) / finite if total is not None and finite else None
    stddev = _float(metrics.get("stddev"))
    if stddev is None and metrics.get("sum_squares") is not None:
        squares = float(metrics["sum_squares"])
        stddev = stddev_from_sums(finite, float(total or 0), squares)
    profile.stddev = stddev if finite > 1 else None
    profile.zero_count = _int(metrics.get("zero"))
    profile.negative_count = _int(metrics.get("negative"))
    if meta.family is TypeFamily.FLOAT:
        profile.nan_count = int(metrics.get("nan") or 0)
        profile.positive_infinity_count = int(metrics.get("pos_inf") or 0)
        profile.negative_infinity_count = int(metrics.get("neg_inf") or 0)
    dist = Distribution.from_counts(sketch.counts) if exact_sketch and sketch else None
    kll = sketch.kll if sketch is not None else None
    levels = QUANTILE_LEVELS
    native = metrics.get("quantiles")
    if native is not None:
        values = [_float(v) for v in native]
        profile.quantiles_exact, profile.quantiles_rank_error = True, None
    elif dist is not None and dist.total:
        values = [dist.quantile(q) for q in levels]
        profile.quantiles_exact, profile.quantiles_rank_error = True, None
    elif kll is not None and not kll.is_empty() and dist is None:
        values = [float(v) for v in kll.get_quantiles(list(levels))]
        profile.quantiles_exact, profile.quantiles_rank_error = False, kll_rank_error(kll)
    else:
        return
    profile.quantiles = {f"p{round(q * 100):02d}": v for q, v in zip(levels, values, strict=True)}
    q1, q3 = values[2], values[4]
    low, high = _float(metrics.get("min")), _float(metrics.get("max"))
    if q1 is None or q3 is None or low is None or high is None:
        return
    edges = fd_edges(low, high, q1, q3, finite, bins_max)
    counts = exact_histogram(dist, edges) if dist else sketch_histogram(kll, edges, finite)
    profile.histogram = {"edges": edges, "counts": counts, "exact": dist is not None}
    _outliers(profile, dist, kll, sketch, Fences.iqr(q1, q3), finite)


def _outliers(
    profile: ColumnProfile,
    dist: Distribution | None,
    kll: Any,
    sketch: ColumnSketch | None,
    iqr: Fences,
    finite: int,
) -> None:
    extremes = sorted(set((sketch.low + sketch.high) if sketch else []))
    found: dict[str, Any] = {"exact": dist is not None}
    fences = {"iqr": iqr}
    if profile.mean is not None and profile.stddev is not None:
        fences["sigma"] = Fences.sigma(profile.mean, profile.stddev)
    for name, fence in fences.items():
        count = exact_outliers(dist, fence) if dist else sketch_outliers(kll, fence, finite)
        found[name] = {
            "low_fence": fence.low,
            "high_fence": fence.high,
            "count": count,
            "examples": fence.outside(extremes)[:10],
        }
    profile.outliers = found


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
        all_values=len(sketch.counts) <= SHAPE_VALUES_CAP,
        values=sum(base.values()),
        formats=format_counts(base),
        non_empty=sum(c for v, c in base.items() if v.strip()),
    )


def _strings(
    profile: ColumnProfile,
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
    profile.empty_count = _int(metrics.get("empty"))
    profile.blank_count = _int(metrics.get("blank"))
    if shapes is None and sketch is not None:
        shapes = text_shapes(sketch, max_patterns)
    if shapes is None:
        return
    profile.patterns = [{"pattern": p, "count": c} for p, c in shapes.patterns]
    profile.pattern_count = shapes.pattern_count
    profile.patterns_exact = exact_sketch and shapes.all_values
    matched = shapes.formats
    profile.formats_values = shapes.values
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
        column_count=len(columns),
        size_bytes=size_bytes,
        sampled=sampled,
        sample_method=method,
        sample_percent=percent,
        rows_profiled=facts.rows_profiled,
        rows_sketched=facts.rows_sketched,
        duplicate_rows=duplicate_rows[0],
        duplicate_rows_exact=duplicate_rows[1],
        profiled_at=facts.now,
        columns=columns,
    )
    if newest is not None:
        column = next(c for c in columns if c.name == newest[1])
        profile.newest, profile.freshness_column = newest[2], newest[1]
        profile.freshness_seconds = column.freshness_seconds
    return profile
