"""Migrations go up, down and up again on SQLite and PostgreSQL, with no autogenerate drift."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, inspect, select

from dataready.domain.definitions import BUILTIN_DEFINITIONS
from dataready.settings import Settings
from dataready.store import migrate
from dataready.store.db import Store
from dataready.store.orm import Asset, Base, Profile, Service, Tag, WorkflowDefinition
from dataready.workflows.engine import prepare_store


def _drift(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return list(compare_metadata(ctx, Base.metadata))


def test_up_down_up_without_drift(settings: Settings) -> None:
    store = Store(settings)
    try:
        migrate.upgrade(store.engine)
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert _drift(store) == []
        migrate.downgrade(store.engine, "base")
        left = set(inspect(store.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        migrate.upgrade(store.engine)
        assert _drift(store) == []
    finally:
        store.dispose()


def test_builtin_definitions_exist_after_upgrade_and_are_idempotent(settings: Settings) -> None:
    store = Store(settings)
    try:
        prepare_store(store)
        prepare_store(store)
        with store.session() as s:
            rows = s.scalars(select(WorkflowDefinition)).all()
        assert len(rows) == 15
        assert {r.workflow_type for r in rows} == {
            d.workflow_type.value for d in BUILTIN_DEFINITIONS
        }
        assert all(r.is_active and r.is_builtin for r in rows)
    finally:
        store.dispose()


def test_0004_keys_existing_results_by_asset_and_drops_orphans(settings: Settings) -> None:
    """Rows written before 0004 get their asset; rows whose asset is gone are dropped."""
    store = Store(settings)
    try:
        migrate.upgrade(store.engine, "0003")
        now = datetime.now(UTC)
        service_id, asset_id = uuid.uuid4(), uuid.uuid4()
        fqn = "shop.db.main.customer"
        ids = {name: uuid.uuid4() for name in ("p_keep", "p_gone", "p_other", "t_keep", "t_gone")}
        # the ORM's tables, with only the columns 0003 has (asset_id is not written)
        table = {t.name: t for t in (Service.__table__, Asset.__table__)}
        table |= {t.name: t for t in (Profile.__table__, Tag.__table__)}
        with store.engine.begin() as conn:
            tenant = {"client_id": "c", "project_id": "p", "created_at": now, "updated_at": now}
            conn.execute(
                table["services"].insert(),
                {**tenant, "id": service_id, "name": "shop", "connection_type": "sqlite"}
                | {"config": {}},
            )
            conn.execute(
                table["assets"].insert(),
                {**tenant, "id": asset_id, "service_id": service_id, "fqn": fqn, "name": "c"}
                | {"asset_type": "table", "details": {}, "version": 1, "status": "active"},
            )
            profile = {"profiled_at": now, "row_count_exact": True, "sampled": False}
            profile |= {"column_count": 0, "profile": {"row_count": 50}}
            for key, where, owner in [
                ("p_keep", fqn, tenant),
                ("p_gone", "old.db.main.customer", tenant),  # its service was deleted
                ("p_other", fqn, {**tenant, "project_id": "other"}),  # no such asset there
            ]:
                conn.execute(
                    table["profiles"].insert(),
                    {**owner, **profile, "id": ids[key], "table_fqn": where},
                )
            tag = {"tag": "PII.Email", "source": "person", "state": "applied", "evidence": {}}
            for key, where in [("t_keep", fqn), ("t_gone", "old.db.main.customer")]:
                conn.execute(
                    table["tags"].insert(), {**tenant, **tag, "id": ids[key], "asset_fqn": where}
                )
        migrate.upgrade(store.engine)
        with store.session() as s:
            profiles = {p.id: p.asset_id for p in s.scalars(select(Profile))}
            tags = {t.id: t.asset_id for t in s.scalars(select(Tag))}
        assert profiles == {ids["p_keep"]: asset_id}
        assert tags == {ids["t_keep"]: asset_id}
        assert _drift(store) == []
        with store.session() as s:  # the cascade: the asset takes its results along
            s.execute(delete(Asset).where(Asset.id == asset_id))
        with store.session() as s:
            assert s.scalars(select(Profile)).all() == [] and s.scalars(select(Tag)).all() == []
    finally:
        store.dispose()
