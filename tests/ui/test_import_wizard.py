"""The import wizard, export from a list page, and duplicate warnings in the form (pytest-qt)."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QWizard

from crm_desktop.context import AppContext
from crm_desktop.dataio.progress import Cancelled
from crm_desktop.services.exports import ExportFormat, ExportResult
from crm_desktop.services.lists import ListSpec
from tests.dataio.conftest import DATA
from ui.dialogs import messages
from ui.dialogs.import_wizard import (
    IMPORT_PAGE,
    MAPPING_PAGE,
    PREVIEW_PAGE,
    ImportWizard,
)
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.pages.record_list import RecordListPage


def wizard_for(qtbot: Any, context: AppContext, bus: DataBus, path: Path) -> ImportWizard:
    wizard = ImportWizard(context, bus, "contact")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete)
    return wizard


def to_preview(qtbot: Any, wizard: ImportWizard) -> None:
    wizard.next()
    assert wizard.currentId() == MAPPING_PAGE
    wizard.next()
    assert wizard.currentId() == PREVIEW_PAGE
    qtbot.waitUntil(lambda: wizard.preview is not None)


def hold_worker(context: AppContext) -> threading.Event:
    """Keep the DB worker busy until the returned event is set (to cancel deterministically)."""
    release = threading.Event()
    context.worker.submit(release.wait, 30)
    return release


def test_google_csv_through_the_wizard(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    wizard = wizard_for(qtbot, context, bus, DATA / "google_contacts.csv")
    assert "Text (CSV) with 4 row(s)" in wizard.file_page.info.text()
    assert "utf-8" in wizard.file_page.info.text()
    wizard.next()
    mapping = wizard.mapping_page.mapping()
    headers = wizard.table.headers if wizard.table else []
    assert mapping[headers.index("Given Name")] == "first_name"
    assert mapping[headers.index("E-mail 1 - Value")] == "email"
    assert mapping[headers.index("Organization 1 - Name")] == "account_id"
    assert wizard.mapping_page.refs.isVisible() and wizard.mapping_page.refs.isEnabled()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview is not None)
    page = wizard.preview_page
    assert page.problems.rowCount() == 1
    assert page.problems.item(0, 0).text() == "5"
    assert "Email is not a valid email address" in page.problems.item(0, 1).text()
    assert page.duplicates.rowCount() == 1
    assert page.duplicates.item(0, 2).text() == "line 2 of this file"
    assert "3 row(s) can be imported" in page.summary.text()
    assert "1 new accounts will be created" in page.summary.text()
    assert page.isComplete()

    # "The whole file or nothing" is refused while a row is bad.
    page.all_or_nothing.setChecked(True)
    assert not page.isComplete() and "would import nothing" in page.blocked.text()
    page.good_only.setChecked(True)
    assert page.isComplete()

    with qtbot.waitSignal(wizard.imported) as imported, qtbot.waitSignal(bus.changed) as changed:
        wizard.next()
    assert wizard.currentId() == IMPORT_PAGE
    assert imported.args[0].created == 2
    assert changed.args[0].record_types == {"contact", "account"}
    qtbot.waitUntil(wizard.import_page.isComplete)
    text = wizard.import_page.result_label.text()
    assert "Imported 2 contacts." in text and "Created 1 accounts by name." in text
    assert "Skipped 1 duplicate" in text and "Left out 1 row" in text
    assert context.lists.count(ListSpec("contact")) == 2
    assert context.records.pending_count() == 3


def test_changing_the_mapping(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    wizard = wizard_for(qtbot, context, bus, DATA / "cp1252_semicolon.csv")
    wizard.next()
    page = wizard.mapping_page
    assert page.isComplete()
    page.set_target(4, "email")  # Telefon -> Email as well: a clash
    assert not page.isComplete() and "Two columns go into" in page.problem.text()
    page.set_target(4, None)  # ignore the phone column instead
    page.set_target(2, None)  # and the company
    assert page.isComplete() and not page.refs.isEnabled()
    to_preview_page = wizard.next
    to_preview_page()
    qtbot.waitUntil(lambda: wizard.preview is not None)
    with qtbot.waitSignal(wizard.imported) as imported:
        wizard.next()
    assert imported.args[0].created == 2 and imported.args[0].created_refs == {}
    view = context.records.get("contact", imported.args[0].ids[0])
    assert view.data["phone"] is None and view.data["account_id"] is None


def test_a_bad_file_is_explained(qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path) -> None:
    garbage = tmp_path / "photo.csv"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    wizard = ImportWizard(context, bus, "contact")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(str(garbage))
    qtbot.waitUntil(lambda: bool(wizard.file_page.error.text()))
    assert "not a text file" in wizard.file_page.error.text()
    assert not wizard.file_page.isComplete()
    # Choosing another file recovers.
    wizard.set_path(str(DATA / "address_book.vcf"))
    qtbot.waitUntil(wizard.file_page.isComplete)
    assert wizard.file_page.error.text() == "" and "vCard" in wizard.file_page.info.text()


def test_browse_uses_the_file_prompt(qtbot: Any, context: AppContext, bus: DataBus,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(messages, "ask_open_path", lambda *_a: str(DATA / "salesforce_contacts.xlsx"))
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    wizard = page.import_file()  # owned by the page, deleted on close
    qtbot.waitUntil(wizard.file_page.isComplete)
    assert "Excel workbook" in wizard.file_page.info.text()
    wizard.reject()


def test_cancel_while_importing_leaves_nothing(qtbot: Any, context: AppContext, bus: DataBus,
                                              tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("First Name,Last Name,Company\n" + "".join(f"P{i},Q{i},Firm {i % 5}\n" for i in range(5000)))
    wizard = wizard_for(qtbot, context, bus, path)
    to_preview(qtbot, wizard)
    release = hold_worker(context)
    wizard.next()  # the import is queued behind the held worker
    assert wizard.currentId() == IMPORT_PAGE and wizard.import_page.busy
    wizard.reject()  # Cancel: asks the import to stop and waits for it
    assert wizard.isVisible()
    assert "Cancelling" in wizard.import_page.status.text()
    with qtbot.waitSignal(wizard.finished):
        release.set()
    assert wizard.result() == QDialog.DialogCode.Rejected
    assert context.lists.count(ListSpec("contact")) == 0
    assert context.lists.count(ListSpec("account")) == 0
    assert context.records.pending_count() == 0


def test_cancel_before_importing_closes_at_once(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    wizard = wizard_for(qtbot, context, bus, DATA / "google_contacts.csv")
    to_preview(qtbot, wizard)
    wizard.reject()
    assert not wizard.isVisible()
    assert context.lists.count(ListSpec("contact")) == 0


def test_open_an_existing_duplicate_from_the_preview(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.com"})
    wizard = wizard_for(qtbot, context, bus, DATA / "google_contacts.csv")
    to_preview(qtbot, wizard)
    page = wizard.preview_page
    assert page.duplicates.item(0, 2).text() == "Ann Lee" and page.duplicates.item(0, 3).text().startswith("same email")
    page.duplicates.cellDoubleClicked.emit(0, 0)
    form = wizard.findChild(RecordFormDialog)
    assert form is not None
    qtbot.waitUntil(lambda: not form.busy)
    first = form.editor("first_name")
    assert isinstance(first, QLineEdit) and first.text() == "Ann"
    form.reject()
    # Merge the certain duplicate into Ann instead of skipping it.
    page.certain.setCurrentIndex(page.certain.findData("merge"))
    with qtbot.waitSignal(wizard.imported) as imported:
        wizard.next()
    # Line 2 and line 8 (Dan Wu, same address) both merge into Ann.
    assert imported.args[0].merged == 2
    assert context.records.get("contact", ann).data["phone_e164"] == "+14155550132"


def test_export_the_filtered_list(qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for first in ("Ann", "Bob", "Anna"):
        context.records.create("contact", {"first_name": first, "last_name": "Lee"})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.model.loading)
    with qtbot.waitSignal(page.model.loaded):
        page.model.set_search("ann")
    target = tmp_path / "ann"
    monkeypatch.setattr(messages, "ask_save_path", lambda *_a: str(target))
    assert set(page.export_actions) == {ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.VCARD}
    page.export_actions[ExportFormat.CSV].trigger()
    job = page.export_job
    assert job is not None
    with qtbot.waitSignal(job.finished) as finished:
        pass
    result = finished.args[0]
    assert isinstance(result, ExportResult) and result.rows == 2
    assert result.path == tmp_path / "ann.csv"
    text = result.path.read_text(encoding="utf-8-sig")
    assert "Ann,Lee" in text and "Anna,Lee" in text and "Bob" not in text


def test_accounts_page_offers_no_vcard(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    page = RecordListPage(context, bus, "account")
    qtbot.addWidget(page)
    assert set(page.export_actions) == {ExportFormat.CSV, ExportFormat.XLSX}


def test_cancelled_export_writes_no_file(qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path) -> None:
    context.records.create("contact", {"first_name": "Ann", "last_name": "Lee"})
    page = RecordListPage(context, bus, "contact")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.model.loading)
    folder = tmp_path / "exports"
    folder.mkdir()
    release = hold_worker(context)
    job = page.export(ExportFormat.XLSX, str(folder / "out.xlsx"))
    assert job is not None
    cancel = job.dialog.findChild(QPushButton)
    assert cancel is not None
    cancel.click()  # the progress dialog's Cancel button
    with qtbot.waitSignal(job.finished) as finished:
        release.set()
    assert isinstance(finished.args[0], Cancelled)
    assert list(folder.iterdir()) == []


def test_form_warns_about_duplicates_before_saving(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"})
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    dialog.show()
    first, last, email = (dialog.editor(n) for n in ("first_name", "last_name", "email"))
    assert isinstance(first, QLineEdit) and isinstance(last, QLineEdit) and isinstance(email, QLineEdit)
    qtbot.keyClicks(first, "Anne")
    qtbot.keyClicks(last, "Lee")
    qtbot.keyClicks(email, "ANN@example.com")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.duplicate_matches))
    assert [m.record_id for m in dialog.duplicate_matches] == [ann]
    assert "same email" in dialog.duplicate_matches[0].reasons
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text() == "Save anyway" and save.isEnabled()
    assert context.lists.count(ListSpec("contact")) == 1  # nothing saved yet
    existing = dialog.open_existing(ann)
    qtbot.addWidget(existing)
    assert isinstance(existing, RecordFormDialog)
    existing.reject()
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert context.lists.count(ListSpec("contact")) == 2


def test_form_without_duplicates_saves_at_once(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.records.create("contact", {"first_name": "Ann", "last_name": "Lee"})
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    first = dialog.editor("first_name")
    assert isinstance(first, QLineEdit)
    qtbot.keyClicks(first, "Zed")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert dialog.duplicate_matches == []


def test_wizard_pages_are_a_wizard(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    wizard = ImportWizard(context, bus, "account")
    qtbot.addWidget(wizard)
    assert wizard.windowTitle() == "Import accounts"
    assert wizard.buttonText(QWizard.WizardButton.CommitButton) == "Import"


def test_editing_after_a_duplicate_warning_checks_again(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"})
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    dialog.show()
    first, email = dialog.editor("first_name"), dialog.editor("email")
    assert isinstance(first, QLineEdit) and isinstance(email, QLineEdit)
    qtbot.keyClicks(first, "Bo")
    qtbot.keyClicks(email, "ann@example.com")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.duplicate_matches))
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text() == "Save anyway"
    email.clear()
    qtbot.keyClicks(email, "bo@example.com")
    assert save.text() == "Save"
    with qtbot.waitSignal(dialog.saved):
        dialog.save()  # checked again: no duplicate now, so it saves at once
    assert context.lists.count(ListSpec("contact")) == 2


def test_per_row_duplicate_choices(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.com"})
    wizard = wizard_for(qtbot, context, bus, DATA / "google_contacts.csv")
    to_preview(qtbot, wizard)
    page = wizard.preview_page
    lines = [page.duplicates.item(r, 0).text() for r in range(page.duplicates.rowCount())]
    assert lines == ["2", "8"]
    assert [page.duplicates.item(r, 4).text() for r in range(2)] == ["Skipped", "Skipped"]
    page.duplicates.selectRow(0)
    page.row_buttons["import"].click()
    assert page.duplicates.item(0, 4).text() == "Imported as new" and page.duplicates.item(0, 4).font().bold()
    # The defaults still apply to the other rows, and follow their combo box.
    page.certain.setCurrentIndex(page.certain.findData("import"))
    assert page.duplicates.item(1, 4).text() == "Imported as new"
    page.certain.setCurrentIndex(page.certain.findData("skip"))
    assert page.duplicates.item(1, 4).text() == "Skipped"
    with qtbot.waitSignal(wizard.imported) as imported:
        wizard.next()
    result = imported.args[0]
    assert (result.created, result.skipped_duplicates) == (2, 1)  # Ann again (as asked) and Carla
    assert context.lists.count(ListSpec("contact")) == 3


def test_problem_rows_can_be_saved_to_fix(qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path) -> None:
    wizard = wizard_for(qtbot, context, bus, DATA / "google_contacts.csv")
    to_preview(qtbot, wizard)
    target = tmp_path / "problems.csv"
    wizard.preview_page.save_problem_rows(str(target))
    qtbot.waitUntil(lambda: "Saved" in wizard.preview_page.status.text())
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Line", "Problem", "Name"]
    assert rows[1][0] == "5" and "Email is not a valid email address" in rows[1][1]
    assert rows[1][2] == "Bob Stone" and "bob.stone@example" in rows[1]
    # The file goes back through the importer: the extra columns are simply not mapped.
    table = context.imports.read(target)
    assert [line for line, _ in table.rows] == [2]


def test_save_and_merge_from_a_duplicate_warning(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"})
    dialog = RecordFormDialog(context, bus, "contact")
    qtbot.addWidget(dialog)
    dialog.show()
    first, last, email, phone = (dialog.editor(n) for n in ("first_name", "last_name", "email", "phone"))
    assert all(isinstance(e, QLineEdit) for e in (first, last, email, phone))
    qtbot.keyClicks(first, "Ann")
    qtbot.keyClicks(last, "Lee")
    qtbot.keyClicks(email, "ann@example.com")
    qtbot.keyClicks(phone, "(415) 555-0132")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.duplicate_matches))
    merge = dialog.findChild(QPushButton, "mergeDuplicate_0")
    assert merge is not None
    with qtbot.waitSignal(dialog.saved) as saved:
        merge.click()
    new_id = saved.args[0]
    merger = dialog.merge_dialog
    assert merger is not None  # deletes itself when the merge is done
    qtbot.waitUntil(lambda: not merger.busy)
    with qtbot.waitSignal(merger.merged):
        merger.merge_button.click()
    # One record is left (the older one kept), with the new phone; the new id points to it.
    assert context.lists.count(ListSpec("contact")) == 1
    kept = context.records.get("contact", ann)
    assert kept.data["phone_e164"] == "+14155550132"
    assert context.records.get("contact", new_id).id == ann


def test_wizard_maps_custom_fields_and_reports_bad_values(
    qtbot: Any, context: AppContext, bus: DataBus, tmp_path: Path
) -> None:
    from tests.services.helpers import pulled

    pulled(context, "custom_field", {"record_type": "contact", "name": "tier", "label": "Tier", "kind": "choice",
                                     "choices": "Gold\nSilver", "active": True})
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["First Name", "Last Name", "Tier"], ["Ann", "Lee", "Gold"],
                                      ["Bob", "Stone", "Bronze"]])
    wizard = wizard_for(qtbot, context, bus, path)
    wizard.next()
    assert wizard.mapping_page.mapping() == {0: "first_name", 1: "last_name", 2: "custom.tier"}
    assert wizard.mapping_page.combos[2].currentText() == "Tier"
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview is not None)
    preview = wizard.preview
    assert preview is not None and preview.good_count == 1
    assert [(p.line, p.message) for p in preview.problems] == [(3, "Tier must be one of Gold, Silver")]
