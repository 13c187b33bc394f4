"""Ingestion benchmark: 1,000 tables x 20 columns in PostgreSQL, catalogued by dataready.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/ingest.py [--tables 1000] [--columns 20]

Prints the ingestion wall time for a first and for a repeated (unchanged) ingestion, with the
physical floor beside it (one catalogue query that reads every column of every table), and
the target (under 30 s).  The store is a fresh SQLite file; the source a fresh database.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dataready.cli.context import local_principal
from dataready.domain.tenant import Principal
from dataready.settings import DbSettings, Settings
from dataready.workflows.engine import Engine

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TYPES = [
    "integer",
    "bigint",
    "text",
    "varchar(80)",
    "numeric(12,2)",
    "date",
    "timestamptz",
    "boolean",
    "double precision",
    "uuid",
]


def build_source(name: str, tables: int, columns: int) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(url, autocommit=True) as con:
        ddl = []
        for t in range(tables):
            cols = ["id integer primary key"]
            cols += [f"c{c:02d} {TYPES[c % len(TYPES)]}" for c in range(1, columns)]
            ddl.append(f"CREATE TABLE t{t:04d} ({', '.join(cols)});")
            if t:
                ddl.append(f"COMMENT ON TABLE t{t:04d} IS 'table number {t}';")
        con.execute("\n".join(ddl))
        con.execute("ANALYZE")
    return url


def floor_seconds(url: str) -> float:
    """One catalogue query reading every column of every table: the physical floor."""
    t0 = time.perf_counter()
    with psycopg.connect(url) as con:
        con.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped"
        ).fetchall()
    return time.perf_counter() - t0


def ingest(engine: Engine, principal: Principal, service_fqn: str) -> tuple[float, dict]:
    from dataready.cli.configs import configuration_for_type
    from dataready.cli.runs import follow
    from dataready.workflows.service import start_run

    t0 = time.perf_counter()
    with engine.store.session() as s:
        cid = configuration_for_type(s, principal, "service-ingestion")
        run_id = start_run(
            s, principal, cid, asset_fqn=service_fqn, parameters={}, save_all=True
        ).id
    engine.submit(run_id)
    run = follow(engine, run_id, show_progress=False)
    elapsed = time.perf_counter() - t0
    assert run.status == "completed", run.error_message
    return elapsed, dict(run.output or {})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument(
        "--sample-scale",
        type=float,
        default=62.0,
        help="also run benchmarks/sample_gen.py at this scale (62 ≈ 1 M payments); 0 skips it",
    )
    args = ap.parse_args()
    name = f"dr_bench_{uuid.uuid4().hex[:8]}"
    print(f"building {args.tables} tables x {args.columns} columns in {name} ...", flush=True)
    url = build_source(name, args.tables, args.columns)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), db=DbSettings(url=f"sqlite:///{tmp}/store.db"))
            engine = Engine(settings)
            engine.start()
            principal = local_principal(settings)
            from dataready.connectors.config import parse_source_url
            from dataready.store import services as services_q
            from dataready.store.crypto import CredentialCipher

            with engine.store.session() as s:
                services_q.create_service(
                    s,
                    principal.tenant,
                    CredentialCipher(settings),
                    name="bench",
                    config=parse_source_url(url),
                    description=None,
                    created_by="bench",
                )
            fqn = f"bench.{name}.public"
            first, out = ingest(engine, principal, fqn)
            second, out2 = ingest(engine, principal, fqn)
            engine.shutdown()
        floor = floor_seconds(url)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'measure':<44}{'seconds':>10}")
    print(f"{'floor: one catalogue query, all columns':<44}{floor:>10.2f}")
    print(f"{'dataready first ingestion':<44}{first:>10.2f}")
    print(f"{'dataready re-ingestion (nothing changed)':<44}{second:>10.2f}")
    print(
        f"tables {out['tables']}, columns {out['columns']}, added {out['added']}; "
        f"re-run unchanged {out2['unchanged']}, changed {out2['changed']}"
    )
    print(f"tables per second (first): {out['tables'] / first:,.0f}; peak RSS {rss:,.0f} MB")
    print(f"target: under 30 s -> {'met' if first < 30 else 'NOT met'}")
    if args.sample_scale > 0:
        print("\nsample generator into PostgreSQL (benchmarks/sample_gen.py):", flush=True)
        import runpy

        sys.argv = ["sample_gen.py", "--scale", str(args.sample_scale)]
        runpy.run_path(str(Path(__file__).with_name("sample_gen.py")), run_name="__main__")


if __name__ == "__main__":
    main()
