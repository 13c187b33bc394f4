"""Profiling statements: every cheap aggregate of a table in ONE statement per dialect.

Pure: functions here return SQL text and read result rows back; nothing is executed. Engine
differences come from two places: the connector's capability flags, carried in
:class:`ProfileDialect` (table sampling, a native approximate distinct, native quantiles),
and the per-dialect spelling (:mod:`dataready.sql.profile_dialect`: length, trim, hashing).

Distinct counts take one of three forms per column (:class:`DistinctMethod`): an exact
``COUNT(DISTINCT …)``; the engine's approximate distinct (DuckDB ``approx_count_distinct``);
or a *hash-sampled* exact count, ``COUNT(DISTINCT CASE WHEN hash(x) % m = 0 THEN x END)``,
which sorts only one value in ``m`` and is scaled by ``m`` afterwards (distinct sampling,
Gibbons 2001) — for engines with a hash function but no approximate distinct (PostgreSQL,
MySQL). The caller picks ``m`` from the sampled stream so that about 20,000 values survive.
Where the dialect has a 64-bit text hash (PostgreSQL), text columns count the surviving
values' hashes instead of the values: the same sample, an integer sort instead of a text one.

Sampling lives in :mod:`dataready.sql.profile_sample`, the per-dialect spelling in
:mod:`dataready.sql.profile_dialect`; both are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dataready.domain.profiling import ValueKind, value_kind
from dataready.sql.profile_dialect import ProfileDialect, Spelling, spelling
from dataready.sql.profile_sample import (
    SampleMethod,
    SampleSpec,
    carry_percent,
    keep_condition,
    plan_one_pass,
    plan_sample,
    plan_stream,
    sampled_source,
    stream_statement,
)
from dataready.sql.types import TypeFamily

__all__ = [
    "QUANTILE_LEVELS",
    "AggregateStatement",
    "ColumnSpec",
    "DistinctMethod",
    "ProfileDialect",
    "SampleMethod",
    "SampleSpec",
    "aggregate_statement",
    "carry_percent",
    "hash_modulus_for",
    "plan_one_pass",
    "plan_sample",
    "plan_stream",
    "sampled_source",
    "stream_statement",
]

QUANTILE_LEVELS: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


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


def _base_type(declared: str) -> str:
    return declared.strip().lower().split("(", 1)[0].strip()


def _hash(spell: Spelling, spec: ColumnSpec, c: str) -> str:
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
    spell = spelling(dialect.name)

    def count_if(cond: str) -> str:
        return spell.count_if.format(cond=cond)

    kind = spec.kind
    text = _is_text_type(spec.declared_type or "")
    c = comp.row(f"v{index}", dialect.quote(spec.name))
    comp.agg(index, "non_null", f"COUNT({c})")
    operand = spell.distinct_text.format(c=c) if kind is ValueKind.STRING and text else c
    if _base_type(spec.declared_type) in spell.no_equality:
        operand = spell.to_text.format(c=c)
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
        elif kind is ValueKind.STRING and text and spell.text_hash_key:
            # Count the sampled values' 64-bit hashes: an integer sort, not a text sort.
            h = comp.row(f"h{index}", spell.text_hash_key.format(c=dialect.quote(spec.name)))
            keep = f"({h} & {modulus - 1}) = 0"
            comp.agg(index, "distinct", f"COUNT(DISTINCT CASE WHEN {keep} THEN {h} END)")
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
    elif kind is ValueKind.ARRAY and spell.array_length:
        length = comp.row(f"l{index}", spell.array_length.format(c=dialect.quote(spec.name)))
        comp.agg(index, "min_length", f"MIN({length})")
        comp.agg(index, "max_length", f"MAX({length})")
        comp.agg(index, "sum_length", f"SUM({length})")
        comp.agg(index, "empty", count_if(f"{length} = 0"))
    elif kind is ValueKind.RANGE and spell.range_bounds:
        raw = dialect.quote(spec.name)
        lower, upper, empty = (
            comp.row(f"{alias}{index}", bound.format(c=raw))
            for alias, bound in zip(("lo", "up", "e"), spell.range_bounds, strict=True)
        )
        comp.agg(index, "min", f"MIN({lower})")
        comp.agg(index, "max", f"MAX({upper})")
        comp.agg(index, "empty", count_if(empty))


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
    count_table: bool = False,
    carry_percent: float | None = None,
) -> AggregateStatement:
    """Every cheap aggregate of the table in one ``SELECT`` (one scan).

    Args:
        dialect: the engine and its capabilities.
        table_sql: the quoted, qualified table name (``connector.qualified_name``).
        columns: what to compute per column, in select order.
        sample: read a sample instead of the whole table.
        quantile_levels: the levels of native quantiles (for columns that ask for them).
        count_table: also count the whole table's rows (table metric ``population``), for a
            sample of a table without a row estimate to scale it by.
        carry_percent: also collect a random ``carry_percent`` % of the rows of every profiled
            column (metric ``sample``: one array per column, the arrays aligned row by row),
            for the sketches: the profile then reads the table once
            (:func:`dataready.sql.profile_sample.plan_one_pass`).
    """
    comp = _Compiler(dialect, [], ["COUNT(*)"], [(-1, "rows")])
    if count_table and sample is not None and sample.sampled:
        comp.agg(-1, "population", f"(SELECT COUNT(*) FROM {table_sql})")
    for index, spec in enumerate(columns):
        _compile_column(comp, index, spec, quantile_levels)
    if carry_percent is not None:
        _carry(comp, columns, carry_percent)
    source = sampled_source(dialect, table_sql, sample or SampleSpec())
    fence = spelling(dialect.name).fence
    per_row = ", ".join(comp.row_items) if comp.row_items else "1 AS " + dialect.quote("one")
    sql = (
        "SELECT "
        + ",\n  ".join(comp.aggregates)
        + f"\nFROM (SELECT {per_row} FROM {source}{fence}) {dialect.quote('r')}"
    )
    return AggregateStatement(sql, tuple(comp.outputs))


def _carry(comp: _Compiler, columns: Sequence[ColumnSpec], percent: float) -> None:
    """``ARRAY_AGG(v) FILTER (WHERE keep)`` per profiled column, ``keep`` drawn once per row."""
    dialect = comp.dialect
    collect, keep = spelling(dialect.name).sample_agg, keep_condition(dialect, percent)
    if collect is None or keep is None:
        raise ValueError(f"{dialect.name} cannot carry a sample in the aggregate statement")
    flag = comp.row("keep", f"CASE WHEN {keep} THEN 1 ELSE 0 END")
    for index, spec in enumerate(columns):
        if spec.kind is not ValueKind.UNSUPPORTED:
            column = dialect.quote(f"v{index}")
            comp.agg(index, "sample", collect.format(c=column, keep=f"{flag} = 1"))


def hash_modulus_for(distinct_seen: int, target: int = 10_000, maximum: int = 1 << 12) -> int:
    """The power-of-two hash modulus that keeps about ``target`` of ``distinct_seen`` values.

    ``distinct_seen`` is a lower bound of the table's distinct count (what a sample saw), so
    at least ``target`` values survive in expectation and the scaled count's relative
    standard error stays below ``1/sqrt(target)``.
    """
    if distinct_seen <= target:
        return 1
    return int(min(maximum, 2 ** math.floor(math.log2(distinct_seen / target))))
