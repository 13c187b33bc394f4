"""Golden SQL of the profiling statements, one file per dialect (``tests/sql/golden``).

Set ``DATAREADY_UPDATE_GOLDEN=1`` to rewrite the files after an intended change, then read
the diff. Other tests run the same statements on the real engines (tests/workflows).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataready.sql.keys import uniqueness_statement
from dataready.sql.profile import (
    ColumnSpec,
    DistinctMethod,
    ProfileDialect,
    SampleMethod,
    SampleSpec,
    aggregate_statement,
    hash_modulus_for,
    plan_sample,
    plan_stream,
    stream_statement,
)
from dataready.sql.types import TypeFamily

GOLDEN = Path(__file__).parent / "golden"

DIALECTS = {
    "postgresql": ProfileDialect("postgresql", True, None, True),
    "duckdb": ProfileDialect("duckdb", True, "approx_count_distinct", True),
    "mysql": ProfileDialect("mysql"),
    "sqlite": ProfileDialect("sqlite"),
    "ansi": ProfileDialect("ansi"),
}
TYPES = {
    "postgresql": (
        "integer",
        "double precision",
        "character varying(20)",
        "timestamp with time zone",
    ),
    "duckdb": ("INTEGER", "DOUBLE", "VARCHAR", "TIMESTAMP WITH TIME ZONE"),
    "mysql": ("int(11)", "double", "varchar(20)", "datetime"),
    "sqlite": ("INTEGER", "REAL", "TEXT", "TIMESTAMP"),
    "ansi": ("INTEGER", "DOUBLE", "VARCHAR(20)", "TIMESTAMP"),
}


def _specs(dialect: str) -> list[ColumnSpec]:
    integer, double, text, stamp = TYPES[dialect]
    approx = DistinctMethod.NATIVE_APPROX if dialect == "duckdb" else DistinctMethod.HASH_SAMPLED
    return [
        ColumnSpec("id", TypeFamily.INTEGER, integer, DistinctMethod.EXACT, quantiles=True),
        ColumnSpec("sco`re", TypeFamily.FLOAT, double, approx, hash_modulus=8),
        ColumnSpec('we"ird name', TypeFamily.STRING, text, DistinctMethod.EXACT),
        ColumnSpec("created", TypeFamily.TIMESTAMP, stamp),
        ColumnSpec("born", TypeFamily.DATE, "DATE"),
        ColumnSpec("flag", TypeFamily.BOOLEAN, "BOOLEAN"),
        ColumnSpec("doc", TypeFamily.JSON, "JSON"),
    ]


def _compile(dialect: str) -> str:
    d = DIALECTS[dialect]
    table = f"{d.quote('sch')}.{d.quote('tab; DROP')}"
    sample = plan_sample(d, percent=12.5)
    statements = {
        "aggregate, whole table": aggregate_statement(d, table, _specs(dialect)).sql,
        "aggregate, 12.5 percent sample": aggregate_statement(
            d, table, _specs(dialect)[:1], sample
        ).sql,
        "aggregate, 1000 rows of a table without an estimate": aggregate_statement(
            d, table, _specs(dialect)[:1], plan_sample(d, rows=1000), count_table=True
        ).sql,
        "stream, 1000 of ~100000 rows": stream_statement(
            d,
            table,
            ["id", 'we"ird name'],
            plan_stream(d, capacity=1000, row_estimate=100_000),
        ),
        "stream, no estimate": stream_statement(
            d, table, ["id"], plan_stream(d, capacity=1000, row_estimate=None)
        ),
    }
    return "\n".join(f"-- {title}\n{sql};\n" for title, sql in statements.items())


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_golden_sql(dialect: str) -> None:
    path = GOLDEN / f"profile_{dialect}.sql"
    compiled = _compile(dialect)
    if os.environ.get("DATAREADY_UPDATE_GOLDEN") == "1":
        path.write_text(compiled)
    assert compiled == path.read_text()


def test_one_statement_whatever_the_width() -> None:
    d = DIALECTS["postgresql"]
    specs = [ColumnSpec(f"c{i}", TypeFamily.INTEGER, "integer") for i in range(200)]
    statement = aggregate_statement(d, '"t"', specs)
    assert statement.sql.count("SELECT") == 2  # the aggregates over one per-row subquery
    assert len(statement.outputs) == 1 + 200 * 7
    table, columns = statement.read(list(range(len(statement.outputs))), 200)
    assert table == {"rows": 0} and columns[199]["non_null"] == statement.outputs.index(
        (199, "non_null")
    )


def test_sample_plans() -> None:
    pg, duck, sqlite, ansi = (DIALECTS[n] for n in ("postgresql", "duckdb", "sqlite", "ansi"))
    # the table is smaller than the cap: read it, capped at random should the estimate be stale
    assert plan_sample(pg, rows=100, row_estimate=50) == SampleSpec(
        SampleMethod.RANDOM_ORDER, None, 100, shuffled=True
    )
    spec = plan_sample(pg, rows=100, row_estimate=10_000)
    assert spec.method is SampleMethod.TABLESAMPLE_BERNOULLI and spec.percent == pytest.approx(1.1)
    assert spec.rows == 100 and spec.shuffled and spec.uniform(100)
    system = plan_sample(pg, percent=5, system=True)
    assert system.method is SampleMethod.TABLESAMPLE_SYSTEM and not system.uniform(10)
    assert plan_sample(duck, rows=100).method is SampleMethod.DUCKDB_RESERVOIR
    assert plan_sample(duck, percent=5).method is SampleMethod.DUCKDB_BERNOULLI
    assert plan_sample(sqlite, percent=5).method is SampleMethod.RANDOM_FILTER
    # no estimate: SQLite sizes its share from a COUNT(*) in the statement; others sort
    assert plan_sample(sqlite, rows=10) == SampleSpec(
        SampleMethod.RANDOM_FILTER, None, 10, shuffled=True, sized=True
    )
    assert plan_sample(pg, rows=10).method is SampleMethod.RANDOM_ORDER
    first = plan_sample(ansi, percent=5, rows=10)  # no random function at all
    assert first.method is SampleMethod.LIMIT and not first.uniform(10) and first.uniform(9)
    assert plan_sample(pg).sampled is False
    with pytest.raises(ValueError):
        plan_sample(pg, percent=0)


def test_stream_plans_are_uniform_wherever_the_engine_can_draw() -> None:
    """Item 2 of issue 9: the sketch sample is never the first rows on a known engine."""
    for name, dialect in DIALECTS.items():
        for estimate in (None, 500, 1_000_000):
            for percent in (None, 2.0, 50.0):
                spec = plan_stream(dialect, capacity=1_000, row_estimate=estimate, percent=percent)
                sql = stream_statement(dialect, '"t"', ["a"], spec)
                assert spec.uniform(1_000) is (name != "ansi"), (name, estimate, percent, sql)
                if name not in ("ansi", "duckdb"):
                    assert "ORDER BY RAND" in sql, sql  # the cap keeps a random subset
                reservoir = name == "duckdb" and percent is None  # n rows by reservoir
                if estimate == 1_000_000 and name != "ansi" and not reservoir:  # a share sized
                    share = 100 * 1.1 * 1_000 / 1_000_000
                    assert spec.percent == pytest.approx(min(share, percent or 100.0)), spec
    duck = plan_stream(DIALECTS["duckdb"], capacity=1_000, row_estimate=10**6)
    assert duck == SampleSpec(SampleMethod.DUCKDB_RESERVOIR, None, 1_000)


def test_uniqueness_statement() -> None:
    statement = uniqueness_statement("postgresql", '"s"."t"', ["id", 'we"ird'])
    assert statement.sql == (
        'SELECT COUNT(*), COUNT("id"), COUNT(DISTINCT "id"), COUNT("we""ird"), '
        'COUNT(DISTINCT "we""ird") FROM "s"."t"'
    )
    counts = statement.read([10, 10, 10, 9, 9])
    assert counts["id"].unique and not counts['we"ird'].unique
    assert not uniqueness_statement("mysql", "`t`", ["a"]).read([0, 0, 0])["a"].unique
    with pytest.raises(ValueError):
        uniqueness_statement("sqlite", '"t"', [])


def test_hash_modulus() -> None:
    assert hash_modulus_for(5_000) == 1
    assert hash_modulus_for(100_000) == 8
    assert hash_modulus_for(10**9) == 4096
    with pytest.raises(ValueError):
        aggregate_statement(
            DIALECTS["postgresql"],
            '"t"',
            [ColumnSpec("a", TypeFamily.INTEGER, "integer", DistinctMethod.HASH_SAMPLED, 3)],
        )


def test_views_are_not_table_sampled_on_postgres() -> None:
    pg, duck = DIALECTS["postgresql"], DIALECTS["duckdb"]
    assert plan_sample(pg, percent=10, view=True).method is SampleMethod.RANDOM_FILTER
    assert plan_sample(duck, percent=10, view=True).method is SampleMethod.DUCKDB_BERNOULLI


def test_hash_sampled_text_counts_hashes_where_the_engine_has_a_64_bit_one() -> None:
    spec = ColumnSpec("mail", TypeFamily.STRING, "text", DistinctMethod.HASH_SAMPLED, 4)
    pg = aggregate_statement(DIALECTS["postgresql"], '"t"', [spec]).sql
    assert 'HASHTEXTEXTENDED("mail" COLLATE "C", 0) AS "h0"' in pg
    assert 'COUNT(DISTINCT CASE WHEN ("h0" & 3) = 0 THEN "h0" END)' in pg
    mysql = aggregate_statement(DIALECTS["mysql"], "`t`", [spec]).sql
    assert "THEN CAST(`v0` AS BINARY) END" in mysql  # no 64-bit hash: the values are counted


def test_arrays_ranges_and_types_without_equality() -> None:
    pg = ProfileDialect("postgresql")
    specs = [
        ColumnSpec("a", TypeFamily.ARRAY, "integer[]"),
        ColumnSpec("r", TypeFamily.RANGE, "int4range", DistinctMethod.EXACT),
        ColumnSpec("p", TypeFamily.STRING, "point", DistinctMethod.EXACT),
        ColumnSpec("j", TypeFamily.JSON, "json"),
    ]
    statement = aggregate_statement(pg, '"s"."t"', specs)
    sql = statement.sql
    assert 'CARDINALITY("a") AS "l0"' in sql and 'COUNT(*) FILTER (WHERE "l0" = 0)' in sql
    assert 'LOWER("r") AS "lo1"' in sql and 'COUNT(*) FILTER (WHERE "e1")' in sql
    assert 'COUNT(DISTINCT CAST("v2" AS TEXT))' in sql  # point has no equality operator
    metrics = [m for i, m in statement.outputs if i == 3]
    assert metrics == ["non_null"]  # a document's figures come from the sketch pass
    duck = aggregate_statement(ProfileDialect("duckdb"), '"t"', specs[:1]).sql
    assert 'LEN("a")' in duck
    sqlite = aggregate_statement(ProfileDialect("sqlite"), '"t"', specs[:1])
    assert [m for _, m in sqlite.outputs] == ["rows", "non_null"]  # no arrays: only nulls
