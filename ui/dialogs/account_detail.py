"""Account detail: the account's fields and its contacts, with "Add contact"."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged, RecordView
from crm_protocol.records import ACCOUNT
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.pages.cards import show_value
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.account")


def _load(context: AppContext, account_id: str) -> tuple[RecordView, list[RecordView], dict[str, str]]:
    account = context.records.get("account", account_id)
    return account, context.records.contacts_of_account(account_id), dict(context.records.users())


class AccountDetailDialog(QDialog):
    def __init__(self, context: AppContext, bus: DataBus, account_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountDetail")
        self._context = context
        self._bus = bus
        self._id = account_id
        self._generation = 0
        self.account: RecordView | None = None
        self.contacts: list[RecordView] = []
        self.setWindowTitle(self.tr("Account"))
        self.resize(720, 600)

        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.fields = QFormLayout()
        self.contacts_view = QTreeWidget(self)
        self.contacts_view.setObjectName("contacts")
        self.contacts_view.setRootIsDecorated(False)
        self.contacts_view.setHeaderLabels([self.tr("Name"), self.tr("Job title"), self.tr("Email"),
                                            self.tr("Phone")])
        self.contacts_view.setColumnWidth(0, 180)
        self.contacts_view.setColumnWidth(1, 160)
        self.contacts_view.setColumnWidth(2, 220)
        self.contacts_view.itemActivated.connect(self._open_contact)

        self.edit_button = QPushButton(self.tr("Edit account…"), self)
        self.edit_button.setObjectName("editAccount")
        self.edit_button.clicked.connect(self.edit_account)
        self.add_button = QPushButton(self.tr("Add contact…"), self)
        self.add_button.setObjectName("addContact")
        self.add_button.clicked.connect(self.add_contact)
        self.contacts_label = QLabel(self.tr("Contacts"), self)
        self.contacts_label.setStyleSheet("font-weight: 600;")
        row = QHBoxLayout()
        row.addWidget(self.contacts_label, 1)
        row.addWidget(self.add_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        close.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.fields)
        layout.addLayout(row)
        layout.addWidget(self.contacts_view, 1)
        layout.addWidget(close)
        bus.changed.connect(self._data_changed)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, _load, self._context, self._id,
                  on_done=lambda result: self._show(generation, *result),
                  on_error=self._failed, context=self)

    def _failed(self, exc: BaseException) -> None:
        report_error(exc, self.parentWidget())
        self.reject()

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & {"account", "contact"}:
            self.reload()

    def _show(self, generation: int, account: RecordView, contacts: list[RecordView],
              users: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self.account, self.contacts = account, contacts
        self.title.setText(account.title)
        self.setWindowTitle(account.title)
        while self.fields.rowCount():
            self.fields.removeRow(0)
        for fspec in ACCOUNT.fields:
            value: Any = account.data.get(fspec.name)
            if fspec.derived_from or fspec.name == "name" or value in (None, "", False):
                continue
            if fspec.name == "owner_id":
                value = users.get(str(value), value)
            label = QLabel(show_value(value), self)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            from PySide6.QtCore import QCoreApplication

            self.fields.addRow(QCoreApplication.translate("Fields", fspec.label) + ":", label)
        self.contacts_label.setText(self.tr("Contacts (%1)").replace("%1", str(len(contacts))))
        self.contacts_view.clear()
        for contact in contacts:
            item = QTreeWidgetItem([contact.title, contact.data.get("title") or "",
                                    contact.data.get("email") or "", contact.data.get("phone") or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, contact.id)
            self.contacts_view.addTopLevelItem(item)

    def _open_contact(self, item: QTreeWidgetItem) -> None:
        contact_id = item.data(0, Qt.ItemDataRole.UserRole)
        self._form("contact", contact_id)

    def add_contact(self) -> RecordFormDialog:
        form = self._form("contact", None)
        if self.account is not None:
            form.fill({"account_id": self._id}, self.account.title)
        return form

    def edit_account(self) -> RecordFormDialog:
        return self._form("account", self._id)

    def _form(self, record_type: str, record_id: str | None) -> RecordFormDialog:
        form = RecordFormDialog(self._context, self._bus, record_type, record_id, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form
