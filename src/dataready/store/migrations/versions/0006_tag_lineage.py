"""tag lineage: what a derived tag was derived from

A derived tag (``PII.Sensitive``, ``Sensitivity.*``, ``PrivacyCategory.*``) records the tags
it follows in ``derived_from``, so that it goes when they go. Existing rows start with none
(they are re-derived by the next run or the next change of a tag by a person).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("derived_from", json_type, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_column("derived_from")
