"""Sampling clauses for profiling: which rows the statements read.

``TABLESAMPLE BERNOULLI/SYSTEM (p)`` on PostgreSQL (tables only), ``USING SAMPLE`` on DuckDB,
else the documented fallback: a random filter ``WHERE random() < p`` when the fraction is
known, or the first ``n`` rows of a plain scan (``LIMIT n``) when it is not.
``ORDER BY random() LIMIT n`` is never used: it sorts the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dataready.sql.profile_dialect import ProfileDialect, spelling


class SampleMethod(StrEnum):
    NONE = "none"
    TABLESAMPLE_BERNOULLI = "tablesample_bernoulli"
    TABLESAMPLE_SYSTEM = "tablesample_system"
    DUCKDB_BERNOULLI = "using_sample_bernoulli"
    DUCKDB_RESERVOIR = "using_sample_reservoir"
    RANDOM_FILTER = "random_filter"
    LIMIT = "limit"
    """The first rows of a plain scan: cheap, but not random (physical order)."""


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """How a statement reads a table: all of it, a random fraction, and/or at most n rows."""

    method: SampleMethod = SampleMethod.NONE
    percent: float | None = None
    rows: int | None = None
    """A row bound (LIMIT) on top of the method; ``None``: no bound."""

    @property
    def sampled(self) -> bool:
        return self.method is not SampleMethod.NONE or self.rows is not None

    @property
    def fraction(self) -> float | None:
        return None if self.percent is None else self.percent / 100.0


def plan_sample(
    dialect: ProfileDialect,
    *,
    rows: int | None = None,
    percent: float | None = None,
    row_estimate: int | None = None,
    system: bool = False,
    view: bool = False,
) -> SampleSpec:
    """The sampling clause for reading ``rows`` rows or ``percent`` % of a table.

    Args:
        rows: at most this many rows (``None``: no bound).
        percent: a random share of the rows, 0 < percent <= 100 (``None``: derive it from
            ``rows`` and ``row_estimate``, or read everything).
        row_estimate: the catalogue's row count, to turn ``rows`` into a fraction.
        system: block sampling (``TABLESAMPLE SYSTEM``: reads only the sampled pages,
            clustered) instead of row sampling (``BERNOULLI``: scans every page).
        view: the relation is a view (PostgreSQL samples only tables: a random filter then).
    """
    if view and not spelling(dialect.name).samples_views:
        dialect = ProfileDialect(dialect.name, False, dialect.approx_distinct_function)
    if percent is not None and not percent > 0:
        raise ValueError("sample percent must be > 0")
    if rows is not None and row_estimate is not None and rows >= row_estimate and percent is None:
        return SampleSpec(rows=rows)  # the bound alone: the table is smaller than it
    duckdb = dialect.supports_tablesample and dialect.name == "duckdb"
    if duckdb and rows is not None and percent is None:
        return SampleSpec(SampleMethod.DUCKDB_RESERVOIR, None, rows)  # exactly n random rows
    if percent is None and rows is not None and row_estimate is not None and row_estimate > 0:
        # 10% headroom so the bound, not the fraction, decides how many rows are read.
        percent = min(100.0, 110.0 * rows / row_estimate)
    if percent is None or percent >= 100.0:
        return SampleSpec(
            method=SampleMethod.NONE if rows is None else SampleMethod.LIMIT, rows=rows
        )
    if duckdb:
        return SampleSpec(SampleMethod.DUCKDB_BERNOULLI, percent, rows)
    if dialect.supports_tablesample:
        method = SampleMethod.TABLESAMPLE_SYSTEM if system else SampleMethod.TABLESAMPLE_BERNOULLI
        return SampleSpec(method, percent, rows)
    if dialect.supports_random_filter:
        return SampleSpec(SampleMethod.RANDOM_FILTER, percent, rows)
    return SampleSpec(SampleMethod.LIMIT, None, rows)


def _percent_literal(percent: float) -> str:
    return f"{percent:.6f}".rstrip("0").rstrip(".")


def _sample_clause(dialect: ProfileDialect, table_sql: str, sample: SampleSpec) -> tuple[str, str]:
    """``(source, where)``: the table with its sampling clause, and a random filter."""
    spell = spelling(dialect.name)
    method, percent = sample.method, sample.percent
    if method is SampleMethod.TABLESAMPLE_BERNOULLI and percent is not None:
        return f"{table_sql} TABLESAMPLE BERNOULLI ({_percent_literal(percent)})", ""
    if method is SampleMethod.TABLESAMPLE_SYSTEM and percent is not None:
        return f"{table_sql} TABLESAMPLE SYSTEM ({_percent_literal(percent)})", ""
    if method is SampleMethod.DUCKDB_BERNOULLI and percent is not None:
        return f"{table_sql} USING SAMPLE {_percent_literal(percent)} PERCENT (bernoulli)", ""
    if method is SampleMethod.DUCKDB_RESERVOIR and sample.rows is not None:
        return f"{table_sql} USING SAMPLE {int(sample.rows)} ROWS", ""
    if method is SampleMethod.RANDOM_FILTER and percent is not None and spell.random_below:
        return table_sql, " WHERE " + spell.random_below.format(p=repr(percent / 100.0))
    return table_sql, ""


def sampled_source(dialect: ProfileDialect, table_sql: str, sample: SampleSpec) -> str:
    """The table as aggregates read it: ``SELECT … FROM <this>``.

    A sample with a random filter or a row bound becomes a derived table, so aggregates see
    only the sampled rows.
    """
    source, where = _sample_clause(dialect, table_sql, sample)
    limit = ""
    if sample.rows is not None and sample.method is not SampleMethod.DUCKDB_RESERVOIR:
        limit = f" LIMIT {int(sample.rows)}"
    if not where and not limit:
        return source
    return f"(SELECT * FROM {source}{where}{limit}) {dialect.quote('s')}"


def stream_statement(
    dialect: ProfileDialect, table_sql: str, columns: Sequence[str], sample: SampleSpec
) -> str:
    """``SELECT <columns> FROM <table> <sample> [LIMIT n]`` for the sketch pass."""
    projection = ", ".join(dialect.quote(c) for c in columns) if columns else "1"
    source, where = _sample_clause(dialect, table_sql, sample)
    limit = ""
    if sample.rows is not None and sample.method is not SampleMethod.DUCKDB_RESERVOIR:
        limit = f" LIMIT {int(sample.rows)}"
    return f"SELECT {projection} FROM {source}{where}{limit}"
