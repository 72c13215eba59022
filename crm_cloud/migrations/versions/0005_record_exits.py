"""Record exits: writes that took a record out of some users' sight.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "record_exits",
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("owner_before", sa.String(length=36), nullable=True),
        sa.Column("shared_before", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("rev"),
    )
    op.create_index(op.f("ix_record_exits_owner_before"), "record_exits", ["owner_before"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_record_exits_owner_before"), table_name="record_exits")
    op.drop_table("record_exits")
