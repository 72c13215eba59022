"""Initial local schema: accounts, contacts, outbox, conflicts, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen DDL: a migration describes the schema as it was at this revision, so
# it does not import the live models.
TABLES = [
    """CREATE TABLE accounts (
        name VARCHAR(255),
        website VARCHAR(2048),
        industry VARCHAR(120),
        email VARCHAR(320),
        phone VARCHAR(64),
        phone_e164 VARCHAR(32),
        street VARCHAR(500),
        city VARCHAR(120),
        region VARCHAR(120),
        postal_code VARCHAR(32),
        country VARCHAR(120),
        notes TEXT,
        owner_id VARCHAR(36),
        shared BOOLEAN NOT NULL,
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
    """CREATE INDEX ix_accounts_dirty ON accounts (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_accounts_sort ON accounts (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_accounts_updated ON accounts (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE conflicts (
        id INTEGER NOT NULL,
        record_type VARCHAR(64) NOT NULL,
        record_id VARCHAR(36) NOT NULL,
        field VARCHAR(64),
        base_value JSON,
        local_value JSON,
        server_value JSON,
        server_rev INTEGER,
        server_updated_by VARCHAR(36),
        kind VARCHAR(32) NOT NULL,
        resolution VARCHAR(16),
        created_at DATETIME NOT NULL,
        resolved_at DATETIME,
        PRIMARY KEY (id)
    )""",
    """CREATE INDEX ix_conflicts_open ON conflicts (resolution, record_type, record_id)""",
    """CREATE TABLE contacts (
        first_name VARCHAR(120),
        last_name VARCHAR(120),
        title VARCHAR(200),
        account_id VARCHAR(36),
        email VARCHAR(320),
        email2 VARCHAR(320),
        phone VARCHAR(64),
        phone_e164 VARCHAR(32),
        mobile VARCHAR(64),
        mobile_e164 VARCHAR(32),
        street VARCHAR(500),
        city VARCHAR(120),
        region VARCHAR(120),
        postal_code VARCHAR(32),
        country VARCHAR(120),
        notes TEXT,
        owner_id VARCHAR(36),
        shared BOOLEAN NOT NULL,
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
    """CREATE INDEX ix_contacts_account ON contacts (account_id)""",
    """CREATE INDEX ix_contacts_dirty ON contacts (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_contacts_email ON contacts (email, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_contacts_sort ON contacts (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_contacts_updated ON contacts (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE kv (
        "key" VARCHAR(64) NOT NULL,
        value JSON,
        PRIMARY KEY ("key")
    )""",
    """CREATE TABLE pending_changes (
        record_type VARCHAR(64) NOT NULL,
        record_id VARCHAR(36) NOT NULL,
        change_id VARCHAR(36) NOT NULL,
        op VARCHAR(16) NOT NULL,
        base_rev INTEGER,
        base_values JSON NOT NULL,
        in_flight JSON,
        local_seq INTEGER NOT NULL,
        in_flight_seq INTEGER,
        status VARCHAR(16) NOT NULL,
        reject_code VARCHAR(64),
        reject_reason TEXT,
        field_errors JSON,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        PRIMARY KEY (record_type, record_id),
        UNIQUE (change_id)
    )""",
    """CREATE TABLE users (
        id VARCHAR(36) NOT NULL,
        email VARCHAR(320) NOT NULL,
        name VARCHAR(255) NOT NULL,
        PRIMARY KEY (id)
    )""",
]

# (record table, FTS table, ((column, SQL expression over new.*), ...)):
# contentless trigram full-text indexes keyed by the record's rid, kept in
# step by triggers.  Tombstones are not indexed.
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


def fts_ddl(table: str, fts_table: str, columns: tuple[tuple[str, str], ...]) -> list[str]:
    names = ", ".join(name for name, _ in columns)
    new_values = ", ".join(expr for _, expr in columns)
    old_values = ", ".join(expr.replace("new.", "old.") for _, expr in columns)
    source_columns = sorted(
        {word[4:] for _, expr in columns for word in expr.replace("(", " ").replace(",", " ").split()
         if word.startswith("new.")}
    )
    watched = ", ".join([*source_columns, "deleted"])
    return [
        f"CREATE VIRTUAL TABLE {fts_table} USING fts5({names}, content='', tokenize='trigram')",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} WHEN new.deleted = 0 BEGIN "
        f"INSERT INTO {fts_table}(rowid, {names}) VALUES (new.rid, {new_values}); END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} WHEN old.deleted = 0 BEGIN "
        f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) VALUES ('delete', old.rid, {old_values}); END",
        # One update trigger, so the old tokens are removed before the new
        # ones go in (SQLite does not promise an order between triggers).
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} BEGIN "
        f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) "
        f"SELECT 'delete', old.rid, {old_values} WHERE old.deleted = 0; "
        f"INSERT INTO {fts_table}(rowid, {names}) SELECT new.rid, {new_values} WHERE new.deleted = 0; END",
    ]


def upgrade() -> None:
    for ddl in TABLES:
        op.execute(ddl)
    for table, fts_table, columns in FTS:
        for ddl in fts_ddl(table, fts_table, columns):
            op.execute(ddl)


def downgrade() -> None:
    raise NotImplementedError("the first schema has nothing to go back to")
