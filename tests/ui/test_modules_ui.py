"""Lists, forms and screens of the sales, marketing, service and activities modules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from crm_desktop.context import AppContext
from ui.dialogs.record_form import RecordFormDialog, RecordPicker, local_text, utc_text
from ui.events import DataBus
from ui.format import day, moment, money
from ui.main_window import MainWindow
from ui.models.record_list import RecordListModel
from ui.navigation import ACTIVITIES, CASES, LEADS, OPPORTUNITIES, RECORD_PAGES
from ui.sales.convert_lead import ConvertLeadDialog
from ui.sales.lead_page import LeadListPage


def seed(context: AppContext) -> dict[str, str]:
    r = context.records
    account = r.create("account", {"name": "Acme"})
    contact = r.create("contact", {"first_name": "Ann", "last_name": "Lee", "account_id": account})
    campaign = r.create("campaign", {"name": "Expo", "budget": "1500", "currency": "EUR",
                                     "start_date": "2026-04-01"})
    lead = r.create("lead", {"company": "Initech", "status": "Contacted", "rating": "Warm"})
    opp = r.create("opportunity", {"name": "Acme rollout", "account_id": account, "amount": "250",
                                   "currency": "USD", "probability": 40})
    case = r.create("case", {"subject": "Printer on fire", "account_id": account, "contact_id": contact,
                             "priority": "High", "due_at": "2026-12-01T15:00:00Z"})
    activity = r.create("activity", {"kind": "Call", "subject": "Call Ann", "related_type": "contact",
                                     "related_id": contact, "start_at": "2026-12-01T09:00:00Z"})
    context.marketing.add_members(campaign, lead_ids=[lead], contact_ids=[contact])
    return {"account": account, "contact": contact, "campaign": campaign, "lead": lead, "opportunity": opp,
            "case": case, "activity": activity}


@pytest.mark.parametrize("record_type", ["lead", "opportunity", "activity", "case", "campaign"])
def test_list_models_pass_the_model_tester(
    qtbot: Any, qtmodeltester: Any, context: AppContext, record_type: str
) -> None:
    seed(context)
    model = RecordListModel(context, record_type)
    model.reload()
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 1
    qtmodeltester.check(model)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    expected = {
        "lead": ["Initech", "Initech", "Contacted", "Warm"],
        # Money and dates in the user's format (ui/format.py), as the board shows them.
        "opportunity": ["Acme rollout", "Acme", "Prospecting", money(Decimal("250"), "USD"), "40 %"],
        "activity": ["Call Ann", "Call"],
        "case": ["Printer on fire", "Acme", "Ann Lee", "High", "New"],
        "campaign": ["Expo", "", "Planned", day("2026-04-01"), "", money(Decimal("1500"), "EUR"), 2],
    }[record_type]
    assert row[:len(expected)] == expected
    if record_type == "activity":
        assert "Ann Lee" in row  # the linked record's title
        assert row[3] == moment(datetime(2026, 12, 1, 9, tzinfo=UTC))


def test_search_finds_new_types(qtbot: Any, context: AppContext) -> None:
    seed(context)
    model = RecordListModel(context, "case")
    with qtbot.waitSignal(model.loaded):
        model.set_search("fire")
    assert model.rowCount() == 1
    with qtbot.waitSignal(model.loaded):
        model.set_search("water")
    assert model.rowCount() == 0
    # Short and Chinese terms work on the new types too (the index's "words" column).
    context.records.create("lead", {"first_name": "伟", "last_name": "张", "company": "Wayne"})
    leads = RecordListModel(context, "lead")
    with qtbot.waitSignal(leads.loaded):
        leads.set_search("张")
    assert [leads.index(r, 1).data() for r in range(leads.rowCount())] == ["Wayne"]


def test_form_validation_names_the_field(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    dialog = RecordFormDialog(context, bus, "opportunity")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "New Opportunity"
    name = dialog.editor("name")
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(dialog.editor("probability"), "150")
    qtbot.keyClicks(dialog.editor("currency"), "E1")
    qtbot.keyClicks(dialog.editor("close_date"), "31/12/2026")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error_text("name") != "")
    assert dialog.error_text("name") == "Name is required"
    assert dialog.error_text("probability") == "Probability (%) must be at most 100"
    assert "currency code" in dialog.error_text("currency")
    assert dialog.error_text("close_date") == "Expected close date must be a date (YYYY-MM-DD)"
    qtbot.keyClicks(name, "Big deal")
    for field in ("probability", "currency", "close_date"):
        editor = dialog.editor(field)
        assert isinstance(editor, QLineEdit)
        editor.clear()
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    data = context.records.get("opportunity", saved.args[0]).data
    assert (data["name"], data["stage"], data["status"]) == ("Big deal", "Prospecting", "Open")


def test_activity_form_links_any_record_and_keeps_local_times(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    ids = seed(context)
    dialog = RecordFormDialog(context, bus, "activity")
    qtbot.addWidget(dialog)
    dialog.show()
    kind = dialog.editor("related_type")
    picker = dialog.editor("related_id")
    assert isinstance(kind, QComboBox) and isinstance(picker, RecordPicker)
    assert not picker.isEnabled()
    kind.setCurrentIndex(kind.findData("case"))
    assert picker.isEnabled() and picker.record_type == "case"
    picker.setFocus()
    qtbot.keyClicks(picker, "print")
    qtbot.waitUntil(lambda: picker.completer().model().rowCount() == 1)
    picker.completer().activated[str].emit("Printer on fire")  # type: ignore[index]
    qtbot.keyClicks(dialog.editor("subject"), "Follow up")
    qtbot.keyClicks(dialog.editor("start_at"), "2026-12-02 14:30")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    data = context.records.get("activity", saved.args[0]).data
    assert (data["related_type"], data["related_id"]) == ("case", ids["case"])
    assert data["start_at"] == utc_text("2026-12-02 14:30")
    assert local_text(data["start_at"]) == "2026-12-02 14:30"

    edit = RecordFormDialog(context, bus, "activity", saved.args[0])
    qtbot.addWidget(edit)
    qtbot.waitUntil(lambda: isinstance(p := edit.editor("related_id"), RecordPicker) and p.text() == "Printer on fire")
    start = edit.editor("start_at")
    assert isinstance(start, QLineEdit) and start.text() == "2026-12-02 14:30"
    done = edit.editor("done")
    assert isinstance(done, QCheckBox)
    done.setChecked(True)
    with qtbot.waitSignal(edit.saved):
        edit.save()
    assert context.records.get("activity", saved.args[0]).data["done"] is True


def test_lead_conversion_dialog(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    ids = seed(context)
    page = LeadListPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.record_id(0) is not None)
    page.table.selectRow(0)
    assert page.convert_action.isEnabled()
    dialog = page.convert_current()
    assert isinstance(dialog, ConvertLeadDialog)
    qtbot.waitUntil(lambda: dialog.convert_button.isEnabled())
    assert dialog.opportunity_name.text() == "Initech deal"
    qtbot.keyClicks(dialog.amount, "12x")
    dialog.convert()
    qtbot.waitUntil(lambda: not dialog.error.isHidden())
    assert dialog.error.text() == "Opportunity: Amount must be a number"
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "1200")
    with qtbot.waitSignal(dialog.converted) as converted:
        dialog.convert()
    conversion = converted.args[0]
    lead = context.records.get("lead", ids["lead"]).data
    assert lead["status"] == "Converted" and lead["converted_opportunity_id"] == conversion.opportunity_id
    assert context.records.get("opportunity", conversion.opportunity_id).data["amount"] == "1200.00"
    qtbot.waitUntil(lambda: page.model.index(0, 2).data() == "Converted")


def test_navigation_groups_pages_by_module(qtbot: Any, context: AppContext) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    texts = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert texts[:3] == ["Overview", "Dashboard", "My day"]
    assert texts.index("Customers") < texts.index("Contacts") < texts.index("Accounts")
    assert texts.index("Sales") < texts.index("Leads") < texts.index("Opportunities") < texts.index("Marketing")
    assert "Service" in texts and "Cases" in texts and "Sync" in texts
    for page in (LEADS, OPPORTUNITIES, CASES, ACTIVITIES):
        window.show_page(page)
        assert window.stack.currentIndex() == page
        assert window.stack.currentWidget() is window.record_pages[page]
        assert window.record_pages[page].model.record_type == RECORD_PAGES[page]
    heading = window.nav.item(0)
    assert not heading.flags()


def define_custom_fields(context: AppContext) -> None:
    """Custom field definitions as a sync would have stored them."""
    from crm_desktop.ids import new_id
    from crm_desktop.store.records import now, set_row_data
    from crm_desktop.store.schema import CustomField

    with context.db.session() as session:
        for position, (name, label, kind, choices, required) in enumerate([
            ("budget", "Budget", "number", None, False),
            ("tier", "Tier", "choice", "Gold\nSilver", True),
        ]):
            stamp = now()
            row = CustomField(id=new_id(), server_rev=position + 1, dirty=False, deleted=False,
                              created_at=stamp, updated_at=stamp)
            set_row_data("custom_field", row, {"record_type": "lead", "name": name, "label": label, "kind": kind,
                                               "choices": choices, "required": required, "position": position,
                                               "active": True})
            session.add(row)


def test_custom_fields_in_the_form_and_as_list_columns(
    qtbot: Any, qtmodeltester: Any, context: AppContext, bus: DataBus
) -> None:
    define_custom_fields(context)
    dialog = RecordFormDialog(context, bus, "lead")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "custom.tier" in dialog._editors)
    budget, tier = dialog.editor("custom.budget"), dialog.editor("custom.tier")
    assert isinstance(budget, QLineEdit) and isinstance(tier, QComboBox)
    assert [tier.itemText(i) for i in range(tier.count())] == ["", "Gold", "Silver"]
    qtbot.keyClicks(dialog.editor("company"), "Initech")
    qtbot.keyClicks(budget, "a lot")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error_text("custom.budget") != "")
    assert dialog.error_text("custom.budget") == "Budget must be a number"
    assert dialog.error_text("custom.tier") == "Tier is required"
    budget.clear()
    qtbot.keyClicks(budget, "1500.00")
    tier.setCurrentIndex(tier.findData("Gold"))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    lead = saved.args[0]
    assert context.records.get("lead", lead).data["custom"] == {"budget": "1500", "tier": "Gold"}

    edit = RecordFormDialog(context, bus, "lead", lead)
    qtbot.addWidget(edit)
    qtbot.waitUntil(lambda: isinstance(e := edit._editors.get("custom.budget"), QLineEdit) and e.text() == "1500")

    page = LeadListPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.columns_button.isEnabled() and page.model.rowCount() == 1)
    base = page.model.columnCount()
    with qtbot.waitSignal(page.model.loaded):
        page.custom_column_actions["tier"].setChecked(True)
    assert page.model.columnCount() == base + 1
    assert page.model.headerData(base, Qt.Orientation.Horizontal) == "Tier"
    qtbot.waitUntil(lambda: page.model.index(0, base).data() == "Gold")
    qtmodeltester.check(page.model)


def test_campaign_members_dialog(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    from ui.marketing.campaign_members import CampaignListPage, CampaignMembersDialog

    ids = seed(context)  # Expo already has the lead and Ann Lee as members
    extra = context.records.create("contact", {"first_name": "Bob", "last_name": "Stone"})
    page = CampaignListPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.record_id(0) is not None)
    page.table.selectRow(0)
    dialog = page.show_members()
    assert isinstance(dialog, CampaignMembersDialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2)
    assert dialog.title.text() == "Expo"
    assert sorted(m.name for m in dialog.members) == ["Ann Lee", "Initech"]
    dialog.kind.setCurrentIndex(dialog.kind.findData("contact"))
    dialog.picker.setFocus()
    qtbot.keyClicks(dialog.picker, "stone")
    qtbot.waitUntil(lambda: dialog.picker.completer().model().rowCount() == 1)
    dialog.picker.completer().activated[str].emit("Bob Stone")  # type: ignore[index]
    dialog.add_member()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 3)
    member = next(m for m in dialog.members if m.member_id == extra)
    item = next(dialog.tree.topLevelItem(i) for i in range(3)
                if dialog.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == member.id)
    dialog.tree.setCurrentItem(item)
    dialog.response.setCurrentIndex(dialog.response.findData("Responded"))
    dialog.set_response()
    qtbot.waitUntil(lambda: context.records.get("campaign_member", member.id).data["response"] == "Responded")
    dialog.remove_member()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2)
    assert extra not in {m.member_id for m in context.marketing.members_of(ids["campaign"])}
