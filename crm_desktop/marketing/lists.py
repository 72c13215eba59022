"""The campaign list."""

from __future__ import annotations

from crm_desktop.services.list_table import ListTable, money

CAMPAIGN_LIST = ListTable(
    "campaigns",
    "campaigns_fts",
    {
        "name": ("sort_key", "ix_campaigns_sort"),
        "start_date": ("start_date", "ix_campaigns_start"),
        "updated_at": ("updated_at", "ix_campaigns_updated"),
    },
    ("name", "type", "status", "start_date", "end_date", "budget", "members", "owner", "updated_at"),
    f"SELECT c.rid, c.id, c.dirty, c.name, c.type, c.status, c.start_date, c.end_date, "
    f"{money('c.budget', 'c.currency')}, "
    "(SELECT count(*) FROM campaign_members m WHERE m.campaign_id = c.id AND m.deleted = 0), "
    "u.name, c.updated_at FROM campaigns c LEFT JOIN users u ON u.id = c.owner_id "
    "WHERE c.deleted = 0 AND c.rid IN ({marks})",
    by_rid={"name": "ix_campaigns_rid_sort"},
)
