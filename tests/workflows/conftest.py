from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import skip_or_fail
from tests.workflows.fakes import register_fakes, unregister_fakes

from dataready.domain.enums import RunStatus
from dataready.domain.tenant import Principal, Tenant
from dataready.settings import Settings
from dataready.store import configurations as configs_q
from dataready.store import definitions as defs_q
from dataready.store import runs as runs_q
from dataready.store.orm import WorkflowRun
from dataready.workflows.engine import Engine
from dataready.workflows.service import start_run

TENANT = Tenant("client-a", "project-a")
PRINCIPAL = Principal(TENANT)


@pytest.fixture
def fakes() -> Iterator[None]:
    register_fakes()
    yield
    unregister_fakes()


@pytest.fixture
def engine(settings: Settings, fakes: None) -> Iterator[Engine]:
    eng = Engine(settings)
    eng.start()
    yield eng
    eng.shutdown()


StartRun = Callable[..., uuid.UUID]


@pytest.fixture
def start(engine: Engine) -> StartRun:
    """Create a definition+configuration of a test type and start a run; returns its id."""

    def _start(
        workflow_type: str,
        *,
        requires_approval: bool = False,
        save_all: bool = False,
        submit: bool = True,
        **parameters: Any,
    ) -> uuid.UUID:
        with engine.store.session() as s:
            d = defs_q.create_definition(
                s,
                TENANT,
                name=f"Test {workflow_type}",
                workflow_type=workflow_type,
                category="assessment",
                data_asset_types=["table"],
                description=None,
                default_config={},
                is_active=True,
                requires_approval=requires_approval,
                require_reference_pack=False,
            )
            c = configs_q.create_configuration(
                s,
                TENANT,
                d,
                name=None,
                description=None,
                config={},
                schedule=None,
                triggers=[],
                created_by="client-a",
            )
            run = start_run(
                s, PRINCIPAL, c.id, asset_fqn="svc.db.s.t", parameters=parameters, save_all=save_all
            )
            run_id = run.id
        if submit:
            engine.submit(run_id)
        return run_id

    return _start


def wait_for(
    engine: Engine,
    run_id: uuid.UUID,
    states: tuple[str, ...] = (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED),
    timeout: float = 20.0,
) -> WorkflowRun:
    deadline = time.monotonic() + timeout
    while True:
        with engine.store.session() as s:
            run = runs_q.get_run(s, TENANT, run_id)
            if run.status in states:
                s.expunge_all()
                return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run.status} after {timeout}s")
        time.sleep(0.05)


def add_service(engine: Engine, name: str, url: str) -> uuid.UUID:
    """Register (or re-point) a service for the test tenant."""
    from dataready.connectors.config import parse_source_url
    from dataready.store import services as services_q
    from dataready.store.crypto import CredentialCipher

    with engine.store.session() as s:
        svc = services_q.put_service(
            s,
            TENANT,
            CredentialCipher(engine.settings),
            name=name,
            config=parse_source_url(url),
            description=None,
            created_by="test",
        )
        return svc.id


def start_builtin(
    engine: Engine, workflow_type: str, fqn: str, *, save_all: bool, **parameters: Any
) -> uuid.UUID:
    """Start a run of a built-in type for the test tenant (a new configuration each time)."""
    with engine.store.session() as s:
        d = defs_q.default_definition_for_type(s, TENANT, workflow_type)
        c = configs_q.create_configuration(
            s,
            TENANT,
            d,
            name=None,
            description=None,
            config={},
            schedule=None,
            triggers=[],
            created_by="test",
        )
        run_id = start_run(
            s, PRINCIPAL, c.id, asset_fqn=fqn, parameters=parameters, save_all=save_all
        ).id
    engine.submit(run_id)
    return run_id


def run_builtin(engine: Engine, workflow_type: str, fqn: str, **parameters: Any) -> WorkflowRun:
    """Run a built-in type with ``save_all`` for the test tenant and wait for its end."""
    run_id = start_builtin(engine, workflow_type, fqn, save_all=True, **parameters)
    return wait_for(engine, run_id, timeout=120)


SAKILA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "sakila"


@pytest.fixture
def dvdrental() -> Any:
    """The shared sakila dataset loaded into PostgreSQL as ``dvdrental``."""
    import subprocess

    import psycopg

    if not SAKILA.exists():
        pytest.skip("../shared/datasets/sakila is not present")
    admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL is not reachable: {exc}")
        raise
    url = "postgresql://postgres@127.0.0.1:5432/dvdrental"
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname='dvdrental'").fetchone()
        if exists:
            with psycopg.connect(url) as con:
                has = con.execute("SELECT to_regclass('public.customer')").fetchone()
            if not has or has[0] is None:
                pytest.fail("a database 'dvdrental' exists without the sakila tables")
            yield url
            return
        admin.execute("CREATE DATABASE dvdrental")
    try:
        for name in ("postgres-sakila-schema.sql", "postgres-sakila-data.sql"):
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=0",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-d",
                    "dvdrental",
                    "-f",
                    str(SAKILA / name),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS dvdrental WITH (FORCE)")
