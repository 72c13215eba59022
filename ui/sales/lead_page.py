"""The lead list: the generic list page plus "Convert"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from crm_desktop.context import AppContext
from ui.events import DataBus
from ui.pages.record_list import RecordListPage
from ui.sales.convert_lead import ConvertLeadDialog


class LeadListPage(RecordListPage):
    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(context, bus, "lead", parent)
        self.convert_action = QAction(self.tr("Convert…"), self)
        self.convert_action.setObjectName("convert")
        self.convert_action.setToolTip(self.tr("Turn the lead into an account, a contact and an opportunity"))
        self.convert_action.triggered.connect(self.convert_current)
        style = self.style()
        self.convert_action.setIcon(style.standardIcon(style.StandardPixmap.SP_ArrowForward))
        self.toolbar.addAction(self.convert_action)
        self._update_actions()

    def _update_actions(self) -> None:
        super()._update_actions()
        if hasattr(self, "convert_action"):
            self.convert_action.setEnabled(self.table.currentIndex().isValid())

    def convert_current(self) -> ConvertLeadDialog | None:
        lead_id = self.current_id()
        if not lead_id:
            return None
        dialog = ConvertLeadDialog(self._context, self._bus, lead_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
