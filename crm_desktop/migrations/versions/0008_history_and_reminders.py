"""Local record history (timeline of changes), shown activity reminders, pipeline board index.

``record_history`` keeps one row per changed field of a record, written by the
service layer for local edits and by the sync replica for pulled changes; it
is local only (never synced).  ``reminders_sent`` remembers which activity
reminders were shown so each fires once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen DDL: the schema as it is at this revision (no import of the live models).
STATEMENTS = [
    """CREATE TABLE record_history (
        id INTEGER NOT NULL,
        record_type VARCHAR(64) NOT NULL,
        record_id VARCHAR(36) NOT NULL,
        changed_at DATETIME NOT NULL,
        changed_by VARCHAR(36),
        source VARCHAR(16) NOT NULL,
        op VARCHAR(16) NOT NULL,
        field VARCHAR(64),
        old_value JSON,
        new_value JSON,
        PRIMARY KEY (id)
    )""",
    "CREATE INDEX ix_record_history_record ON record_history (record_id, changed_at)",
    # The pipeline board's totals of every column in one index-only scan.
    "CREATE INDEX ix_opportunities_board ON opportunities (stage, currency, close_date, owner_id, amount, deleted)",
    """CREATE TABLE reminders_sent (
        activity_id VARCHAR(36) NOT NULL,
        remind_at VARCHAR(32) NOT NULL,
        shown_at DATETIME NOT NULL,
        PRIMARY KEY (activity_id, remind_at)
    )""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE reminders_sent")
    op.execute("DROP INDEX ix_opportunities_board")
    op.execute("DROP TABLE record_history")
