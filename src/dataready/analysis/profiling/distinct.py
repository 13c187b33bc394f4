"""Distinct counts: how the aggregate statement counts them, and how to read the answer.

The streamed sample comes first, so :func:`plan_columns` knows per column how many values
the sample saw and how often. When the aggregate reads the whole table, a column's distinct
count comes, in order of preference, from: the sketches alone when every row was streamed;
an exact ``COUNT(DISTINCT)`` (at most ``exact_distinct_cap`` per statement, for columns whose
sample saw few values); the engine's approximate distinct; a hash-sampled exact count sized to
keep about ``HASH_SAMPLED_TARGET`` values; else the sample's estimate. When the aggregate
reads a sample too, only the sample's estimate speaks for the table (an exact count over the
sample is a floor of it). The sample's estimate is Chao and Lin's, with an interval that holds
for any column (:func:`dataready.analysis.profiling.estimates.estimate_distinct`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataready.analysis.profiling.estimates import DistinctEstimate, Scale, estimate_distinct
from dataready.analysis.profiling.sketches import ColumnSketch
from dataready.domain.profiling import ValueKind, value_kind
from dataready.sql.profile import (
    ColumnSpec,
    DistinctMethod,
    ProfileDialect,
    hash_modulus_for,
)
from dataready.sql.types import TypeFamily

HASH_SAMPLED_TARGET = 20_000
"""Values a hash-sampled distinct count should keep: a bound of about 1.4% at 95%."""
SAW_ALL_MIN_VALUES = 1_000
"""A sample of at least this many values, each seen twice or more, needs no SQL distinct
count: the sample's estimate is its distinct count, with a narrow interval."""
EXACT_WHEN_SEEN_AT_MOST = 10_000
"""A column whose sample showed at most this many values gets an exact COUNT(DISTINCT)."""
NATIVE_APPROX_ERROR = 0.05
"""The bound stated for an engine's approximate distinct (DuckDB's HLL stays within ~2.5%)."""
SAMPLE_METHOD = "sample_chao_lin"
SKETCH_DISTINCT_ONLY: frozenset[ValueKind] = frozenset(
    {ValueKind.UNSUPPORTED, ValueKind.ARRAY, ValueKind.DOCUMENT}
)
"""Kinds whose distinct count only the sketches give: engines compare documents and arrays
in their own ways (PostgreSQL ``json`` has no equality at all), the sketches compare their
canonical text."""


@dataclass(frozen=True, slots=True)
class ColumnMeta:
    name: str
    ordinal_position: int
    declared_type: str
    family: TypeFamily

    @property
    def kind(self) -> ValueKind:
        return value_kind(self.family)


@dataclass(frozen=True, slots=True)
class PassFacts:
    """How the two reads went."""

    rows_profiled: int
    """COUNT(*) of the aggregate statement."""
    rows_sketched: int
    stream_complete: bool
    """The stream saw every row of the table: sketches are over the whole table."""
    now: dt.datetime
    population: int | None = None
    """The table's rows, when the aggregate read a sample (``None``: it read every row)."""
    population_high: int | None = None
    """The upper end of ``population`` when it is extrapolated."""
    aggregate_uniform: bool = True
    """The aggregate's sample (if any) is a uniform random sample of rows."""
    stream_uniform: bool = True
    """The stream's sample (if any) is a uniform random sample of rows."""

    @property
    def aggregate_sampled(self) -> bool:
        return self.population is not None and self.population > self.rows_profiled

    @property
    def rows(self) -> Scale:
        """How the aggregate's rows stand for the table's."""
        population = max(self.population or 0, self.rows_profiled)
        high = self.population_high if self.aggregate_sampled else None
        return Scale(self.rows_profiled, population, self.aggregate_uniform, high)


@dataclass(frozen=True, slots=True)
class DistinctResult:
    count: int | None
    exact: bool
    error: float | None
    """Relative, at about 95%: the interval's widest side over the count."""
    method: str | None
    bounds: list[int] | None = None
    """The 95% interval ``[low, high]`` (``None``: exact, or no bound holds)."""


