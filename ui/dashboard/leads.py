"""The leads behind a "new leads by source" figure: a list to open them from."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from crm_desktop.context import AppContext
from crm_desktop.services.dashboard import LeadRow
from ui.qt_compat import emit
from ui.tasks import run_async

IdRole = Qt.ItemDataRole.UserRole + 1


class LeadsBySourceDialog(QDialog):
    #: (record type, id)
    openRecord = Signal(str, str)
    loaded = Signal()

    def __init__(self, context: AppContext, source: str, status: str = "New", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadsBySource")
        source_text = QCoreApplication.translate("Choices", source) if source else self.tr("(no source)")
        status_text = QCoreApplication.translate("Choices", status)
        self.setWindowTitle(self.tr("%1 leads from %2").replace("%1", status_text).replace("%2", source_text))
        self.resize(640, 480)
        self.summary = QLabel(self)
        self.view = QTreeWidget(self)
        self.view.setRootIsDecorated(False)
        self.view.setAlternatingRowColors(True)
        self.view.setHeaderLabels([self.tr("Name"), self.tr("Company"), self.tr("Rating"), self.tr("Email")])
        self.view.setColumnWidth(0, 180)
        self.view.setColumnWidth(1, 180)
        self.view.itemActivated.connect(self._activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        run_async(context.worker, context.dashboard.leads, source, status, on_done=self._show, context=self)

    def _show(self, result: tuple[int, list[LeadRow]]) -> None:
        total, rows = result
        for row in rows:
            item = QTreeWidgetItem([row.name, row.company, row.rating, row.email])
            item.setData(0, IdRole, row.id)
            self.view.addTopLevelItem(item)
        text = self.tr("%n lead(s)", "", total)
        if total > len(rows):
            text += "  " + self.tr("(the first %1 shown)").replace("%1", str(len(rows)))
        self.summary.setText(text)
        emit(self.loaded)

    def _activated(self, item: QTreeWidgetItem) -> None:
        record_id = item.data(0, IdRole)
        if record_id:
            emit(self.openRecord, "lead", str(record_id))
