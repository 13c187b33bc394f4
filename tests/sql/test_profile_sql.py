"""Golden SQL of the profiling statements, one file per dialect (``tests/sql/golden``).

Set ``DATAREADY_UPDATE_GOLDEN=1`` to rewrite the files after an intended change, then read
the diff. Other tests run the same statements on the real engines (tests/workflows).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataready.sql.profile import (
    ColumnSpec,
    DistinctMethod,
    ProfileDialect,
    SampleMethod,
    SampleSpec,
    aggregate_statement,
    hash_modulus_for,
    plan_sample,
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
        "stream, 1000 of ~100000 rows": stream_statement(
            d, table, ["id", 'we"ird name'], plan_sample(d, rows=1000, row_estimate=100_000)
        ),
        "stream, no estimate": stream_statement(d, table, ["id"], plan_sample(d, rows=1000)),
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
    assert plan_sample(pg, rows=100, row_estimate=50) == SampleSpec(rows=100)
    spec = plan_sample(pg, rows=100, row_estimate=10_000)
    assert spec.method is SampleMethod.TABLESAMPLE_BERNOULLI and spec.percent == pytest.approx(1.1)
    assert plan_sample(pg, percent=5, system=True).method is SampleMethod.TABLESAMPLE_SYSTEM
    assert plan_sample(duck, rows=100).method is SampleMethod.DUCKDB_RESERVOIR
    assert plan_sample(duck, percent=5).method is SampleMethod.DUCKDB_BERNOULLI
    assert plan_sample(sqlite, percent=5).method is SampleMethod.RANDOM_FILTER
    assert plan_sample(sqlite, rows=10).method is SampleMethod.LIMIT  # no estimate: first rows
    assert plan_sample(ansi, percent=5, rows=10).method is SampleMethod.LIMIT
    assert plan_sample(pg).sampled is False
    with pytest.raises(ValueError):
        plan_sample(pg, percent=0)


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
