"""service-ingestion against real sources: counters, re-ingestion, hostile names, failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.workflows.conftest import TENANT, add_service, run_builtin

from dataready.domain.enums import RunStatus
from dataready.store import assets as assets_q
from dataready.store.orm import Asset
from dataready.workflows import registry
from dataready.workflows.base import RunContext, TaskSpec
from dataready.workflows.engine import Engine
from dataready.workflows.ingestion import ServiceIngestion

HOSTILE_TABLE = 'x"; DROP TABLE y; --'
HOSTILE_COLUMNS = ['we"ird', "with.dot", "spa ce", "ünï", "`tick`"]


def _sqlite_source(path: Path) -> str:
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, store_id INTEGER
            REFERENCES store(id));
        CREATE TABLE store (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE y (id INTEGER);
        CREATE VIEW active_customer AS SELECT * FROM customer;
        """
    )
    cols = ", ".join('"' + c.replace('"', '""') + '" TEXT' for c in HOSTILE_COLUMNS)
    con.execute('CREATE TABLE "' + HOSTILE_TABLE.replace('"', '""') + f'" ({cols})')
    con.execute("INSERT INTO y VALUES (1)")
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def _assets(engine: Engine, prefix: str, include_deleted: bool = False) -> dict[str, Asset]:
    with engine.store.session() as s:
        rows, _ = assets_q.list_assets(
            s, TENANT, fqn_prefix=prefix, limit=10000, include_deleted=include_deleted
        )
        return {a.fqn: a for a in rows}


