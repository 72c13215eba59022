"""Setup: the configuration every user receives (pipeline stages, service levels, custom fields).

These records sync like any other, but only administrators may change them:
the server refuses anyone else's change with its reason, which then waits in
Pending changes (fix or discard it there), so nothing typed here is lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged
from crm_protocol.records import RECORD_TYPES, FieldKind, FieldSpec
from ui.dialogs import messages
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.tasks import run_async

#: The configuration types, in the order of their tabs.
SETUP_TYPES = ("pipeline_stage", "service_level", "custom_field")


def _cell(fspec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if fspec.kind is FieldKind.BOOL:
        return QCoreApplication.translate("Setup", "Yes") if value else QCoreApplication.translate("Setup", "No")
    if fspec.name == "record_type" and value in RECORD_TYPES:
        return QCoreApplication.translate("RecordTypes", RECORD_TYPES[value].label_plural)
    if fspec.kind is FieldKind.CHOICE:
        return QCoreApplication.translate("Choices", str(value))
    if fspec.kind is FieldKind.LONG_TEXT:
        return ", ".join(line.strip() for line in str(value).splitlines() if line.strip())
    return str(value)


class ConfigTable(QWidget):
    """The records of one configuration type, with New, Edit and Delete."""

    def __init__(self, context: AppContext, bus: DataBus, record_type: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._bus = bus
        self.record_type = record_type
        self._spec = RECORD_TYPES[record_type]
        self._columns = [f for f in self._spec.fields if f.derived_from is None]
        self._ids: list[str] = []
        self.setObjectName(f"setup_{record_type}")

        self.table = QTableWidget(0, len(self._columns), self)
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("Fields", f.label) for f in self._columns])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.new_button = QPushButton(self.tr("New…"), self)
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.clicked.connect(self.delete_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        bus.changed.connect(self._data_changed)
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        run_async(self._context.worker, self._context.records.configuration, self.record_type,
                  on_done=self._loaded, on_error=lambda exc: messages.show_error(self, exc), context=self)

    def _loaded(self, records: list[tuple[str, dict[str, Any]]]) -> None:
        selected = self.current_id()
        self._ids = [record_id for record_id, _ in records]
        self.table.setRowCount(len(records))
        for row, (record_id, data) in enumerate(records):
            for column, fspec in enumerate(self._columns):
                item = QTableWidgetItem(_cell(fspec, data.get(fspec.name)))
                item.setData(Qt.ItemDataRole.UserRole, record_id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()  # a few dozen rows at most
        if selected in self._ids:
            self.table.selectRow(self._ids.index(selected))
        self._update_buttons()

    def _data_changed(self, change: DataChanged) -> None:
        if self.record_type in change.record_types:
            self.reload()

    def current_id(self) -> str | None:
        row = self.table.currentRow()
        return self._ids[row] if 0 <= row < len(self._ids) and self.table.selectedItems() else None

    def _update_buttons(self) -> None:
        chosen = self.current_id() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _form(self, record_id: str | None) -> RecordFormDialog:
        dialog = RecordFormDialog(self._context, self._bus, self.record_type, record_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_record(self) -> RecordFormDialog:
        return self._form(None)

    def edit_current(self) -> RecordFormDialog | None:
        record_id = self.current_id()
        return self._form(record_id) if record_id else None

    def delete_current(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            return
        first = self.table.item(self.table.currentRow(), 0)
        title = first.text() if first is not None else ""
        if not messages.confirm(
            self, self.tr("Delete"),
            self.tr("Delete “%1”? Every user receives the change at their next sync.").replace("%1", title),
            self.tr("Delete"),
        ):
            return
        run_async(self._context.worker, self._context.records.delete, self.record_type, record_id,
                  on_done=lambda _r: self._bus.announce({self.record_type}, {record_id}),
                  on_error=lambda exc: messages.show_error(self, exc), context=self)


class SetupDialog(QDialog):
    """Setup, one tab per configuration type."""

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setWindowTitle(self.tr("Setup"))
        self.resize(820, 520)
        note = QLabel(self.tr(
            "Pipeline stages, service levels and custom fields are shared by everyone. Only administrators "
            "may change them: the server refuses anyone else's change, which then waits in Pending changes "
            "with the reason, to be discarded there."
        ), self)
        note.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tables: dict[str, ConfigTable] = {}
        for record_type in SETUP_TYPES:
            table = ConfigTable(context, bus, record_type, self)
            self.tables[record_type] = table
            self.tabs.addTab(table, QCoreApplication.translate("RecordTypes", RECORD_TYPES[record_type].label_plural))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
