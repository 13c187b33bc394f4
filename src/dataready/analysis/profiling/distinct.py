"""Distinct counts: how the aggregate statement counts them, and how to read the answer.

The streamed sample comes first, so :func:`plan_columns` knows per column how many values
the sample saw and how many it saw once. In order of preference a column's distinct count
comes from: the sketches alone (every row was streamed and counted, or a sample of at least
``SAW_ALL_MIN_VALUES`` values saw each value at least twice); an exact ``COUNT(DISTINCT)``
(at most ``exact_distinct_cap`` per statement, for columns whose sample saw few values); the
engine's approximate distinct; a hash-sampled exact count sized to keep about
``HASH_SAMPLED_TARGET`` values; else the sketches' estimate (HLL with its bound over a fully
streamed table, or Haas and Stokes' Duj1 extrapolation from a sample).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
"""A sample of at least this many values, each seen twice or more, is taken to hold every
value of the column (Good-Turing: the share of unseen values is about singletons / n)."""
EXACT_WHEN_SEEN_AT_MOST = 10_000
"""A column whose sample showed at most this many values gets an exact COUNT(DISTINCT)."""
NATIVE_APPROX_ERROR = 0.05
"""The bound stated for an engine's approximate distinct (DuckDB's HLL stays within ~2.5%)."""


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
    """The stream saw every row the aggregate read: sketches are over the same rows."""
    now: dt.datetime


def plan_columns(
    dialect: ProfileDialect,
    columns: Sequence[ColumnMeta],
    sketches: Mapping[str, ColumnSketch],
    *,
    stream_complete: bool,
    exact_distinct_cap: int,
    native_quantiles: bool,
    row_estimate: int | None = None,
) -> list[ColumnSpec]:
    """What the aggregate statement computes per column, the distinct method above all.

    In order of preference: no SQL at all when the sketches already know (every row was
    streamed and the exact counter held, or the sample saw every value at least twice);
    an exact ``COUNT(DISTINCT)`` for the first ``exact_distinct_cap`` low-cardinality
    columns; the engine's approximate distinct; a hash-sampled exact count sized from the
    sample; else nothing in SQL (the sketches estimate it).
    """
    exact_left = exact_distinct_cap
    specs = []
    for meta in columns:
        method, modulus = DistinctMethod.NONE, 1
        sketch = sketches.get(meta.name)
        if meta.kind is not ValueKind.UNSUPPORTED and sketch is not None:
            seen, _, _ = sketch.distinct()
            saw_all = sketch.values >= SAW_ALL_MIN_VALUES and sketch.singletons() == 0
            known = sketch.complete and (stream_complete or saw_all)
            if known and sketch.values > 0:
                method = DistinctMethod.NONE
            elif exact_left > 0 and (stream_complete or seen <= EXACT_WHEN_SEEN_AT_MOST):
                method, exact_left = DistinctMethod.EXACT, exact_left - 1
            elif dialect.approx_distinct_function:
                method = DistinctMethod.NATIVE_APPROX
            elif dialect.supports_hash_distinct:
                expected = estimate_distinct(sketch, row_estimate) if row_estimate else seen
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


def read_distinct(
    spec: ColumnSpec,
    metrics: Mapping[str, Any],
    sketch: ColumnSketch | None,
    facts: PassFacts,
    non_null: int,
) -> tuple[int | None, bool, float | None, str | None]:
    raw = metrics.get("distinct")
    if raw is not None:
        count = int(raw)
        if spec.distinct is DistinctMethod.EXACT or (
            spec.distinct is DistinctMethod.HASH_SAMPLED and spec.hash_modulus == 1
        ):
            return count, True, None, "exact"
        if spec.distinct is DistinctMethod.NATIVE_APPROX:
            return min(count, non_null), False, NATIVE_APPROX_ERROR, "native_approx"
        m = spec.hash_modulus
        bound = 2.0 * math.sqrt((m - 1) / (m * max(count, 1)))
        return min(count * m, non_null), False, bound, f"hash_sampled_1_in_{m}"
    if sketch is None:
        return None, False, None, None
    seen, exact, error = sketch.distinct()
    if facts.stream_complete:
        return seen, exact, error, "sketch_exact" if exact else "hll"
    if sketch.complete and sketch.singletons() == 0 and sketch.values >= SAW_ALL_MIN_VALUES:
        return seen, False, None, "sample_saw_every_value"
    estimate = estimate_distinct(sketch, non_null)
    return min(max(estimate, seen), non_null), False, None, "sample_extrapolated"


def estimate_distinct(sketch: ColumnSketch, population: int) -> int:
    """The distinct values of ``population`` values, extrapolated from the sample.

    Haas and Stokes' Duj1 estimator, as PostgreSQL's ANALYZE uses it:
    ``n * d / (n - f1 + f1 * n / N)`` for ``d`` distinct values in a sample of ``n`` with
    ``f1`` seen once. After a spill ``f1`` is unknown and taken as ``d * d / n`` (all
    singletons when every value differs, few when values repeat).
    """
    seen, _, _ = sketch.distinct()
    n, big_n = sketch.values, max(population, 1)
    if n <= 0 or seen <= 0:
        return 0
    seen = min(seen, n)
    f1 = sketch.singletons()
    if f1 is None:
        f1 = min(seen, round(seen * seen / n))
    denominator = n - f1 + f1 * n / big_n
    return min(big_n, round(n * seen / denominator)) if denominator > 0 else seen
