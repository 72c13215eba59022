"""Activity reminders: a timer asks the DB worker for due reminders, each shown once.

No polling loop: after each check the single-shot timer is set for the next
reminder the store knows of (at most ``MAX_WAIT_MS`` ahead, so activities
that arrive by sync or are edited are picked up; an activity change on the
bus also triggers a check).  The store marks a reminder shown in the same
transaction that hands it out, so it fires once, across restarts too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.activities.my_day import Reminder
from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.reminders")

#: Longest wait between two checks.
MAX_WAIT_MS = 5 * 60 * 1000
#: Shortest wait (a due time just passed is checked a moment later, not in a loop).
MIN_WAIT_MS = 1000


def utc_now() -> datetime:
    return datetime.now(UTC)


class ReminderScheduler(QObject):
    #: A list of :class:`Reminder` that just became due.
    remind = Signal(list)
    #: A check finished (tests).
    checked = Signal()

    def __init__(self, context: AppContext, bus: DataBus | None = None, parent: QObject | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self._context = context
        self._clock = clock
        self._busy = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self.next_at: datetime | None = None
        if bus is not None:
            bus.changed.connect(self._data_changed)

    @property
    def interval_ms(self) -> int:
        """Milliseconds until the next check (-1: not scheduled)."""
        return self._timer.interval() if self._timer.isActive() else -1

    def start(self) -> None:
        self.check()

    def stop(self) -> None:
        self._timer.stop()

    def _data_changed(self, change: DataChanged) -> None:
        if "activity" in change.record_types:
            self.check()

    def check(self) -> None:
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._timer.stop()
        run_async(self._context.worker, self._context.my_day.due_reminders,
                  self._context.settings.user_id or None, self._clock(),
                  on_done=self._checked, on_error=self._failed, context=self)

    def _checked(self, result: tuple[list[Reminder], datetime | None]) -> None:
        self._busy = False
        reminders, next_at = result
        self.next_at = next_at
        if reminders:
            log.info("%d reminder(s) due", len(reminders))
            emit(self.remind, reminders)
        if self._again:
            self._again = False
            self.check()
            return
        self._schedule(next_at)
        emit(self.checked)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        # A store error (disk full, locked) must not stop reminders for good.
        log.warning("reminder check failed: %s", exc)
        self._schedule(None)

    def _schedule(self, next_at: datetime | None) -> None:
        wait = MAX_WAIT_MS
        if next_at is not None:
            wait = int((next_at - self._clock()).total_seconds() * 1000) + 200
        self._timer.start(max(MIN_WAIT_MS, min(wait, MAX_WAIT_MS)))
