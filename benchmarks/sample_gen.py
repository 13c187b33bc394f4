"""Measure the sample generator: about a million payments into a fresh PostgreSQL database.

Usage::

    .venv/bin/python benchmarks/sample_gen.py [--scale 62] [--server postgresql://postgres@127.0.0.1:5432]
        [--keep]

Prints rows per second per table (generation and load together), overall figures and the
peak resident memory of the process.  The database ``dr_bench_<random>`` is dropped at the
end unless ``--keep`` is given.  Target: more than 100,000 payment rows per second.
"""

from __future__ import annotations

import argparse
import resource
import sys
import uuid

import psycopg
from psycopg import sql

from dataready.sample import generate_sample


def _drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=62.0, help="62 gives about 1M payments")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args(argv)

    database = f"dr_bench_{uuid.uuid4().hex[:12]}"
    try:
        report = generate_sample(f"{args.server}/{database}", scale=args.scale, seed=args.seed)
    finally:
        if not args.keep:
            _drop_database(args.server, database)

    print(f"target      {report.target} (scale {report.scale:g}, seed {report.seed})")
    print(f"{'table':<14} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
    for table, rows in report.rows.items():
        seconds = report.table_seconds[table]
        print(
            f"{table:<14} {rows:>10,} {seconds:>8.2f} {report.table_rows_per_second(table):>10,.0f}"
        )
    keys_and_commit = report.seconds - sum(report.table_seconds.values())
    print(f"{'(setup, keys, commit)':<25} {keys_and_commit:>8.2f}")
    print(
        f"payments    {report.rows['payment']:,} rows at "
        f"{report.table_rows_per_second('payment'):,.0f} rows/s"
    )
    print(
        f"overall     {report.total_rows:,} rows in {report.seconds:.1f} s = "
        f"{report.rows_per_second:,.0f} rows/s"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS    {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
