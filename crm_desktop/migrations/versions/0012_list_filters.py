"""Indexes for the list filters people use most: the owner ("my records") on every
list, and an opportunity's status (open / won / lost).

Each is (filter column, sort_key, rid) over live rows: a list filtered by owner
and sorted by name reads its first page straight from the index, and counts
its rows without touching the table (docs/ARCHITECTURE.md, "List filters").

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OWNED = ("accounts", "contacts", "leads", "opportunities", "activities", "cases", "campaigns")


def upgrade() -> None:
    for table in OWNED:
        op.execute(f"CREATE INDEX ix_{table}_owner ON {table} (owner_id, sort_key, rid) WHERE deleted = 0")
    op.execute("CREATE INDEX ix_opportunities_status ON opportunities (status, sort_key, rid) WHERE deleted = 0")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
