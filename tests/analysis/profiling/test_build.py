"""Merging aggregates and sketches into profiles, without a database."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

from dataready.analysis.profiling import (
    ColumnMeta,
    ColumnSketch,
    PassFacts,
    SketchConfig,
    build_column,
    build_table,
    plan_columns,
)
from dataready.domain.profiling import ValueKind
from dataready.sql.profile import ColumnSpec, DistinctMethod, ProfileDialect
from dataready.sql.types import TypeFamily

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
PG = ProfileDialect("postgresql", True, None, True)
DUCK = ProfileDialect("duckdb", True, "approx_count_distinct", True)
SQLITE = ProfileDialect("sqlite")


def _sketch(kind: ValueKind, family: TypeFamily, values: list[object], cap: int = 20_000):  # type: ignore[no-untyped-def]
    sketch = ColumnSketch(kind, family, SketchConfig(counts_cap=cap))
    sketch.update(values)
    return sketch


def _build(meta, spec, metrics, sketch, facts):  # type: ignore[no-untyped-def]
    return build_column(
        meta, spec, metrics, sketch, facts, top_n=5, max_patterns=5, histogram_bins_max=20
    )


def test_plan_prefers_what_the_sample_already_knows() -> None:
    metas = [
        ColumnMeta("low", 1, "integer", TypeFamily.INTEGER),
        ColumnMeta("mid", 2, "integer", TypeFamily.INTEGER),
        ColumnMeta("high", 3, "text", TypeFamily.STRING),
        ColumnMeta("doc", 4, "jsonb", TypeFamily.JSON),
    ]
    sketches = {
        "low": _sketch(ValueKind.NUMERIC, TypeFamily.INTEGER, [1, 2] * 600),
        "mid": _sketch(ValueKind.NUMERIC, TypeFamily.INTEGER, [1, 2, 3, 3]),
        "high": _sketch(ValueKind.STRING, TypeFamily.STRING, [str(i) for i in range(50_000)], 1000),
    }
    kwargs = {"stream_complete": False, "exact_distinct_cap": 8, "native_quantiles": False}
    pg = plan_columns(PG, metas, sketches, **kwargs)  # type: ignore[arg-type]
    assert [s.distinct for s in pg] == [
        DistinctMethod.NONE,
        DistinctMethod.EXACT,
        DistinctMethod.HASH_SAMPLED,
        DistinctMethod.NONE,
    ]
    assert pg[2].hash_modulus == 2  # 50,000 seen: keep about 20,000
    wide = plan_columns(PG, metas, sketches, **kwargs, row_estimate=10_000_000)  # type: ignore[arg-type]
    assert wide[2].hash_modulus == 256  # all singletons: ~10 M distinct expected
    duck = plan_columns(DUCK, metas, sketches, **kwargs)  # type: ignore[arg-type]
    assert duck[2].distinct is DistinctMethod.NATIVE_APPROX
    capped = plan_columns(SQLITE, metas, sketches, **{**kwargs, "exact_distinct_cap": 0})  # type: ignore[arg-type]
    assert [s.distinct for s in capped][1:3] == [DistinctMethod.NONE, DistinctMethod.NONE]


def test_hash_sampled_and_native_distincts_state_their_error() -> None:
    meta = ColumnMeta("k", 1, "integer", TypeFamily.INTEGER)
    facts = PassFacts(1_000_000, 100_000, False, NOW)
    spec = ColumnSpec("k", TypeFamily.INTEGER, "integer", DistinctMethod.HASH_SAMPLED, 64)
    column = _build(meta, spec, {"non_null": 1_000_000, "distinct": 15_600}, None, facts)
    assert column.distinct_count == 998_400 and not column.distinct_exact
    assert column.distinct_error == 2 * math.sqrt(63 / (64 * 15_600))
    assert column.distinct_method == "hash_sampled_1_in_64"
    assert column.duplicate_count == 1_600 and not column.unique_exact
    assert 996_800 <= (column.unique_count or 0) <= 998_400
    native = ColumnSpec("k", TypeFamily.INTEGER, "integer", DistinctMethod.NATIVE_APPROX)
    column = _build(meta, native, {"non_null": 10, "distinct": 12}, None, facts)
    assert column.distinct_count == 10 and column.distinct_error == 0.05


def test_extrapolated_distinct_from_a_sample() -> None:
    meta = ColumnMeta("s", 1, "text", TypeFamily.STRING)
    sketch = _sketch(ValueKind.STRING, TypeFamily.STRING, [f"v{i}" for i in range(1_000)])
    facts = PassFacts(10_000, 1_000, False, NOW)
    spec = ColumnSpec("s", TypeFamily.STRING, "text")
    column = _build(meta, spec, {"non_null": 10_000}, sketch, facts)
    assert column.distinct_method == "sample_chao_lin" and not column.distinct_exact
    assert column.distinct_count == 10_000  # no value seen twice: a unique column
    low, high = (column.bounds or {})["distinct_count"]
    assert 1_000 <= low <= 10_000 == high and column.distinct_error is not None
    # every value seen once: the sample cannot tell which values are frequent
    assert column.top_values == [] and column.top_values_status == "no_frequent_values"
    assert not column.top_values_exact and not column.patterns_exact


def test_a_sampled_aggregate_makes_nothing_exact() -> None:
    """Item 1 of issue 9: an exact COUNT(DISTINCT) over a 2% sample is not the table's."""
    meta = ColumnMeta("k", 1, "integer", TypeFamily.INTEGER)
    table = [i % 8_000 for i in range(200_000)]
    values = random.Random(1).sample(table, 4_000)  # a 2% sample
    seen = len(set(values))
    sketch = _sketch(ValueKind.NUMERIC, TypeFamily.INTEGER, values)
    facts = PassFacts(4_000, 4_000, False, NOW, population=200_000, population_high=206_000)
    spec = ColumnSpec("k", TypeFamily.INTEGER, "integer", DistinctMethod.EXACT)
    metrics = {"non_null": 4_000, "distinct": seen, "min": 0, "max": 7_999, "sum": sum(values)}
    column = _build(meta, spec, {**metrics, "zero": 1, "negative": 0}, sketch, facts)
    assert column.row_count == 200_000 and column.null_count == 0 and not column.counts_exact
    assert not column.distinct_exact and column.distinct_method == "sample_chao_lin"
    low, high = (column.bounds or {})["distinct_count"]
    assert seen <= low <= 8_000 <= high  # the values the sample saw are certain
    assert abs((column.distinct_count or 0) - 8_000) < 800
    assert column.zero_count == 50 and "zero_count" in (column.bounds or {})
    assert not column.quantiles_exact and column.quantiles_rank_error
    assert column.quantiles_bounds is not None and not column.unique_exact
    assert column.sum == sum(values) * 50 and not column.extremes_exact


