"""Setup: pipeline stages, service levels and custom fields in the app."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from crm_desktop.context import AppContext
from tests.ui.conftest import Answers
from ui.dialogs.setup import SetupDialog
from ui.events import DataBus


def rows(dialog: SetupDialog, record_type: str) -> list[list[str]]:
    table = dialog.tables[record_type].table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_setup_lists_creates_edits_and_deletes_configuration(
    qtbot: Any, context: AppContext, bus: DataBus, answers: Answers
) -> None:
    records = context.records
    records.create("pipeline_stage", {"name": "Negotiation", "position": 30, "probability": 60,
                                      "outcome": "open", "active": True})
    records.create("pipeline_stage", {"name": "Prospecting", "position": 10, "probability": 10,
                                      "outcome": "open", "active": True})
    records.create("service_level", {"priority": "High", "response_hours": 4, "resolution_hours": 24})
    records.create("service_level", {"priority": "Low", "response_hours": 24, "resolution_hours": 120})
    records.create("custom_field", {"record_type": "contact", "name": "shoe_size", "label": "Shoe size",
                                    "kind": "choice", "choices": "S\nM\nL", "active": True})
    dialog = SetupDialog(context, bus)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: all(t.table.rowCount() for t in dialog.tables.values()))
    # In their order: stages by position, service levels by priority, custom fields by type.
    assert [r[0] for r in rows(dialog, "pipeline_stage")] == ["Prospecting", "Negotiation"]
    assert [r[0] for r in rows(dialog, "service_level")] == ["Low", "High"]
    custom = rows(dialog, "custom_field")[0]
    assert custom[0] == "Contacts" and "S, M, L" in custom and "Yes" in custom

    # New stage through the form: the table reloads with it.
    stages = dialog.tables["pipeline_stage"]
    form = stages.new_record()
    qtbot.addWidget(form)
    name, position = form.editor("name"), form.editor("position")
    assert isinstance(name, QLineEdit) and isinstance(position, QLineEdit)
    qtbot.keyClicks(name, "Proposal")
    qtbot.keyClicks(position, "20")
    active = form.editor("active")
    assert isinstance(active, QCheckBox)
    active.setChecked(True)
    with qtbot.waitSignal(form.saved):
        form.save()
    qtbot.waitUntil(lambda: stages.table.rowCount() == 3)
    assert [r[0] for r in rows(dialog, "pipeline_stage")] == ["Prospecting", "Proposal", "Negotiation"]

    # Delete, after asking.
    stages.table.selectRow(0)
    assert stages.delete_button.isEnabled()
    stages.delete_current()
    assert "Prospecting" in answers.asked[-1]
    qtbot.waitUntil(lambda: stages.table.rowCount() == 2)
    assert [r[0] for r in rows(dialog, "pipeline_stage")] == ["Proposal", "Negotiation"]
    # Every change waits for the next sync like any other edit.
    # (the deleted stage never reached the server, so its create is simply dropped)
    assert context.records.pending_count() == 5


def test_custom_field_form_names_record_types(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    dialog = SetupDialog(context, bus)
    qtbot.addWidget(dialog)
    form = dialog.tables["custom_field"].new_record()
    qtbot.addWidget(form)
    combo = form.editor("record_type")
    assert isinstance(combo, QComboBox)
    assert "Contact" in [combo.itemText(i) for i in range(combo.count())]


def test_file_menu_opens_setup(qtbot: Any, context: AppContext) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.setup_action.trigger()
    dialog = window.findChild(SetupDialog)
    assert dialog is not None and dialog.isVisible()
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Pipeline stages", "Service levels", "Custom fields"]
    dialog.close()