def plan_columns(
    dialect: ProfileDialect,
    columns: Sequence[ColumnMeta],
    sketches: Mapping[str, ColumnSketch],
    *,
    stream_complete: bool,
    exact_distinct_cap: int,
    native_quantiles: bool,
    row_estimate: int | None = None,
    aggregate_sampled: bool = False,
) -> list[ColumnSpec]:
    """What the aggregate statement computes per column, the distinct method above all.

    In order of preference: no SQL at all when the sketches already know (every row was
    streamed and the exact counter held, or the sample saw every value at least twice);
    an exact ``COUNT(DISTINCT)`` for the first ``exact_distinct_cap`` low-cardinality
    columns; the engine's approximate distinct; a hash-sampled exact count sized from the
    sample; else nothing in SQL (the sketches estimate it). Over a sampled aggregate only the
    exact count is worth its cost (a floor of the table's count); approximate ones would
    estimate the sample's.
    """
    exact_left = exact_distinct_cap
    specs = []
    for meta in columns:
        method, modulus = DistinctMethod.NONE, 1
        sketch = sketches.get(meta.name)
        if meta.kind not in SKETCH_DISTINCT_ONLY and sketch is not None:
            seen, _, _ = sketch.distinct()
            saw_all = sketch.values >= SAW_ALL_MIN_VALUES and sketch.singletons() == 0
            known = sketch.complete and (stream_complete or saw_all)
            if known and sketch.values > 0:
                method = DistinctMethod.NONE
            elif exact_left > 0 and (stream_complete or seen <= EXACT_WHEN_SEEN_AT_MOST):
                method, exact_left = DistinctMethod.EXACT, exact_left - 1
            elif aggregate_sampled:
                method = DistinctMethod.NONE
            elif dialect.approx_distinct_function:
                method = DistinctMethod.NATIVE_APPROX
            elif dialect.supports_hash_distinct:
                expected = seen
                if row_estimate:
                    share = sketch.values / max(sketch.values + sketch.nulls, 1)
                    population = max(round(row_estimate * share), sketch.values)
                    freq = sketch.frequencies()
                    expected = estimate_distinct(freq, sketch.values, population).estimate
                modulus = max(2, hash_modulus_for(expected, HASH_SAMPLED_TARGET))
                method = DistinctMethod.HASH_SAMPLED
        specs.append(
            ColumnSpec(
                name=meta.name,
                family=meta.family,
                declared_type=meta.declared_type,
                distinct=method,
                hash_modulus=modulus,
                quantiles=native_quantiles
                and dialect.supports_native_quantiles
                and meta.kind is ValueKind.NUMERIC,
            )
        )
    return specs


def _relative_bounds(count: int, error: float, ceiling: int) -> list[int]:
    return [max(0, math.floor(count * (1.0 - error))), min(ceiling, math.ceil(count * (1 + error)))]


def read_distinct(
    spec: ColumnSpec,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    facts: PassFacts,
    non_null: int,
) -> DistinctResult:
    """The column's distinct count for the table.

    Args:
        non_null: the table's non-null values of the column (scaled up from a sample when
            the aggregate read one).
    """
    raw = metrics.get("distinct")
    sampled = facts.aggregate_sampled
    if raw is not None and not sampled:
        count = int(raw)
        if spec.distinct is DistinctMethod.EXACT or (
            spec.distinct is DistinctMethod.HASH_SAMPLED and spec.hash_modulus == 1
        ):
            return DistinctResult(count, True, None, "exact")
        if spec.distinct is DistinctMethod.NATIVE_APPROX:
            count = min(count, non_null)
            bounds = _relative_bounds(count, NATIVE_APPROX_ERROR, non_null)
            return DistinctResult(count, False, NATIVE_APPROX_ERROR, "native_approx", bounds)
        m = spec.hash_modulus
        bound = 2.0 * math.sqrt((m - 1) / (m * max(count, 1)))
        count = min(count * m, non_null)
        bounds = _relative_bounds(count, bound, non_null)
        return DistinctResult(count, False, bound, f"hash_sampled_1_in_{m}", bounds)
    if sketch is None:
        return DistinctResult(None, False, None, None)
    if facts.stream_complete:
        seen, exact, error = sketch.distinct()
        if exact:
            return DistinctResult(seen, True, None, "sketch_exact")
        bounds = _relative_bounds(seen, error or 0.0, non_null)
        return DistinctResult(min(seen, non_null), False, error, "hll", bounds)
    floor = int(raw) if raw is not None and spec.distinct is DistinctMethod.EXACT else 0
    high = None
    if facts.population_high and facts.population:  # the table's size is itself estimated
        high = math.ceil(non_null * facts.population_high / facts.population)
    found = sample_distinct(sketch, non_null, floor, high)
    if not (facts.stream_uniform and (facts.aggregate_uniform or not sampled)):
        return DistinctResult(found.estimate, False, None, SAMPLE_METHOD)
    error = round(found.relative_error, 6)
    return DistinctResult(found.estimate, False, error, SAMPLE_METHOD, [found.low, found.high])


def sample_distinct(
    sketch: ColumnSketch, population: int, floor: int = 0, population_high: int | None = None
) -> DistinctEstimate:
    """The table's distinct count from the streamed sample (``population`` values)."""
    return estimate_distinct(
        sketch.frequencies(),
        sketch.values,
        population,
        seen_floor=floor,
        population_high=population_high,
    )
