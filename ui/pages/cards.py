"""Shared bits of the card-style pages (pending changes, conflicts)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget


def show_value(value: Any) -> str:
    if value is None or value == "":
        return QCoreApplication.translate("Cards", "(empty)")
    if value is True:
        return QCoreApplication.translate("Cards", "Yes")
    if value is False:
        return QCoreApplication.translate("Cards", "No")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, "", False))
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def escape(value: Any) -> str:
    return html.escape(show_value(value))


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#card { background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 6px; }")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 10, 12, 10)


class CardList(QScrollArea):
    """A vertical list of cards with an empty-state message."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._inner = QWidget(self)
        self._column = QVBoxLayout(self._inner)
        self._column.setContentsMargins(12, 12, 12, 12)
        self._column.setSpacing(10)
        self._column.addStretch(1)
        self.setWidget(self._inner)
        self.empty = QLabel(empty_text, self._inner)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(mid); font-size: 14px; padding: 40px;")
        self._column.insertWidget(0, self.empty)
        self.cards: list[Card] = []

    def set_cards(self, cards: list[Card]) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = cards
        for i, card in enumerate(cards):
            self._column.insertWidget(i, card)
        self.empty.setVisible(not cards)
