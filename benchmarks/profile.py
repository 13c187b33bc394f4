"""Measure profiling on a wide PostgreSQL table: dataready against the floor and two peers.

Usage::

    .venv/bin/python benchmarks/profile.py [--rows 1000000] [--server postgresql://postgres@127.0.0.1:5432]
        [--methods dataready,two_pass,floor,scan,ydata,naive] [--timeout 1800]
        [--ydata-max-rows 2000000]

The table: the sample generator's DVD-rental data (``scale 62``, about a million payments)
in the database ``dr_bench_profile``, made once and kept; ``payment`` joined to ``rental``
and ``customer`` gives ``wide`` (~1 M rows x 20 mixed columns); ``--rows 10000000`` derives
``wide_10000000`` from it with ``generate_series`` (ids shifted so they stay distinct).

Every method runs in its own subprocess, so peak RSS is per method:

(a) ``dataready``: ``profile_table`` with default options (one pass on PostgreSQL);
(t) ``two_pass``: the same with ``one_pass=False``: the sketches' sample is a statement of its
    own (``TABLESAMPLE BERNOULLI``, which reads every page), sketched while it streams;
(f) ``floor``: the server-side floor, one statement that reads every column once inside the
    database, ``SELECT count(c1), …, count(cN) FROM t`` (one result row: its wall time is the
    server's; PostgreSQL may run it with parallel workers);
(b) ``scan``: the client-side stream, ``SELECT`` of every column streamed to the client and
    discarded (not a floor: it pays for moving every row out of the database);
(c) ``ydata``: rows loaded into pandas, then ydata-profiling in minimal mode (needs the
    ``bench`` extra); above ``--ydata-max-rows`` it runs on that many rows and its time is
    scaled linearly — a lower bound, marked ``*``;
(d) ``naive``: one SQL statement per metric per column, the design of the popular
    catalogues (null count, distinct, min, max, mean, stddev, sum, zeros, negatives, lengths,
    empties, future values, top-10 ``GROUP BY``).

Each method runs ``--repeat`` times (default 2) and the fastest run is kept, since the
machine may be busy with other work. Prints wall time, peak RSS, statements, the number of
full passes over the table each method made (dataready's is the profile's own
``full_passes``: its reads are printed too), each method's ratio to the server-side floor,
the ratios a/b, c/a and d/a, and the error of dataready's distinct counts against the exact
``COUNT(DISTINCT)``.

The default run (1 M rows, every method twice, ydata skipped when it is not installed) takes
a few minutes on a 2-core machine; ``--rows 10000000`` takes about half an hour.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

import psycopg
from psycopg import sql

DATABASE = "dr_bench_profile"
WIDE_SQL = """
CREATE TABLE wide AS
SELECT p.payment_id, p.customer_id, p.staff_id, p.rental_id, p.amount, p.payment_date,
       r.rental_date, r.inventory_id, r.return_date,
       c.first_name, c.last_name, c.email, c.activebool, c.create_date, c.active, c.store_id,
       (p.amount * 1.1)::float8 AS amount_f,
       c.first_name || ' ' || c.last_name AS full_name,
       split_part(c.email, '@', 2) AS email_domain,
       upper(left(c.last_name, 3)) || '-' || lpad((p.payment_id % 10000)::text, 4, '0') AS ref_code
FROM payment p LEFT JOIN rental r ON r.rental_id = p.rental_id
JOIN customer c ON c.customer_id = p.customer_id
"""
SCALED_SQL = """
CREATE TABLE {name} AS
SELECT w.payment_id + k * 10000000 AS payment_id, w.customer_id, w.staff_id,
       w.rental_id + k * 10000000 AS rental_id, w.amount,
       w.payment_date + k * interval '1 hour' AS payment_date,
       w.rental_date + k * interval '1 hour' AS rental_date, w.inventory_id, w.return_date,
       w.first_name, w.last_name, w.email, w.activebool, w.create_date, w.active, w.store_id,
       w.amount_f, w.full_name, w.email_domain, k || '-' || w.ref_code AS ref_code
