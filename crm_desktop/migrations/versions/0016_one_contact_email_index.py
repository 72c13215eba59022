"""One index on contacts' email instead of two.

``ix_contacts_email`` (email, rid) ordered the list by email and
``ix_contacts_email_nocase`` (email COLLATE NOCASE) answered duplicate checks.
Every pulled or imported contact paid for both (together about a sixth of the
initial sync's SQLite time).  One case-insensitive index over live rows does
both: SQLite appends the rowid (``rid``) to every index key, so it also orders
by (email, rid), and the list now sorts emails case-insensitively, as people
read them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contacts_email")
    op.execute("DROP INDEX IF EXISTS ix_contacts_email_nocase")
    op.execute("CREATE INDEX ix_contacts_email ON contacts (email COLLATE NOCASE) WHERE deleted = 0")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
