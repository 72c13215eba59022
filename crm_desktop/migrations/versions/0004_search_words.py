"""Short and Chinese search terms: a ``words`` column in every full-text index.

The trigram tokenizer matches nothing shorter than three characters, so a
two-character Chinese name (张伟) or a one- or two-letter prefix could only be
found by scanning.  Each record type's index gets a ``words`` column holding
every word's first two letters and every CJK character behind a marker,
computed by the SQL function ``crm_words`` (crm_desktop/store/search_text.py,
registered on every connection by crm_desktop/store/db.py); short terms are
looked up there, in the same index and the same ``MATCH`` as long ones.

A narrow index (rid, sort_key) lets a search sort its matches by name without
reading each wide row.

FTS5 cannot add a column to an existing table: each index is rebuilt from its
record table (tombstones stay out), and its triggers recreated.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copy of the index definitions at this revision.
FTS = [
    (
        "accounts",
        "accounts_fts",
        (
            ("name", "coalesce(new.name, '')"),
            ("email", "coalesce(new.email, '')"),
            ("phone", "coalesce(new.phone_e164, '')"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
    (
        "contacts",
        "contacts_fts",
        (
            ("name", "trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, ''))"),
            ("email", "trim(coalesce(new.email, '') || ' ' || coalesce(new.email2, ''))"),
            ("phone", "trim(coalesce(new.phone_e164, '') || ' ' || coalesce(new.mobile_e164, ''))"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
]

ACTIVE = "NOT EXISTS (SELECT 1 FROM fts_suspend)"


def index_ddl(table: str, fts_table: str, searched: tuple[tuple[str, str], ...]) -> list[str]:
    """DDL of one record type's index and triggers (a new type's migration may call it)."""
    columns = (*searched, ("words", f"crm_words({', '.join(expr for _, expr in searched)})"))
    names = ", ".join(name for name, _ in columns)
    new_values = ", ".join(expr for _, expr in columns)
    old_values = ", ".join(expr.replace("new.", "old.") for _, expr in columns)
    source_columns = sorted(
        {word[4:] for _, expr in searched for word in expr.replace("(", " ").replace(",", " ").split()
         if word.startswith("new.")}
    )
    watched = ", ".join([*source_columns, "deleted"])
    return [
        f"CREATE VIRTUAL TABLE {fts_table} USING fts5({names}, content='', tokenize='trigram')",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.deleted = 0 AND {ACTIVE} BEGIN "
        f"INSERT INTO {fts_table}(rowid, {names}) VALUES (new.rid, {new_values}); END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.deleted = 0 AND {ACTIVE} BEGIN "
        f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) VALUES ('delete', old.rid, {old_values}); END",
        # One update trigger, so the old tokens are removed before the new
        # ones go in (SQLite does not promise an order between triggers).
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} WHEN {ACTIVE} BEGIN "
        f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) "
        f"SELECT 'delete', old.rid, {old_values} WHERE old.deleted = 0; "
        f"INSERT INTO {fts_table}(rowid, {names}) SELECT new.rid, {new_values} WHERE new.deleted = 0; END",
        f"INSERT INTO {fts_table}(rowid, {names}) "
        f"SELECT rid, {new_values.replace('new.', '')} FROM {table} WHERE deleted = 0",
        # One segment instead of the hundreds a big insert leaves behind.
        f"INSERT INTO {fts_table}({fts_table}) VALUES ('optimize')",
    ]


def upgrade() -> None:
    for table in ("accounts", "contacts"):
        # A narrow copy of each row's sort key found by rid: sorting the
        # matches of a search reads it instead of the whole wide row.
        op.execute(f"CREATE INDEX ix_{table}_rid_sort ON {table} (rid, sort_key) WHERE deleted = 0")
    for table, fts_table, searched in FTS:
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {table}_fts_{suffix}")
        op.execute(f"DROP TABLE {fts_table}")
        for ddl in index_ddl(table, fts_table, searched):
            op.execute(ddl)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
