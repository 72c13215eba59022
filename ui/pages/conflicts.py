"""Conflicts: values that lost a concurrent edit, side by side, to resolve."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop.context import AppContext
from crm_desktop.services.records import ConflictView, DataChanged
from ui.dialogs import messages
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
        hint = QLabel(self.tr("Someone else changed the same field while you were editing. "
                              "Choose which value to keep."), self)
        hint.setWordWrap(True)
        self.list = CardList(self.tr("No conflicts."), self)
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

    def _card(self, view: ConflictView, users: dict[str, str]) -> Card:
        card = Card(self.list)
        card.setProperty("conflictId", view.id)
        types = {"contact": self.tr("Contact"), "account": self.tr("Account")}
        who = users.get(view.server_updated_by or "", "") or self.tr("someone")
        when = view.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        field = view.label if view.field else self.tr("Whole record (edited here, deleted on the server)")
        head = QLabel(f"<b>{escape(view.title)}</b> &nbsp;<span style='color:gray'>"
                      f"{types.get(view.record_type, '')} · {escape(field)}</span>", card)
        meta = QLabel(self.tr("Changed by %1 · %2").replace("%1", who).replace("%2", when), card)
        meta.setStyleSheet("color: gray;")
        top = QHBoxLayout()
        top.addWidget(head, 1)
        top.addWidget(meta)
        card.layout_.addLayout(top)
        grid = QGridLayout()
        mine_title = QLabel(f"<span style='color:gray'>{self.tr('My value')}</span>", card)
        theirs_title = QLabel(f"<span style='color:gray'>{self.tr('Their value')}</span>", card)
        mine = QLabel(f"<b>{escape(view.local_value)}</b>", card)
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
        keep_mine = QPushButton(self.tr("Keep mine"), card)
        keep_mine.setObjectName("keepMine")
        keep_mine.clicked.connect(lambda: self.resolve(view, "local"))
        keep_theirs = QPushButton(self.tr("Keep theirs"), card)
        keep_theirs.setObjectName("keepTheirs")
        keep_theirs.clicked.connect(lambda: self.resolve(view, "server"))
        buttons.addWidget(keep_mine)
        buttons.addWidget(keep_theirs)
        if view.field is not None:
            edit = QPushButton(self.tr("Edit…"), card)
            edit.setObjectName("editValue")
            edit.clicked.connect(lambda: self.edit(view))
            buttons.addWidget(edit)
        card.layout_.addLayout(buttons)
        return card

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
