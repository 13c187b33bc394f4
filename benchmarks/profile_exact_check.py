"""Check a profile of a large PostgreSQL table against exact SQL, figure by figure.

Usage::

    .venv/bin/python benchmarks/profile_exact_check.py [--rows 1000000] [--sample-percent P]
        [--server postgresql://postgres@127.0.0.1:5432]

Profiles the benchmark table of ``benchmarks/profile.py`` (``wide``, ~1 M rows, or
``wide_<rows>`` made from it) with ``profile_table`` — default options: the aggregate reads
every row, the sketches a uniform sample; ``--sample-percent`` profiles a random share
instead — then recomputes, in plain SQL written independently of the profiler's:

- every figure the profile flags exact (row count; per column the null, zero, negative,
  empty, blank, future, true/false counts, sum, mean, stddev, lengths, min and max; distinct
  and unique counts; top values; quantiles), printing the two side by side and every
  mismatch;
- every estimate that states a bound (distinct, unique and duplicate counts, top-value counts,
  quantiles, duplicate rows): the true value, the estimate and the stated 95% interval, and
  whether the interval holds it.

Exact distinct counts are cached in the side table ``<table>__distinct`` that
``benchmarks/profile.py`` also uses. The exit status is 1 when an exact figure is wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from dataready.analysis.profiling.results import ColumnProfile, TableProfile, json_value

_SPEC = importlib.util.spec_from_file_location(
    "bench_profile", Path(__file__).with_name("profile.py")
)
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)

LEVELS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def profile(server: str, table: str, percent: float | None) -> TableProfile:
    from dataready.connectors import PostgresConfig, connect
    from dataready.settings import SourceSettings
    from dataready.workflows.profiler import ProfileOptions, profile_table

    config = PostgresConfig.model_validate(bench._pg_config(server))
    with connect(config, SourceSettings(statement_timeout_seconds=3600)) as conn:
        options = ProfileOptions(sample_percent=percent)
        return profile_table(conn, bench.DATABASE, "public", table, options=options)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def exact_aggregates(conn: psycopg.Connection[Any], table: str, p: TableProfile) -> dict[str, Any]:
    """One plain statement: ``COUNT(*)`` and every simple aggregate of every column."""
    items: list[tuple[str, str]] = [("rows", "count(*)")]
    for c in p.columns:
        q = _q(c.name)
        items.append((f"{c.name}.non_null", f"count({q})"))
        if c.kind == "numeric":
            x = q
            if c.type_family == "float":
                x = f"(CASE WHEN {q} IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE {q} END)"
            items += [
                (f"{c.name}.min", f"min({x})"),
                (f"{c.name}.max", f"max({x})"),
                (f"{c.name}.sum", f"sum({x})"),
                (f"{c.name}.mean", f"avg({x})"),
                (f"{c.name}.stddev", f"stddev_samp({x})"),
                (f"{c.name}.zero_count", f"count(*) FILTER (WHERE {x} = 0)"),
                (f"{c.name}.negative_count", f"count(*) FILTER (WHERE {x} < 0)"),
            ]
        elif c.kind == "string":
            t = f"CAST({q} AS text)"
            items += [
                (f"{c.name}.min_length", f"min(char_length({t}))"),
                (f"{c.name}.max_length", f"max(char_length({t}))"),
                (f"{c.name}.mean_length", f"avg(char_length({t}))"),
                (f"{c.name}.empty_count", f"count(*) FILTER (WHERE {t} = '')"),
                (
                    f"{c.name}.blank_count",
                    f"count(*) FILTER (WHERE {t} <> '' AND btrim({t}, E' \\t\\n\\r') = '')",
                ),
            ]
        elif c.kind == "temporal":
            now = "CURRENT_DATE" if c.type_family == "date" else "LOCALTIMESTAMP"
            if "with time zone" in c.declared_type:
                now = "CURRENT_TIMESTAMP"
            items += [
                (f"{c.name}.min", f"min({q})"),
                (f"{c.name}.max", f"max({q})"),
                (f"{c.name}.future_count", f"count(*) FILTER (WHERE {q} > {now})"),
            ]
        elif c.kind == "boolean":
            items += [
                (f"{c.name}.true_count", f"count(*) FILTER (WHERE {q})"),
                (f"{c.name}.false_count", f"count(*) FILTER (WHERE NOT {q})"),
            ]
    sql = "SELECT " + ", ".join(e for _, e in items) + f' FROM "public"."{table}"'
    row = conn.execute(sql).fetchone()
    assert row is not None
    return dict(zip((k for k, _ in items), row, strict=True))


def exact_quantiles(
    conn: psycopg.Connection[Any], table: str, columns: list[ColumnProfile]
) -> dict[str, list[Any]]:
    if not columns:
        return {}
    levels = ", ".join(repr(v) for v in LEVELS)
    exprs = [
        f"percentile_disc(ARRAY[{levels}]) WITHIN GROUP (ORDER BY {_q(c.name)})" for c in columns
    ]
    row = conn.execute(f'SELECT {", ".join(exprs)} FROM "public"."{table}"').fetchone()
    assert row is not None
    return {c.name: list(v) for c, v in zip(columns, row, strict=True)}


def value_counts(conn: psycopg.Connection[Any], table: str, column: str) -> dict[Any, int]:
    rows = conn.execute(
        f'SELECT {_q(column)}, count(*) FROM "public"."{table}" WHERE {_q(column)} IS NOT NULL '
        f"GROUP BY 1"
    ).fetchall()
    return {json_value(v): n for v, n in rows}


def unique_values(conn: psycopg.Connection[Any], table: str, column: str) -> int:
    row = conn.execute(
        f'SELECT count(*) FROM (SELECT 1 FROM "public"."{table}" WHERE {_q(column)} IS NOT NULL '
        f"GROUP BY {_q(column)} HAVING count(*) = 1) s"
    ).fetchone()
    assert row is not None
    return int(row[0])


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        x, y = float(a), float(b)
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dt.date | dt.datetime) or isinstance(b, dt.date | dt.datetime):
        return json_value(a) == json_value(b)
    return bool(a == b)


class Report:
    def __init__(self) -> None:
        self.exact = 0
        self.wrong: list[str] = []
        self.estimates = 0
        self.missed: list[str] = []

    def exact_figure(self, what: str, stated: Any, true: Any) -> None:
        self.exact += 1
        ok = same(stated, true)
        if not ok:
            self.wrong.append(what)
        print(
            f"  exact     {what:<34} profile {_show(stated):>24}  SQL {_show(true):>24}  {_ok(ok)}"
        )

    def estimate(self, what: str, stated: Any, true: Any, bounds: list[Any] | None) -> None:
        if not bounds:
            print(
                f"  estimate  {what:<34} profile {_show(stated):>24}  "
                f"SQL {_show(true):>24}  no bound"
            )
            return
        self.estimates += 1
        low, high = bounds
        ok = float(low) <= float(true) <= float(high)
        if not ok:
            self.missed.append(what)
        shown = f"[{_show(low)}, {_show(high)}]"
        print(
            f"  estimate  {what:<34} profile {_show(stated):>24}  SQL {_show(true):>24}  "
            f"95% {shown:<30} {'inside' if ok else 'OUTSIDE'}"
        )


def _ok(ok: bool) -> str:
    return "ok" if ok else "WRONG"


def _show(value: Any) -> str:
    if isinstance(value, float | Decimal):
        return f"{float(value):,.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(json_value(value))


COUNTS = (
    "zero_count",
    "negative_count",
    "empty_count",
    "blank_count",
    "future_count",
    "true_count",
    "false_count",
)


def check(server: str, table: str, p: TableProfile) -> Report:
    report = Report()
    exact_distinct = bench.exact_distincts(server, table)
    with psycopg.connect(f"{server}/{bench.DATABASE}", autocommit=True) as conn:
        started = time.perf_counter()
        agg = exact_aggregates(conn, table, p)
        numeric = [c for c in p.columns if c.quantiles]
        quantiles = exact_quantiles(conn, table, numeric)
        print(f"(exact SQL aggregates and quantiles: {time.perf_counter() - started:.1f} s)\n")
        rows = int(agg["rows"])
        print("table")
        if p.row_count_exact:
            report.exact_figure("row_count", p.row_count, rows)
        else:
            report.estimate("row_count", p.row_count, rows, p.row_count_bounds)
        key = next(
            (c for c, n in exact_distinct.items() if n == rows and agg[f"{c}.non_null"] == rows),
            None,
        )
        if key is not None:  # a column with a value per row and none twice: no duplicate rows
            if p.duplicate_rows_exact:
                report.exact_figure("duplicate_rows", p.duplicate_rows, 0)
            else:
                report.estimate("duplicate_rows", p.duplicate_rows, 0, p.duplicate_rows_bounds)
        for c in p.columns:
            print(c.name)
            non_null = int(agg[f"{c.name}.non_null"])
            bounds = c.bounds or {}

            def figure(
                name: str, stated: Any, true: Any, exact: bool, c: ColumnProfile = c
            ) -> None:
                if exact:
                    report.exact_figure(f"{c.name}.{name}", stated, true)
                elif name in (c.bounds or {}):
                    report.estimate(f"{c.name}.{name}", stated, true, (c.bounds or {})[name])

            figure("null_count", c.null_count, rows - non_null, c.counts_exact)
            for name in COUNTS:
                if f"{c.name}.{name}" in agg and getattr(c, name) is not None:
                    figure(name, getattr(c, name), agg[f"{c.name}.{name}"], c.counts_exact)
            for name in ("sum", "mean", "stddev", "mean_length"):
                if f"{c.name}.{name}" in agg and getattr(c, name) is not None:
                    figure(name, getattr(c, name), agg[f"{c.name}.{name}"], c.counts_exact)
            for name in ("min", "max", "min_length", "max_length"):
                known = f"{c.name}.{name}" in agg and getattr(c, name) is not None
                if known and c.extremes_exact:
                    report.exact_figure(
                        f"{c.name}.{name}", getattr(c, name), agg[f"{c.name}.{name}"]
                    )
            distinct = exact_distinct.get(c.name)
            if distinct is not None and c.distinct_count is not None:
                figure("distinct_count", c.distinct_count, distinct, c.distinct_exact)
                if c.duplicate_count is not None:
                    figure(
                        "duplicate_count", c.duplicate_count, non_null - distinct, c.distinct_exact
                    )
            if c.unique_count is not None and (c.unique_exact or "unique_count" in bounds):
                figure(
                    "unique_count",
                    c.unique_count,
                    unique_values(conn, table, c.name),
                    c.unique_exact,
                )
            if c.top_values:
                truth = value_counts(conn, table, c.name)
                for item in c.top_values:
                    true = truth.get(json_value(item["value"]), 0)
                    what = f"top[{item['value']}]"
                    if c.top_values_exact:
                        report.exact_figure(f"{c.name}.{what}", item["count"], true)
                    else:
                        error = item["error"]
                        report.estimate(
                            f"{c.name}.{what}",
                            item["count"],
                            true,
                            [item["count"] - error, item["count"] + error],
                        )
                listed = {json_value(item["value"]) for item in c.top_values}
                least = min(item["count"] for item in c.top_values)
                higher = [v for v, n in truth.items() if v not in listed and n > least]
                if c.top_values_exact:
                    report.exact_figure(f"{c.name}.top (none higher left out)", len(higher), 0)
            if c.quantiles and c.name in quantiles:
                for level, true in zip(LEVELS, quantiles[c.name], strict=True):
                    label = f"p{round(level * 100):02d}"
                    stated = c.quantiles.get(label)
                    if c.quantiles_exact:
                        report.exact_figure(f"{c.name}.{label}", stated, true)
                    elif c.quantiles_bounds and label in c.quantiles_bounds:
                        report.estimate(
                            f"{c.name}.{label}", stated, true, c.quantiles_bounds[label]
                        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--sample-percent", type=float, default=None)
    args = parser.parse_args(argv)
    table = bench.prepare(args.server, args.rows)
    started = time.perf_counter()
    p = profile(args.server, table, args.sample_percent)
    seconds = time.perf_counter() - started
    print(
        f"profile of public.{table}: {p.row_count:,} rows x {p.column_count} columns in "
        f"{seconds:.1f} s, {p.statements} statements, {p.full_passes} full pass(es); "
        f"sample_method {p.sample_method}, rows sketched {p.rows_sketched:,}, "
        f"sample_uniform {p.sample_uniform}"
    )
    for read in p.reads:
        share = "" if read["percent"] is None else f" {read['percent']:.4g} %"
        print(
            f"  read {read['read']:<9} {read['method']}{share}: {read['rows']:,} rows, "
            f"uniform {read['uniform']}, full passes {read['full_passes']}"
        )
    report = check(args.server, table, p)
    print(
        f"\n{report.exact} figures flagged exact checked against exact SQL: "
        f"{len(report.wrong)} wrong {report.wrong or ''}"
    )
    print(
        f"{report.estimates} estimates with a stated 95% interval: "
        f"{report.estimates - len(report.missed)} inside, {len(report.missed)} outside "
        f"{report.missed or ''}"
    )
    return 1 if report.wrong else 0


if __name__ == "__main__":
    sys.exit(main())
