"""The record form: generated from the record type's spec in crm_protocol.

Create or edit one record.  Saving goes through the DB worker; a
``ValidationFailed`` marks every bad field (red border and the message under
it) and keeps the dialog open with everything typed.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.services.duplicates import DuplicateMatch
from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import (
    RECORD_TYPES,
    FieldKind,
    FieldSpec,
    ValidationFailed,
    format_datetime,
    parse_datetime,
)
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.form")

INVALID_STYLE = "border: 1px solid #c62828; border-radius: 3px;"

#: Fields whose choices are configuration synced from the server.
STAGE_FIELDS = {("opportunity", "stage")}


class RecordPicker(QLineEdit):
    """Type part of a record's title; pick from the completer (fed by the worker).

    ``record_type`` may change (a polymorphic link follows its type field).
    """

    def __init__(self, context: AppContext, record_type: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._type = record_type
        self._record_id: str | None = None
        self._choices: dict[str, str] = {}  # title -> id
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated[str].connect(self._picked)  # type: ignore[index]
        self.setCompleter(completer)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self._lookup)
        self.textEdited.connect(self._edited)
        self._generation = 0
        self._update_placeholder()

    @property
    def record_type(self) -> str | None:
        return self._type

    def set_record_type(self, record_type: str | None) -> None:
        if record_type != self._type:
            self._type = record_type
            self._record_id = None
            self._choices.clear()
            self._model.setStringList([])
            self.clear()
            self._update_placeholder()
        self.setEnabled(record_type is not None)

    def _update_placeholder(self) -> None:
        if self._type is None:
            self.setPlaceholderText(self.tr("Choose the kind of record first"))
            return
        label = QCoreApplication.translate("RecordTypes", RECORD_TYPES[self._type].label_plural).lower()
        self.setPlaceholderText(self.tr("Type to search %1").replace("%1", label))

    def record_id(self) -> str | None:
        text = self.text().strip()
        if not text:
            return None
        if self._record_id is None and text in self._choices:
            return self._choices[text]
        return self._record_id

    def set_record(self, record_id: str | None, title: str) -> None:
        self._record_id = record_id
        if record_id:
            self._choices[title] = record_id
        self.setText(title)

    def _edited(self, _text: str) -> None:
        self._record_id = None
        if self._type is not None:
            self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()  # a closed form must not ask the worker for anything
        super().hideEvent(event)

    def _lookup(self) -> None:
        if self._type is None or not self.isVisible():
            # Nobody sees the completer (the form was closed, or never shown).
            return
        self._generation += 1
        generation = self._generation
        run_async(
            self._context.worker, self._context.records.choices, self._type, self.text().strip(),
            on_done=lambda choices: self.fill(generation, choices), context=self,
        )

    def fill(self, generation: int, choices: list[tuple[str, str]]) -> None:
        if generation != self._generation:
            return
        self._choices.update({title: id_ for id_, title in choices})
        self._model.setStringList([title for _, title in choices])
        if self.hasFocus() and choices:
            self.completer().complete()

    def stop_lookup(self) -> None:
        """Forget a pending look-up (the form is closing; the worker may be gone soon)."""
        self._timer.stop()
        self._generation += 1

    def _picked(self, title: str) -> None:
        self._record_id = self._choices.get(title)


class AccountPicker(RecordPicker):
    """The account picker of contacts, opportunities and cases."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, "account", parent)

    def account_id(self) -> str | None:
        return self.record_id()

    def set_account(self, account_id: str | None, name: str) -> None:
        self.set_record(account_id, name)


def local_text(value: Any) -> str:
    """A wire date-time (UTC) as local "YYYY-MM-DD HH:MM" for editing."""
    moment = parse_datetime(str(value)) if value else None
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ("" if not value else str(value))


