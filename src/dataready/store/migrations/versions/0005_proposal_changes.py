"""proposal changes: each proposed change, reviewed on its own

A proposal may bundle many changes (a tagging run proposes a table's whole tag set).
``proposal_changes`` lists them one by one with what the catalogue held (``before``), what
the change makes of it (``after``), its evidence and confidence, and a person's decision
(``pending`` | ``accepted`` | ``rejected``). Runs that completed before this revision have
no rows; their changes are listed from their proposals until they are decided.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import dataready.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "proposal_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("asset_fqn", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("before", _json(), nullable=True),
        sa.Column("after", _json(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("evidence", _json(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", dataready.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", dataready.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", dataready.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_changes_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workflow_runs.id"],
            name=op.f("fk_proposal_changes_run_id_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_changes")),
    )
    with op.batch_alter_table("proposal_changes", schema=None) as batch_op:
        for column in ("client_id", "project_id", "proposal_id", "run_id"):
            batch_op.create_index(
                batch_op.f(f"ix_proposal_changes_{column}"), [column], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("proposal_changes", schema=None) as batch_op:
        for column in ("run_id", "proposal_id", "project_id", "client_id"):
            batch_op.drop_index(batch_op.f(f"ix_proposal_changes_{column}"))
    op.drop_table("proposal_changes")
