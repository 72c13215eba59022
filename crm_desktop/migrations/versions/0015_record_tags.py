"""An index of tags: ``record_tags`` (table, rid, tag key), kept by triggers.

Tags live in a JSON column, which no index can look into, so "has tag" read
every row (about 2 s at a million records).  Each record table with tags now
has three triggers that keep one ``record_tags`` row per tag of each live
record (``crm_tag_key``: the casefolded tag, registered on every connection
with the search functions), and the list filter looks the tag up there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TAGGED = ("accounts", "contacts", "leads", "opportunities", "activities", "cases", "campaigns")

# Frozen DDL: the schema as it is at this revision (no import of the live models).
TABLE = """CREATE TABLE record_tags (
    tbl VARCHAR(64) NOT NULL,
    tag TEXT NOT NULL,
    rid INTEGER NOT NULL,
    PRIMARY KEY (tbl, tag, rid)
)"""


def _fill(table: str, row: str) -> str:
    """The INSERT of one record's tags (``row`` is ``new`` in a trigger)."""
    return (f"INSERT OR IGNORE INTO record_tags (tbl, tag, rid) SELECT '{table}', crm_tag_key(t.value), {row}.rid "
            f"FROM json_each({row}.tags) t WHERE {row}.deleted = 0 AND {row}.tags IS NOT NULL "
            "AND t.type = 'text' AND t.value <> ''")


def triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER record_tags_{table}_insert AFTER INSERT ON {table} "
        f"WHEN new.tags IS NOT NULL AND new.deleted = 0 BEGIN {_fill(table, 'new')}; END",
        f"CREATE TRIGGER record_tags_{table}_update AFTER UPDATE OF tags, deleted ON {table} BEGIN "
        f"DELETE FROM record_tags WHERE tbl = '{table}' AND rid = old.rid; {_fill(table, 'new')}; END",
        f"CREATE TRIGGER record_tags_{table}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM record_tags WHERE tbl = '{table}' AND rid = old.rid; END",
    ]


def upgrade() -> None:
    op.execute(TABLE)
    op.execute("CREATE INDEX ix_record_tags_row ON record_tags (tbl, rid)")
    for table in TAGGED:
        for ddl in triggers(table):
            op.execute(ddl)
        op.execute(f"INSERT OR IGNORE INTO record_tags (tbl, tag, rid) SELECT '{table}', crm_tag_key(t.value), "
                   f"c.rid FROM {table} c, json_each(c.tags) t WHERE c.deleted = 0 AND c.tags IS NOT NULL "
                   "AND t.type = 'text' AND t.value <> ''")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