FROM wide w CROSS JOIN generate_series(0, {copies} - 1) k
"""


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- setup ---------------------------------------------------------------------------------


def prepare(server: str, rows: int) -> str:
    """Make (once) the sample database and the wide table of about ``rows`` rows."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    with psycopg.connect(f"{server}/{DATABASE}", autocommit=True) as conn:
        have = {
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        if "payment" not in have:
            from dataready.sample import generate_sample

            print("generating the sample database (scale 62, ~1 M payments) ...", flush=True)
            generate_sample(f"{server}/{DATABASE}", scale=62, seed=42, replace=True)
        if "wide" not in have:
            print("creating wide ...", flush=True)
            conn.execute(WIDE_SQL)
            conn.execute("ANALYZE wide")
        base = conn.execute("SELECT COUNT(*) FROM wide").fetchone()[0]  # type: ignore[index]
        copies = max(1, round(rows / base))
        if copies == 1:
            return "wide"
        name = f"wide_{rows}"
        if name not in have:
            print(f"creating {name} ({copies} copies of wide) ...", flush=True)
            conn.execute(SCALED_SQL.format(name=name, copies=copies))
            conn.execute(f"ANALYZE {name}")
        return name


def exact_distincts(server: str, table: str) -> dict[str, int]:
    """Exact distinct counts, cached in a side table (they take a while at 10 M rows)."""
    cache = f"{table}__distinct"
    with psycopg.connect(f"{server}/{DATABASE}", autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {cache} (col text PRIMARY KEY, n bigint)")
        known = dict(conn.execute(f"SELECT col, n FROM {cache}").fetchall())
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                (table,),
            )
        ]
        for column in columns:
            if column not in known:
                n = conn.execute(f'SELECT COUNT(DISTINCT "{column}") FROM {table}').fetchone()[0]  # type: ignore[index]
                conn.execute(f"INSERT INTO {cache} VALUES (%s, %s)", (column, n))
                known[column] = n
        return {c: known[c] for c in columns}


# -- the methods (each runs in a child process) -----------------------------------------------


def run_dataready(
    server: str, table: str, _: dict[str, Any], one_pass: bool = True
) -> dict[str, Any]:
    from dataready.connectors import PostgresConfig, connect
    from dataready.settings import SourceSettings
    from dataready.workflows.profiler import ProfileOptions, profile_table

    config = PostgresConfig.model_validate(_pg_config(server))
    options = ProfileOptions(one_pass=one_pass)
    with connect(config, SourceSettings(statement_timeout_seconds=3600)) as conn:
        started = time.perf_counter()
        profile = profile_table(conn, DATABASE, "public", table, options=options)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "statements": profile.statements,
        "full_passes": profile.full_passes,
        "reads": profile.reads,
        "distinct": {c.name: c.distinct_count for c in profile.columns},
        "distinct_methods": {c.name: c.distinct_method for c in profile.columns},
        "distinct_exact": {c.name: c.distinct_exact for c in profile.columns},
        "distinct_bounds": {
            c.name: (c.bounds or {}).get("distinct_count") for c in profile.columns
        },
        "top_values_status": {c.name: c.top_values_status for c in profile.columns},
    }


def run_two_pass(server: str, table: str, options: dict[str, Any]) -> dict[str, Any]:
    return run_dataready(server, table, options, one_pass=False)


def run_scan(server: str, table: str, _: dict[str, Any]) -> dict[str, Any]:
    from dataready.connectors import PostgresConfig, connect
    from dataready.settings import SourceSettings

    config = PostgresConfig.model_validate(_pg_config(server))
    with connect(config, SourceSettings(statement_timeout_seconds=3600)) as conn:
        started = time.perf_counter()
        rows = 0
        for batch in conn.stream(f'SELECT * FROM "public"."{table}"', database=DATABASE):
            rows += len(batch)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "statements": 1, "rows": rows, "full_passes": 1}


def run_floor(server: str, table: str, _: dict[str, Any]) -> dict[str, Any]:
    with psycopg.connect(f"{server}/{DATABASE}", autocommit=True) as conn:
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                (table,),
            )
        ]
        counts = ", ".join(f'count("{c}")' for c in columns)
        started = time.perf_counter()
        conn.execute(f'SELECT {counts} FROM "public"."{table}"').fetchall()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "statements": 1, "full_passes": 1}


def run_ydata(server: str, table: str, options: dict[str, Any]) -> dict[str, Any]:
    try:
        import pandas as pd
        from ydata_profiling import ProfileReport
    except ImportError as exc:
        return {"error": f"ydata-profiling is not installed ({exc}); pip install '.[bench]'"}
    limit = options["ydata_max_rows"]
    started = time.perf_counter()
    with psycopg.connect(f"{server}/{DATABASE}") as conn, conn.cursor(name="ydata") as cur:
        cur.execute(f'SELECT * FROM "public"."{table}" LIMIT %s', (limit,))
        columns = [d.name for d in cur.description or ()]
        frame = pd.DataFrame(cur.fetchall(), columns=columns)
    loaded = time.perf_counter() - started
    report = ProfileReport(frame, minimal=True, progress_bar=False)
    report.get_description()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "load_seconds": loaded,
        "rows": len(frame),
        "statements": 1,
        "full_passes": 1,
    }


