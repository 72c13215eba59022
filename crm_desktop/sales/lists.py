"""The lead and opportunity lists."""

from __future__ import annotations

from crm_desktop.services.list_table import TITLE_SQL, ListTable, money

_LEAD_NAME = TITLE_SQL["lead"].replace("x.", "c.")

LEAD_LIST = ListTable(
    "leads",
    "leads_fts",
    {
        "name": ("sort_key", "ix_leads_sort"),
        "updated_at": ("updated_at", "ix_leads_updated"),
    },
    ("name", "company", "status", "rating", "source", "email", "phone", "owner", "updated_at"),
    f"SELECT c.rid, c.id, c.dirty, {_LEAD_NAME}, c.company, c.status, c.rating, c.source, c.email, c.phone, "
    "u.name, c.updated_at FROM leads c LEFT JOIN users u ON u.id = c.owner_id "
    "WHERE c.deleted = 0 AND c.rid IN ({marks})",
    by_rid={"name": "ix_leads_rid_sort"},
)

OPPORTUNITY_LIST = ListTable(
    "opportunities",
    "opportunities_fts",
    {
        "name": ("sort_key", "ix_opportunities_sort"),
        "close_date": ("close_date", "ix_opportunities_close"),
        "updated_at": ("updated_at", "ix_opportunities_updated"),
    },
    ("name", "account", "stage", "amount", "probability", "close_date", "status", "owner", "updated_at"),
    f"SELECT c.rid, c.id, c.dirty, c.name, a.name, c.stage, {money('c.amount', 'c.currency')}, "
    "CASE WHEN c.probability IS NULL THEN NULL ELSE c.probability || ' %' END, c.close_date, c.status, "
    "u.name, c.updated_at FROM opportunities c LEFT JOIN accounts a ON a.id = c.account_id "
    "LEFT JOIN users u ON u.id = c.owner_id WHERE c.deleted = 0 AND c.rid IN ({marks})",
    by_rid={"name": "ix_opportunities_rid_sort"},
)
