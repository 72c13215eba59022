"""Record merge: the outbox carries the ids merged into a record, and the store
keeps aliases (an id merged away -> the record it now lives on).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_changes") as batch:
        batch.add_column(sa.Column("merge_from", sa.JSON(), nullable=True))
    op.create_table(
        "record_aliases",
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("old_id", sa.String(length=36), nullable=False),
        sa.Column("new_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_type", "old_id"),
    )


def downgrade() -> None:
    op.drop_table("record_aliases")
    with op.batch_alter_table("pending_changes") as batch:
        batch.drop_column("merge_from")
