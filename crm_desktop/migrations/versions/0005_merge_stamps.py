"""Per-field clock stamps of local edits and the conflict rule's outcome.

``pending_changes.field_stamps``: when each locally edited field was edited
(hybrid logical clock, see crm_protocol.hlc), sent with the change so the
later edit of a field wins a conflict on every side.  ``conflicts`` keeps
which value was applied (``winner``) and both stamps, so the inbox can show
when each side edited.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_changes") as batch:
        batch.add_column(sa.Column("field_stamps", sa.JSON(), nullable=True))
    with op.batch_alter_table("conflicts") as batch:
        batch.add_column(sa.Column("winner", sa.String(16), nullable=True))
        batch.add_column(sa.Column("local_stamp", sa.String(40), nullable=True))
        batch.add_column(sa.Column("server_stamp", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conflicts") as batch:
        batch.drop_column("server_stamp")
        batch.drop_column("local_stamp")
        batch.drop_column("winner")
    with op.batch_alter_table("pending_changes") as batch:
        batch.drop_column("field_stamps")
