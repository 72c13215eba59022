"""The record form: create, edit, validation per field, account picker, delete."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPlainTextEdit

from crm_desktop.context import AppContext
from crm_desktop.services.lists import ListSpec
from tests.ui.conftest import Answers
from ui.dialogs.record_form import AccountPicker, RecordFormDialog
from ui.events import DataBus
from ui.pages.record_list import RecordListPage
from ui.records.detail import RecordDetailDialog


def line(dialog: RecordFormDialog, name: str) -> QLineEdit:
    editor = dialog.editor(name)
    assert isinstance(editor, QLineEdit)
    return editor


def test_create_contact_through_the_form(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.model.loading)
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(line(dialog, "first_name"), "Ada")
    qtbot.keyClicks(line(dialog, "last_name"), "Lovelace")
    qtbot.keyClicks(line(dialog, "email"), "ada@example.com")
    notes = dialog.editor("notes")
    assert isinstance(notes, QPlainTextEdit)
    qtbot.keyClicks(notes, "First programmer")
    with qtbot.waitSignal(dialog.saved) as saved, qtbot.waitSignal(page.model.loaded):
        dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    view = context.records.get("contact", saved.args[0])
    assert view.data["first_name"] == "Ada" and view.data["notes"] == "First programmer"
    # The list refreshed itself after our own write.
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "Ada Lovelace"


def test_validation_errors_are_shown_per_field_and_nothing_is_lost(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(line(dialog, "email"), "not-an-email")
    qtbot.keyClicks(line(dialog, "phone"), "12")
    qtbot.keyClicks(line(dialog, "city"), "Paris")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert "not a valid email" in dialog.error_text("email")
    assert "phone number" in dialog.error_text("phone")
    assert "required" in dialog.error_text("first_name")
    assert dialog.error_text("city") == ""
    assert "border" in line(dialog, "email").styleSheet()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert line(dialog, "email").text() == "not-an-email"
    assert line(dialog, "city").text() == "Paris"
    assert context.lists.count(ListSpec("contact")) == 0
    # Fixing the fields and saving again works and clears the marks.
    line(dialog, "email").clear()
    line(dialog, "phone").clear()
    qtbot.keyClicks(line(dialog, "last_name"), "Curie")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert dialog.error_text("email") == ""
    assert context.lists.count(ListSpec("contact")) == 1


def test_edit_loads_the_record_and_saves_changes(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    account = context.records.create("account", {"name": "Analytical Engines"})
    contact = context.records.create(
        "contact", {"first_name": "Ada", "last_name": "Lovelace", "account_id": account, "shared": True}
    )
    dialog = RecordFormDialog(context, bus, "contact", contact)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: line(dialog, "first_name").text() == "Ada")
    picker = dialog.editor("account_id")
    assert isinstance(picker, AccountPicker)
    qtbot.waitUntil(lambda: picker.text() == "Analytical Engines")
    assert dialog.values()["shared"] is True
    line(dialog, "first_name").clear()
    qtbot.keyClicks(line(dialog, "first_name"), "Augusta Ada")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    data = context.records.get("contact", contact).data
    assert data["first_name"] == "Augusta Ada"
    assert data["account_id"] == account


def test_account_picker_completes_from_the_worker(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    acme = context.records.create("account", {"name": "Acme Corp"})
    context.records.create("account", {"name": "Globex"})
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    dialog.show()
    picker = dialog.editor("account_id")
    assert isinstance(picker, AccountPicker)
    picker.setFocus()
    qtbot.keyClicks(picker, "acm")
    qtbot.waitUntil(lambda: picker.completer().model().rowCount() == 1)
    picker.completer().activated[str].emit("Acme Corp")  # type: ignore[index]
    picker.setText("Acme Corp")
    assert picker.account_id() == acme
    qtbot.keyClicks(line(dialog, "last_name"), "Coyote")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    assert context.records.get("contact", saved.args[0]).data["account_id"] == acme


def test_unknown_account_text_is_refused(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    picker = dialog.editor("account_id")
    assert isinstance(picker, QLineEdit)
    qtbot.keyClicks(picker, "No such account")
    qtbot.keyClicks(line(dialog, "last_name"), "X")
    dialog.save()
    assert "Pick an account" in dialog.error_text("account_id")
    assert context.lists.count(ListSpec("contact")) == 0
    # The picker's debounced lookup must not fire after this test's store is closed.
    picker._timer.stop()  # type: ignore[attr-defined]


def test_delete_asks_first(qtbot: Any, context: AppContext, bus: DataBus, answers: Answers) -> None:
    context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    context.records.create("contact", {"first_name": "Alan", "last_name": "Turing"})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.table.selectRow(0)
    answers.confirm = False
    page.delete_current()
    assert "Ada Lovelace" in answers.asked[-1]
    assert context.lists.count(ListSpec("contact")) == 2
    answers.confirm = True
    with qtbot.waitSignal(page.model.loaded):
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "Alan Turing"


def test_search_box_debounces(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    context.records.create("contact", {"first_name": "Alan", "last_name": "Turing"})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    with qtbot.waitSignal(page.model.loaded):
        qtbot.keyClicks(page.search, "turi")
    assert page.model.spec.search == "turi"
    assert page.model.rowCount() == 1
    assert "1" in page.count_label.text()


def test_keyboard_enter_opens_and_ctrl_n_creates(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    # Enter opens the detail view; Edit there opens the form.
    [detail] = page.findChildren(RecordDetailDialog)
    qtbot.waitUntil(lambda: detail.title.text() == "Ada Lovelace")
    detail.edit_button.click()
    forms = detail.findChildren(RecordFormDialog)
    assert len(forms) == 1 and forms[0].windowTitle() == "Edit Contact"
    qtbot.waitUntil(lambda: line(forms[0], "first_name").text() == "Ada")
    forms[0].reject()
    detail.reject()
    assert page.new_action.shortcut().toString() == "Ctrl+N"
    page.new_action.trigger()
    titles = [f.windowTitle() for f in page.findChildren(RecordFormDialog) if f.isVisible()]
    assert titles == ["New Contact"]
