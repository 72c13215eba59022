"""Field filters on list pages: editors, chips, count, clear all, export, kept across restarts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from crm_desktop.context import AppContext
from crm_desktop.services.exports import ExportFormat
from crm_desktop.services.list_filters import ME, FieldFilter, FilterOp, Period
from tests.services.helpers import add_user, pull_stages, pulled
from ui.events import DataBus
from ui.pages.filter_bar import FilterEditor
from ui.pages.record_list import RecordListPage

ME_ID = "0190a000-0000-7000-8000-0000000000a1"
OTHER = "0190a000-0000-7000-8000-0000000000b2"


def seed(context: AppContext) -> str:
    pull_stages(context)
    add_user(context, ME_ID, "Me Myself")
    add_user(context, OTHER, "Olga")
    context.settings.user_id = ME_ID
    acme = context.records.create("account", {"name": "Acme"})
    r = context.records
    r.create("opportunity", {"name": "Alpha", "owner_id": ME_ID, "stage": "Proposal", "amount": "100",
                             "currency": "EUR", "account_id": acme, "close_date": "2026-01-10"})
    r.create("opportunity", {"name": "Bravo", "owner_id": OTHER, "stage": "Proposal", "amount": "900",
                             "currency": "EUR", "tags": ["vip"]})
    r.create("opportunity", {"name": "Charlie", "owner_id": ME_ID, "stage": "Prospecting", "amount": "50",
                             "currency": "USD", "account_id": acme})
    return acme


def make_page(qtbot: Any, context: AppContext, bus: DataBus) -> RecordListPage:
    page = RecordListPage(context, bus, "opportunity")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.model.loading and page.filter_bar.button.isEnabled())
    return page


def shown(page: RecordListPage) -> list[str]:
    return [page.model.index(r, 0).data() for r in range(page.model.rowCount())]


def editor_of(page: RecordListPage, field: str) -> FilterEditor:
    editor = page.filter_bar.edit_field(field)
    assert editor is not None
    return editor


def test_choice_owner_and_clear_all(qtbot: Any, qtmodeltester: Any, context: AppContext, bus: DataBus) -> None:
    seed(context)
    page = make_page(qtbot, context, bus)
    assert shown(page) == ["Alpha", "Bravo", "Charlie"]
    fields = page.filter_bar.fields
    assert fields["stage"].choices[:3] == ("Prospecting", "Qualification", "Proposal")
    assert {"owner_id", "account_id", "status", "close_date", "amount", "tags"} <= set(fields)

    editor = editor_of(page, "stage")
    assert editor.choices is not None
    for i in range(editor.choices.count()):
        item = editor.choices.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == "Proposal":
            item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(page.model.loaded):
        editor.apply()
    assert shown(page) == ["Alpha", "Bravo"]
    assert page.filter_bar.chips["stage"].text().startswith("Stage: Proposal")
    assert page.count_label.text().startswith("2 matching record")
    qtmodeltester.check(page.model)

    owner = editor_of(page, "owner_id")
    assert owner.combo is not None
    qtbot.waitUntil(lambda: owner.combo is not None and owner.combo.count() == 3)
    assert owner.combo.currentData() == ME
    with qtbot.waitSignal(page.model.loaded):
        owner.apply()
    assert shown(page) == ["Alpha"]
    assert page.filter_bar.chips["owner_id"].text().startswith("Owner: Me")
    # The same field again replaces its filter.
    owner = editor_of(page, "owner_id")
    qtbot.waitUntil(lambda: owner.combo is not None and owner.combo.count() == 3)
    assert owner.combo is not None
    owner.combo.setCurrentIndex(owner.combo.findData(OTHER))
    with qtbot.waitSignal(page.model.loaded):
        owner.apply()
    assert shown(page) == ["Bravo"]
    assert "Olga" in page.filter_bar.chips["owner_id"].text()

    with qtbot.waitSignal(page.model.loaded):
        page.filter_bar.chips["stage"].click()
    assert shown(page) == ["Bravo"] and set(page.filter_bar.chips) == {"owner_id"}
    assert page.filter_bar.clear_button.isVisibleTo(page)
    with qtbot.waitSignal(page.model.loaded):
        page.filter_bar.clear_button.click()
    assert shown(page) == ["Alpha", "Bravo", "Charlie"]
    assert not page.filter_bar.chips and not page.filter_bar.clear_button.isVisibleTo(page)
    qtmodeltester.check(page.model)


def test_ranges_account_tags_and_bad_input(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    seed(context)
    page = make_page(qtbot, context, bus)
    amount = editor_of(page, "amount")
    assert amount.low is not None and amount.high is not None
    amount.apply()
    assert amount.error.text() == "Enter a lowest or a highest value."
    amount.low.setText("500")
    amount.high.setText("100")
    amount.apply()
    assert "above" in amount.error.text()
    amount.high.setText("")
    amount.low.setText("60")
    with qtbot.waitSignal(page.model.loaded):
        amount.apply()
    assert shown(page) == ["Alpha", "Bravo"]

    account = editor_of(page, "account_id")
    assert account.text is not None and account.matches is not None
    qtbot.keyClicks(account.text, "acm")
    qtbot.waitUntil(lambda: account.matches is not None and account.matches.count() == 1)
    with qtbot.waitSignal(page.model.loaded):
        account.apply()
    assert shown(page) == ["Alpha"]
    assert page.filter_bar.chips["account_id"].text().startswith("Account: Acme")

    page.filter_bar.clear()
    qtbot.waitUntil(lambda: not page.model.loading)
    tags = editor_of(page, "tags")
    assert tags.text is not None
    qtbot.keyClicks(tags.text, "VIP")
    with qtbot.waitSignal(page.model.loaded):
        tags.apply()
    assert shown(page) == ["Bravo"]

    page.filter_bar.clear()
    qtbot.waitUntil(lambda: not page.model.loading)
    close = editor_of(page, "close_date")
    assert close.period is not None and close.to_on is not None and close.date_to is not None
    close.period.setCurrentIndex(close.period.findData(Period.OVERDUE.value))
    with qtbot.waitSignal(page.model.loaded):
        close.apply()
    assert shown(page) == ["Alpha"]
    close = editor_of(page, "close_date")
    assert close.period is not None and close.from_on is not None and close.to_on is not None
    assert close.period.currentData() == Period.OVERDUE.value  # opens with the current filter
    close.period.setCurrentIndex(close.period.count() - 1)  # custom range
    close.from_on.setChecked(False)
    close.to_on.setChecked(False)
    close.apply()
    assert close.error.text() == "Choose a first or a last day."
    close.reject()


def test_filters_and_columns_are_kept_and_exported(
    qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path
) -> None:
    seed(context)
    pulled(context, "custom_field", {"record_type": "opportunity", "name": "tier", "label": "Tier",
                                     "kind": "choice", "choices": "Gold\nSilver", "active": True})
    page = make_page(qtbot, context, bus)
    qtbot.waitUntil(lambda: "tier" in page.custom_column_actions and "custom.tier" in page.filter_bar.fields)
    with qtbot.waitSignal(page.model.loaded):
        page.custom_column_actions["tier"].setChecked(True)
    mine = (FieldFilter("owner_id", FilterOp.IS, (ME,), ("",)),)
    with qtbot.waitSignal(page.model.loaded):
        page.filter_bar.set_filters(mine)
    assert shown(page) == ["Alpha", "Charlie"]
    settings_file = context.data_dir / "settings.json"
    qtbot.waitUntil(lambda: settings_file.exists() and "owner_id" in settings_file.read_text())
    saved = json.loads(settings_file.read_text())["list_views"]["opportunity"]
    assert saved["columns"] == ["tier"] and saved["filters"][0]["field"] == "owner_id"

    job = page.export(ExportFormat.CSV, str(tmp_path / "mine.csv"))
    assert job is not None
    with qtbot.waitSignal(job.finished) as finished:
        pass
    assert finished.args[0].rows == 2
    text = (tmp_path / "mine.csv").read_text(encoding="utf-8-sig")
    assert "Alpha" in text and "Charlie" in text and "Bravo" not in text

    # Another page (the app started again) comes back with the same filters and columns.
    again = make_page(qtbot, context, bus)
    assert again.model.filters == mine
    assert set(again.filter_bar.chips) == {"owner_id"}
    qtbot.waitUntil(lambda: again.model.custom_columns == ("tier",))
    qtbot.waitUntil(lambda: not again.model.loading and shown(again) == ["Alpha", "Charlie"])


def test_saved_filter_of_an_unknown_field_is_dropped(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.settings.list_views = {"opportunity": {"filters": [
        {"field": "no_such_field", "op": "is", "values": ["x"]}, "junk",
        {"field": "status", "op": "is", "values": ["Open"]}]}}
    page = make_page(qtbot, context, bus)
    assert [f.field for f in page.model.filters] == ["status"]
    context.settings.list_views = {"opportunity": ["not", "a", "view"]}  # type: ignore[dict-item]
    assert make_page(qtbot, context, bus).model.filters == ()
