"""The pipeline board's covering index gains the probability: the weighted totals
(amount x probability) stay an index-only scan like the plain ones.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX ix_opportunities_board")
    op.execute("CREATE INDEX ix_opportunities_board ON opportunities "
               "(stage, currency, close_date, owner_id, amount, probability, deleted)")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
