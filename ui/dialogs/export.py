"""Exporting the list on screen: ask where, run on the worker, show progress, allow cancel."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from crm_desktop.context import AppContext
from crm_desktop.dataio.progress import Cancelled, Progress, ProgressSnapshot
from crm_desktop.services.exports import ExportFormat, ExportResult
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.schema import spec_for
from ui.dialogs import messages
from ui.dialogs.progress import ProgressPoller
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.export")

#: The progress dialog appears only for exports that take longer than this.
SHOW_AFTER_MS = 600

FILTERS = {
    ExportFormat.CSV: "CSV (*.csv)",
    ExportFormat.XLSX: "Excel workbook (*.xlsx)",
    ExportFormat.VCARD: "vCard (*.vcf)",
}


class ExportJob(QObject):
    """One export in flight; ``finished`` carries the ExportResult or the error."""

    finished = Signal(object)

    def __init__(self, context: AppContext, spec: ListSpec, fmt: ExportFormat, path: Path,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.path = path
        self.progress = Progress()
        self.dialog = QProgressDialog(parent.tr("Exporting…"), parent.tr("Cancel"), 0, 0, parent)
        self.dialog.setObjectName("exportProgress")
        self.dialog.setWindowTitle(parent.tr("Export"))
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self.progress.cancel)
        self.dialog.hide()
        self._show_timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._show_timer.timeout.connect(self.dialog.show)
        self._show_timer.start()
        self.poller = ProgressPoller(self)
        self.poller.changed.connect(self._show)
        self.poller.start(self.progress)
        self.future: Future[Any] = run_async(
            context.worker, context.exports.export, spec, fmt, path, progress=self.progress,
            on_done=self._done, on_error=self._failed, context=self,
        )

    def cancel(self) -> None:
        self.progress.cancel()

    def _show(self, snapshot: ProgressSnapshot) -> None:
        if snapshot.total > 0:
            self.dialog.setMaximum(snapshot.total)
            self.dialog.setValue(min(snapshot.done, snapshot.total))
            self.dialog.setLabelText(self._parent.tr("Exporting… %1 / %2").replace(
                "%1", f"{snapshot.done:,}").replace("%2", f"{snapshot.total:,}"))

    def _close(self) -> None:
        self._show_timer.stop()
        self.poller.stop()
        self.dialog.hide()
        self.dialog.deleteLater()

    def _done(self, result: ExportResult) -> None:
        self._close()
        message = self._parent.tr("Exported %n record(s) to %1.", "", result.rows).replace("%1", result.path.name)
        if result.truncated:
            message += " " + self._parent.tr("%n value(s) longer than an Excel cell allows were cut.", "",
                                             result.truncated)
        _status(self._parent, message)
        emit(self.finished, result)

    def _failed(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled):
            _status(self._parent, exc.message)
        else:
            report_error(exc, self._parent)
        emit(self.finished, exc)


def export_list(
    parent: QWidget, context: AppContext, spec: ListSpec, fmt: ExportFormat, path: str | None = None
) -> ExportJob | None:
    """Ask for a file name (unless given) and start exporting ``spec``'s list into it."""
    label = spec_for(spec.record_type).label_plural
    if path is None:
        path = messages.ask_save_path(parent, parent.tr("Export %1").replace("%1", label.lower()),
                                      f"{label}.{fmt.value}", parent.tr(FILTERS[fmt]))
        if not path:
            return None
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(f".{fmt.value}")
    return ExportJob(context, spec, fmt, target, parent)


def _status(widget: QWidget, message: str) -> None:
    window = widget.window()
    bar = getattr(window, "statusBar", None)
    if callable(bar):
        bar().showMessage(message, 10000)
    log.info("%s", message)
