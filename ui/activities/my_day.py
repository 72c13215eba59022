""""My day": the user's overdue and today's activities; mark done, open, follow up.

Two tables (overdue, today) over :class:`DayItemsModel`.  Ticking the Done
box (or "Mark done") saves through the worker; the tick shows at once and is
undone if the save fails.  The page reloads when activities change and at
local midnight (today's list becomes tomorrow's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.activities.my_day import DayItem, MyDay
from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged
from ui import format as fmt
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.qt_compat import emit
from ui.records.detail import new_record_form
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.my_day")

Index = QModelIndex | QPersistentModelIndex
Clock = Callable[[], datetime]

_COLUMNS = ("done", "when", "kind", "subject", "related", "priority")
_HEADERS = {
    "done": "Done", "when": "When", "kind": "Kind", "subject": "Subject", "related": "Related to",
    "priority": "Priority",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def when_text(item: DayItem, today: date) -> str:
    if item.start_at is not None:
        local = item.start_at.astimezone()
        return fmt.clock(item.start_at) if local.date() == today else fmt.moment(item.start_at)
    if item.due_date and item.due_date != today.isoformat():
        return fmt.day(item.due_date)
    return QCoreApplication.translate("MyDay", "Today")


class DayItemsModel(QAbstractTableModel):
    """Activities of one section; the Done column is checkable."""

    #: (activity id, done) — the user ticked or unticked an item.
    doneToggled = Signal(str, bool)

    IdRole = Qt.ItemDataRole.UserRole + 1
    ItemRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, overdue: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[DayItem] = []
        self.today = date.today()
        self._overdue = overdue

    def set_items(self, items: list[DayItem], today: date) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.today = today
        self.endResetModel()

    def set_done(self, activity_id: str, done: bool) -> None:
        for row, item in enumerate(self.items):
            if item.id == activity_id and item.done != done:
                self.items[row] = replace(item, done=done)
                emit(self.dataChanged, self.index(row, 0), self.index(row, len(_COLUMNS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(_COLUMNS):
            return QCoreApplication.translate("MyDay", _HEADERS[_COLUMNS[section]])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if _COLUMNS[index.column()] == "done":
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        key = _COLUMNS[index.column()]
        if role == self.IdRole:
            return item.id
        if role == self.ItemRole:
            return item
        if role == Qt.ItemDataRole.CheckStateRole and key == "done":
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "when":
                return when_text(item, self.today)
            if key == "kind":
                return QCoreApplication.translate("Choices", item.kind) if item.kind else ""
            if key == "subject":
                return item.subject
            if key == "related":
                return item.related_title
            if key == "priority":
                return QCoreApplication.translate("Choices", item.priority) if item.priority else ""
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.done:
                return QColor("#9e9e9e")
            if self._overdue and key == "when":
                return QColor("#c62828")
            if key == "priority" and item.priority == "High":
                return QColor("#c62828")
        if role == Qt.ItemDataRole.FontRole and item.done and key == "subject":
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole or _COLUMNS[index.column()] != "done":
            return False
        state = value.value if hasattr(value, "value") else value
        done = int(state) == Qt.CheckState.Checked.value
        item = self.items[index.row()]
        self.set_done(item.id, done)
        emit(self.doneToggled, item.id, done)
        return True


class DaySection(QWidget):
    def __init__(self, title: str, empty: str, overdue: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.label = QLabel(title, self)
        self.label.setStyleSheet("font-weight: 600; font-size: 14px;" + (" color: #c62828;" if overdue else ""))
        self.model = DayItemsModel(overdue, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, width in enumerate((56, 120, 80, 320, 220, 80)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(_COLUMNS.index("subject"), QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(empty, self)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 8px 2px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

    def show_items(self, items: list[DayItem], today: date) -> None:
        self.model.set_items(items, today)
        self.label.setText(f"{self._title}  ({len(items)})")
        self.table.setVisible(bool(items))
        self.empty.setVisible(not items)


class MyDayPage(QWidget):
    #: (record type, id): open a record's detail.
    openRecord = Signal(str, str)
    loaded = Signal()
    #: (overdue count, today's open count) for the navigation badge.
    countsChanged = Signal(int, int)

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None, *,
                 clock: Clock = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("myDayPage")
        self._context = context
        self._bus = bus
        self._clock = clock
        self._generation = 0
        self._stale = True
        self.day: MyDay | None = None

        self.title = QLabel(self.tr("My day"), self)
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.date_label = QLabel(self)
        self.date_label.setStyleSheet("color: palette(placeholder-text);")
        self.done_button = QPushButton(self.tr("Mark done"), self)
        self.done_button.setObjectName("markDone")
        self.done_button.clicked.connect(self.mark_selected_done)
        self.open_button = QPushButton(self.tr("Open related record"), self)
        self.open_button.setObjectName("openRelated")
        self.open_button.clicked.connect(self.open_selected_related)
        self.follow_button = QPushButton(self.tr("Follow-up…"), self)
        self.follow_button.setObjectName("followUp")
        self.follow_button.clicked.connect(self.follow_up_selected)
        self.new_button = QPushButton(self.tr("New activity…"), self)
        self.new_button.setObjectName("newActivity")
        self.new_button.clicked.connect(self.new_activity)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addSpacing(10)
        bar.addWidget(self.date_label)
        bar.addStretch(1)
        for button in (self.done_button, self.open_button, self.follow_button, self.new_button):
            bar.addWidget(button)

        self.overdue = DaySection(self.tr("Overdue"), self.tr("Nothing overdue."), True, self)
        self.today = DaySection(self.tr("Today"), self.tr("Nothing planned for today."), False, self)
        for section in (self.overdue, self.today):
            section.model.doneToggled.connect(self.set_done)
            section.table.doubleClicked.connect(lambda index, s=section: self._double_clicked(s, index))
            section.table.selectionModel().selectionChanged.connect(
                lambda _a, _b, s=section: self._selected(s))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.overdue, 1)
        layout.addSpacing(8)
        layout.addWidget(self.today, 2)
        self._current: DaySection | None = None
        self._update_buttons()

        self._reload_timer = QTimer(self, singleShot=True, interval=150)
        self._reload_timer.timeout.connect(self.reload)
        self._midnight = QTimer(self, singleShot=True)
        self._midnight.timeout.connect(self.reload)
        bus.changed.connect(self._data_changed)
        self.reload()

    # -- loading -----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self._stale = True
        super().hideEvent(event)

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & {"activity", "account", "contact", "lead", "opportunity", "case"}:
            self._stale = True
            if self.isVisible():
                self._reload_timer.start()

    def reload(self) -> None:
        self._stale = False
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, self._context.my_day.load, self._context.settings.user_id or None,
                  self._clock(), on_done=lambda day: self._show(generation, day), context=self)

    def _show(self, generation: int, day: MyDay) -> None:
        if generation != self._generation:
            return
        self.day = day
        self.date_label.setText(fmt.day(day.today))
        self.overdue.show_items(day.overdue, day.today)
        self.today.show_items(day.today_items, day.today)
        self._update_buttons()
        emit(self.countsChanged, len(day.overdue), sum(1 for i in day.today_items if not i.done))
        # Reload just after local midnight: today's list becomes tomorrow's.
        now = self._clock().astimezone()
        tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time()).astimezone()
        self._midnight.start(max(1000, int((tomorrow - now).total_seconds() * 1000) + 1000))
        emit(self.loaded)

    # -- selection -----------------------------------------------------------------

    def _selected(self, section: DaySection) -> None:
        self._current = section
        other = self.today if section is self.overdue else self.overdue
        if section.table.selectionModel().hasSelection():
            other.table.clearSelection()
        self._update_buttons()

    def selected_item(self) -> DayItem | None:
        for section in (self._current, self.overdue, self.today):
            if section is None:
                continue
            rows = section.table.selectionModel().selectedRows()
            if rows:
                item = rows[0].data(DayItemsModel.ItemRole)
                return item if isinstance(item, DayItem) else None
        return None

    def select(self, activity_id: str) -> bool:
        for section in (self.overdue, self.today):
            for row, item in enumerate(section.model.items):
                if item.id == activity_id:
                    section.table.selectRow(row)
                    self._selected(section)
                    return True
        return False

    def _update_buttons(self) -> None:
        item = self.selected_item()
        self.done_button.setEnabled(item is not None and not item.done)
        self.open_button.setEnabled(item is not None and bool(item.related_id))
        self.follow_button.setEnabled(item is not None)

    def _double_clicked(self, section: DaySection, index: QModelIndex) -> None:
        item = index.data(DayItemsModel.ItemRole)
        if not isinstance(item, DayItem):
            return
        if _COLUMNS[index.column()] == "related" and item.related_id:
            emit(self.openRecord, item.related_type, item.related_id)
        elif _COLUMNS[index.column()] != "done":
            emit(self.openRecord, "activity", item.id)

    # -- actions -------------------------------------------------------------------

    def set_done(self, activity_id: str, done: bool) -> None:
        for section in (self.overdue, self.today):
            section.model.set_done(activity_id, done)
        self._update_buttons()
        run_async(self._context.worker, self._context.my_day.mark_done, activity_id, done,
                  on_done=lambda _none: self._bus.announce({"activity"}, {activity_id}),
                  on_error=self._save_failed, context=self)

    def _save_failed(self, exc: BaseException) -> None:
        self.reload()
        report_error(exc, self)

    def mark_selected_done(self) -> None:
        item = self.selected_item()
        if item is not None and not item.done:
            self.set_done(item.id, True)

    def open_selected_related(self) -> None:
        item = self.selected_item()
        if item is not None and item.related_id:
            emit(self.openRecord, item.related_type, item.related_id)

    def follow_up_selected(self) -> RecordFormDialog | None:
        item = self.selected_item()
        if item is None:
            return None
        return self.follow_up(item)

    def follow_up(self, item: DayItem) -> RecordFormDialog:
        """A new activity on the same record, due the next working day."""
        today = self._clock().astimezone().date()
        due = today + timedelta(days=1)
        while due.weekday() >= 5:
            due += timedelta(days=1)
        initial: dict[str, Any] = {
            "kind": item.kind if item.kind in ("Call", "Meeting", "Task") else "Task",
            "subject": self.tr("Follow-up: %1").replace("%1", item.subject),
            "due_date": due.isoformat(),
            "priority": item.priority or "Normal",
        }
        if item.related_id:
            initial.update({"related_type": item.related_type, "related_id": item.related_id})
        return new_record_form(self._context, self._bus, "activity", initial, {"related_id": item.related_title},
                               self)

    def new_activity(self) -> RecordFormDialog:
        return new_record_form(self._context, self._bus, "activity",
                               {"kind": "Task", "due_date": self._clock().astimezone().date().isoformat()}, {}, self)
