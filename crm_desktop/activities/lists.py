"""The activity list."""

from __future__ import annotations

from crm_desktop.services.list_table import ListTable, linked_title

ACTIVITY_LIST = ListTable(
    "activities",
    "activities_fts",
    {
        "name": ("sort_key", "ix_activities_sort"),
        "start_at": ("start_at", "ix_activities_start"),
        "updated_at": ("updated_at", "ix_activities_updated"),
    },
    ("name", "kind", "due_date", "start_at", "done", "related", "owner", "updated_at"),
    "SELECT c.rid, c.id, c.dirty, c.subject, c.kind, c.due_date, c.start_at, "
    "CASE WHEN c.done THEN '✓' ELSE '' END, "
    f"{linked_title('c.related_type', 'c.related_id')}, "
    "u.name, c.updated_at FROM activities c LEFT JOIN users u ON u.id = c.owner_id "
    "WHERE c.deleted = 0 AND c.rid IN ({marks})",
    by_rid={"name": "ix_activities_rid_sort"},
    # Recently changed first, as a rep scans them (and a subject typed in the search box
    # is found fast: matches spread over this order instead of bunching in it).
    default_sort="updated_at",
    default_descending=True,
    time_columns=frozenset({"start_at", "updated_at"}),
)
