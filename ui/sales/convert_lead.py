"""Convert a lead: an account (new or existing), a contact and optionally an opportunity, in one step."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.sales.service import Conversion
from crm_desktop.services.records import RecordView
from crm_protocol.records import ValidationFailed
from ui.dialogs.record_form import AccountPicker
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.sales")


class ConvertLeadDialog(QDialog):
    converted = Signal(object)  # Conversion

    def __init__(self, context: AppContext, bus: DataBus, lead_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("convertLead")
        self.setWindowTitle(self.tr("Convert lead"))
        self._context = context
        self._bus = bus
        self._lead_id = lead_id
        self._busy = True
        self.resize(480, 420)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.new_account = QRadioButton(self.tr("Create a new account"), self)
        self.new_account.setObjectName("newAccount")
        self.existing_account = QRadioButton(self.tr("Add to an existing account"), self)
        self.existing_account.setObjectName("existingAccount")
        self.new_account.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.new_account)
        choice.addButton(self.existing_account)
        self.account_picker = AccountPicker(context, self)
        self.account_picker.setObjectName("account")
        self.account_picker.setEnabled(False)
        self.existing_account.toggled.connect(self.account_picker.setEnabled)

        self.with_opportunity = QCheckBox(self.tr("Create an opportunity"), self)
        self.with_opportunity.setObjectName("withOpportunity")
        self.with_opportunity.setChecked(True)
        self.opportunity_name = QLineEdit(self)
        self.opportunity_name.setObjectName("opportunityName")
        self.amount = QLineEdit(self)
        self.amount.setObjectName("amount")
        self.currency = QLineEdit(self)
        self.currency.setObjectName("currency")
        self.currency.setMaxLength(3)
        self.close_date = QLineEdit(self)
        self.close_date.setObjectName("closeDate")
        self.close_date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        opportunity_box = QGroupBox(self)
        form = QFormLayout(opportunity_box)
        form.addRow(self.tr("Name:"), self.opportunity_name)
        form.addRow(self.tr("Amount:"), self.amount)
        form.addRow(self.tr("Currency:"), self.currency)
        form.addRow(self.tr("Expected close date:"), self.close_date)
        self.with_opportunity.toggled.connect(opportunity_box.setEnabled)

        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.convert_button = self.buttons.addButton(self.tr("Convert"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.convert_button.setEnabled(False)
        self.buttons.accepted.connect(self.convert)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.new_account)
        layout.addWidget(self.existing_account)
        layout.addWidget(self.account_picker)
        layout.addWidget(self.with_opportunity)
        layout.addWidget(opportunity_box)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        run_async(context.worker, context.records.get, "lead", lead_id, on_done=self._loaded,
                  on_error=self._load_failed, context=self)

    def _loaded(self, lead: RecordView) -> None:
        data = lead.data
        company = data.get("company") or lead.title
        self.summary.setText(
            self.tr("“%1” becomes a contact of the account below. The lead keeps a link to what it became.")
            .replace("%1", lead.title)
        )
        self.new_account.setText(self.tr("Create a new account “%1”").replace("%1", company))
        self.opportunity_name.setText(self.tr("%1 deal").replace("%1", company))
        if data.get("status") == "Converted":
            self._fail(self.tr("This lead was already converted."))
            return
        self._busy = False
        self.convert_button.setEnabled(True)

    def _load_failed(self, exc: BaseException) -> None:
        report_error(exc, self.parentWidget())
        self.reject()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def convert(self) -> None:
        if self._busy:
            return
        self.error.hide()
        account_id: str | None = None
        if self.existing_account.isChecked():
            account_id = self.account_picker.account_id()
            if account_id is None:
                self._fail(self.tr("Account: pick an account from the list"))
                return
        opportunity: dict[str, Any] | None = None
        if self.with_opportunity.isChecked():
            opportunity = {
                "name": self.opportunity_name.text() or None,
                "amount": self.amount.text() or None,
                "currency": self.currency.text() or None,
                "close_date": self.close_date.text() or None,
            }
        self._busy = True
        self.convert_button.setEnabled(False)
        run_async(self._context.worker, _convert, self._context, self._lead_id, account_id, opportunity,
                  on_done=self._done, on_error=self._failed, context=self)

    def _done(self, conversion: Conversion) -> None:
        self._busy = False
        ids = {conversion.lead_id, conversion.account_id, conversion.contact_id}
        if conversion.opportunity_id:
            ids.add(conversion.opportunity_id)
        self._bus.announce({"lead", "account", "contact", "opportunity"}, ids)
        emit(self.converted, conversion)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.convert_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            labels = {"account": self.tr("Account"), "contact": self.tr("Contact"),
                      "opportunity": self.tr("Opportunity"), "lead": self.tr("Lead")}
            what = labels.get(exc.record_type, exc.record_type)
            self._fail("\n".join(f"{what}: {e.message}" for e in exc.errors))
        elif isinstance(exc, KnownError):
            self._fail(exc.message)
        else:
            report_error(exc, self)


def _convert(context: AppContext, lead_id: str, account_id: str | None,
             opportunity: dict[str, Any] | None) -> Conversion:
    return context.sales.convert_lead(lead_id, account_id=account_id, opportunity=opportunity)
