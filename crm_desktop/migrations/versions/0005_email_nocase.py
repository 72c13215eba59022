"""Email duplicate keys: NOCASE indexes instead of lower(email) expression indexes.

SQLAlchemy cannot reflect an expression index, so the check that the ORM
classes match the migrated schema could not see the ``lower(email)`` indexes
of 0004.  A ``COLLATE NOCASE`` index on the column serves the same
case-insensitive look-up (``email COLLATE NOCASE IN (...)``) and reflects as
an ordinary column index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = [
    ("contacts", "email"),
    ("contacts", "email2"),
    ("accounts", "email"),
]


def upgrade() -> None:
    for table, column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_lower")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_nocase ON {table} ({column} COLLATE NOCASE) "
            f"WHERE deleted = 0 AND {column} IS NOT NULL"
        )


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