def _naive_statements(conn: psycopg.Connection[Any], table: str) -> list[str]:
    info = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (table,),
    ).fetchall()
    t = f'"public"."{table}"'
    out = [f"SELECT COUNT(*) FROM {t}"]
    for name, declared in info:
        c = f'"{name}"'
        out += [
            f"SELECT COUNT(*) - COUNT({c}) FROM {t}",
            f"SELECT COUNT(DISTINCT {c}) FROM {t}",
            f"SELECT {c}, COUNT(*) FROM {t} GROUP BY {c} ORDER BY 2 DESC LIMIT 10",
        ]
        if declared.startswith(("integer", "numeric", "double", "bigint", "smallint")):
            out += [
                f"SELECT {agg}({c}) FROM {t}" for agg in ("MIN", "MAX", "AVG", "STDDEV_SAMP", "SUM")
            ]
            out += [
                f"SELECT COUNT(*) FROM {t} WHERE {c} = 0",
                f"SELECT COUNT(*) FROM {t} WHERE {c} < 0",
            ]
        elif declared.startswith(("character", "text")):
            out += [f"SELECT {agg}(LENGTH({c})) FROM {t}" for agg in ("MIN", "MAX", "AVG")]
            out.append(f"SELECT COUNT(*) FROM {t} WHERE {c} = ''")
        elif declared.startswith(("timestamp", "date")):
            out += [f"SELECT MIN({c}) FROM {t}", f"SELECT MAX({c}) FROM {t}"]
            out.append(f"SELECT COUNT(*) FROM {t} WHERE {c} > now()")
        elif declared == "boolean":
            out.append(f"SELECT COUNT(*) FROM {t} WHERE {c}")
    return out


def run_naive(server: str, table: str, _: dict[str, Any]) -> dict[str, Any]:
    with psycopg.connect(f"{server}/{DATABASE}", autocommit=True) as conn:
        statements = _naive_statements(conn, table)
        started = time.perf_counter()
        for statement in statements:
            conn.execute(statement).fetchall()
        seconds = time.perf_counter() - started
    # Every statement reads the whole table (no index on it: a GROUP BY, an aggregate, a filter).
    return {"seconds": seconds, "statements": len(statements), "full_passes": len(statements)}


METHODS = {
    "dataready": run_dataready,
    "two_pass": run_two_pass,
    "floor": run_floor,
    "scan": run_scan,
    "ydata": run_ydata,
    "naive": run_naive,
}


