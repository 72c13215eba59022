"""The dashboard: key figures from the local store, each a way into its list.

Tiles: pipeline value by stage (per currency, with a bar by count), won this
month and this quarter, open cases by priority and overdue, activities due
today and overdue, new leads by source.  Everything is computed on the DB
worker (``DashboardService``); clicking a figure asks the window to open the
filtered list (``openTarget``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.dashboard import Dashboard
from crm_desktop.services.list_filters import FieldFilter, FilterOp
from crm_desktop.services.records import DataChanged
from ui import format as fmt
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.dashboard")

#: Where a click leads: (target, parameters).  Targets: "pipeline" (params:
#: stage), "cases" (priority, overdue), "my_day", "list" (record_type and the
#: list's field filters: the record list page opens filtered).
Target = tuple[str, dict[str, Any]]
#: Seconds after which a page shown again reloads even with no data change.
REFRESH_AFTER_S = 60


def utc_now() -> datetime:
    return datetime.now(UTC)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


class ClickRow(QFrame):
    """A row of a tile: label, figure, optional bar; clickable when it has a target."""

    clicked = Signal(object)

    def __init__(self, label: str, figure: str, target: Target | None, parent: QWidget | None = None, *,
                 bar: tuple[int, int] | None = None, alert: bool = False) -> None:
        super().__init__(parent)
        self.target = target
        self.setObjectName("dashRow")
        if target is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(_tr("Click to open the list"))
        self.setStyleSheet("QFrame#dashRow { border-radius: 4px; } QFrame#dashRow:hover { background: "
                           "palette(midlight); }")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 3, 6, 3)
        self.label = QLabel(label, self)
        self.figure = QLabel(figure, self)
        self.figure.setObjectName("figure")
        self.figure.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.figure.setStyleSheet("font-weight: 600;" + (" color: #c62828;" if alert else ""))
        row.addWidget(self.label, 1)
        if bar is not None:
            value, maximum = bar
            progress = QProgressBar(self)
            progress.setTextVisible(False)
            progress.setFixedSize(90, 8)
            progress.setRange(0, max(maximum, 1))
            progress.setValue(value)
            row.addWidget(progress)
        row.addWidget(self.figure)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.target is not None and event.button() == Qt.MouseButton.LeftButton:
            emit(self.clicked, self.target)
            return
        super().mouseReleaseEvent(event)


class Tile(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setStyleSheet("QFrame#tile { background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 8px; }")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(14, 12, 14, 12)
        self.column.setSpacing(2)
        heading = QLabel(title, self)
        heading.setStyleSheet("font-weight: 600; font-size: 13px; color: palette(placeholder-text);")
        self.column.addWidget(heading)
        self.rows: list[ClickRow] = []

    def big(self, text: str, sub: str, target: Target | None) -> ClickRow:
        row = ClickRow(sub, "", target, self)
        row.figure.setText(text)
        row.figure.setStyleSheet("font-size: 20px; font-weight: 600;")
        self._add(row)
        return row

    def row(self, label: str, figure: str, target: Target | None, **kwargs: Any) -> ClickRow:
        row = ClickRow(label, figure, target, self, **kwargs)
        self._add(row)
        return row

    def note(self, text: str) -> None:
        label = QLabel(text, self)
        label.setStyleSheet("color: palette(placeholder-text); padding: 4px 6px;")
        label.setWordWrap(True)
        self.column.addWidget(label)

    def _add(self, row: ClickRow) -> None:
        self.rows.append(row)
        self.column.addWidget(row)

    def finish(self) -> None:
        self.column.addStretch(1)


class DashboardPage(QWidget):
    #: (target, parameters): open the list behind a figure.
    openTarget = Signal(str, object)
    loaded = Signal()

    def __init__(self, context: Any, bus: DataBus, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self._context = context
        self._clock = clock
        self._generation = 0
        self._stale = True
        self._loaded_at = 0.0
        self.data: Dashboard | None = None
        self.tiles: dict[str, Tile] = {}
        title = QLabel(self.tr("Dashboard"), self)
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.as_of = QLabel(self)
        self.as_of.setStyleSheet("color: palette(placeholder-text);")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(10)
        head.addWidget(self.as_of)
        head.addStretch(1)
        self._grid_host = QWidget(self)
        self.grid = QGridLayout(self._grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(12)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self._grid_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(head)
        layout.addWidget(area, 1)
        self._reload_timer = QTimer(self, singleShot=True, interval=300)
        self._reload_timer.timeout.connect(self.reload)
        bus.changed.connect(self._data_changed)
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Figures such as "overdue" change with the clock alone: refresh when shown again later.
        if self._stale or time.monotonic() - self._loaded_at > REFRESH_AFTER_S:
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self._stale = True
        super().hideEvent(event)

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & {"opportunity", "pipeline_stage", "case", "activity", "lead"}:
            self._stale = True
            if self.isVisible():
                self._reload_timer.start()

    def reload(self) -> None:
        self._stale = False
        self._loaded_at = time.monotonic()
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, self._context.dashboard.load, self._context.settings.user_id or None,
                  self._clock(), on_done=lambda data: self._show(generation, data), context=self)

    def _show(self, generation: int, data: Dashboard) -> None:
        if generation != self._generation:
            return
        self.data = data
        self.as_of.setText(fmt.day(data.today))
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.setParent(None)
            tile.deleteLater()
        self.tiles = {
            "pipeline": self._pipeline_tile(data),
            "won": self._won_tile(data),
            "cases": self._cases_tile(data),
            "activities": self._activities_tile(data),
            "leads": self._leads_tile(data),
        }
        positions = {"pipeline": (0, 0, 2, 1), "won": (0, 1, 1, 1), "activities": (1, 1, 1, 1),
                     "cases": (2, 0, 1, 1), "leads": (2, 1, 1, 1)}
        for name, tile in self.tiles.items():
            tile.finish()
            for row in tile.rows:
                row.clicked.connect(self._clicked)
            self.grid.addWidget(tile, *positions[name])
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(1, 2)
        # Tiles keep their natural height; the space left stays below them.
        self.grid.setRowStretch(3, 1)
        emit(self.loaded)

    def _clicked(self, target: Target) -> None:
        emit(self.openTarget, target[0], target[1])

    # -- tiles -----------------------------------------------------------------------

    def _pipeline_tile(self, data: Dashboard) -> Tile:
        tile = Tile(self.tr("Open pipeline by stage"), self._grid_host)
        largest = max((v.totals.count for v in data.pipeline), default=0)
        weighted: dict[str, Decimal] = {}
        for value in data.pipeline:
            figure = fmt.money_totals(value.totals.amounts) or "—"
            row = tile.row(f"{value.stage}  ({value.totals.count})", figure, ("pipeline", {"stage": value.stage}),
                           bar=(value.totals.count, largest))
            if value.totals.weighted:
                row.setToolTip(self.tr("Weighted (amount × probability): %1").replace(
                    "%1", fmt.money_totals(value.totals.weighted)))
            for currency, amount in value.totals.weighted.items():
                weighted[currency] = weighted.get(currency, Decimal(0)) + amount
        if weighted:
            # The expected value of the open pipeline, per currency, next to the stage totals.
            tile.row(self.tr("Weighted pipeline"), fmt.money_totals(weighted), ("pipeline", {}))
        if not data.pipeline:
            tile.note(self.tr("No pipeline stages yet: they arrive with the first sync."))
        return tile

    def _won_tile(self, data: Dashboard) -> Tile:
        tile = Tile(self.tr("Won"), self._grid_host)
        for label, totals, start in ((self.tr("This month"), data.won_month, data.month_start),
                                     (self.tr("This quarter"), data.won_quarter, data.quarter_start)):
            text = fmt.money_totals(totals.amounts) or "0"
            filters = (FieldFilter("status", FilterOp.IS, ("Won",)),
                       FieldFilter("close_date", FilterOp.BETWEEN, (start.isoformat(), data.today.isoformat())))
            tile.row(self.tr("%1: %n deal(s)", "", totals.count).replace("%1", label), text,
                     ("list", {"record_type": "opportunity", "filters": filters}))
        return tile

    def _cases_tile(self, data: Dashboard) -> Tile:
        tile = Tile(self.tr("Open cases"), self._grid_host)
        tile.row(self.tr("Overdue"), str(data.cases_overdue), ("cases", {"overdue": True}),
                 alert=data.cases_overdue > 0)
        largest = max((n for _p, n in data.cases_by_priority), default=0)
        for priority, count in data.cases_by_priority:
            tile.row(QCoreApplication.translate("Choices", priority), str(count), ("cases", {"priority": priority}),
                     bar=(count, largest))
        return tile

    def _activities_tile(self, data: Dashboard) -> Tile:
        tile = Tile(self.tr("My activities"), self._grid_host)
        tile.row(self.tr("Due today"), str(data.activities_today), ("my_day", {}))
        tile.row(self.tr("Overdue"), str(data.activities_overdue), ("my_day", {}),
                 alert=data.activities_overdue > 0)
        return tile

    def _leads_tile(self, data: Dashboard) -> Tile:
        tile = Tile(self.tr("New leads by source"), self._grid_host)
        largest = max((n for _s, n in data.new_leads_by_source), default=0)
        for source, count in data.new_leads_by_source:
            label = QCoreApplication.translate("Choices", source) if source else self.tr("(no source)")
            filters = (FieldFilter("status", FilterOp.IS, ("New",)), FieldFilter("source", FilterOp.IS, (source,)))
            tile.row(label, str(count), ("list", {"record_type": "lead", "filters": filters}), bar=(count, largest))
        if not data.new_leads_by_source:
            tile.note(self.tr("No new leads."))
        return tile
