"""Conflicts: values that lost a concurrent edit, side by side, to resolve."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop.conflict_policy import ConflictPolicy
from crm_desktop.context import AppContext
from crm_desktop.services.records import ConflictView, DataChanged
from crm_protocol.records import RECORD_TYPES
from ui.dialogs import messages
from ui.dialogs.conflict_rules import ConflictRulesDialog
from ui.events import DataBus
from ui.pages.cards import Card, CardList, escape, show_value
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.conflicts")


def _load(context: AppContext) -> tuple[list[ConflictView], dict[str, str]]:
    return context.records.open_conflicts(), dict(context.records.users())


class ConflictsPage(QWidget):
    countChanged = Signal(int)

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsPage")
        self._context = context
        self._bus = bus
        self._generation = 0
        self.views: list[ConflictView] = []
        title = QLabel(self.tr("Conflicts"), self)
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        hint = QLabel(self.tr("Someone else changed the same field while you were editing, or a record "
                              "you changed was deleted, merged or moved elsewhere. Nothing was thrown "
                              "away: choose what to keep."), self)
        hint.setWordWrap(True)
        self.rules_button = QPushButton(self.tr("Rules…"), self)
        self.rules_button.setObjectName("conflictRules")
        self.rules_button.setToolTip(self.tr("Choose which value wins a conflict, per type of field"))
        self.rules_button.clicked.connect(self.edit_rules)
        self.list = CardList(self.tr("No conflicts."), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 0)
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.rules_button)
        layout.addLayout(header)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        bus.changed.connect(self._data_changed)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, _load, self._context,
                  on_done=lambda result: self._show(generation, *result), context=self)

    def _data_changed(self, _change: DataChanged) -> None:
        self.reload()

    def _show(self, generation: int, views: list[ConflictView], users: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self.views = views
        self.list.set_cards([self._card(view, users) for view in views])
        emit(self.countChanged, len(views))

    def _when(self, stamp: datetime | None) -> str:
        return stamp.astimezone().strftime("%Y-%m-%d %H:%M") if stamp is not None else ""

    def _kind_text(self, view: ConflictView) -> str:
        texts = {
            "deleted_remotely": self.tr("Edited here, deleted elsewhere"),
            "edited_remotely": self.tr("Deleted here, edited elsewhere"),
            "access_lost": self.tr("Reassigned: you no longer have access; your unsynced edits are kept here"),
            "merged_away": self.tr("Merged into another record elsewhere; your edits were carried over"),
        }
        if view.kind == "access_lost" and view.local_value is None:
            return self.tr("Reassigned before your delete reached the server: you no longer have access, "
                           "so it was not deleted and stays with its new owner")
        if view.kind == "parent_deleted":
            if view.field is None:
                return self.tr("Deleted elsewhere, brought back because you linked records to it offline")
            if view.base_value is None:
                # ref_gone: merged into a record that was deleted and purged since.
                return self.tr("%1: the linked record no longer exists on the server (merged into a record "
                               "deleted since); kept without the link").replace("%1", view.label)
            return self.tr("%1: the linked record was deleted elsewhere; kept without the link").replace(
                "%1", view.label)
        return texts.get(view.kind, view.label if view.field else self.tr("Whole record"))

    def _choices(self, view: ConflictView) -> tuple[str, str]:
        """Texts of the "local" and "server" buttons for this kind of conflict."""
        if view.kind == "deleted_remotely":
            return self.tr("Keep the record"), self.tr("Delete it")
        if view.kind == "edited_remotely":
            return self.tr("Delete it"), self.tr("Keep their version")
        if view.kind == "parent_deleted" and view.field is None:
            return self.tr("Keep it"), self.tr("Delete it after all")
        if view.kind == "parent_deleted" and view.base_value is None:
            return "", self.tr("OK")  # nothing left to bring back
        if view.kind == "parent_deleted":
            return self.tr("Bring it back and link"), self.tr("Leave unlinked")
        if view.kind == "access_lost" and view.local_value is None:
            return "", self.tr("OK")
        if view.kind == "access_lost":
            return self.tr("Keep my copy as a new record"), self.tr("Discard my edits")
        if view.kind == "merged_away":
            return self.tr("Keep mine"), self.tr("Keep theirs")
        return self.tr("Keep mine"), self.tr("Keep theirs")

    def _card(self, view: ConflictView, users: dict[str, str]) -> Card:
        card = Card(self.list)
        card.setProperty("conflictId", view.id)
        types = {name: QCoreApplication.translate("RecordTypes", spec.label) for name, spec in RECORD_TYPES.items()}
        who = users.get(view.server_updated_by or "", "") or self.tr("someone")
        when = view.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        head = QLabel(f"<b>{escape(view.title)}</b> &nbsp;<span style='color:gray'>"
                      f"{types.get(view.record_type, '')} · {escape(self._kind_text(view))}</span>", card)
        meta = QLabel(self.tr("Other side: %1 · found %2").replace("%1", who).replace("%2", when), card)
        meta.setObjectName("meta")
        meta.setStyleSheet("color: gray;")
        top = QHBoxLayout()
        top.addWidget(head, 1)
        top.addWidget(meta)
        card.layout_.addLayout(top)
        grid = QGridLayout()
        mine_caption = self.tr("Mine")
        theirs_caption = self.tr("Theirs (%1)").replace("%1", who)
        if view.local_edited_at is not None:
            mine_caption += " · " + self._when(view.local_edited_at)
        if view.server_edited_at is not None:
            theirs_caption += " · " + self._when(view.server_edited_at)
        if view.winner == "local":
            mine_caption += " · " + self.tr("applied")
        elif view.winner == "server":
            theirs_caption += " · " + self.tr("applied")
        mine_title = QLabel(f"<span style='color:gray'>{escape(mine_caption)}</span>", card)
        mine_title.setObjectName("mineCaption")
        theirs_title = QLabel(f"<span style='color:gray'>{escape(theirs_caption)}</span>", card)
        theirs_title.setObjectName("theirsCaption")
        shown_mine = view.local_display if view.local_display is not None else view.local_value
        if view.kind == "access_lost" and view.local_value is None:
            shown_mine = self.tr("Deleted")
        mine = QLabel(f"<b>{escape(shown_mine)}</b>", card)
        mine.setObjectName("mine")
        mine.setWordWrap(True)
        theirs = QLabel(f"<b>{escape(view.server_value)}</b>", card)
        theirs.setObjectName("theirs")
        theirs.setWordWrap(True)
        grid.addWidget(mine_title, 0, 0)
        grid.addWidget(theirs_title, 0, 1)
        grid.addWidget(mine, 1, 0)
        grid.addWidget(theirs, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        card.layout_.addLayout(grid)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        mine_text, theirs_text = self._choices(view)
        keep_mine = QPushButton(mine_text, card)
        keep_mine.setObjectName("keepMine")
        keep_mine.clicked.connect(lambda: self.resolve(view, "local"))
        keep_theirs = QPushButton(theirs_text, card)
        keep_theirs.setObjectName("keepTheirs")
        keep_theirs.clicked.connect(lambda: self.resolve(view, "server"))
        # A choice that cannot be made (a delete of a record now someone else's) is left out.
        if not mine_text:
            keep_mine.hide()
        buttons.addWidget(keep_mine)
        buttons.addWidget(keep_theirs)
        if view.field is not None and view.kind == "field" and view.long_text:
            both = QPushButton(self.tr("Keep both"), card)
            both.setObjectName("keepBoth")
            both.setToolTip(self.tr("Keep both versions, mine first, one after the other"))
            both.clicked.connect(lambda: self.resolve(view, "both"))
            buttons.addWidget(both)
        if view.field is not None and view.kind == "field":
            edit = QPushButton(self.tr("Edit…"), card)
            edit.setObjectName("editValue")
            edit.clicked.connect(lambda: self.edit(view))
            buttons.addWidget(edit)
        card.layout_.addLayout(buttons)
        return card

    def edit_rules(self) -> ConflictRulesDialog:
        dialog = ConflictRulesDialog(self._context.conflict_policy(), self)
        dialog.accepted.connect(lambda: self._save_rules(dialog.policy()))
        dialog.open()
        return dialog

    def _save_rules(self, policy: ConflictPolicy) -> None:
        self._context.settings.conflict_policy = policy.to_settings()
        run_async(self._context.worker, self._context.save_settings, on_done=lambda _r: None, context=self)

    def edit(self, view: ConflictView) -> None:
        start = view.local_value if view.local_value is not None else view.server_value
        value = messages.ask_text(self, self.tr("Merge values"),
                                  self.tr("Value for %1:").replace("%1", view.label), show_value(start)
                                  if start not in (None, "") else "")
        if value is not None:
            self.resolve(view, "custom", value)

    def resolve(self, view: ConflictView, choice: str, value: Any = None) -> None:
        run_async(self._context.worker, self._context.records.resolve_conflict, view.id, choice, value,
                  on_done=lambda _r: self._bus.announce({view.record_type}, {view.record_id}), context=self)