def test_skipped_columns_and_stable_keys() -> None:
    facts = PassFacts(3, 3, True, NOW)
    meta = ColumnMeta("d", 1, "interval", TypeFamily.INTERVAL)
    doc = _build(meta, None, {"non_null": 2}, None, facts)
    assert not doc.profiled and "intervals" in (doc.skipped_reason or "")
    assert doc.null_count == 1 and doc.profile_status == "skipped"
    ts_meta = ColumnMeta("t", 2, "timestamp", TypeFamily.TIMESTAMP)
    ts_spec = ColumnSpec("t", TypeFamily.TIMESTAMP, "timestamp")
    sketch = _sketch(ValueKind.TEMPORAL, TypeFamily.TIMESTAMP, ["2024-12-31 00:00:00"] * 3)
    metrics = {
        "non_null": 3,
        "min": "2024-12-31 00:00:00",
        "max": "2024-12-31 00:00:00",
        "future": 0,
    }
    stamp = _build(ts_meta, ts_spec, metrics, sketch, facts)
    assert stamp.freshness_seconds is not None and stamp.freshness_seconds > 0
    table = build_table(
        database="db",
        schema="s",
        table="t",
        columns=[doc, stamp],
        row_count=3,
        row_count_exact=True,
        row_count_source="count",
        size_bytes=None,
        sample=(False, "none", None),
        facts=facts,
        duplicate_rows=(0, True),
    )
    data = table.to_dict()
    json.dumps(data)
    assert data["freshness_column"] == "t" and data["column_count"] == 2
    assert set(data["columns"][0]) == set(data["columns"][1])


def test_a_non_uniform_sample_states_no_bound() -> None:
    """Item 2 of issue 9: the first rows of a scan (the generic dialect) carry no error bound."""
    meta = ColumnMeta("x", 1, "integer", TypeFamily.INTEGER)
    values = list(range(1, 2_001))  # the first 2,000 of 20,000 rows, in physical order
    sketch = _sketch(ValueKind.NUMERIC, TypeFamily.INTEGER, values)
    facts = PassFacts(20_000, 2_000, False, NOW, stream_uniform=False)
    spec = ColumnSpec("x", TypeFamily.INTEGER, "integer")
    metrics = {"non_null": 20_000, "min": 1, "max": 20_000, "sum": 200_010_000}
    column = _build(meta, spec, {**metrics, "zero": 0, "negative": 0}, sketch, facts)
    assert column.quantiles is not None and not column.quantiles_exact
    assert column.quantiles_rank_error is None and column.quantiles_bounds is None
    assert column.distinct_error is None and "distinct_count" not in (column.bounds or {})
    assert column.top_values_status == "sample_not_uniform"
    assert all(t["error"] is None for t in column.top_values)
    assert column.counts_exact and column.null_count == 0  # the aggregate read every row
