"""Sampled profiles on SQLite, DuckDB, PostgreSQL and MariaDB: right about themselves.

Tables larger than the sketch sample (2,000 rows sketched of 20,000) with a skewed physical
order (``x`` sorted; ``s`` = 'a' for the first 60% of rows, then 'b'), so a sample that is the
first rows of a scan shows up at once. Every expected figure is computed here over the rows
that were inserted. The 95% intervals of counts are checked with a margin of 1.5 times their
half-width (so that a test run fails by chance about once in a thousand, not once in twenty);
their exact 95% coverage is measured on thousands of seeded samples in
``tests/analysis/profiling/test_estimates.py``. Quantile rank errors are checked as stated.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.workflows.profile_sources import ENGINES, Source, make_source

from dataready.analysis.profiling import ColumnProfile, TableProfile
from dataready.connectors import connect
from dataready.settings import SourceSettings
from dataready.workflows.profiler import ProfileOptions, profile_table

N = 20_000
SKETCH = 2_000
MARGIN = 1.5
COLUMNS = ["x", "s", "k", "u", "n"]


def _rows() -> list[list[Any]]:
    return [
        [
            i + 1,  # sorted by x in physical order
            "a" if i < 0.6 * N else "b",
            i % 4_000,  # 4,000 values, each 5 times
            (i * 7_919) % N,  # unique
            None if i % 10 == 0 else i % 7,  # 10% nulls
        ]
        for i in range(N)
    ]


ROWS = _rows()
TRUTH = {
    name: Counter(row[index] for row in ROWS if row[index] is not None)
    for index, name in enumerate(COLUMNS)
}


@pytest.fixture(params=ENGINES)
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Source]:
    for src in make_source(request.param, tmp_path):
        ddl = "x INTEGER, s VARCHAR(4), k INTEGER, u INTEGER, n INTEGER"
        src.write(f"CREATE TABLE {src.q('skew')} ({ddl})")
        src.insert("skew", COLUMNS, ROWS)
        if src.engine == "postgres":
            src.write("ANALYZE")
        yield src


def _profile(source: Source, **options: Any) -> TableProfile:
    with connect(source.config, SourceSettings(statement_timeout_seconds=60)) as conn:
        return profile_table(
            conn, source.database, source.schema, "skew", options=ProfileOptions(**options)
        )


def _inside(truth: float, estimate: float, bounds: list[Any] | None, what: str) -> None:
    assert bounds is not None, f"{what}: an estimate without its interval"
    low, high = bounds
    assert low <= estimate <= high, (what, estimate, bounds)
    slack_low, slack_high = (estimate - low) * MARGIN, (high - estimate) * MARGIN
    assert estimate - slack_low <= truth <= estimate + slack_high, (what, truth, estimate, bounds)


def _check_quantiles(column: ColumnProfile) -> list[float]:
    """x is 1..N: the true rank of a value v is v / N. Returns the rank errors."""
    assert column.quantiles is not None and column.quantiles_rank_error is not None
    errors = []
    for label, value in column.quantiles.items():
        level = int(label[1:]) / 100
        assert value is not None
        rank = bisect.bisect_right(range(1, N + 1), value) / N
        errors.append(abs(rank - level))
        assert abs(rank - level) <= column.quantiles_rank_error, (label, value, column)
        low, high = (column.quantiles_bounds or {})[label]
        assert low <= level * N <= high + 1, (label, low, high)
    return errors


def _check_top(column: ColumnProfile, truth: Counter[Any]) -> None:
    assert column.top_values_status == "estimated", column.top_values_status
    assert [t["value"] for t in column.top_values] == [v for v, _ in truth.most_common(2)]
    for item in column.top_values:
        half = item["error"] * MARGIN
        assert abs(item["count"] - truth[item["value"]]) <= half, (item, truth)


def test_sketch_sample_is_uniform_whatever_the_physical_order(source: Source) -> None:
    """Item 2: the aggregate reads every row, the sketches a uniform sample of 2,000."""
    profile = _profile(source, sketch_rows=SKETCH)
    assert profile.row_count == N and profile.row_count_exact and profile.counts_exact
    assert profile.sample_uniform and profile.rows_sketched == SKETCH
    x = profile.column("x")
    assert not x.quantiles_exact and x.distinct_exact and x.distinct_count == N
    _check_quantiles(x)
    s = profile.column("s")
    assert s.distinct_count == 2
    if not s.distinct_exact:  # the sample saw each value many times: no SQL count needed
        assert s.distinct_method == "sample_chao_lin" and s.bounds["distinct_count"][0] == 2  # type: ignore[index]
    _check_top(s, TRUTH["s"])
    k = profile.column("k")  # each value 5 times: a sample of 10% cannot rank them
    assert k.top_values == [] and k.top_values_status == "no_frequent_values"
    u = profile.column("u")
    assert u.top_values == [] and u.top_values_status == "no_frequent_values"
    n = profile.column("n")
    assert n.null_count == N // 10 and n.counts_exact and "null_count" not in (n.bounds or {})
    assert not profile.duplicate_rows_exact
    _inside(0, profile.duplicate_rows or 0, profile.duplicate_rows_bounds, "duplicate rows")
    json.dumps(profile.to_dict())


def test_sample_estimates_hold_without_sql_distinct_counts(source: Source) -> None:
    """Item 1: distinct counts from the sketch sample (no SQL count) are estimates in bounds."""
    profile = _profile(source, sketch_rows=SKETCH, exact_distinct_cap=0)
    for name in ("k", "u"):
        column = profile.column(name)
        assert not column.distinct_exact, (name, column.distinct_method)
        truth = len(TRUTH[name])
        bounds = (column.bounds or {}).get("distinct_count")
        _inside(truth, column.distinct_count or 0, bounds, f"{name} distinct")
        if column.distinct_method == "sample_chao_lin":
            _inside(N - truth, column.duplicate_count or 0, column.bounds["duplicate_count"], name)  # type: ignore[index]


@pytest.mark.parametrize("options", [{"sample_percent": 25}, {"sample_rows": 3_000}])
def test_a_sampled_profile_calls_nothing_exact(source: Source, options: dict[str, Any]) -> None:
    """Item 1: with sample_percent / sample_rows every count is for the table, with bounds."""
    profile = _profile(source, sketch_rows=SKETCH, **options)
    assert profile.sampled and profile.sample_uniform and not profile.counts_exact
    if profile.row_count_exact:  # SQLite counts its rows first
        assert profile.row_count == N and profile.row_count_source == "count"
    elif profile.row_count_source == "extrapolated":
        _inside(N, profile.row_count, profile.row_count_bounds, "row count")
    else:  # a fixed-size sample scaled by the catalogue's estimate
        assert profile.row_count_source == "catalogue"
    rows = profile.row_count
    # Counts are for a table of ``rows`` rows: a catalogue's estimate scales them by its own
    # error; an extrapolated row count and the counts extrapolated with it are unbiased.
    scale = rows / N if profile.row_count_source == "catalogue" else 1.0
    for column in profile.columns:
        assert column.row_count == rows and not column.counts_exact
        assert not column.distinct_exact and column.distinct_method == "sample_chao_lin"
        assert not column.unique_exact and not column.top_values_exact
        assert not column.extremes_exact
        truth = len(TRUTH[column.name])
        if profile.row_count_source == "catalogue":  # the catalogue's rows, taken as known
            truth = min(truth, rows - column.null_count)
        _inside(truth, column.distinct_count or 0, column.bounds["distinct_count"], column.name)  # type: ignore[index]
        if profile.row_count_source == "extrapolated":
            # non-null minus distinct: the interval carries both ends' uncertainty
            duplicates = sum(TRUTH[column.name].values()) - truth
            stated = (column.bounds or {}).get("duplicate_count")
            _inside(duplicates, column.duplicate_count or 0, stated, f"{column.name} duplicates")
    n = profile.column("n")
    _inside(N // 10 * scale, n.null_count, (n.bounds or {}).get("null_count"), "nulls")
    x = profile.column("x")
    assert not x.quantiles_exact and not (x.histogram or {}).get("exact", True)
    assert x.sum is not None
    _inside(N * (N + 1) / 2 * scale, x.sum, (x.bounds or {}).get("sum"), "sum of x")
    _check_quantiles(x)
    # top counts are shares of the stated non-null count
    _check_top(profile.column("s"), Counter({k: v * rows / N for k, v in TRUTH["s"].items()}))


def test_quantiles_from_the_engine_over_a_sample_are_not_exact(source: Source) -> None:
    if source.engine not in ("postgres", "duckdb"):
        pytest.skip("only PostgreSQL and DuckDB compute quantiles in SQL")
    profile = _profile(source, sketch_rows=SKETCH, sample_percent=25, exact_quantiles=True)
    x = profile.column("x")
    assert not x.quantiles_exact and x.quantiles_rank_error is not None
    _check_quantiles_native(x)


def _check_quantiles_native(column: ColumnProfile) -> None:
    assert column.quantiles is not None and column.quantiles_rank_error is not None
    for label, value in column.quantiles.items():
        assert value is not None
        rank = bisect.bisect_right(range(1, N + 1), value) / N
        assert abs(rank - int(label[1:]) / 100) <= column.quantiles_rank_error, label


def test_duplicate_rows_use_collision_safe_keys(source: Source) -> None:
    """Item 3: hash(-1) == hash(-2) made rows (-1), (-2), (5) count one duplicate."""
    source.write(f"CREATE TABLE {source.q('neg')} (v INTEGER)")
    source.insert("neg", ["v"], [[-1], [-2], [5]])
    with connect(source.config) as conn:
        profile = profile_table(conn, source.database, source.schema, "neg")
    assert profile.duplicate_rows == 0 and profile.duplicate_rows_exact


# Item 6: what each profile read, and how many full passes over the table it made. The
# separate sketch read of each engine: PostgreSQL none (the aggregate carries the sample),
# DuckDB a reservoir, MariaDB a random filter (both read every row), SQLite a share sized from
# its COUNT(*) (two passes: the count, then the filter).
SKETCH_READ = {
    "postgres": None,
    "duckdb": ("using_sample_reservoir", 1),
    "mysql": ("random_filter", 1),
    "sqlite": ("random_filter", 2),
}


def test_every_profile_says_what_it_read_and_how_many_full_passes(source: Source) -> None:
    profile = _profile(source, sketch_rows=SKETCH)
    reads = {r["read"]: r for r in profile.reads}
    assert reads["aggregate"]["method"] == "none" and reads["aggregate"]["full_passes"] == 1
    assert reads["aggregate"]["rows"] == N and reads["sketches"]["rows"] == SKETCH
    assert reads["sketches"]["uniform"]
    separate = SKETCH_READ[source.engine]
    if separate is None:  # one pass: a page sample plans, the aggregate carries the sample
        assert [r["read"] for r in profile.reads] == ["plan", "aggregate", "sketches"]
        plan = reads["plan"]
        assert plan["method"] == "tablesample_system" and plan["full_passes"] == 0
        assert not plan["uniform"] and 0 < plan["percent"] < 100
        assert reads["sketches"]["method"] == "in_aggregate_bernoulli"
        assert reads["sketches"]["full_passes"] == 0
        assert profile.sample_method == "sketches:in_aggregate_bernoulli"
        assert profile.full_passes == 1
    else:
        method, passes = separate
        assert [r["read"] for r in profile.reads] == ["sketches", "aggregate"]
        assert reads["sketches"]["method"] == method
        assert reads["sketches"]["full_passes"] == passes
        assert profile.full_passes == passes + 1
    assert profile.to_dict()["full_passes"] == profile.full_passes


def test_a_one_pass_profile_of_a_skewed_table_has_the_two_pass_figures(source: Source) -> None:
    """The exact figures of one pass are those of two; the sample's stay within their bounds."""
    if source.engine != "postgres":
        pytest.skip("only PostgreSQL carries the sample in the aggregate")
    profile = _profile(source, sketch_rows=SKETCH, exact_distinct_cap=8)
    assert profile.full_passes == 1 and profile.sample_uniform
    for name in COLUMNS:
        column = profile.column(name)
        truth = TRUTH[name]
        assert column.counts_exact and column.extremes_exact
        assert column.null_count == N - sum(truth.values())
        if name != "s":
            assert column.min == min(truth) and column.max == max(truth)
        if column.distinct_exact:
            assert column.distinct_count == len(truth), name
        else:
            _inside(len(truth), column.distinct_count or 0, column.bounds["distinct_count"], name)  # type: ignore[index]
    _check_quantiles(profile.column("x"))
    _check_top(profile.column("s"), TRUTH["s"])


