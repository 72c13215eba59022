"""The support case queue: open cases by priority and SLA due time, overdue in red.

The table model loads the queue a page at a time on the DB worker
(``canFetchMore``/``fetchMore``: the view asks for more as it scrolls), so a
queue of any length opens at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
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
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged
from crm_desktop.support.case_queue import PRIORITY_ORDER, QueueFilter, QueuePage, QueueRow
from crm_desktop.support.service import OPEN_STATUSES
from crm_protocol.records import CASE_STATUSES
from ui import format as fmt
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.cases")

PAGE = 200
#: Seconds after which the queue shown again reloads even with no data change.
REFRESH_AFTER_S = 60
Index = QModelIndex | QPersistentModelIndex

_COLUMNS = ("priority", "subject", "account", "status", "due", "owner")
_HEADERS = {"priority": "Priority", "subject": "Subject", "account": "Account", "status": "Status",
            "due": "Due", "owner": "Owner"}
_PRIORITY_COLORS = {"Urgent": "#c62828", "High": "#ef6c00", "Medium": "#1565c0", "Low": "#757575"}


def utc_now() -> datetime:
    return datetime.now(UTC)


class CaseQueueModel(QAbstractTableModel):
    loaded = Signal()
    #: (total, overdue) of the whole queue under the current filter.
    countsChanged = Signal(int, int)

    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, context: AppContext, parent: QObject | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self._context = context
        self._clock = clock
        self.filter = QueueFilter()
        self.rows: list[QueueRow] = []
        self.total = 0
        self.overdue = 0
        self._generation = 0
        self._fetching = False

    def set_filter(self, flt: QueueFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self._fetching = True
        run_async(self._context.worker, self._context.cases.page, self.filter, self._clock(), 0,
                  max(PAGE, len(self.rows)),
                  on_done=lambda page: self._reset(generation, page), context=self)

    def _reset(self, generation: int, page: QueuePage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.beginResetModel()
        self.rows = list(page.rows)
        self.total, self.overdue = page.total, page.overdue
        self.endResetModel()
        emit(self.countsChanged, page.total, page.overdue)
        emit(self.loaded)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        run_async(self._context.worker, self._context.cases.page, self.filter, self._clock(), len(self.rows),
                  PAGE, on_done=lambda page: self._append(generation, page), context=self)

    def _append(self, generation: int, page: QueuePage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        known = {r.id for r in self.rows}
        fresh = [r for r in page.rows if r.id not in known]
        if fresh:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self.rows.extend(fresh)
            self.endInsertRows()
        emit(self.loaded)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(_COLUMNS):
            return QCoreApplication.translate("CaseQueue", _HEADERS[_COLUMNS[section]])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = _COLUMNS[index.column()]
        if role == self.IdRole:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "priority":
                return QCoreApplication.translate("Choices", row.priority) if row.priority else ""
            if key == "subject":
                return row.subject
            if key == "account":
                return row.account
            if key == "status":
                return QCoreApplication.translate("Choices", row.status) if row.status else ""
            if key == "due":
                if row.due_at is None:
                    return ""
                text = fmt.moment(row.due_at)
                return QCoreApplication.translate("CaseQueue", "%1 (overdue)").replace("%1", text) \
                    if row.overdue else text
            return row.owner
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "due" and row.overdue:
                return QColor("#c62828")
            if key == "priority":
                return QColor(_PRIORITY_COLORS.get(row.priority, "#757575"))
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QColor(198, 40, 40, 28)
        if role == Qt.ItemDataRole.FontRole and (key == "priority" or (key == "due" and row.overdue)):
            font = QFont()
            font.setBold(True)
            return font
        return None


class CaseQueuePage(QWidget):
    openRecord = Signal(str, str)

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("caseQueuePage")
        self._context = context
        self._bus = bus
        self._stale = False
        self._shown_at = time.monotonic()
        self.model = CaseQueueModel(context, self, clock=clock)

        title = QLabel(self.tr("Case queue"), self)
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.status = QComboBox(self)
        self.status.setObjectName("statusFilter")
        self.status.addItem(self.tr("All open"), None)
        for status in CASE_STATUSES:
            self.status.addItem(QCoreApplication.translate("Choices", status), status)
        self.priority = QComboBox(self)
        self.priority.setObjectName("priorityFilter")
        self.priority.addItem(self.tr("Any priority"), None)
        for priority in PRIORITY_ORDER:
            self.priority.addItem(QCoreApplication.translate("Choices", priority), priority)
        self.owner = QComboBox(self)
        self.owner.setObjectName("ownerFilter")
        self.owner.addItem(self.tr("Everyone"), None)
        self.overdue_only = QCheckBox(self.tr("Overdue only"), self)
        self.overdue_only.setObjectName("overdueOnly")
        for combo in (self.status, self.priority, self.owner):
            combo.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.overdue_only.toggled.connect(lambda _on: self._filters_changed())
        self.new_button = QPushButton(self.tr("New case…"), self)
        self.new_button.setObjectName("newCase")
        self.new_button.clicked.connect(self.new_case)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setObjectName("openCase")
        self.open_button.clicked.connect(self.open_selected)
        self.summary = QLabel(self)
        self.summary.setObjectName("queueSummary")

        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(16)
        for label, widget in ((self.tr("Status:"), self.status), (self.tr("Priority:"), self.priority),
                              (self.tr("Owner:"), self.owner)):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(widget)
            bar.addSpacing(8)
        bar.addWidget(self.overdue_only)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.new_button)

        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        for column, width in enumerate((90, 340, 190, 90, 250, 140)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self._open(index))
        self.table.activated.connect(lambda index: self._open(index))
        self.empty = QLabel(self.tr("No cases match."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 14px; padding: 40px;")
        self.empty.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.model.countsChanged.connect(self._counts)
        self._reload_timer = QTimer(self, singleShot=True, interval=150)
        self._reload_timer.timeout.connect(self.model.reload)
        bus.changed.connect(self._data_changed)
        run_async(context.worker, context.records.users, on_done=self._users_loaded, context=self)
        self.model.reload()

    def _users_loaded(self, users: list[tuple[str, str]]) -> None:
        me = self._context.settings.user_id
        self.owner.blockSignals(True)
        if me:
            self.owner.addItem(self.tr("Me"), me)
        for user_id, name in users:
            if user_id != me:
                self.owner.addItem(name, user_id)
        self.owner.blockSignals(False)

    def set_filter(self, flt: QueueFilter) -> None:
        """Show the queue with ``flt`` (e.g. from the dashboard)."""
        combos = ((self.status, flt.statuses), (self.priority, flt.priorities))
        for combo, chosen in combos:
            combo.blockSignals(True)
            value = next(iter(chosen)) if len(chosen) == 1 else None
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.owner.blockSignals(True)
        self.owner.setCurrentIndex(max(0, self.owner.findData(flt.owner_id)))
        self.owner.blockSignals(False)
        self.overdue_only.blockSignals(True)
        self.overdue_only.setChecked(flt.overdue_only)
        self.overdue_only.blockSignals(False)
        self.model.set_filter(flt)

    def _filters_changed(self) -> None:
        status, priority = self.status.currentData(), self.priority.currentData()
        self.model.set_filter(QueueFilter(
            statuses=frozenset({status}) if status else frozenset(),
            priorities=frozenset({priority}) if priority else frozenset(),
            owner_id=self.owner.currentData(), overdue_only=self.overdue_only.isChecked(),
        ))

    def _counts(self, total: int, overdue: int) -> None:
        text = self.tr("%n case(s)", "", total)
        if overdue:
            text += "  ·  " + self.tr("%n overdue", "", overdue)
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #c62828; font-weight: 600;" if overdue
                                   else "color: palette(placeholder-text);")
        self.table.setVisible(total > 0)
        self.empty.setVisible(total == 0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Overdue flags change with the clock alone: refresh when shown again later.
        if self._stale or time.monotonic() - self._shown_at > REFRESH_AFTER_S:
            self._stale = False
            self.model.reload()
        self._shown_at = time.monotonic()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self._stale = True
        super().hideEvent(event)

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & {"case", "account", "service_level"}:
            if self.isVisible():
                self._reload_timer.start()
            else:
                self._stale = True

    def _open(self, index: QModelIndex) -> None:
        record_id = index.data(CaseQueueModel.IdRole)
        if record_id:
            emit(self.openRecord, "case", record_id)

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._open(rows[0])

    def new_case(self) -> RecordFormDialog:
        form = RecordFormDialog(self._context, self._bus, "case", None, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form


__all__ = ["OPEN_STATUSES", "CaseQueueModel", "CaseQueuePage"]
