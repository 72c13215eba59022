"""Record merge: ``merged_into`` on every record table (the alias of a merged-away record).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _record_tables() -> list[str]:
    # Every record table has the per-field clock stamps (0002 and the
    # modules' tables); the migration covers whichever exist at this point.
    inspector = sa.inspect(op.get_bind())
    return sorted(
        name for name in inspector.get_table_names()
        if any(c["name"] == "field_stamps" for c in inspector.get_columns(name))
    )


def upgrade() -> None:
    for name in _record_tables():
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("merged_into", sa.String(length=36), nullable=True))


def downgrade() -> None:
    for name in _record_tables():
        with op.batch_alter_table(name) as batch:
            batch.drop_column("merged_into")
