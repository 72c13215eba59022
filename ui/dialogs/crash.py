"""The crash dialog: an unexpected error is a bug; say so and point to the log."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("crm.ui.crash")


def crash_dialog(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
    log_path: Path | None, parent: QWidget | None = None,
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("crashDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(box.tr("Unexpected error"))
    text = box.tr("Something unexpected went wrong. This is a bug in the app; your data is safe.")
    if log_path is not None:
        text += "\n\n" + box.tr("Please report it and attach the log file:\n%1").replace("%1", str(log_path))
    box.setText(text)
    box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box
