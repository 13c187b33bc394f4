"""The profiling workflow end to end: fan-out per table, history, failures that stay local."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from tests.conftest import make_settings
from tests.workflows.conftest import TENANT, add_service, run_builtin

from dataready.domain.enums import RunStatus
from dataready.errors import ValidationFailed
from dataready.sample import generate_sample
from dataready.settings import Settings
from dataready.store import profiles as profiles_q
from dataready.workflows.engine import Engine


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    path = tmp_path / "sample.db"
    generate_sample(f"sqlite:///{path}", scale=0.05, seed=7)
    return path


def _ingest(engine: Engine, path: Path) -> None:
    add_service(engine, "s", f"sqlite:///{path}")
    run = run_builtin(engine, "service-ingestion", "s")
    assert run.status == RunStatus.COMPLETED, run.error_message


def test_schema_run_profiles_every_table_and_keeps_history(engine: Engine, sample_db: Path) -> None:
    _ingest(engine, sample_db)
    first = run_builtin(engine, "profiling", "s.sample.main")
    assert first.status == RunStatus.COMPLETED, first.error_message
    assert len(first.tasks) == 15 and (first.output or {})["tables_profiled"] == 15
    assert {t.task_type for t in first.tasks} == {"profile-table"}
    # one aggregate statement + one streamed scan (+ at most one more) per table
    assert (first.output or {})["statements"] <= 3 * 15
    con = sqlite3.connect(sample_db)
    (customers,) = con.execute("SELECT count(*) FROM customer").fetchone()
    (null_emails,) = con.execute("SELECT count(*) FROM customer WHERE email IS NULL").fetchone()
    con.close()
    with engine.store.session() as s:
        row = profiles_q.latest_profile(s, TENANT, "s.sample.main.customer")
        assert row.run_id == first.id and row.row_count == customers
        email = next(c for c in row.profile["columns"] if c["name"] == "email")
        assert email["null_count"] == null_emails
    time.sleep(0.01)
    second = run_builtin(engine, "profiling", "s.sample.main.customer")
    assert len(second.tasks) == 1
    with engine.store.session() as s:
        rows, total = profiles_q.profile_history(s, TENANT, "s.sample.main.customer")
        assert total == 2 and [r.run_id for r in rows] == [second.id, first.id]
        older = profiles_q.latest_profile(
            s, TENANT, "s.sample.main.customer", as_of=rows[1].profiled_at
        )
        assert older.run_id == first.id


def test_database_target_is_refused(engine: Engine, sample_db: Path) -> None:
    _ingest(engine, sample_db)
    with pytest.raises(ValidationFailed, match="schema or table"):
        run_builtin(engine, "profiling", "s.sample")


def test_bad_options_are_refused_at_creation(engine: Engine, sample_db: Path) -> None:
    _ingest(engine, sample_db)
    with pytest.raises(ValidationFailed, match="sample_percent"):
        run_builtin(engine, "profiling", "s.sample.main", sample_percent=500)


def test_a_dropped_table_fails_its_task_only(engine: Engine, sample_db: Path) -> None:
    _ingest(engine, sample_db)
    con = sqlite3.connect(sample_db)
    con.execute("DROP TABLE film_category")
    con.commit()
    con.close()
    run = run_builtin(engine, "profiling", "s.sample.main")
    assert run.status == RunStatus.COMPLETED
    failed = [t for t in run.tasks if t.status == "failed"]
    assert [t.asset_fqn for t in failed] == ["s.sample.main.film_category"]
    assert "film_category" in (failed[0].error_message or "")
    assert (run.output or {})["tables_profiled"] == 14


@pytest.mark.postgres
def test_statement_timeout_fails_the_table_not_the_run(
    store_url: str, tmp_path: Path, pg_source_database: str, fakes: None
) -> None:
    import psycopg

    url = pg_source_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h, g % 97 AS k "
            "FROM generate_series(1, 1500000) g"
        )
        con.execute("CREATE TABLE small (id int primary key, name text)")
        con.execute("INSERT INTO small VALUES (1, 'a'), (2, 'b')")
    settings: Settings = make_settings(store_url, tmp_path)
    settings.sources.statement_timeout_seconds = 0.3
    engine = Engine(settings)
    engine.start()
    try:
        add_service(engine, "pg", url)
        db = url.rsplit("/", 1)[1]
        assert run_builtin(engine, "service-ingestion", f"pg.{db}.public").status == "completed"
        run = run_builtin(engine, "profiling", f"pg.{db}.public")
    finally:
        engine.shutdown()
    assert run.status == RunStatus.COMPLETED
    states = {t.asset_fqn: (t.status, t.error_message or "") for t in run.tasks}
    assert states[f"pg.{db}.public.small"][0] == "completed"
    status, message = states[f"pg.{db}.public.big"]
    assert status == "failed" and "timed out" in message and "sample" in message


@pytest.mark.postgres
def test_permission_denied_on_one_table_fails_that_task_only(
    engine: Engine, pg_source_database: str
) -> None:
    import uuid

    import psycopg

    url = pg_source_database.replace("postgresql+psycopg://", "postgresql://")
    role = f"dr_limited_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE open_t (id int primary key, v text);"
            "INSERT INTO open_t VALUES (1, 'a'), (2, 'b');"
            "CREATE TABLE secret_t (id int primary key, v text);"
            "INSERT INTO secret_t VALUES (1, 'x');"
        )
        con.execute(f'CREATE ROLE "{role}" LOGIN')
        con.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        con.execute(f'GRANT SELECT ON open_t TO "{role}"')
    try:
        db = url.rsplit("/", 1)[1]
        add_service(engine, "lim", url.replace("postgres@", f"{role}@"))
        ingested = run_builtin(engine, "service-ingestion", f"lim.{db}.public")
        assert ingested.status == RunStatus.COMPLETED, ingested.error_message
        run = run_builtin(engine, "profiling", f"lim.{db}.public")
        states = {t.asset_fqn: (t.status, t.error_message or "") for t in run.tasks}
        assert run.status == RunStatus.COMPLETED
        assert states[f"lim.{db}.public.open_t"][0] == "completed"
        status, message = states[f"lim.{db}.public.secret_t"]  # the catalogue lists it
        assert status == "failed" and "permission" in message.lower()
    finally:
        engine.store.dispose()
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            )
            con.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
            con.execute(f'REVOKE USAGE ON SCHEMA public FROM "{role}"')
            con.execute(f'DROP ROLE "{role}"')
