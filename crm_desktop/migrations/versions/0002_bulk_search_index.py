"""Let bulk writes fill the search index in one statement.

FTS5 flushes its pending index data at every statement savepoint, and a
trigger body runs each row under one: indexing row by row from triggers ran
at a fifth of the speed of one ``INSERT ... SELECT`` over the whole batch.
The triggers now stand aside while the ``fts_suspend`` table has a row; the
sync engine's bulk path (crm_desktop.store.search_index) sets it, writes the
batch, and indexes the batch itself, all in one transaction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

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


def upgrade() -> None:
    op.execute("CREATE TABLE fts_suspend (id INTEGER PRIMARY KEY)")
    for table, fts_table, columns in FTS:
        names = ", ".join(name for name, _ in columns)
        new_values = ", ".join(expr for _, expr in columns)
        old_values = ", ".join(expr.replace("new.", "old.") for _, expr in columns)
        source_columns = sorted(
            {word[4:] for _, expr in columns for word in expr.replace("(", " ").replace(",", " ").split()
             if word.startswith("new.")}
        )
        watched = ", ".join([*source_columns, "deleted"])
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {table}_fts_{suffix}")
        op.execute(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.deleted = 0 AND {ACTIVE} BEGIN "
            f"INSERT INTO {fts_table}(rowid, {names}) VALUES (new.rid, {new_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.deleted = 0 AND {ACTIVE} BEGIN "
            f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) VALUES ('delete', old.rid, {old_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} WHEN {ACTIVE} BEGIN "
            f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) "
            f"SELECT 'delete', old.rid, {old_values} WHERE old.deleted = 0; "
            f"INSERT INTO {fts_table}(rowid, {names}) SELECT new.rid, {new_values} WHERE new.deleted = 0; END"
        )


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
