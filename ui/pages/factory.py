"""The list page of each record type (some modules add actions of their own)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from crm_desktop.context import AppContext
from ui.events import DataBus
from ui.pages.record_list import RecordListPage


def make_list_page(
    context: AppContext, bus: DataBus, record_type: str, parent: QWidget | None = None
) -> RecordListPage:
    if record_type == "lead":
        from ui.sales.lead_page import LeadListPage

        return LeadListPage(context, bus, parent)
    if record_type == "campaign":
        from ui.marketing.campaign_members import CampaignListPage

        return CampaignListPage(context, bus, parent)
    return RecordListPage(context, bus, record_type, parent)