def test_ingest_reingest_and_change(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "shop.db"
    add_service(engine, "shop", _sqlite_source(src))
    run = run_builtin(engine, "service-ingestion", "shop")
    assert run.status == RunStatus.COMPLETED, run.error_message
    out = run.output or {}
    assert (out["tables"], out["views"], out["added"], out["removed"]) == (4, 1, 5, 0)
    assert out["columns"] == 3 + 2 + 1 + len(HOSTILE_COLUMNS) + 3
    assets = _assets(engine, "shop")
    cust = assets["shop.shop.main.customer"]
    assert cust.asset_type == "table" and cust.version == 1
    assert cust.details["primary_key"] == ["id"]
    assert cust.details["foreign_keys"][0]["referred_fqn"] == "shop.shop.main.store"
    assert assets["shop.shop.main.customer.email"].nullable is False
    assert assets["shop.shop.main.active_customer"].asset_type == "view"

    # nothing changed: nothing counted as added/changed/removed, versions stay
    again = run_builtin(engine, "service-ingestion", "shop").output or {}
    assert (again["added"], again["changed"], again["removed"], again["unchanged"]) == (0, 0, 0, 5)

    con = sqlite3.connect(src)
    con.executescript(
        "ALTER TABLE customer ADD COLUMN phone TEXT; DROP TABLE y; CREATE TABLE z (id INT);"
    )
    con.close()
    third = run_builtin(engine, "service-ingestion", "shop").output or {}
    # customer gained a column, and so did the view over it (SELECT *)
    assert (third["added"], third["changed"], third["removed"]) == (1, 2, 1)
    assert _assets(engine, "shop")["shop.shop.main.active_customer"].version == 2
    assets = _assets(engine, "shop", include_deleted=True)
    assert assets["shop.shop.main.customer"].version == 2
    assert assets["shop.shop.main.customer.phone"].status == "active"
    assert assets["shop.shop.main.y"].status == "deleted"  # kept, marked deleted
    assert assets["shop.shop.main.y"].deleted_at is not None
    assert assets["shop.shop.main.y.id"].status == "deleted"
    assert assets["shop.shop.main.z"].version == 1


def test_hostile_names_are_catalogued_and_source_untouched(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "hostile.db"
    add_service(engine, "h", _sqlite_source(src))
    before = src.read_bytes()
    run = run_builtin(engine, "service-ingestion", "h.hostile.main")
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert src.read_bytes() == before
    con = sqlite3.connect(src)
    assert con.execute("SELECT count(*) FROM y").fetchone() == (1,)
    con.close()
    assets = _assets(engine, "h")
    table_fqn = 'h.hostile.main."x""; DROP TABLE y; --"'
    assert assets[table_fqn].name == HOSTILE_TABLE
    names = {a.name for a in assets.values() if a.parent_fqn == table_fqn}
    assert names == set(HOSTILE_COLUMNS)
    assert 'h.hostile.main."x""; DROP TABLE y; --"."with.dot"' in assets


def test_filters_limit_tables(engine: Engine, tmp_path: Path) -> None:
    add_service(engine, "f", _sqlite_source(tmp_path / "f.db"))
    run = run_builtin(
        engine, "service-ingestion", "f", include_tables=["cust.*", "store"], include_views=False
    )
    assert (run.output or {})["tables"] == 2
    assert set(_assets(engine, "f")) >= {"f.f.main.customer", "f.f.main.store"}
    assert "f.f.main.y" not in _assets(engine, "f")


def test_bad_filter_regex_is_refused_at_creation(engine: Engine, tmp_path: Path) -> None:
    from dataready.errors import ValidationFailed

    add_service(engine, "g", _sqlite_source(tmp_path / "g.db"))
    with pytest.raises(ValidationFailed, match="include_tables"):
        run_builtin(engine, "service-ingestion", "g", include_tables=["(unclosed"])


def test_unknown_service_is_refused_with_a_clear_message(engine: Engine, tmp_path: Path) -> None:
    from dataready.errors import TargetNotFound

    with pytest.raises(TargetNotFound, match="no service named 'nosuch'"):
        run_builtin(engine, "service-ingestion", "nosuch")  # refused before any run exists
    add_service(engine, "nosuck", _sqlite_source(tmp_path / "n.db"))
    with pytest.raises(TargetNotFound, match="did you mean nosuck") as caught:
        run_builtin(engine, "service-ingestion", "nosuch.n")
    assert caught.value.details["closest"] == ["nosuck"]


class _DropsASchema(ServiceIngestion):
    """Plans as usual, then drops one schema before its task runs."""

    workflow_type = "test-ingest-drop"
    drop_url: str = ""

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        import psycopg

        tasks = super().plan(ctx)
        with psycopg.connect(self.drop_url, autocommit=True) as con:
            con.execute("DROP SCHEMA gone CASCADE")
        return tasks


@pytest.mark.postgres
def test_schema_vanishing_mid_ingestion_fails_its_task_only(
    engine: Engine, pg_source_database: str
) -> None:
    import psycopg

    url = pg_source_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(
            "CREATE SCHEMA kept; CREATE TABLE kept.t (id int primary key);"
            "CREATE SCHEMA gone; CREATE TABLE gone.t (id int);"
        )
    _DropsASchema.drop_url = url
    registry.register_workflow("test-ingest-drop", _DropsASchema, replace=True)
    try:
        from tests.workflows.conftest import PRINCIPAL, wait_for

        from dataready.store import configurations as configs_q
        from dataready.store import definitions as defs_q
        from dataready.workflows.service import start_run

        add_service(engine, "pg", url)
        with engine.store.session() as s:
            d = defs_q.create_definition(
                s,
                TENANT,
                name="drop",
                workflow_type="test-ingest-drop",
                category="ingestion",
                data_asset_types=["service", "database"],
                description=None,
                default_config={"include_schemas": ["kept", "gone"]},
                is_active=True,
                requires_approval=False,
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
                created_by="t",
            )
            db = url.rsplit("/", 1)[1]
            run_id = start_run(
                s, PRINCIPAL, c.id, asset_fqn=f"pg.{db}", parameters={}, save_all=True
            ).id
        engine.submit(run_id)
        run = wait_for(engine, run_id, timeout=60)
    finally:
        registry.unregister_workflow("test-ingest-drop")
    assert run.status == RunStatus.COMPLETED
    assert (run.output or {})["tasks_failed"] == 1
    states = {t.asset_fqn: (t.status, t.error_message) for t in run.tasks}
    assert states[f"pg.{db}.kept"][0] == "completed"
    status, message = states[f"pg.{db}.gone"]
    assert status == "failed" and "no longer exists" in (message or "")


@pytest.mark.postgres
def test_sakila_ingests_customer_with_foreign_keys(engine: Engine, dvdrental: str) -> None:
    add_service(engine, "PostgreSQL", dvdrental)
    run = run_builtin(engine, "service-ingestion", "PostgreSQL.dvdrental.public")
    assert run.status == RunStatus.COMPLETED, run.error_message
    assert (run.output or {})["tables"] >= 15
    assets = _assets(engine, "PostgreSQL.dvdrental.public.customer")
    customer = assets["PostgreSQL.dvdrental.public.customer"]
    assert customer.asset_type == "table"
    cols = {a.name for a in assets.values() if a.asset_type == "column"}
    assert {
        "customer_id",
        "store_id",
        "first_name",
        "last_name",
        "email",
        "address_id",
        "activebool",
        "create_date",
        "last_update",
        "active",
    } <= cols
    refs = {fk["referred_fqn"]: fk["columns"] for fk in customer.details["foreign_keys"]}
    assert refs["PostgreSQL.dvdrental.public.address"] == ["address_id"]
    assert refs["PostgreSQL.dvdrental.public.store"] == ["store_id"]
    assert customer.row_count_estimate is not None and customer.row_count_estimate > 0
    email = assets["PostgreSQL.dvdrental.public.customer.email"]
    assert email.type_family == "string"
