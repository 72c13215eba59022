"""Showing a worker's :class:`Progress`: polled every 100 ms, never pushed.

The worker only writes numbers into the Progress object; this poller reads
them on the GUI thread (so a fast worker never floods the event loop) and
feeds a progress bar and a label.  Cancel is passed back through the same
object.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar

from crm_desktop.dataio.progress import Progress, ProgressSnapshot
from ui.qt_compat import emit

POLL_MS = 100


class ProgressPoller(QObject):
    changed = Signal(object)  # ProgressSnapshot

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._progress: Progress | None = None
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._last: ProgressSnapshot | None = None

    def start(self, progress: Progress) -> None:
        self._progress = progress
        self._last = None
        self._timer.start()
        self.poll()

    def stop(self) -> None:
        self.poll()
        self._timer.stop()
        self._progress = None

    def poll(self) -> None:
        if self._progress is None:
            return
        snapshot = self._progress.snapshot()
        if snapshot != self._last:
            self._last = snapshot
            emit(self.changed, snapshot)


def show_on(bar: QProgressBar, label: QLabel | None, snapshot: ProgressSnapshot, phases: dict[str, str]) -> None:
    """Put a snapshot on a bar (busy indicator while the total is unknown) and a label."""
    if snapshot.total > 0:
        bar.setRange(0, snapshot.total)
        bar.setValue(min(snapshot.done, snapshot.total))
    else:
        bar.setRange(0, 0)
    if label is not None:
        text = phases.get(snapshot.phase, snapshot.phase)
        if snapshot.total > 0:
            text = f"{text} {snapshot.done:,} / {snapshot.total:,}"
        label.setText(text)
