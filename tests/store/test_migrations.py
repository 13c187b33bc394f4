"""Migrations go up, down and up again on SQLite and PostgreSQL, with no autogenerate drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from dataready.domain.definitions import BUILTIN_DEFINITIONS
from dataready.settings import Settings
from dataready.store import migrate
from dataready.store.db import Store
from dataready.store.orm import Base, WorkflowDefinition
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
