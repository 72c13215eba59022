"""The module screens wired into the main window: dashboard, My day, pipeline board,
case queue; opening any record's detail view; activity reminders.

Kept apart from ``main_window.py`` so the window stays a frame (navigation,
menus, status) and these screens can grow without it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from crm_desktop.activities.my_day import Reminder
from crm_desktop.sales.pipeline import BoardFilter
from crm_desktop.support.case_queue import QueueFilter
from ui import format as fmt
from ui.activities.my_day import MyDayPage
from ui.activities.reminders import ReminderScheduler
from ui.dashboard.page import DashboardPage
from ui.navigation import CASE_QUEUE, DASHBOARD, MY_DAY, PIPELINE, RECORD_PAGES, page_label
from ui.records.detail import RecordDetailDialog
from ui.sales.pipeline import PipelinePage
from ui.support.case_queue import CaseQueuePage

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("crm.ui.workspace")


class ReminderToast(QFrame):
    """An in-app notification in the window's lower right corner (stays until dismissed)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("reminderToast")
        self.setStyleSheet("QFrame#reminderToast { background: palette(base); border: 1px solid "
                           "palette(mid); border-radius: 8px; }")
        self.title = QLabel(self.tr("Reminder"), self)
        self.title.setStyleSheet("font-weight: 600;")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Open My day"), self)
        self.open_button.setObjectName("openMyDay")
        self.dismiss = QPushButton(self.tr("Dismiss"), self)
        self.dismiss.setObjectName("dismissReminder")
        self.dismiss.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss)
        buttons.addWidget(self.open_button)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addLayout(buttons)
        self.setFixedWidth(340)
        self.hide()

    def show_reminders(self, lines: list[str]) -> None:
        self.text.setText("\n".join(lines[:6]) + ("\n…" if len(lines) > 6 else ""))
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(parent.width() - self.width() - 16, parent.height() - self.height() - 40)


def reminder_line(reminder: Reminder) -> str:
    when = fmt.clock(reminder.start_at) if reminder.start_at is not None else fmt.day(reminder.due_date)
    kind = QCoreApplication.translate("Choices", reminder.kind)
    return f"{kind}: {reminder.subject}" + (f" — {when}" if when else "")


class Workspace(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        context, bus = window.context, window.bus
        self.dashboard = DashboardPage(context, bus, window)
        self.my_day = MyDayPage(context, bus, window)
        self.pipeline = PipelinePage(context, bus, window)
        self.case_queue = CaseQueuePage(context, bus, window)
        self.pages: dict[int, QWidget] = {
            DASHBOARD: self.dashboard, MY_DAY: self.my_day, PIPELINE: self.pipeline, CASE_QUEUE: self.case_queue,
        }
        for page in (self.my_day, self.pipeline, self.case_queue):
            page.openRecord.connect(self.open_record)
        self.dashboard.openTarget.connect(self.open_target)
        self.my_day.countsChanged.connect(self._my_day_counts)
        self.toast = ReminderToast(window)
        self.toast.open_button.clicked.connect(self._open_my_day_from_toast)
        self.tray: QSystemTrayIcon | None = None
        self.reminders = ReminderScheduler(context, bus, self)
        self.reminders.remind.connect(self.show_reminders)
        # Started once the window is up (the first check runs on the worker).
        QTimer.singleShot(0, self.reminders.start)

    # -- records --------------------------------------------------------------------

    def open_record(self, record_type: str, record_id: str) -> RecordDetailDialog:
        dialog = RecordDetailDialog(self._window.context, self._window.bus, record_type, record_id, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- dashboard click-through ------------------------------------------------------

    def open_target(self, target: str, params: dict[str, Any]) -> None:
        window = self._window
        if target == "pipeline":
            start, end = params.get("close_from"), params.get("close_to")
            self.pipeline.set_filter(BoardFilter(
                close_from=start if isinstance(start, date) else None,
                close_to=end if isinstance(end, date) else None,
            ))
            window.show_page(PIPELINE)
            self._reveal_stage(params.get("stage"), params.get("outcome"))
        elif target == "cases":
            priority = params.get("priority")
            self.case_queue.set_filter(QueueFilter(
                priorities=frozenset({priority}) if priority else frozenset(),
                overdue_only=bool(params.get("overdue")),
            ))
            window.show_page(CASE_QUEUE)
        elif target == "my_day":
            window.show_page(MY_DAY)
        elif target == "list":
            # The record list itself, with the figure's filters applied (removable chips).
            record_type = str(params.get("record_type"))
            page = next((n for n, t in RECORD_PAGES.items() if t == record_type), None)
            if page is None:
                log.warning("no list page for %r", record_type)
                return
            window.record_pages[page].apply_filters(tuple(params.get("filters") or ()))
            window.show_page(page)
        else:
            log.warning("unknown dashboard target %r", target)

    def _reveal_stage(self, stage: str | None, outcome: Any) -> None:
        def reveal() -> None:
            name = stage
            if outcome == "won":
                name = next((s.name for s in self.pipeline.stages if s.outcome == "won"), None)
            column = self.pipeline.columns.get(name or "")
            if column is not None:
                self.pipeline.board_area.ensureWidgetVisible(column)

        # After the board has reloaded with the new filter.
        self.pipeline.loaded.connect(reveal, Qt.ConnectionType.SingleShotConnection)

    # -- My day and reminders ----------------------------------------------------------

    def _my_day_counts(self, overdue: int, today: int) -> None:
        count = overdue + today
        self._window.nav_item(MY_DAY).setText(page_label(MY_DAY) + (f"  ({count})" if count else ""))

    def show_reminders(self, reminders: list[Reminder]) -> None:
        lines = [reminder_line(r) for r in reminders]
        title = self.tr("%n reminder(s)", "", len(reminders))
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(self._window.windowIcon(), self)
                self.tray.messageClicked.connect(self._open_my_day_from_toast)
                self.tray.show()
            self.tray.showMessage(title, "\n".join(lines), QSystemTrayIcon.MessageIcon.Information, 15_000)
        self.toast.title.setText(title)
        self.toast.show_reminders(lines)

    def _open_my_day_from_toast(self) -> None:
        self.toast.hide()
        self._window.show_page(MY_DAY)
        self._window.raise_()
        self._window.activateWindow()
