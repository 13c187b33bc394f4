"""Profiling statements: every cheap aggregate of a table in ONE statement per dialect.

Pure: functions here return SQL text and read result rows back; nothing is executed. Engine
differences come from two places: the connector's capability flags, carried in
:class:`ProfileDialect` (table sampling, a native approximate distinct, native quantiles),
and the per-dialect spelling table :data:`_SPELLING` (length, trim, hashing, "now").

Distinct counts take one of three forms per column (:class:`DistinctMethod`): an exact
``COUNT(DISTINCT …)``; the engine's approximate distinct (DuckDB ``approx_count_distinct``);
or a *hash-sampled* exact count, ``COUNT(DISTINCT CASE WHEN hash(x) % m = 0 THEN x END)``,
which sorts only one value in ``m`` and is scaled by ``m`` afterwards (distinct sampling,
Gibbons 2001) — for engines with a hash function but no approximate distinct (PostgreSQL,
MySQL). The caller picks ``m`` from the sampled stream so that about 10,000 values survive.

Sampling (:class:`SampleSpec`): ``TABLESAMPLE BERNOULLI/SYSTEM (p)`` on PostgreSQL, ``USING
SAMPLE`` on DuckDB, else the documented fallback: a random filter ``WHERE random() < p`` when
the fraction is known, or the first ``n`` rows of a plain scan (``LIMIT n``) when it is not.
``ORDER BY random() LIMIT n`` is never used: it sorts the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dataready.domain.profiling import ValueKind, value_kind
from dataready.sql.quoting import quote_identifier
from dataready.sql.types import TypeFamily

QUANTILE_LEVELS: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class _Spelling:
    length: str
    """Character length of ``{c}``."""
    blank: str
    """True when non-empty text ``{c}`` holds only spaces, tabs and line breaks."""
    hash: str | None
    """An integer hash of ``{c}``; ``None``: no hash-sampled distinct."""
    random_below: str | None
    """True for a fraction ``{p}`` of rows; ``None``: no random filter."""
    now_date: str
    now_timestamp: str
    now_timestamp_tz: str
    stddev: str | None
    """Sample standard deviation of ``{c}``; ``None``: computed from a sum of squares."""
    to_text: str = "CAST({c} AS TEXT)"
    sum_squares: str = "SUM({c} * {c})"
    distinct_text: str = "{c}"
    """The operand of COUNT(DISTINCT) for text: byte equality, whatever the collation."""
    float_special: str | None = None
    """``{c}`` compared to ``{v}`` (NaN, Infinity or -Infinity); ``None``: none stored."""
    special_literals: tuple[str, str, str] = ("'NaN'", "'Infinity'", "'-Infinity'")
    count_if: str = "SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"
    fence: str = ""
    """Appended to the per-row subquery so the planner evaluates its expressions once."""
    typed_hash: tuple[tuple[str, str], ...] = ()
    """(type prefix, hash) pairs tried before ``hash``: cheaper than hashing text."""
    samples_views: bool = False
    """The sampling clause applies to views too (else: tables only)."""


_TRIM_SET = "' ' || {chr}(9) || {chr}(10) || {chr}(13)"
_FILTER = "COUNT(*) FILTER (WHERE {cond})"

_SPELLING: dict[str, _Spelling] = {
    "postgresql": _Spelling(
        length="LENGTH({c})",
        # Only text that sorts before '!' (starts with whitespace) is trimmed at all.
        blank="{c} COLLATE \"C\" < '!' AND BTRIM({c}, " + _TRIM_SET.format(chr="CHR") + ") = ''",
        hash="HASHTEXT(CAST({c} AS TEXT))",
        random_below="RANDOM() < {p}",
        now_date="CURRENT_DATE",
        now_timestamp="LOCALTIMESTAMP",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        distinct_text='{c} COLLATE "C"',
        float_special="{c} = CAST({v} AS DOUBLE PRECISION)",
        count_if=_FILTER,
        fence=" OFFSET 0",
        typed_hash=(
            ("smallint", "HASHINT4({c})"),
            ("integer", "HASHINT4({c})"),
            ("bigint", "HASHINT8({c})"),
            ("numeric", "HASH_NUMERIC({c})"),
            ("double precision", "HASHFLOAT8({c})"),
            ("real", "HASHFLOAT8({c})"),
            ("timestamp without time zone", "TIMESTAMP_HASH({c})"),
            ("timestamp with time zone", "TIMESTAMP_HASH(CAST({c} AS TIMESTAMP))"),
            ("date", "HASHINT4({c} - DATE '2000-01-01')"),
            ("uuid", "UUID_HASH({c})"),
            ("text", "HASHTEXT({c})"),
            ("character varying", "HASHTEXT({c})"),
        ),
    ),
    "duckdb": _Spelling(
        length="LENGTH({c})",
        blank="TRIM({c}, " + _TRIM_SET.format(chr="CHR") + ") = ''",
        hash="HASH({c})",
        random_below="RANDOM() < {p}",
        now_date="CURRENT_DATE",
        now_timestamp="CAST(CURRENT_TIMESTAMP AS TIMESTAMP)",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        float_special="{c} = CAST({v} AS DOUBLE)",
        count_if=_FILTER,
        samples_views=True,
    ),
    "mysql": _Spelling(
        length="CHAR_LENGTH({c})",
        blank="{c} REGEXP '^[[:space:]]+$'",
        hash="CRC32({c})",
        random_below="RAND() < {p}",
        now_date="CURRENT_DATE",
        now_timestamp="CURRENT_TIMESTAMP",
        now_timestamp_tz="CURRENT_TIMESTAMP",
        stddev="STDDEV_SAMP({c})",
        to_text="CAST({c} AS CHAR)",
        distinct_text="CAST({c} AS BINARY)",
    ),
    "sqlite": _Spelling(
        length="LENGTH({c})",
        blank="TRIM({c}, " + _TRIM_SET.format(chr="CHAR") + ") = ''",
        hash=None,
        random_below="(ABS(RANDOM()) % 1000000) < CAST({p} * 1000000 AS INTEGER)",
        now_date="DATE('now')",
        now_timestamp="DATETIME('now')",
        now_timestamp_tz="DATETIME('now')",
        stddev=None,
        sum_squares="TOTAL({c} * {c})",
        float_special="{c} = {v}",
        special_literals=("NULL", "9e999", "-9e999"),  # SQLite stores no NaN
        count_if=_FILTER,
    ),
}
_SPELLING["mariadb"] = _SPELLING["mysql"]
_ANSI = _Spelling(
    length="CHAR_LENGTH({c})",
    blank="TRIM({c}) = ''",
    hash=None,
    random_below=None,
    now_date="CURRENT_DATE",
    now_timestamp="CURRENT_TIMESTAMP",
    now_timestamp_tz="CURRENT_TIMESTAMP",
    stddev="STDDEV_SAMP({c})",
    to_text="CAST({c} AS VARCHAR(4000))",
)


def _spelling(dialect: str) -> _Spelling:
    return _SPELLING.get(dialect, _ANSI)


@dataclass(frozen=True, slots=True)
class ProfileDialect:
    """What the profiler may ask of an engine: its dialect and capability flags."""

    name: str
    """The SQLAlchemy dialect name (``postgresql``, ``mysql``, ``sqlite``, ``duckdb``, …)."""
    supports_tablesample: bool = False
    approx_distinct_function: str | None = None
    supports_native_quantiles: bool = False

    def quote(self, name: str) -> str:
        return quote_identifier(name, self.name)

    @property
    def supports_hash_distinct(self) -> bool:
        """Hash-sampled distinct counts are possible (the engine has a hash function)."""
        return _spelling(self.name).hash is not None

    @property
    def supports_random_filter(self) -> bool:
        return _spelling(self.name).random_below is not None


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
    if view and not _spelling(dialect.name).samples_views:
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
    spell = _spelling(dialect.name)
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


class DistinctMethod(StrEnum):
    EXACT = "exact"
    NATIVE_APPROX = "native_approx"
    HASH_SAMPLED = "hash_sampled"
    NONE = "none"
    """Not counted in SQL (the sketch pass answers, or the column is not profiled)."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column and what the aggregate statement computes for it."""

    name: str
    family: TypeFamily
    declared_type: str = ""
    distinct: DistinctMethod = DistinctMethod.NONE
    hash_modulus: int = 1
    """For ``HASH_SAMPLED``: keep values whose hash is divisible by this (a power of two)."""
    quantiles: bool = False
    """Native exact quantiles (only where ``supports_native_quantiles``)."""

    @property
    def kind(self) -> ValueKind:
        return value_kind(self.family)


