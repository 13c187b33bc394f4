"""API load check: 50 concurrent clients polling ``GET …/runs/{run_id}`` for 30 s.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/api_load.py [--clients 50] [--seconds 30] [--workers 2]

Starts ``dataready serve`` on a fresh PostgreSQL store (a new database, dropped afterwards),
creates a completed run with tasks, then drives the endpoint with ``wrk`` (Debian package
``wrk``; ``apt-get install wrk``) using 50 connections, or with a Python asyncio client when
wrk is missing.  Prints requests per second, p50/p99 latency and errors beside the target
(p99 < 50 ms, zero errors).  As a baseline in the same run it measures ``GET /health``
(no auth, no store read), the floor of the HTTP stack itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "benchmark-secret-0123456789-0123456789-abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_run(store_url: str) -> tuple[str, str]:
    """A configuration and a completed run with 20 tasks, written through the store."""
    from dataready.domain.enums import RunStatus, TaskStatus
    from dataready.domain.fqn import FQN
    from dataready.domain.tenant import Principal, Tenant
    from dataready.settings import DbSettings, Settings
    from dataready.store import configurations as configs_q
    from dataready.store import definitions as defs_q
    from dataready.store import runs as runs_q
    from dataready.store.db import Store
    from dataready.store.types import utcnow
    from dataready.workflows.engine import prepare_store

    store = Store(Settings(db=DbSettings(url=store_url)))
    prepare_store(store)
    tenant = Tenant("bench", "bench")
    with store.session() as s:
        d = defs_q.default_definition_for_type(s, tenant, "generate-pii-tags")
        c = configs_q.create_configuration(
            s,
            tenant,
            d,
            name="PII Detection - Production",
            description=None,
            config={},
            schedule=None,
            triggers=[],
            created_by="bench",
        )
        run = runs_q.create_run(
            s,
            tenant,
            c,
            asset_fqn=FQN.parse("PostgreSQL.dvdrental.public.customer"),
            config={},
            parameters={},
            save_all=False,
            created_by="bench",
        )
        for i in range(20):
            t = runs_q.add_task(
                s,
                run,
                position=i,
                name=f"classify column {i}",
                task_type="classify",
                asset_fqn=None,
                params={},
                depends_on=[],
            )
            t.status = TaskStatus.COMPLETED.value
            t.attempt = 1
            t.output = {"tags": i}
        run.status = RunStatus.COMPLETED.value
        run.completed_at = utcnow()
        run.output = {"tags_applied": 15}
        ids = (str(c.id), str(run.id))
    store.dispose()
    _ = Principal
    return ids


def wrk(url: str, token: str, clients: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    err = int(non2xx.group(1)) if non2xx else 0
    if errors:
        err += sum(int(g) for g in errors.groups())
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": err}


async def _py_client(url: str, token: str, clients: int, seconds: int) -> dict[str, float]:
    lat: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, limits=httpx.Limits(max_connections=clients)
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await client.get(url)
                lat.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    lat.sort()
    return {
        "rps": len(lat) / seconds,
        "p50": lat[len(lat) // 2],
        "p99": lat[int(len(lat) * 0.99)],
        "errors": errors,
    }


def drive(url: str, token: str, clients: int, seconds: int) -> dict[str, float]:
    if shutil.which("wrk"):
        return wrk(url, token, clients, seconds)
    return asyncio.run(_py_client(url, token, clients, seconds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes; on 2 cores one leaves the other to PostgreSQL and wrk",
    )
    args = ap.parse_args()
    name = f"dr_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    store_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    server = None
    try:
        configuration_id, run_id = seed_run(store_url)
        from dataready.auth.tokens import mint_token
        from dataready.settings import AuthSettings, Settings

        token = mint_token(
            Settings(auth=AuthSettings(secret=SECRET)),  # type: ignore[arg-type]
            client_id="bench",
            project_id="bench",
            roles=["viewer"],
        )
        port = free_port()
        env = {
            **os.environ,
            "DATAREADY_DB__URL": store_url,
            "DATAREADY_AUTH__SECRET": SECRET,
            "DATAREADY_DATA_DIR": tempfile.mkdtemp(),
            "DATAREADY_DB__POOL_SIZE": "20",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "dataready"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/api/data-readiness"
        run_url = f"{base}/workflows/{configuration_id}/runs/{run_id}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        check = httpx.get(run_url, headers={"Authorization": f"Bearer {token}"})
        assert check.status_code == 200 and check.json()["id"] == run_id, check.text
        drive(run_url, token, args.clients, 3)  # warm-up
        floor = drive(f"{base}/health", token, args.clients, args.seconds)
        result = drive(run_url, token, args.clients, args.seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    client = "wrk" if shutil.which("wrk") else "python asyncio client"
    print(
        f"\n{args.clients} concurrent clients, {args.seconds} s each, {args.workers} server "
        f"worker process(es), PostgreSQL store, client: {client}"
    )
    print(f"{'endpoint':<38}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for label, r in (("GET /health (HTTP floor)", floor), ("GET /workflows/{c}/runs/{r}", result)):
        print(
            f"{label:<38}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{int(r['errors']):>8}"
        )
    print(f"ratio run/health throughput: {result['rps'] / floor['rps']:.2f}")
    ok = result["p99"] < 50 and result["errors"] == 0
    print(f"target p99 < 50 ms and zero errors -> {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