def test_a_type_the_aggregate_cannot_carry_keeps_the_separate_read(source: Source) -> None:
    """``time with time zone`` arrays are not in the carried types: two passes, same figures."""
    if source.engine != "postgres":
        pytest.skip("PostgreSQL types")
    source.write(f"CREATE TABLE {source.q('tz')} (x INTEGER, t TIME WITH TIME ZONE)")
    source.write(
        f"INSERT INTO {source.q('tz')} SELECT g, TIME WITH TIME ZONE '10:00+02' "
        "FROM generate_series(1, 5000) g"
    )
    source.write("ANALYZE")
    with connect(source.config) as conn:
        profile = profile_table(
            conn, source.database, source.schema, "tz", options=ProfileOptions(sketch_rows=500)
        )
    assert profile.full_passes == 2
    assert [r["read"] for r in profile.reads] == ["sketches", "aggregate"]
    assert profile.reads[0]["method"] == "tablesample_bernoulli" and profile.rows_sketched == 500
    assert profile.column("x").distinct_count == 5000 and profile.column("x").distinct_exact


def test_a_page_sample_reads_part_of_the_table_and_states_no_bound(source: Source) -> None:
    """``sample_system``: whole pages, clustered by physical order — no bound is claimed."""
    if source.engine != "postgres":
        pytest.skip("only PostgreSQL samples pages")
    profile = _profile(source, sketch_rows=SKETCH, sample_percent=25, sample_system=True)
    assert profile.sampled and profile.sample_method == "tablesample_system"
    assert not profile.sample_uniform and profile.full_passes == 0
    assert all(not r["uniform"] and r["full_passes"] == 0 for r in profile.reads)
    assert profile.row_count_bounds is None
    for column in profile.columns:
        assert not column.counts_exact and not column.distinct_exact
        assert not (column.bounds or {}), (column.name, column.bounds)
    assert profile.column("s").top_values_status == "sample_not_uniform"
    x = profile.column("x")
    assert not x.quantiles_exact and x.quantiles_bounds is None


def test_one_pass_false_keeps_the_separate_uniform_read(source: Source) -> None:
    if source.engine != "postgres":
        pytest.skip("only PostgreSQL carries the sample in the aggregate")
    profile = _profile(source, sketch_rows=SKETCH, one_pass=False)
    assert [r["read"] for r in profile.reads] == ["sketches", "aggregate"]
    assert profile.reads[0]["method"] == "tablesample_bernoulli" and profile.full_passes == 2
    assert profile.sample_uniform and profile.rows_sketched == SKETCH
    _check_quantiles(profile.column("x"))
