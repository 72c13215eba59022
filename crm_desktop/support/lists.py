"""The case list."""

from __future__ import annotations

from crm_desktop.services.list_table import ListTable

CASE_LIST = ListTable(
    "cases",
    "cases_fts",
    {
        "name": ("sort_key", "ix_cases_sort"),
        "updated_at": ("updated_at", "ix_cases_updated"),
    },
    ("name", "account", "contact", "priority", "status", "due_at", "owner", "updated_at"),
    "SELECT c.rid, c.id, c.dirty, c.subject, a.name, "
    "crm_person_name(p.first_name, p.last_name), c.priority, c.status, c.due_at, "
    "u.name, c.updated_at FROM cases c LEFT JOIN accounts a ON a.id = c.account_id "
    "LEFT JOIN contacts p ON p.id = c.contact_id "
    "LEFT JOIN users u ON u.id = c.owner_id WHERE c.deleted = 0 AND c.rid IN ({marks})",
    by_rid={"name": "ix_cases_rid_sort"},
    # Recently changed first (the case queue orders by priority and due time).
    default_sort="updated_at",
    default_descending=True,
    time_columns=frozenset({"due_at", "updated_at"}),
)