def utc_text(text: str) -> str | None:
    """What the user typed (local time) as a wire date-time; unparseable text is passed on for
    validation to name the field."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.astimezone()  # typed in local time
    return format_datetime(moment)


class TagsEdit(QLineEdit):
    """Tags typed as one comma-separated line; validation trims, folds
    duplicates and refuses too many or too long tags with a reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("e.g. customer, trade fair 2026, vip"))

    def set_tags(self, value: Any) -> None:
        self.setText(", ".join(value) if isinstance(value, list) else str(value or ""))

    def tags(self) -> list[str] | None:
        parts = [p.strip() for p in self.text().split(",")]
        return [p for p in parts if p] or None


class RecordFormDialog(QDialog):
    #: The record id, after a successful save.
    saved = Signal(str)

    def __init__(
        self,
        context: AppContext,
        bus: DataBus,
        record_type: str,
        record_id: str | None = None,
        *,
        initial: dict[str, Any] | None = None,
        field_errors: list[dict[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._bus = bus
        self._type = record_type
        self._id = record_id
        self._spec = RECORD_TYPES[record_type]
        self._editors: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._busy = False
        self.setObjectName(f"{record_type}Form")
        label = QCoreApplication.translate("RecordTypes", self._spec.label)
        self.setWindowTitle(self.tr("Edit %1").replace("%1", label) if record_id
                            else self.tr("New %1").replace("%1", label))
        self.resize(560, 680)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        #: The record's custom values; editors exist only for active definitions.
        self._custom_values: dict[str, str] = {}
        self._custom_fields: list[CustomFieldDef] = []
        has_custom = False
        for fspec in self._spec.fields:
            if fspec.derived_from is not None:
                continue
            if fspec.kind is FieldKind.CUSTOM:
                has_custom = True  # its editors follow once the definitions are loaded
                continue
            editor = self._make_editor(fspec)
            caption = self._caption(fspec)
            self._add_row(fspec.name, caption + ("" if fspec.kind is FieldKind.BOOL else ":"), editor)

        inner = QWidget(self)
        # The rows keep their height; a short form leaves the space below it.
        rows = QVBoxLayout(inner)
        rows.addLayout(form)
        rows.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self._general = QLabel(self)
        self._general.setObjectName("generalError")
        self._general.setStyleSheet("color: #c62828;")
        self._general.setWordWrap(True)
        self._general.hide()

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.save)
        self._buttons.rejected.connect(self.reject)

        # Likely duplicates, shown before a new record is saved.
        self._duplicates = QFrame(self)
        self._duplicates.setObjectName("duplicates")
        self._duplicates.setStyleSheet("#duplicates { background: #fff8e1; border: 1px solid #ffb300; "
                                       "border-radius: 4px; }")
        self._duplicates.hide()
        self._duplicates_layout = QVBoxLayout(self._duplicates)
        self.duplicate_matches: list[DuplicateMatch] = []
        self._duplicates_checked = False
        #: "Save and merge": the existing record to merge the new one with.
        self._merge_with: str | None = None
        self.merge_dialog: QDialog | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(self._general)
        layout.addWidget(self._duplicates)
        layout.addWidget(scroll)
        layout.addWidget(self._buttons)

        type_field = self._polymorphic_type_field()
        if type_field is not None:
            combo = self._editors[type_field]
            assert isinstance(combo, QComboBox)
            combo.currentIndexChanged.connect(lambda _i: self._link_type_changed())
            self._link_type_changed()
        self._load_users()
        self._load_stages()
        if has_custom:
            run_async(context.worker, context.records.custom_fields, record_type,
                      on_done=self._custom_loaded, context=self)
        if initial:
            self.fill(initial)
        if record_id is not None:
            self._set_busy(True)
            run_async(context.worker, context.records.get, record_type, record_id,
                      on_done=self._loaded, on_error=self._load_failed, context=self)
        if field_errors:
            self._show_errors(field_errors)

    # -- building ----------------------------------------------------------

    def _add_row(self, key: str, caption: str, editor: QWidget) -> None:
        editor.setObjectName(key)
        self._editors[key] = editor
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(lambda _t: self._inputs_changed())
        error = QLabel(self)
        error.setObjectName(f"{key}_error")
        error.setStyleSheet("color: #c62828;")
        error.setWordWrap(True)
        error.hide()
        self._errors[key] = error
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(error)
        self._form.addRow(caption, box)

    def _custom_loaded(self, fields: list[CustomFieldDef]) -> None:
        """Add an editor per custom field of the type (as the server's administrators defined them)."""
        self._custom_fields = fields
        for field in fields:
            editor: QWidget
            if field.kind == "choice":
                combo = QComboBox(self)
                combo.addItem("", None)
                for choice in field.choices:
                    combo.addItem(choice, choice)
                editor = combo
            else:
                line = QLineEdit(self)
                if field.kind == "date":
                    line.setPlaceholderText(self.tr("YYYY-MM-DD"))
                elif field.kind == "number":
                    line.setPlaceholderText(self.tr("a number, e.g. 1200.50"))
                editor = line
            self._add_row(field.error_field, field.label + (" *" if field.required else "") + ":", editor)
        self._fill_custom()

    def _fill_custom(self) -> None:
        for field in self._custom_fields:
            editor = self._editors.get(field.error_field)
            value = self._custom_values.get(field.name)
            if isinstance(editor, QComboBox):
                if value is not None and editor.findData(value) < 0:
                    editor.addItem(value, value)
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QLineEdit):
                editor.setText(value or "")

    def _caption(self, fspec: FieldSpec) -> str:
        # Field labels come from the shared spec; translated via the "Fields" context.
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("Fields", fspec.label)

    def _make_editor(self, fspec: FieldSpec) -> QWidget:
        if fspec.kind is FieldKind.LONG_TEXT:
            notes = QPlainTextEdit(self)
            notes.setTabChangesFocus(True)
            notes.setMinimumHeight(90)
            notes.setMaximumHeight(160)
            return notes
        if fspec.kind is FieldKind.BOOL:
            box = QCheckBox(self)
            box.setChecked(fspec.default is True)  # a new record starts with the default
            return box
        if fspec.kind is FieldKind.TAGS:
            return TagsEdit(self)
        if fspec.kind is FieldKind.CHOICE:
            combo = QComboBox(self)
            if not fspec.required:
                combo.addItem("", None)
            for choice in fspec.choices:
                # A record type (an activity's link, a custom field's type) shows its name.
                names_type = fspec.name in ("related_type", "record_type") and choice in RECORD_TYPES
                text = (QCoreApplication.translate("RecordTypes", RECORD_TYPES[choice].label)
                        if names_type else QCoreApplication.translate("Choices", choice))
                combo.addItem(text, choice)
            if fspec.default is not None:
                combo.setCurrentIndex(max(0, combo.findData(fspec.default)))
            return combo
        if (self._type, fspec.name) in STAGE_FIELDS:
            combo = QComboBox(self)
            combo.addItem(str(fspec.default or ""), fspec.default)
            return combo
        if fspec.kind is FieldKind.REF and fspec.ref_type == "account":
            return AccountPicker(self._context, self)
        if fspec.kind is FieldKind.REF and fspec.ref_type == "user":
            combo = QComboBox(self)
            combo.addItem(self.tr("(nobody)"), None)
            return combo
        if fspec.kind is FieldKind.REF:
            return RecordPicker(self._context, fspec.ref_type, self)
        line = QLineEdit(self)
        line.setMaxLength(max(fspec.max_length, 1))
        if fspec.kind is FieldKind.DATE:
            line.setPlaceholderText(self.tr("YYYY-MM-DD"))
        elif fspec.kind is FieldKind.DATETIME:
            line.setPlaceholderText(self.tr("YYYY-MM-DD HH:MM (local time)"))
        elif fspec.kind is FieldKind.CURRENCY:
            line.setPlaceholderText(self.tr("e.g. EUR"))
            line.setMaxLength(3)
        return line

    def _polymorphic_type_field(self) -> str | None:
        for fspec in self._spec.fields:
            if fspec.ref_type_field is not None and fspec.ref_type_field in self._editors:
                return fspec.ref_type_field
        return None

    def _link_type_changed(self) -> None:
        for fspec in self._spec.fields:
            if fspec.ref_type_field is None:
                continue
            combo, picker = self._editors.get(fspec.ref_type_field), self._editors.get(fspec.name)
            if isinstance(combo, QComboBox) and isinstance(picker, RecordPicker):
                picker.set_record_type(combo.currentData())

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    def error_text(self, name: str) -> str:
        label = self._errors[name]
        return label.text() if not label.isHidden() else ""

    def _load_users(self) -> None:
        if "owner_id" not in self._editors:
            return
        run_async(self._context.worker, self._context.records.users, on_done=self._users_loaded, context=self)

    def _load_stages(self) -> None:
        for (record_type, name) in STAGE_FIELDS:
            if record_type == self._type and name in self._editors:
                run_async(self._context.worker, self._context.records.pipeline_stages,
                          on_done=functools.partial(self._stages_loaded, name), context=self)

    def _stages_loaded(self, name: str, stages: list[dict[str, Any]]) -> None:
        combo = self._editors[name]
        assert isinstance(combo, QComboBox)
        current = combo.currentData()
        combo.clear()
        for stage in stages:
            if stage.get("active") or stage.get("name") == current:
                combo.addItem(str(stage["name"]), stage["name"])
        if current is not None and combo.findData(current) < 0:
            combo.addItem(str(current), current)
        combo.setCurrentIndex(max(0, combo.findData(current)))

    def _users_loaded(self, users: list[tuple[str, str]]) -> None:
        combo = self._editors["owner_id"]
        assert isinstance(combo, QComboBox)
        current = combo.currentData()
        for user_id, name in users:
            if combo.findData(user_id) < 0:
                combo.addItem(name, user_id)
        if current is not None:
            combo.setCurrentIndex(max(0, combo.findData(current)))

    # -- values ------------------------------------------------------------

    def fill(self, data: dict[str, Any], account_name: str = "", titles: dict[str, str] | None = None) -> None:
        titles = titles or {}
        # Type fields first, so a polymorphic picker knows its type before its value.
        ordered = sorted(data.items(), key=lambda item: not isinstance(self._editors.get(item[0]), QComboBox))
        for name, value in ordered:
            if name == "custom":
                self._custom_values = dict(value or {})
                self._fill_custom()
                continue
            editor = self._editors.get(name)
            if editor is None or name.startswith("custom."):
                continue
            kind = self._spec.field_map[name].kind
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(str(value or ""))
            elif isinstance(editor, TagsEdit):
                editor.set_tags(value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, RecordPicker):
                title = titles.get(name) or (account_name if name == "account_id" else "")
                editor.set_record(value or None, title or ("" if not value else str(value)))
            elif isinstance(editor, QComboBox):
                if value is not None and editor.findData(value) < 0:
                    editor.addItem(str(value), value)
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QLineEdit):
                editor.setText(local_text(value) if kind is FieldKind.DATETIME
                               else ("" if value is None else str(value)))

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if any(f.kind is FieldKind.CUSTOM for f in self._spec.fields):
            # Values of retired fields (no editor) are kept as they were.
            custom: dict[str, Any] = dict(self._custom_values)
            for field in self._custom_fields:
                editor = self._editors.get(field.error_field)
                if isinstance(editor, QComboBox):
                    custom[field.name] = editor.currentData()
                elif isinstance(editor, QLineEdit):
                    custom[field.name] = editor.text().strip() or None
            data["custom"] = {k: v for k, v in custom.items() if v is not None} or None
        for name, editor in self._editors.items():
            if name.startswith("custom."):
                continue
            if isinstance(editor, QPlainTextEdit):
                data[name] = editor.toPlainText() or None
            elif isinstance(editor, TagsEdit):
                data[name] = editor.tags()
            elif isinstance(editor, QCheckBox):
                data[name] = editor.isChecked()
            elif isinstance(editor, RecordPicker):
                data[name] = editor.record_id()
            elif isinstance(editor, QComboBox):
                data[name] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                if self._spec.field_map[name].kind is FieldKind.DATETIME:
                    data[name] = utc_text(editor.text())
                else:
                    data[name] = editor.text() or None
        return data

    def _loaded(self, view: Any) -> None:
        refs = {
            f.name: (f.target_type(view.data), view.data.get(f.name))
            for f in self._spec.fields
            if f.kind is FieldKind.REF and f.name in self._editors and f.ref_type != "user"
        }
        refs = {k: (t, v) for k, (t, v) in refs.items() if t and v}
        self.fill({k: v for k, v in view.data.items() if k not in refs})
        if refs:
            values = {k: v for k, (_t, v) in refs.items()}
            run_async(self._context.worker, _titles, self._context, refs,
                      on_done=lambda titles: self.fill(values, titles=titles), context=self)
        self._set_busy(False)

    def _load_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        report_error(exc, self.parentWidget())
        self.reject()

    # -- saving ------------------------------------------------------------

    def save(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        data = self.values()
        unpicked = [
            {"field": name, "message": self._pick_message(editor)}
            for name, editor in self._editors.items()
            if isinstance(editor, RecordPicker) and editor.text().strip() and data[name] is None
        ]
        if unpicked:
            self._show_errors(unpicked)
            return
        self._set_busy(True)
        if self._id is None and not self._duplicates_checked:
            # Look for likely duplicates first; a second Save ("Save anyway")
            # goes ahead whatever was found.
            run_async(self._context.worker, self._context.duplicates.find, self._type, data,
                      on_done=lambda matches: self._duplicates_found(matches, data), on_error=self._save_failed,
                      context=self)
        elif self._id is None:
            self._create(data)
        else:
            record_id = self._id
            run_async(self._context.worker, self._context.records.update, self._type, record_id, data,
                      on_done=lambda _none: self._saved(record_id), on_error=self._save_failed, context=self)

    def _pick_message(self, picker: RecordPicker) -> str:
        if picker.record_type is None:
            return self.tr("Choose what kind of record it is first")
        label = QCoreApplication.translate("RecordTypes", RECORD_TYPES[picker.record_type].label).lower()
        if label[:1] in "aeiou":
            return self.tr("Pick an %1 from the list").replace("%1", label)
        return self.tr("Pick a %1 from the list").replace("%1", label)

    def _create(self, data: dict[str, Any]) -> None:
        run_async(self._context.worker, self._context.records.create, self._type, data,
                  on_done=self._saved, on_error=self._save_failed, context=self)

    def _duplicates_found(self, matches: list[DuplicateMatch], data: dict[str, Any]) -> None:
        self._duplicates_checked = True
        if not matches:
            self._create(data)
            return
        self._set_busy(False)
        self.duplicate_matches = matches
        while self._duplicates_layout.count():
            item = self._duplicates_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        heading = QLabel(self.tr("This may already exist. Open it, or save anyway:"), self._duplicates)
        heading.setStyleSheet("font-weight: bold;")
        self._duplicates_layout.addWidget(heading)
        for i, match in enumerate(matches):
            row = QWidget(self._duplicates)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"{match.title} — {', '.join(match.reasons)}", row)
            text.setObjectName(f"duplicate_{i}")
            line.addWidget(text, 1)
            button = QPushButton(self.tr("Open"), row)
            button.setObjectName(f"openDuplicate_{i}")
            button.clicked.connect(lambda _c=False, rid=match.record_id: self.open_existing(rid))
            line.addWidget(button)
            merge = QPushButton(self.tr("Save and merge…"), row)
            merge.setObjectName(f"mergeDuplicate_{i}")
            merge.setToolTip(self.tr("Save this record, then merge it with the existing one field by field"))
            merge.clicked.connect(lambda _c=False, rid=match.record_id: self.save_and_merge(rid))
            line.addWidget(merge)
            self._duplicates_layout.addWidget(row)
        self._duplicates.show()
        self._buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save anyway"))

    def save_and_merge(self, existing_id: str) -> None:
        """Save the new record, then open the merge of it and ``existing_id`` (a synced merge)."""
        if self._busy:
            return
        self._merge_with = existing_id
        self._duplicates_checked = True
        self.save()

    def _inputs_changed(self) -> None:
        """After a duplicate warning, an edit means the next Save checks again."""
        if self._duplicates_checked and self._id is None:
            self._duplicates_checked = False
            self._merge_with = None
            self._buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))

    def open_existing(self, record_id: str) -> QDialog:
        """Open a record the new one may duplicate (this form stays open)."""
        return open_record(self._context, self._bus, self._type, record_id, self.parentWidget() or self)

    def _saved(self, record_id: str) -> None:
        self._set_busy(False)
        log.info("saved %s %s", self._type, record_id)
        self._id = record_id
        self._bus.announce({self._type}, {record_id})
        emit(self.saved, record_id)
        if self._merge_with is not None:
            from ui.dialogs.merge_records import MergeRecordsDialog

            self.merge_dialog = MergeRecordsDialog(self._context, self._bus, self._type, self._merge_with,
                                                   record_id, parent=self.parentWidget())
            self.merge_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.merge_dialog.open()
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self._show_errors([{"field": e.field, "message": e.message} for e in exc.errors])
        elif isinstance(exc, KnownError):
            self._general.setText(exc.message)
            self._general.show()
            report_error(exc, self)
        else:
            report_error(exc, self)

    def _clear_errors(self) -> None:
        self._general.hide()
        for name, label in self._errors.items():
            label.hide()
            label.clear()
            self._editors[name].setStyleSheet("")

    def _show_errors(self, errors: list[dict[str, str]]) -> None:
        general: list[str] = []
        first: QWidget | None = None
        for error in errors:
            name, message = error.get("field", ""), error.get("message", "")
            label = self._errors.get(name)
            if label is None:
                general.append(message if not name else f"{name}: {message}")
                continue
            label.setText((label.text() + "\n" if label.text() else "") + message)
            label.show()
            self._editors[name].setStyleSheet(INVALID_STYLE)
            first = first or self._editors[name]
        if general:
            self._general.setText("\n".join(general))
            self._general.show()
        if first is not None:
            first.setFocus()

    def done(self, result: int) -> None:
        # A look-up typed just before closing must not reach the worker later.
        for editor in self._editors.values():
            if isinstance(editor, RecordPicker):
                editor.stop_lookup()
        super().done(result)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        save = self._buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not busy)

    @property
    def busy(self) -> bool:
        return self._busy


def _titles(context: AppContext, refs: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Titles of the records the form's reference fields point to (field -> title)."""
    return {name: context.records.title_of(record_type, record_id)
            for name, (record_type, record_id) in refs.items()}


def open_record(context: AppContext, bus: DataBus, record_type: str, record_id: str, parent: QWidget) -> QDialog:
    """Open an existing record to check or edit it (accounts: the detail view, with their contacts)."""
    dialog: QDialog
    if record_type == "account":
        from ui.records.detail import RecordDetailDialog  # the detail view itself uses this form

        dialog = RecordDetailDialog(context, bus, record_type, record_id, parent)
    else:
        dialog = RecordFormDialog(context, bus, record_type, record_id, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
