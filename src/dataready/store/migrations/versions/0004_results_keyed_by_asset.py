"""profiles and tags keyed by asset

Profiles and tags were keyed by FQN text, so a new service with an old name inherited the
results of the deleted one. They now reference their asset (ON DELETE CASCADE). Existing
rows are matched to their asset by tenant and FQN; rows that match no asset (their service
was deleted) are dropped: they described a database that is no longer registered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 19:26:50.267889
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
UPDATE {table} SET asset_id = (
    SELECT a.id FROM assets a
    WHERE a.client_id = {table}.client_id AND a.project_id = {table}.project_id
      AND a.fqn = {table}.{fqn}
)
"""


def _backfill(table: str, fqn: str) -> None:
    op.execute(_BACKFILL.format(table=table, fqn=fqn))
    op.execute(f"DELETE FROM {table} WHERE asset_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asset_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asset_id", sa.Uuid(), nullable=True))
    _backfill("profiles", "table_fqn")
    _backfill("tags", "asset_fqn")

    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.alter_column("asset_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_index("ix_profiles_tenant_fqn_time")
        batch_op.create_index("ix_profiles_asset_time", ["asset_id", "profiled_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_profiles_asset_id_assets"),
            "assets",
            ["asset_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.alter_column("asset_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(batch_op.f("ix_tags_asset_id"), ["asset_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_tags_asset_id_assets"),
            "assets",
            ["asset_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tags_asset_id_assets"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tags_asset_id"))
        batch_op.drop_column("asset_id")

    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_profiles_asset_id_assets"), type_="foreignkey")
        batch_op.drop_index("ix_profiles_asset_time")
        batch_op.create_index(
            "ix_profiles_tenant_fqn_time",
            ["client_id", "project_id", "table_fqn", "profiled_at"],
            unique=False,
        )
        batch_op.drop_column("asset_id")
