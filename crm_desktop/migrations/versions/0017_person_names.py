"""Chinese, Japanese and Korean names family name first: 张伟, not "伟 张".

Contacts' and leads' names are shown, sorted and searched through the SQL
function ``crm_person_name`` (crm_protocol.records.person_name), which every
connection of the app registers.  This revision points the search index's
triggers at it and re-indexes, and re-keys for sorting, the rows whose name
reads differently now (CJK names; nothing else changes).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ACTIVE = "NOT EXISTS (SELECT 1 FROM fts_suspend)"
_PHONES = "trim(coalesce(new.phone_e164, '') || ' ' || coalesce(new.mobile_e164, ''))"
# Frozen copies of the two indexes' columns, before and after this revision.
INDEXES = [
    (
        "contacts", "contacts_fts",
        "trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, ''))",
        "crm_person_name(new.first_name, new.last_name)",
        (("email", "trim(coalesce(new.email, '') || ' ' || coalesce(new.email2, ''))"),
         ("phone", _PHONES), ("city", "coalesce(new.city, '')")),
        "crm_person_name(first_name, last_name)",
    ),
    (
        "leads", "leads_fts",
        "trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '') || ' ' || coalesce(new.company, ''))",
        "trim(crm_person_name(new.first_name, new.last_name) || ' ' || coalesce(new.company, ''))",
        (("email", "coalesce(new.email, '')"), ("phone", _PHONES), ("city", "coalesce(new.city, '')")),
        "coalesce(nullif(crm_person_name(first_name, last_name), ''), company)",
    ),
]


def _columns(name_expr: str, rest: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    searched = (("name", name_expr), *rest)
    return (*searched, ("words", f"crm_words({', '.join(expr for _, expr in searched)})"))


def upgrade() -> None:
    for table, fts, old_name, new_name, rest, title in INDEXES:
        old_cols, new_cols = _columns(old_name, rest), _columns(new_name, rest)
        names = ", ".join(name for name, _ in new_cols)
        new_values = ", ".join(expr for _, expr in new_cols)
        old_values = ", ".join(expr.replace("new.", "old.") for _, expr in new_cols)
        sources = {word[4:] for _, expr in new_cols
                   for word in expr.replace("(", " ").replace(")", " ").replace(",", " ").split() if word.startswith("new.")}
        watched = ", ".join(sorted({*sources, "deleted"}))
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.deleted = 0 AND {ACTIVE} BEGIN "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rid, {new_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.deleted = 0 AND {ACTIVE} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rid, {old_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} WHEN {ACTIVE} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) SELECT 'delete', old.rid, {old_values} WHERE old.deleted = 0; "
            f"INSERT INTO {fts}(rowid, {names}) SELECT new.rid, {new_values} WHERE new.deleted = 0; END"
        )
        # Rows whose name now reads differently: their old tokens out, the new in.
        differs = (f"deleted = 0 AND first_name IS NOT NULL AND last_name IS NOT NULL "
                   f"AND {old_name.replace('new.', '')} <> {new_name.replace('new.', '')}")
        op.execute("CREATE TEMP TABLE renamed AS SELECT rid FROM " + table + " WHERE " + differs)
        plain_old = ", ".join(expr.replace("new.", "") for _, expr in old_cols)
        plain_new = ", ".join(expr.replace("new.", "") for _, expr in new_cols)
        op.execute(f"INSERT INTO {fts}({fts}, rowid, {names}) SELECT 'delete', rid, {plain_old} FROM {table} "
                   f"WHERE rid IN (SELECT rid FROM renamed)")
        op.execute(f"INSERT INTO {fts}(rowid, {names}) SELECT rid, {plain_new} FROM {table} "
                   f"WHERE rid IN (SELECT rid FROM renamed)")
        # The sort key is the title folded (CJK has no case, so the title itself).
        op.execute(f"UPDATE {table} SET sort_key = {title} WHERE rid IN (SELECT rid FROM renamed)")
        op.execute("DROP TABLE renamed")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
