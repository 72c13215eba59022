"""Pending changes: every unsynced change, with its field diffs and status."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged, PendingChangeView
from crm_protocol.records import RECORD_TYPES
from ui.dialogs import messages
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.pages.cards import Card, CardList, escape
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.pending")


class PendingPage(QWidget):
    countChanged = Signal(int)

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingPage")
        self._context = context
        self._bus = bus
        self._generation = 0
        self.views: list[PendingChangeView] = []
        title = QLabel(self.tr("Changes not yet synced"), self)
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        hint = QLabel(self.tr("These changes are saved on this computer and will be sent at the next sync."), self)
        hint.setWordWrap(True)
        self.list = CardList(self.tr("Everything is synced."), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 0)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        bus.changed.connect(self._data_changed)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, self._context.records.pending_changes,
                  on_done=lambda views: self._show(generation, views), context=self)

    def _data_changed(self, change: DataChanged) -> None:
        if change.outbox:
            self.reload()

    def _show(self, generation: int, views: list[PendingChangeView]) -> None:
        if generation != self._generation:
            return
        self.views = views
        self.list.set_cards([self._card(view) for view in views])
        emit(self.countChanged, len(views))

    def _card(self, view: PendingChangeView) -> Card:
        card = Card(self.list)
        card.setProperty("recordId", view.record_id)
        ops = {"create": self.tr("New"), "update": self.tr("Changed"), "delete": self.tr("Deleted"),
               "restore": self.tr("Brought back")}
        types = {name: QCoreApplication.translate("RecordTypes", spec.label) for name, spec in RECORD_TYPES.items()}
        status = {
            "pending": self.tr("Waiting to sync"),
            "rejected": self.tr("Refused by the server"),
        }.get(view.status, view.status)
        if view.in_flight:
            status = self.tr("Being sent…")
        head = QLabel(
            f"<b>{escape(view.title)}</b> &nbsp;<span style='color:gray'>{types.get(view.record_type, '')}"
            f" · {ops.get(view.op, view.op)}</span>", card)
        state = QLabel(status, card)
        state.setStyleSheet("color: #c62828; font-weight: 600;" if view.status == "rejected" else "color: gray;")
        top = QHBoxLayout()
        top.addWidget(head, 1)
        top.addWidget(state)
        card.layout_.addLayout(top)
        if view.diffs:
            grid = QGridLayout()
            grid.setHorizontalSpacing(12)
            for row, diff in enumerate(view.diffs):
                grid.addWidget(QLabel(f"<span style='color:gray'>{escape(diff.label)}</span>", card), row, 0)
                change = QLabel(
                    f"<s style='color:#9e9e9e'>{escape(diff.old)}</s> → <b>{escape(diff.new)}</b>"
                    if view.op != "create" else f"<b>{escape(diff.new)}</b>", card)
                change.setObjectName(f"diff_{diff.field}")
                change.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(change, row, 1)
            grid.setColumnStretch(1, 1)
            card.layout_.addLayout(grid)
        if view.status == "rejected":
            lines = [escape(view.reason or self.tr("The server refused this change."))]
            lines += [f"{escape(e.get('field', ''))}: {escape(e.get('message', ''))}" for e in view.field_errors]
            reason = QLabel("<br>".join(lines), card)
            reason.setObjectName("reason")
            reason.setWordWrap(True)
            reason.setStyleSheet("color: #c62828;")
            card.layout_.addWidget(reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        if view.status == "rejected":
            if view.op != "delete":
                edit = QPushButton(self.tr("Edit and retry…"), card)
                edit.setObjectName("editRetry")
                edit.clicked.connect(lambda: self.edit_and_retry(view))
                buttons.addWidget(edit)
            retry = QPushButton(self.tr("Retry"), card)
            retry.setObjectName("retry")
            retry.clicked.connect(lambda: self.retry(view))
            buttons.addWidget(retry)
        discard = QPushButton(self.tr("Discard change"), card)
        discard.setObjectName("discard")
        discard.setEnabled(not view.in_flight)
        discard.clicked.connect(lambda: self.discard(view))
        buttons.addWidget(discard)
        card.layout_.addLayout(buttons)
        return card

    def discard(self, view: PendingChangeView) -> None:
        text = {
            "create": self.tr("Discard “%1”? It was never synced, so it will be removed."),
            "update": self.tr("Discard your changes to “%1”? It goes back to what the server has."),
            "delete": self.tr("Undo deleting “%1”?"),
            "restore": self.tr("Discard bringing back “%1”? It stays deleted, as it is on the server."),
        }.get(view.op, self.tr("Discard the change to “%1”?"))
        if not messages.confirm(self, self.tr("Discard change"), text.replace("%1", view.title),
                                self.tr("Discard")):
            return
        run_async(self._context.worker, self._context.records.discard_change, view.record_type, view.record_id,
                  on_done=lambda _r: self._bus.announce({view.record_type}, {view.record_id}), context=self)

    def retry(self, view: PendingChangeView) -> None:
        run_async(self._context.worker, self._context.records.retry_rejected, view.record_type, view.record_id,
                  on_done=lambda _r: self._bus.announce({view.record_type}, {view.record_id}), context=self)

    def edit_and_retry(self, view: PendingChangeView) -> RecordFormDialog:
        dialog = RecordFormDialog(self._context, self._bus, view.record_type, view.record_id,
                                  field_errors=view.field_errors, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
