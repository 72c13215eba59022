"""Message boxes and small prompts, in one place so tests can answer them."""

from __future__ import annotations

import logging
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from crm_desktop.errors import KnownError
from crm_protocol.records import ValidationFailed

log = logging.getLogger("crm.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Messages", text)


def _widget(parent: QObject | None) -> QWidget | None:
    while parent is not None and not isinstance(parent, QWidget):
        parent = parent.parent()
    return parent


def show_error(parent: QObject | None, exc: BaseException) -> None:
    """KnownError: a plain, non-blocking message.  Anything else: a bug."""
    if isinstance(exc, ValidationFailed):
        exc = KnownError("\n".join(e.message for e in exc.errors) or str(exc))
    if isinstance(exc, KnownError):
        log.info("showing error: %s", exc.message)
        box = QMessageBox(QMessageBox.Icon.Warning, _tr("Something went wrong"), exc.message,
                          QMessageBox.StandardButton.Ok, _widget(parent))
        box.setObjectName("knownErrorBox")
        if exc.detail:
            box.setDetailedText(exc.detail)
        box.open()
        return
    sys.excepthook(type(exc), exc, exc.__traceback__)


def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask yes/no with ``action`` as the affirmative button's text."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    ok = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def choose(parent: QWidget | None, title: str, text: str, options: list[tuple[str, str]]) -> str | None:
    """Offer ``options`` (key, button text); returns the key clicked or None (Cancel)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    buttons: dict[Any, str] = {}
    for key, label in options:
        buttons[box.addButton(label, QMessageBox.ButtonRole.AcceptRole)] = key
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return buttons.get(box.clickedButton())


def ask_text(parent: QWidget | None, title: str, label: str, value: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, text=value)
    return text if ok else None


def ask_open_path(parent: QWidget | None, title: str, filters: str) -> str | None:
    """A file to read (import); None if the user cancelled."""
    path, _selected = QFileDialog.getOpenFileName(parent, title, "", filters)
    return path or None


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None:
    """Where to write a file (export); None if the user cancelled."""
    path, _selected = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None
