"""A campaign's members: leads and contacts with their response; add, change response, remove."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.marketing.service import MemberView
from crm_desktop.services.records import DataChanged
from crm_protocol.records import MEMBER_RESPONSES
from ui.dialogs.record_form import RecordPicker
from ui.events import DataBus
from ui.pages.record_list import RecordListPage
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.marketing")


class CampaignMembersDialog(QDialog):
    def __init__(self, context: AppContext, bus: DataBus, campaign_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignMembers")
        self.setWindowTitle(self.tr("Campaign members"))
        self.resize(640, 520)
        self._context = context
        self._bus = bus
        self._campaign_id = campaign_id
        self.members: list[MemberView] = []

        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("members")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("Kind"), self.tr("Response"), self.tr("Responded on")])
        self.tree.setColumnWidth(0, 220)

        self.kind = QComboBox(self)
        self.kind.setObjectName("memberKind")
        self.kind.addItem(QCoreApplication.translate("RecordTypes", "Lead"), "lead")
        self.kind.addItem(QCoreApplication.translate("RecordTypes", "Contact"), "contact")
        self.picker = RecordPicker(context, "lead", self)
        self.picker.setObjectName("memberPicker")
        self.kind.currentIndexChanged.connect(lambda _i: self.picker.set_record_type(self.kind.currentData()))
        self.add_button = QPushButton(self.tr("Add"), self)
        self.add_button.setObjectName("addMember")
        self.add_button.clicked.connect(self.add_member)
        add_row = QHBoxLayout()
        add_row.addWidget(self.kind)
        add_row.addWidget(self.picker, 1)
        add_row.addWidget(self.add_button)

        self.response = QComboBox(self)
        self.response.setObjectName("response")
        for response in MEMBER_RESPONSES:
            self.response.addItem(QCoreApplication.translate("Choices", response), response)
        self.set_response_button = QPushButton(self.tr("Set response"), self)
        self.set_response_button.setObjectName("setResponse")
        self.set_response_button.clicked.connect(self.set_response)
        self.remove_button = QPushButton(self.tr("Remove from campaign"), self)
        self.remove_button.setObjectName("removeMember")
        self.remove_button.clicked.connect(self.remove_member)
        edit_row = QHBoxLayout()
        edit_row.addWidget(QLabel(self.tr("Selected member:"), self))
        edit_row.addWidget(self.response)
        edit_row.addWidget(self.set_response_button)
        edit_row.addStretch(1)
        edit_row.addWidget(self.remove_button)

        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addLayout(edit_row)
        layout.addLayout(add_row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.tree.currentItemChanged.connect(lambda *_: self._update_actions())
        bus.changed.connect(self._data_changed)
        self._update_actions()
        self.reload()

    def reload(self) -> None:
        run_async(self._context.worker, _load, self._context, self._campaign_id, on_done=self._loaded,
                  on_error=lambda exc: report_error(exc, self), context=self)

    def _loaded(self, result: tuple[str, list[MemberView]]) -> None:
        title, members = result
        self.title.setText(title)
        keep = self.current_member()
        self.members = members
        self.tree.clear()
        for member in members:
            item = QTreeWidgetItem([
                member.name, QCoreApplication.translate("RecordTypes", member.member_type.title()),
                QCoreApplication.translate("Choices", member.response), member.responded_on or "",
            ])
            item.setData(0, Qt.ItemDataRole.UserRole, member.id)
            self.tree.addTopLevelItem(item)
            if keep is not None and member.id == keep.id:
                self.tree.setCurrentItem(item)
        self._update_actions()

    def current_member(self) -> MemberView | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        member_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((m for m in self.members if m.id == member_id), None)

    def _update_actions(self) -> None:
        member = self.current_member()
        self.set_response_button.setEnabled(member is not None)
        self.remove_button.setEnabled(member is not None)
        if member is not None:
            self.response.setCurrentIndex(max(0, self.response.findData(member.response)))

    def _fail(self, exc: BaseException) -> None:
        from crm_desktop.errors import KnownError
        from crm_protocol.records import ValidationFailed

        if isinstance(exc, ValidationFailed):
            self.error.setText("\n".join(e.message for e in exc.errors))
        elif isinstance(exc, KnownError):
            self.error.setText(exc.message)
        else:
            report_error(exc, self)
            return
        self.error.show()

    def _done(self) -> None:
        self.error.hide()
        self._bus.announce({"campaign_member", "campaign"})

    def add_member(self) -> None:
        member_id = self.picker.record_id()
        kind = str(self.kind.currentData())
        if member_id is None:
            self.error.setText(self.tr("Pick a lead or a contact from the list"))
            self.error.show()
            return
        if any(m.member_id == member_id for m in self.members):
            self.error.setText(self.tr("“%1” is already a member").replace("%1", self.picker.text()))
            self.error.show()
            return
        ids = {"lead_ids": [member_id]} if kind == "lead" else {"contact_ids": [member_id]}
        run_async(self._context.worker, self._context.marketing.add_members, self._campaign_id, **ids,
                  on_done=lambda _ids: self._added(), on_error=self._fail, context=self)

    def _added(self) -> None:
        self.picker.clear()
        self._done()

    def set_response(self) -> None:
        member = self.current_member()
        if member is None:
            return
        run_async(self._context.worker, self._context.records.update, "campaign_member", member.id,
                  {"response": self.response.currentData()},
                  on_done=lambda _r: self._done(), on_error=self._fail, context=self)

    def remove_member(self) -> None:
        member = self.current_member()
        if member is None:
            return
        run_async(self._context.worker, self._context.records.delete, "campaign_member", member.id,
                  on_done=lambda _r: self._done(), on_error=self._fail, context=self)

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & {"campaign_member", "lead", "contact", "campaign"}:
            self.reload()


def _load(context: AppContext, campaign_id: str) -> tuple[str, list[MemberView]]:
    return context.records.title_of("campaign", campaign_id), context.marketing.members_of(campaign_id)


class CampaignListPage(RecordListPage):
    """The campaign list: the generic list page plus "Members…"."""

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(context, bus, "campaign", parent)
        self.members_action = QAction(self.tr("Members…"), self)
        self.members_action.setObjectName("members")
        self.members_action.setToolTip(self.tr("The campaign's leads and contacts and their responses"))
        self.members_action.triggered.connect(self.show_members)
        self.toolbar.addAction(self.members_action)
        self._update_actions()

    def _update_actions(self) -> None:
        super()._update_actions()
        if hasattr(self, "members_action"):
            self.members_action.setEnabled(self.table.currentIndex().isValid())

    def show_members(self) -> CampaignMembersDialog | None:
        campaign_id = self.current_id()
        if not campaign_id:
            return None
        dialog = CampaignMembersDialog(self._context, self._bus, campaign_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
