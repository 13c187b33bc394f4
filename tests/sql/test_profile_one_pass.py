"""The one-pass plan (issue 9, item 6): a page sample plans, the aggregate carries the sample.

Pure SQL text; the statements run on the real engines in tests/workflows/test_profiler_sampling.py.
"""

from __future__ import annotations

import pytest

from dataready.sql.profile import (
    ColumnSpec,
    ProfileDialect,
    SampleMethod,
    SampleSpec,
    aggregate_statement,
    carry_percent,
    plan_one_pass,
)
from dataready.sql.types import TypeFamily

PG = ProfileDialect("postgresql", True, None, True)


def test_postgresql_plans_one_pass_with_a_page_sample_sized_for_the_sketches() -> None:
    plan = plan_one_pass(PG, capacity=50_000, row_estimate=10_000_000)
    assert plan is not None and plan.method is SampleMethod.TABLESAMPLE_SYSTEM
    # 20,000 planning rows (PLAN_ROWS) with 10% headroom, stopped at four times that
    assert plan.percent == pytest.approx(0.22) and plan.rows == 80_000 and not plan.shuffled
    assert not plan.uniform(50_000) and plan.full_passes(50_000) == 0


@pytest.mark.parametrize(
    ("dialect", "estimate", "view"),
    [
        (PG, 10_000, False),  # no larger than the sketches: the stream reads every row
        (PG, None, False),  # no estimate to size the shares by
        (PG, 10_000_000, True),  # PostgreSQL samples no view
        (ProfileDialect("mysql"), 10_000_000, False),  # no typed array aggregate
        (ProfileDialect("sqlite"), 10_000_000, False),
        (ProfileDialect("duckdb", True, "approx_count_distinct", True), 10_000_000, False),
    ],
)
def test_elsewhere_the_sketches_keep_their_own_read(
    dialect: ProfileDialect, estimate: int | None, view: bool
) -> None:
    assert plan_one_pass(dialect, capacity=50_000, row_estimate=estimate, view=view) is None


def test_the_carried_share_follows_the_estimate_unless_the_pages_show_it_stale() -> None:
    plan = SampleSpec(SampleMethod.TABLESAMPLE_SYSTEM, 1.0, 4_000)
    # 1% of the pages gave 1,000 rows: about 100,000 rows, as the catalogue says.
    assert carry_percent(1_000, 100_000, plan, 1_000) == pytest.approx(1.1)
    # ... gave 10,000 rows: the table grew tenfold since it was analysed.
    assert carry_percent(1_000, 100_000, plan, 10_000) == pytest.approx(0.11)
    assert carry_percent(1_000, 500, plan, 5) == 100.0


def test_the_aggregate_carries_aligned_arrays_of_the_profiled_columns_only() -> None:
    specs = [
        ColumnSpec("a", TypeFamily.INTEGER, "integer"),
        ColumnSpec("j", TypeFamily.BINARY, "bytea"),  # binary: not profiled, not carried
        ColumnSpec("s", TypeFamily.STRING, "text"),
    ]
    statement = aggregate_statement(PG, '"t"', specs, carry_percent=0.5)
    assert 'CASE WHEN RANDOM() < 0.005 THEN 1 ELSE 0 END AS "keep"' in statement.sql
    assert 'ARRAY_AGG("v0") FILTER (WHERE "keep" = 1)' in statement.sql
    assert 'ARRAY_AGG("v2") FILTER (WHERE "keep" = 1)' in statement.sql
    assert 'v1") FILTER' not in statement.sql
    assert [o for o in statement.outputs if o[1] == "sample"] == [(0, "sample"), (2, "sample")]
    with pytest.raises(ValueError, match="cannot carry"):
        aggregate_statement(ProfileDialect("mysql"), "`t`", specs, carry_percent=0.5)


@pytest.mark.parametrize(
    ("spec", "rows_read", "passes"),
    [
        (SampleSpec(), 10, 1),
        (SampleSpec(SampleMethod.TABLESAMPLE_BERNOULLI, 1.0), 10, 1),  # scans every page
        (SampleSpec(SampleMethod.TABLESAMPLE_SYSTEM, 1.0), 10, 0),
        (SampleSpec(SampleMethod.RANDOM_ORDER, None, 10, shuffled=True), 10, 1),
        (SampleSpec(SampleMethod.LIMIT, None, 10), 10, 0),  # stopped at the cap
        (SampleSpec(SampleMethod.LIMIT, None, 10), 7, 1),  # the cap did not bind
        (SampleSpec(SampleMethod.RANDOM_FILTER, None, 10, shuffled=True, sized=True), 10, 2),
        (SampleSpec(SampleMethod.IN_AGGREGATE, 1.0, 10, shuffled=True), 10, 0),
    ],
)
def test_full_passes_of_each_read(spec: SampleSpec, rows_read: int, passes: int) -> None:
    assert spec.full_passes(rows_read) == passes
