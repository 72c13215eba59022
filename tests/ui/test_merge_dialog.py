"""Merging two records from a list page: select two rows -> Merge…, choose per field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel

from crm_desktop.context import AppContext
from ui.events import DataBus
from ui.pages.record_list import RecordListPage


def test_select_two_rows_and_merge(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    account = context.records.create("account", {"name": "Acme"})
    first = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "title": "Buyer",
                                               "tags": ["vip"], "notes": "Met at the fair."})
    second = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.example",
                                                "account_id": account, "tags": ["fair"], "notes": "Call back."})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == 2)
    assert not page.merge_action.isEnabled()
    selection = page.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(page.model.index(0, 0), flags)
    assert not page.merge_action.isEnabled()  # one row: nothing to merge
    selection.select(page.model.index(1, 0), flags)
    assert page.merge_action.isEnabled()
    dialog = page.merge_selected()
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.busy)
    # Only differing fields are asked; same name is not.
    assert "first_name" not in dialog.groups and {"title", "email", "tags", "notes"} <= set(dialog.groups)
    left_is_first = page.model.record_id(0) == first
    assert dialog.keep_side() == ("left" if left_is_first else "right")  # the older record is kept by default
    kept_id, other_id = first, second
    assert set(dialog.chosen_values()["tags"]) == {"vip", "fair"}  # tags: both by default
    dialog.choose("notes", "both")
    with qtbot.waitSignal(dialog.merged):
        dialog.merge_button.click()
    kept = context.records.get("contact", kept_id).data
    assert kept["email"] == "ann@lee.example" and kept["account_id"] == account  # empty fields filled
    assert set(kept["tags"]) == {"vip", "fair"}
    assert "Met at the fair." in kept["notes"] and "Call back." in kept["notes"]
    assert context.records.get("contact", other_id).id == kept_id  # the old id finds the kept record
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.model.loading)
    qtbot.waitUntil(lambda: page.merge_action.isEnabled() is False)
