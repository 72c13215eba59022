"""Sales, marketing, service and activities: leads, opportunities, pipeline stages,
campaigns and their members, support cases, service levels, activities.

Each record table has the synced columns every record table has (see 0001)
and a trigram full-text index of the same form as accounts and contacts
(with the ``words`` column of 0004, standing aside during bulk writes as in 0002).  Pipeline stages
and service levels are configuration pulled from the server: no search index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen DDL: the schema as it is at this revision (no import of the live models).
TABLES = [
    """CREATE TABLE pipeline_stages (
        name VARCHAR(120),
        position INTEGER,
        probability INTEGER,
        outcome VARCHAR(8),
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
    """CREATE INDEX ix_pipeline_stages_dirty ON pipeline_stages (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_pipeline_stages_rid_sort ON pipeline_stages (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_pipeline_stages_sort ON pipeline_stages (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_pipeline_stages_updated ON pipeline_stages (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE service_levels (
        priority VARCHAR(16),
        response_hours INTEGER,
        resolution_hours INTEGER,
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
    """CREATE INDEX ix_service_levels_dirty ON service_levels (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_service_levels_rid_sort ON service_levels (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_service_levels_sort ON service_levels (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_service_levels_updated ON service_levels (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE campaigns (
        name VARCHAR(255),
        type VARCHAR(32),
        status VARCHAR(16),
        start_date VARCHAR(10),
        end_date VARCHAR(10),
        budget VARCHAR(32),
        actual_cost VARCHAR(32),
        currency VARCHAR(3),
        description TEXT,
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
    """CREATE INDEX ix_campaigns_dirty ON campaigns (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_campaigns_rid_sort ON campaigns (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_campaigns_sort ON campaigns (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_campaigns_start ON campaigns (start_date, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_campaigns_updated ON campaigns (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE opportunities (
        name VARCHAR(255),
        account_id VARCHAR(36),
        contact_id VARCHAR(36),
        amount VARCHAR(32),
        currency VARCHAR(3),
        stage VARCHAR(120),
        probability INTEGER,
        close_date VARCHAR(10),
        next_step VARCHAR(500),
        status VARCHAR(16),
        close_reason VARCHAR(500),
        campaign_id VARCHAR(36),
        description TEXT,
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
    """CREATE INDEX ix_opportunities_account ON opportunities (account_id)""",
    """CREATE INDEX ix_opportunities_campaign ON opportunities (campaign_id)""",
    """CREATE INDEX ix_opportunities_close ON opportunities (close_date, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_opportunities_dirty ON opportunities (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_opportunities_rid_sort ON opportunities (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_opportunities_sort ON opportunities (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_opportunities_stage ON opportunities (stage, close_date, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_opportunities_updated ON opportunities (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE leads (
        first_name VARCHAR(120),
        last_name VARCHAR(120),
        company VARCHAR(255),
        title VARCHAR(200),
        status VARCHAR(32),
        source VARCHAR(32),
        rating VARCHAR(16),
        email VARCHAR(320),
        phone VARCHAR(64),
        phone_e164 VARCHAR(32),
        mobile VARCHAR(64),
        mobile_e164 VARCHAR(32),
        website VARCHAR(2048),
        industry VARCHAR(120),
        street VARCHAR(500),
        city VARCHAR(120),
        region VARCHAR(120),
        postal_code VARCHAR(32),
        country VARCHAR(120),
        campaign_id VARCHAR(36),
        notes TEXT,
        converted_account_id VARCHAR(36),
        converted_contact_id VARCHAR(36),
        converted_opportunity_id VARCHAR(36),
        converted_at VARCHAR(32),
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
    """CREATE INDEX ix_leads_campaign ON leads (campaign_id)""",
    """CREATE INDEX ix_leads_dirty ON leads (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_leads_rid_sort ON leads (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_leads_sort ON leads (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_leads_status ON leads (status, sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_leads_updated ON leads (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE cases (
        subject VARCHAR(500),
        account_id VARCHAR(36),
        contact_id VARCHAR(36),
        priority VARCHAR(16),
        status VARCHAR(16),
        origin VARCHAR(16),
        due_at VARCHAR(32),
        description TEXT,
        resolution TEXT,
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
    """CREATE INDEX ix_cases_account ON cases (account_id)""",
    """CREATE INDEX ix_cases_contact ON cases (contact_id)""",
    """CREATE INDEX ix_cases_dirty ON cases (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_cases_queue ON cases (status, due_at, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_cases_rid_sort ON cases (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_cases_sort ON cases (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_cases_updated ON cases (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE activities (
        kind VARCHAR(16),
        subject VARCHAR(500),
        due_date VARCHAR(10),
        start_at VARCHAR(32),
        end_at VARCHAR(32),
        done BOOLEAN NOT NULL,
        priority VARCHAR(16),
        related_type VARCHAR(32),
        related_id VARCHAR(36),
        description TEXT,
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
    """CREATE INDEX ix_activities_dirty ON activities (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_activities_due ON activities (done, due_date, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_activities_related ON activities (related_id, related_type)""",
    """CREATE INDEX ix_activities_rid_sort ON activities (rid, sort_key) WHERE deleted = 0""",
    """CREATE INDEX ix_activities_sort ON activities (sort_key, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_activities_start ON activities (start_at, rid) WHERE deleted = 0""",
    """CREATE INDEX ix_activities_updated ON activities (updated_at, rid) WHERE deleted = 0""",
    """CREATE TABLE campaign_members (
        campaign_id VARCHAR(36),
        lead_id VARCHAR(36),
        contact_id VARCHAR(36),
        response VARCHAR(16),
        responded_on VARCHAR(10),
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
    """CREATE INDEX ix_campaign_members_campaign ON campaign_members (campaign_id)""",
    """CREATE INDEX ix_campaign_members_contact ON campaign_members (contact_id)""",
    """CREATE INDEX ix_campaign_members_dirty ON campaign_members (dirty) WHERE dirty = 1""",
    """CREATE INDEX ix_campaign_members_lead ON campaign_members (lead_id)""",
    """CREATE INDEX ix_campaign_members_updated ON campaign_members (updated_at, rid) WHERE deleted = 0""",
]

# (record table, FTS table, ((column, SQL expression over new.*), ...))
FTS = [
    (
        "leads",
        "leads_fts",
        (
            ("name", "trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '') || ' ' "
                     "|| coalesce(new.company, ''))"),
            ("email", "coalesce(new.email, '')"),
            ("phone", "trim(coalesce(new.phone_e164, '') || ' ' || coalesce(new.mobile_e164, ''))"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
    (
        "opportunities",
        "opportunities_fts",
        (
            ("name", "coalesce(new.name, '')"),
            ("next_step", "coalesce(new.next_step, '')"),
        ),
    ),
    (
        "activities",
        "activities_fts",
        (
            ("name", "coalesce(new.subject, '')"),
        ),
    ),
    (
        "cases",
        "cases_fts",
        (
            ("name", "coalesce(new.subject, '')"),
        ),
    ),
    (
        "campaigns",
        "campaigns_fts",
        (
            ("name", "coalesce(new.name, '')"),
        ),
    ),
]

ACTIVE = "NOT EXISTS (SELECT 1 FROM fts_suspend)"


def fts_ddl(table: str, fts_table: str, searched: tuple[tuple[str, str], ...]) -> list[str]:
    """The index and its triggers, in the form of migration 0003 (search words): the searched
    columns plus ``words`` (short and CJK terms) computed by the app's SQL function ``crm_words``."""
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
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} WHEN {ACTIVE} BEGIN "
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
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
