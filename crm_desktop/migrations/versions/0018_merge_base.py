"""Record merge: the outbox keeps, per merged-away record, the server revision
and values the merge was made from (``merge_base``), so a change the server
took for that record meanwhile is merged into the kept record, not dropped.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_changes") as batch:
        batch.add_column(sa.Column("merge_base", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
