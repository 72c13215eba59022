"""Custom fields: the definitions pulled from the server (``custom_fields``, configuration:
no search index) and a ``custom`` object of values on every record type that can have them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Frozen DDL: the schema as it is at this revision (no import of the live models).
TABLES = [
    """CREATE TABLE custom_fields (
        record_type VARCHAR(32),
        name VARCHAR(64),
        label VARCHAR(120),
        kind VARCHAR(16),
        choices TEXT,
        required BOOLEAN NOT NULL,
        position INTEGER,
        active BOOLEAN NOT NULL,
        rid INTEGER NOT NULL,
        id VARCHAR(36) NOT NULL,
        server_rev INTEGER,
        dirty BOOLEAN NOT NULL,
        deleted BOOLEAN NOT NULL,
        sort_key TEXT NOT NULL,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        PRIMARY KEY (rid),
        UNIQUE (id)
    )""",
    """CREATE INDEX ix_custom_fields_dirty ON custom_fields (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_custom_fields_rid_sort ON custom_fields (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_custom_fields_sort ON custom_fields (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_custom_fields_updated ON custom_fields (updated_at, rid) WHERE deleted = 0""",
]

WITH_CUSTOM = ("accounts", "contacts", "leads", "opportunities", "activities", "cases", "campaigns")


def upgrade() -> None:
    for ddl in TABLES:
        op.execute(ddl)
    for table in WITH_CUSTOM:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("custom", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
