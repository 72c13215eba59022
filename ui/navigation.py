"""The navigation's pages, grouped by business module."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

#: Page numbers (indices in the main window's page stack).  The first four
#: keep their numbers from before the modules came.
CONTACTS, ACCOUNTS, PENDING, CONFLICTS, LEADS, OPPORTUNITIES, CAMPAIGNS, CASES, ACTIVITIES = range(9)
#: The module screens (ui/workspace.py).
DASHBOARD, MY_DAY, PIPELINE, CASE_QUEUE = range(9, 13)

#: Record list pages: page number -> record type.
RECORD_PAGES = {
    CONTACTS: "contact",
    ACCOUNTS: "account",
    LEADS: "lead",
    OPPORTUNITIES: "opportunity",
    CAMPAIGNS: "campaign",
    CASES: "case",
    ACTIVITIES: "activity",
}


@dataclass(frozen=True)
class Group:
    title: str
    pages: tuple[int, ...]


def groups() -> list[Group]:
    tr = QCoreApplication.translate
    return [
        Group(tr("Navigation", "Overview"), (DASHBOARD, MY_DAY)),
        Group(tr("Navigation", "Customers"), (CONTACTS, ACCOUNTS)),
        Group(tr("Navigation", "Sales"), (PIPELINE, LEADS, OPPORTUNITIES)),
        Group(tr("Navigation", "Marketing"), (CAMPAIGNS,)),
        Group(tr("Navigation", "Service"), (CASE_QUEUE, CASES)),
        Group(tr("Navigation", "Activities"), (ACTIVITIES,)),
        Group(tr("Navigation", "Sync"), (PENDING, CONFLICTS)),
    ]


def page_label(page: int) -> str:
    tr = QCoreApplication.translate
    return {
        CONTACTS: tr("Navigation", "Contacts"),
        ACCOUNTS: tr("Navigation", "Accounts"),
        LEADS: tr("Navigation", "Leads"),
        OPPORTUNITIES: tr("Navigation", "Opportunities"),
        CAMPAIGNS: tr("Navigation", "Campaigns"),
        CASES: tr("Navigation", "Cases"),
        ACTIVITIES: tr("Navigation", "Activities"),
        PENDING: tr("Navigation", "Pending changes"),
        CONFLICTS: tr("Navigation", "Conflicts"),
        DASHBOARD: tr("Navigation", "Dashboard"),
        MY_DAY: tr("Navigation", "My day"),
        PIPELINE: tr("Navigation", "Pipeline"),
        CASE_QUEUE: tr("Navigation", "Case queue"),
    }[page]
