"""Tags on accounts and contacts (a JSON list of strings, crm_protocol.records.TAGS_FIELD).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("accounts", "contacts"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tags", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("accounts", "contacts"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tags")
