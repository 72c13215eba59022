"""Per-field clock stamps on records and the server's hybrid logical clock.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

#: The record tables that exist at revision 0001.
RECORD_TABLES = ("account", "contact")


def upgrade() -> None:
    for name in RECORD_TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("field_stamps", sa.JSON(), nullable=True))
    with op.batch_alter_table("server_state") as batch:
        batch.add_column(sa.Column("hlc", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("server_state") as batch:
        batch.drop_column("hlc")
    for name in RECORD_TABLES:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("field_stamps")