@dataclass(frozen=True, slots=True)
class AggregateStatement:
    """The one aggregate statement and how to read its single result row back."""

    sql: str
    outputs: tuple[tuple[int, str], ...]
    """For each select-list item: (column index, metric name); index -1 is the table."""

    def read(self, row: Sequence[Any], columns: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """``(table metrics, per-column metrics)`` from the result row."""
        table: dict[str, Any] = {}
        per_column: list[dict[str, Any]] = [{} for _ in range(columns)]
        for (index, metric), value in zip(self.outputs, row, strict=True):
            (table if index < 0 else per_column[index])[metric] = value
        return table, per_column


def _is_text_type(declared: str) -> bool:
    base = declared.strip().lower()
    return base.startswith(("character", "varchar", "text", "char", "bpchar", "nvarchar"))


def _hash(spell: _Spelling, spec: ColumnSpec, c: str) -> str:
    declared = (spec.declared_type or "").strip().lower()
    for prefix, template in spell.typed_hash:
        if declared == prefix or declared.startswith(prefix + "("):
            return template.format(c=c)
    assert spell.hash is not None
    return spell.hash.format(c=c)


@dataclass(slots=True)
class _Compiler:
    """Collects per-row expressions (computed once, in a subquery) and aggregates over them."""

    dialect: ProfileDialect
    row_items: list[str]
    aggregates: list[str]
    outputs: list[tuple[int, str]]

    def row(self, alias: str, expression: str) -> str:
        """Compute ``expression`` once per row; return the name aggregates refer to."""
        quoted = self.dialect.quote(alias)
        self.row_items.append(f"{expression} AS {quoted}")
        return quoted

    def agg(self, index: int, metric: str, expression: str) -> None:
        self.aggregates.append(expression)
        self.outputs.append((index, metric))


def _compile_column(
    comp: _Compiler, index: int, spec: ColumnSpec, quantile_levels: Sequence[float]
) -> None:
    dialect = comp.dialect
    spell = _spelling(dialect.name)

    def count_if(cond: str) -> str:
        return spell.count_if.format(cond=cond)

    kind = spec.kind
    text = _is_text_type(spec.declared_type or "")
    c = comp.row(f"v{index}", dialect.quote(spec.name))
    comp.agg(index, "non_null", f"COUNT({c})")
    operand = spell.distinct_text.format(c=c) if kind is ValueKind.STRING and text else c
    if spec.distinct is DistinctMethod.EXACT:
        comp.agg(index, "distinct", f"COUNT(DISTINCT {operand})")
    elif spec.distinct is DistinctMethod.NATIVE_APPROX and dialect.approx_distinct_function:
        comp.agg(index, "distinct", f"{dialect.approx_distinct_function}({c})")
    elif spec.distinct is DistinctMethod.HASH_SAMPLED and spell.hash:
        modulus = int(spec.hash_modulus)
        if modulus < 1 or modulus & (modulus - 1):
            raise ValueError("hash_modulus must be a power of two")
        if modulus == 1:
            comp.agg(index, "distinct", f"COUNT(DISTINCT {operand})")
        else:
            h = comp.row(f"h{index}", _hash(spell, spec, dialect.quote(spec.name)))
            keep = f"({h} & {modulus - 1}) = 0"
            comp.agg(index, "distinct", f"COUNT(DISTINCT CASE WHEN {keep} THEN {operand} END)")
    if kind is ValueKind.NUMERIC:
        x = c
        if spec.family is TypeFamily.FLOAT and spell.float_special:
            tests = []
            for name, literal in zip(
                ("nan", "pos_inf", "neg_inf"), spell.special_literals, strict=True
            ):
                if literal == "NULL":
                    continue
                test = spell.float_special.format(c=c, v=literal)
                tests.append(test)
                comp.agg(index, name, count_if(test))
            raw = dialect.quote(spec.name)
            special = " OR ".join(
                spell.float_special.format(c=raw, v=v)
                for v in spell.special_literals
                if v != "NULL"
            )
            x = comp.row(f"x{index}", f"CASE WHEN {special} THEN NULL ELSE {raw} END")
            comp.agg(index, "finite", f"COUNT({x})")
        comp.agg(index, "min", f"MIN({x})")
        comp.agg(index, "max", f"MAX({x})")
        comp.agg(index, "sum", f"SUM({x})")
        comp.agg(index, "zero", count_if(f"{x} = 0"))
        comp.agg(index, "negative", count_if(f"{x} < 0"))
        if spell.stddev:
            comp.agg(index, "stddev", spell.stddev.format(c=x))
        else:
            comp.agg(index, "sum_squares", spell.sum_squares.format(c=x))
        if spec.quantiles and dialect.supports_native_quantiles and quantile_levels:
            comp.agg(index, "quantiles", _quantile_sql(dialect, x, quantile_levels))
    elif kind is ValueKind.STRING:
        raw = dialect.quote(spec.name)
        as_text = raw if text else spell.to_text.format(c=raw)
        length = comp.row(f"l{index}", spell.length.format(c=as_text))
        comp.agg(index, "min_length", f"MIN({length})")
        comp.agg(index, "max_length", f"MAX({length})")
        comp.agg(index, "sum_length", f"SUM({length})")
        comp.agg(index, "empty", count_if(f"{length} = 0"))
        if text:
            comp.agg(index, "blank", count_if(f"{length} > 0 AND {spell.blank.format(c=c)}"))
    elif kind is ValueKind.TEMPORAL:
        declared = (spec.declared_type or "").lower()
        if spec.family is TypeFamily.DATE:
            now = spell.now_date
        elif "tz" in declared or "with time zone" in declared:
            now = spell.now_timestamp_tz
        else:
            now = spell.now_timestamp
        comp.agg(index, "min", f"MIN({c})")
        comp.agg(index, "max", f"MAX({c})")
        comp.agg(index, "future", count_if(f"{c} > {now}"))
    elif kind is ValueKind.TIME:
        comp.agg(index, "min", f"MIN({c})")
        comp.agg(index, "max", f"MAX({c})")
    elif kind is ValueKind.BOOLEAN:
        comp.agg(index, "true", count_if(c))


def _quantile_sql(dialect: ProfileDialect, x: str, levels: Sequence[float]) -> str:
    listed = ", ".join(repr(float(q)) for q in levels)
    if dialect.name == "duckdb":
        return f"QUANTILE_CONT({x}, [{listed}])"
    return f"PERCENTILE_CONT(ARRAY[{listed}]) WITHIN GROUP (ORDER BY {x})"


def aggregate_statement(
    dialect: ProfileDialect,
    table_sql: str,
    columns: Sequence[ColumnSpec],
    sample: SampleSpec | None = None,
    *,
    quantile_levels: Sequence[float] = QUANTILE_LEVELS,
) -> AggregateStatement:
    """Every cheap aggregate of the table in one ``SELECT`` (one scan).

    Args:
        dialect: the engine and its capabilities.
        table_sql: the quoted, qualified table name (``connector.qualified_name``).
        columns: what to compute per column, in select order.
        sample: read a sample instead of the whole table.
        quantile_levels: the levels of native quantiles (for columns that ask for them).
    """
    comp = _Compiler(dialect, [], ["COUNT(*)"], [(-1, "rows")])
    for index, spec in enumerate(columns):
        _compile_column(comp, index, spec, quantile_levels)
    source = sampled_source(dialect, table_sql, sample or SampleSpec())
    fence = _spelling(dialect.name).fence
    per_row = ", ".join(comp.row_items) if comp.row_items else "1 AS " + dialect.quote("one")
    sql = (
        "SELECT "
        + ",\n  ".join(comp.aggregates)
        + f"\nFROM (SELECT {per_row} FROM {source}{fence}) {dialect.quote('r')}"
    )
    return AggregateStatement(sql, tuple(comp.outputs))


def hash_modulus_for(distinct_seen: int, target: int = 10_000, maximum: int = 1 << 12) -> int:
    """The power-of-two hash modulus that keeps about ``target`` of ``distinct_seen`` values.

    ``distinct_seen`` is a lower bound of the table's distinct count (what a sample saw), so
    at least ``target`` values survive in expectation and the scaled count's relative
    standard error stays below ``1/sqrt(target)``.
    """
    if distinct_seen <= target:
        return 1
    return int(min(maximum, 2 ** math.floor(math.log2(distinct_seen / target))))