def _pg_config(server: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    url = make_url(server)
    return {
        "type": "postgres",
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "database": DATABASE,
    }


def child(method: str, server: str, table: str, options: dict[str, Any]) -> None:
    result = METHODS[method](server, table, options)
    result["peak_rss_mib"] = _rss_mib()
    print(json.dumps(result))


def measure(method: str, args: argparse.Namespace, table: str) -> dict[str, Any]:
    """The best of ``--repeat`` runs of ``method``, each in a fresh subprocess."""
    command = [
        sys.executable,
        __file__,
        "--child",
        method,
        "--server",
        args.server,
        "--table",
        table,
        "--ydata-max-rows",
        str(args.ydata_max_rows),
    ]
    best: dict[str, Any] | None = None
    for attempt in range(args.repeat):
        print(f"running {method} ({attempt + 1}/{args.repeat}) ...", flush=True)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            stopped = f"> {args.timeout:g} s (stopped)"
            return {"error": stopped, "seconds": float(args.timeout), "lower_bound": True}
        if done.returncode != 0:
            return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        if "seconds" not in result:
            return result
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--methods", default="dataready,two_pass,floor,scan,ydata,naive")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per method")
    parser.add_argument("--ydata-max-rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per method (best kept)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.server, args.table, {"ydata_max_rows": args.ydata_max_rows})
        return 0

    table = prepare(args.server, args.rows)
    exact = exact_distincts(args.server, table)
    with psycopg.connect(f"{args.server}/{DATABASE}") as conn:
        rows = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
    results = {m: measure(m, args, table) for m in args.methods.split(",")}

    ydata = results.get("ydata", {})
    if ydata.get("rows") and ydata["rows"] < rows:
        ydata["seconds"] = ydata["seconds"] * rows / ydata["rows"]
        ydata["lower_bound"] = True

    print(f"\ntable public.{table}: {rows:,} rows x {len(exact)} columns (PostgreSQL)\n")
    floor = results.get("floor", {}).get("seconds")
    head = f"{'method':<12} {'wall s':>9} {'peak RSS MiB':>13} {'statements':>11} {'passes':>7}"
    print(f"{head} {'/ floor':>8}  note")
    for method, r in results.items():
        if "seconds" not in r:
            print(f"{method:<12} {'-':>9} {'-':>13} {'-':>11} {'-':>7} {'-':>8}  {r.get('error')}")
            continue
        mark = "*" if r.get("lower_bound") else ""
        note = r.get("error", "")
        if method == "ydata" and r.get("rows"):
            note = f"loaded {r['rows']:,} rows in {r['load_seconds']:.1f} s " + note
        if method == "scan":
            note = "client-side stream (not a floor) " + note
        if method == "floor":
            note = "SELECT count(c1), ..., count(cN) FROM t, inside the database " + note
        rss = f"{r['peak_rss_mib']:,.0f}" if "peak_rss_mib" in r else "-"
        statements = r.get("statements", "-")
        passes = r.get("full_passes", "-")
        to_floor = f"{r['seconds'] / floor:.1f}" if floor else "-"
        print(
            f"{method:<12} {r['seconds']:>8.1f}{mark:1} {rss:>13} {statements:>11} {passes:>7} "
            f"{to_floor:>8}  {note}"
        )
    for read in results.get("dataready", {}).get("reads", []):
        share = "" if read["percent"] is None else f" {read['percent']:.4g} %"
        print(
            f"  dataready read: {read['read']:<9} {read['method']}{share}, {read['rows']:,} rows, "
            f"uniform {read['uniform']}, full passes {read['full_passes']}"
        )

    def ratio(x: str, y: str) -> str:
        a, b = results.get(x, {}).get("seconds"), results.get(y, {}).get("seconds")
        return f"{a / b:.1f}" if a and b else "-"

    print(f"\na/f (dataready / floor)      {ratio('dataready', 'floor'):>6}")
    print(f"a/b (dataready / bare scan)  {ratio('dataready', 'scan'):>6}   target <= 3")
    print(f"c/a (ydata / dataready)      {ratio('ydata', 'dataready'):>6}   target >= 10")
    print(f"d/a (naive / dataready)      {ratio('naive', 'dataready'):>6}   target >= 5")
    if "dataready" in results and "peak_rss_mib" in results["dataready"]:
        peak = results["dataready"]["peak_rss_mib"]
        print(f"dataready peak RSS           {peak:>6.0f} MiB   target <= 500")
    got = results.get("dataready", {}).get("distinct", {})
    methods = results.get("dataready", {}).get("distinct_methods", {})
    flags = results.get("dataready", {}).get("distinct_exact", {})
    bounds = results.get("dataready", {}).get("distinct_bounds", {})
    tops = results.get("dataready", {}).get("top_values_status", {})
    if got:
        head = f"{'column':<14} {'exact':>10} {'dataready':>10} {'error':>8}  {'95% interval':<23}"
        print(f"\n{head} {'top values':<18} method")
        errors, wrong = [], []
        for column, n in exact.items():
            estimate = got.get(column)
            error = abs(estimate - n) / n if estimate is not None and n else 0.0
            errors.append(error)
            interval = bounds.get(column)
            if (flags.get(column) and estimate != n) or (
                interval and not interval[0] <= n <= interval[1]
            ):
                wrong.append(column)  # an "exact" figure that is not, or a bound that misses
            shown = (
                "exact"
                if flags.get(column)
                else (f"[{interval[0]:,}, {interval[1]:,}]" if interval else "-")
            )
            print(
                f"{column:<14} {n:>10,} {estimate:>10,} {error:>7.2%}  {shown:<23} "
                f"{tops.get(column) or '-':<18} {methods.get(column)}"
            )
        mean = sum(errors) / len(errors)
        print(f"\ndistinct-count error: max {max(errors):.2%}, mean {mean:.2%}   target <= 2%")
        print(f"exact flags or intervals that miss the exact count: {wrong or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
