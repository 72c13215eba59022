"""The record detail view: fields, related records, timeline (local edit and pulled change), actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crm_desktop.context import AppContext
from tests.services.helpers import add_user, pulled
from ui.dialogs.record_form import RecordPicker
from ui.events import DataBus
from ui.records.detail import RecordDetailDialog

GRACE = "0190a5f0-0000-7000-8000-000000000001"


def detail_for(qtbot: Any, context: AppContext, bus: DataBus, record_type: str, record_id: str
               ) -> RecordDetailDialog:
    dialog = RecordDetailDialog(context, bus, record_type, record_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded):
        dialog.show()
    return dialog


def timeline_texts(dialog: RecordDetailDialog) -> list[str]:
    out = []
    for i in range(dialog.timeline.topLevelItemCount()):
        item = dialog.timeline.topLevelItem(i)
        assert item is not None
        out.append(item.text(1))
        out.extend("  " + item.child(j).text(1) for j in range(item.childCount()))
    return out


def test_account_detail_shows_fields_and_related_and_adds_a_contact(qtbot: Any, context: AppContext,
                                                                    bus: DataBus) -> None:
    account = context.records.create("account", {"name": "Acme", "city": "Phoenix"})
    other = context.records.create("account", {"name": "Globex"})
    context.records.create("contact", {"first_name": "Wile", "last_name": "Coyote", "account_id": account})
    context.records.create("contact", {"first_name": "Hank", "last_name": "Scorpio", "account_id": other})
    context.records.create("opportunity", {"name": "Rockets", "account_id": account, "amount": "99",
                                           "currency": "USD"})
    dialog = detail_for(qtbot, context, bus, "account", account)
    assert dialog.title.text() == "Acme"
    city = dialog.findChild(type(dialog.title), "value_city")
    assert city is not None and city.text() == "Phoenix"
    contacts = dialog.related_views[("contact", "account_id")]
    assert [contacts.topLevelItem(i).text(0) for i in range(contacts.topLevelItemCount())] == ["Wile Coyote"]
    assert ("opportunity", "account_id") in dialog.related_views
    form = dialog.add_related("contact", "account_id")
    picker = form.editor("account_id")
    assert isinstance(picker, RecordPicker) and picker.record_id() == account and picker.text() == "Acme"
    qtbot.keyClicks(form.editor("last_name"), "Runner")
    with qtbot.waitSignal(dialog.loaded):
        form.save()
    qtbot.waitUntil(lambda: dialog.related_views[("contact", "account_id")].topLevelItemCount() == 2)


def test_timeline_shows_a_local_edit_and_a_pulled_change(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    add_user(context, GRACE, "Grace")
    account = pulled(context, "account", {"name": "Acme", "city": "Berlin"})
    context.records.update("account", account, {"industry": "Rockets"})
    dialog = detail_for(qtbot, context, bus, "account", account)
    assert any("Industry: (empty) → Rockets" in t for t in timeline_texts(dialog))
    # Another user's edit arrives by sync while the detail is open.
    pulled(context, "account", {"name": "Acme", "city": "Madrid", "industry": "Rockets"}, record_id=account,
           by=GRACE, at=datetime(2026, 11, 25, 9, tzinfo=UTC))
    with qtbot.waitSignal(dialog.loaded):
        bus.announce({"account"}, outbox=False)
    texts = timeline_texts(dialog)
    assert any("by Grace" in t and "server" in t for t in texts)
    assert any("City: Berlin → Madrid" in t for t in texts)
    assert dialog.findChild(type(dialog.title), "value_city").text() == "Madrid"


def test_add_activity_links_it_and_it_shows_in_the_timeline(qtbot: Any, context: AppContext,
                                                            bus: DataBus) -> None:
    opp = context.records.create("opportunity", {"name": "Rockets"})
    dialog = detail_for(qtbot, context, bus, "opportunity", opp)
    form = dialog.add_activity("Call")
    values = form.values()
    assert (values["kind"], values["related_type"], values["related_id"]) == ("Call", "opportunity", opp)
    qtbot.keyClicks(form.editor("subject"), "Discuss price")
    with qtbot.waitSignal(dialog.loaded):
        form.save()
    qtbot.waitUntil(lambda: any("Call: Discuss price" in t for t in timeline_texts(dialog)))
    assert ("activity", "related_id") in dialog.related_views


def test_reference_link_opens_the_other_record(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    account = context.records.create("account", {"name": "Acme"})
    opp = context.records.create("opportunity", {"name": "Rockets", "account_id": account})
    dialog = detail_for(qtbot, context, bus, "opportunity", opp)
    link = dialog.findChild(type(dialog.title), "value_account_id")
    assert link is not None and "Acme" in link.text()
    with qtbot.waitSignal(dialog.openRecord) as opened:
        link.linkActivated.emit(f"account:{account}")
    assert opened.args == ["account", account]
    others = [d for d in dialog.findChildren(RecordDetailDialog) if d is not dialog]
    assert len(others) == 1 and others[0].record_type == "account"
    qtbot.waitUntil(lambda: others[0].title.text() == "Acme")


def test_detail_of_a_deleted_record_says_so(qtbot: Any, context: AppContext, bus: DataBus,
                                            monkeypatch: Any) -> None:
    account = context.records.create("account", {"name": "Acme"})
    context.records.delete("account", account)
    shown: list[BaseException] = []
    monkeypatch.setattr("ui.records.detail.report_error", lambda exc, parent=None: shown.append(exc))
    dialog = RecordDetailDialog(context, bus, "account", account)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(shown))
    assert "no longer exists" in str(shown[0])


def test_ticking_an_activity_in_the_timeline_marks_it_done(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    from PySide6.QtCore import Qt

    account = context.records.create("account", {"name": "Acme"})
    task = context.records.create("activity", {"kind": "Task", "subject": "Send quote", "related_type": "account",
                                               "related_id": account})
    dialog = detail_for(qtbot, context, bus, "account", account)
    item = next(dialog.timeline.topLevelItem(i) for i in range(dialog.timeline.topLevelItemCount())
                if "Send quote" in dialog.timeline.topLevelItem(i).text(1))
    assert item.checkState(1) == Qt.CheckState.Unchecked
    with qtbot.waitSignal(bus.changed):
        item.setCheckState(1, Qt.CheckState.Checked)
    assert context.records.get("activity", task).data["done"] is True
