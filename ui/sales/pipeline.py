"""The pipeline board: a column per stage, a card per opportunity, drag to change stage.

Each column is a ``QListView`` over its own :class:`StageColumnModel` (the
first cards of the stage; "Show more" fetches the next page).  Dragging a card
to another column drops an ``application/x-crm-opportunity`` payload on the
target column's model, whose ``dropMimeData`` asks the page to move it; the
move is an ordinary edit (``PipelineService.move`` through ``RecordService``),
then the board reloads.  Won and lost columns ask for the reason first.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QHideEvent, QPainter, QPen, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.sales.pipeline import COLUMN_PAGE, OTHER_STAGE, BoardFilter, Card, ColumnPage, Stage
from crm_desktop.services.records import DataChanged
from ui import format as fmt
from ui.dialogs import messages
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.pipeline")

MIME_TYPE = "application/x-crm-opportunity"
CARD_HEIGHT = 76
COLUMN_WIDTH = 250
#: Types whose change may change the board.
_WATCHED = frozenset({"opportunity", "pipeline_stage", "account"})

Index = QModelIndex | QPersistentModelIndex


class StageColumnModel(QAbstractListModel):
    """The cards of one stage; a drop of another stage's card requests a move."""

    #: (opportunity id, from stage, to stage)
    moveRequested = Signal(str, str, str)

    CardRole = Qt.ItemDataRole.UserRole + 1
    IdRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, stage: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.cards: list[Card] = []

    # -- contents --------------------------------------------------------

    def set_cards(self, cards: list[Card]) -> None:
        self.beginResetModel()
        self.cards = list(cards)
        self.endResetModel()

    def append_cards(self, cards: list[Card]) -> None:
        known = {c.id for c in self.cards}
        fresh = [c for c in cards if c.id not in known]
        if not fresh:
            return
        first = len(self.cards)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self.cards.extend(fresh)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.cards):
            return None
        card = self.cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [card.name, card.account, fmt.money(card.amount, card.currency), fmt.day(card.close_date),
                     card.owner]
            return "\n".join(p for p in parts if p)
        if role == self.CardRole:
            return card
        if role == self.IdRole:
            return card.id
        return None

    # -- drag and drop ---------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemNeverHasChildren)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        payload = [{"id": self.cards[r].id, "stage": self.stage} for r in rows if r < len(self.cards)]
        mime.setData(MIME_TYPE, json.dumps(payload).encode())
        return mime

    @staticmethod
    def decode(mime: QMimeData) -> list[dict[str, str]]:
        if not mime.hasFormat(MIME_TYPE):
            return []
        try:
            payload = json.loads(bytes(mime.data(MIME_TYPE).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(payload, list):
            return []
        return [p for p in payload if isinstance(p, dict) and isinstance(p.get("id"), str)
                and isinstance(p.get("stage"), str)]

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        if action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction) or self.stage == OTHER_STAGE:
            return False
        return any(p["stage"] != self.stage for p in self.decode(data))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        for item in self.decode(data):
            if item["stage"] != self.stage:
                emit(self.moveRequested, item["id"], item["stage"], self.stage)
        # The source column's rows are not removed here: the board reloads
        # from the store once the move is saved (and stays put if it is not).
        return True


class CardDelegate(QStyledItemDelegate):
    """Paints a card: name, account, amount, close date and owner."""

    def __init__(self, closed: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = closed

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # As wide as the view allows (the column's scroll bar included), fixed height.
        return QSize(max(option.rect.width(), 120), CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card = index.data(StageColumnModel.CardRole)
        if not isinstance(card, Card):
            super().paint(painter, option, index)
            return
        palette = option.palette
        rect: QRect = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(palette.highlight().color() if selected else palette.mid().color(), 1.2))
        painter.setBrush(palette.base())
        painter.drawRoundedRect(rect, 6, 6)
        inner = rect.adjusted(10, 6, -10, -6)
        line = painter.fontMetrics().height() + 2
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.text().color())
        # Line 1: the name, the whole width.  Line 2: account, amount on the right.
        name = painter.fontMetrics().elidedText(card.name, Qt.TextElideMode.ElideRight, inner.width() - 8)
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line), Qt.AlignmentFlag.AlignLeft, name)
        amount = fmt.money(card.amount, card.currency)
        amount_width = painter.fontMetrics().horizontalAdvance(amount) + 8 if amount else 0
        if amount:
            painter.drawText(QRect(inner.left(), inner.top() + line, inner.width(), line),
                             Qt.AlignmentFlag.AlignRight, amount)
        painter.setFont(option.font)
        muted = palette.placeholderText().color()
        painter.setPen(muted)
        account = painter.fontMetrics().elidedText(card.account or "—", Qt.TextElideMode.ElideRight,
                                                   max(inner.width() - amount_width, 20))
        painter.drawText(QRect(inner.left(), inner.top() + line, inner.width(), line), Qt.AlignmentFlag.AlignLeft,
                         account)
        late = not self._closed and bool(card.close_date) and card.close_date < date.today().isoformat()
        painter.setPen(QColor("#c62828") if late else muted)
        close = fmt.day(card.close_date) if card.close_date else QCoreApplication.translate("Pipeline", "No close date")
        painter.drawText(QRect(inner.left(), inner.top() + 2 * line, inner.width(), line),
                         Qt.AlignmentFlag.AlignLeft, close)
        painter.setPen(muted)
        owner = painter.fontMetrics().elidedText(card.owner, Qt.TextElideMode.ElideLeft, inner.width() // 2)
        painter.drawText(QRect(inner.left(), inner.top() + 2 * line, inner.width(), line),
                         Qt.AlignmentFlag.AlignRight, owner)
        if card.dirty:
            painter.setBrush(QColor("#f9a825"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(rect.right() - 9, rect.top() + 5, 5, 5)
        painter.restore()


class StageColumn(QFrame):
    """A stage: header with count and totals, the cards, and "Show more"."""

    openRequested = Signal(str)
    moreRequested = Signal(str)

    def __init__(self, stage: Stage | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage_name = stage.name if stage is not None else OTHER_STAGE
        self.outcome = stage.outcome if stage is not None else "open"
        self.setObjectName("stageColumn")
        self.setFixedWidth(COLUMN_WIDTH)
        accent = {"won": "#2e7d32", "lost": "#9e9e9e"}.get(self.outcome, "#1565c0")
        self.setStyleSheet(f"QFrame#stageColumn {{ background: palette(alternate-base); border-radius: 8px;"
                           f" border-top: 3px solid {accent}; }}")
        self.title = QLabel(self.stage_name or self.tr("Other stages"), self)
        self.title.setObjectName("stageTitle")
        self.title.setStyleSheet("font-weight: 600; font-size: 13px;")
        self.count = QLabel(self)
        self.count.setObjectName("stageCount")
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.totals = QLabel(self)
        self.totals.setObjectName("stageTotals")
        self.totals.setWordWrap(True)
        self.model = StageColumnModel(self.stage_name, self)
        self.view = QListView(self)
        self.view.setObjectName("stageCards")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CardDelegate(self.outcome != "open", self.view))
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(self.stage_name != OTHER_STAGE)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        # The column's colour shows through (a style sheet here would restyle the scroll bar too).
        self.view.viewport().setAutoFillBackground(False)
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.more = QPushButton(self.tr("Show more"), self)
        self.more.setObjectName("showMore")
        self.more.setFlat(True)
        self.more.clicked.connect(lambda: emit(self.moreRequested, self.stage_name))
        self.more.hide()
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.totals)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.more)
        self.total_count = 0

    def show_page(self, page: ColumnPage, *, append: bool = False) -> None:
        if append:
            self.model.append_cards(page.cards)
        else:
            self.model.set_cards(page.cards)
        self.total_count = page.totals.count
        self.count.setText(str(page.totals.count))
        totals = fmt.money_totals(page.totals.amounts)
        if totals and self.outcome == "open":
            # The expected value next to the plain total: amount x probability, per currency.
            totals += "\n" + self.tr("Weighted: %1").replace("%1", fmt.money_totals(page.totals.weighted))
        self.totals.setText(totals or self.tr("No amounts"))
        self.totals.setStyleSheet("color: palette(text);" if totals else "color: palette(placeholder-text);")
        shown = self.model.rowCount()
        self.more.setVisible(shown < page.totals.count)
        self.more.setText(self.tr("Show more (%1 of %2 shown)").replace("%1", str(shown))
                          .replace("%2", str(page.totals.count)))

    def _activated(self, index: QModelIndex) -> None:
        record_id = index.data(StageColumnModel.IdRole)
        if record_id:
            emit(self.openRequested, record_id)


class PipelinePage(QWidget):
    """The board, with filters by owner and expected close date."""

    #: (record type, id): open a record's detail.
    openRecord = Signal(str, str)
    #: The board finished loading (tests, and the window's status).
    loaded = Signal()
    #: A move was saved.
    moved = Signal(str, str)

    def __init__(self, context: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pipelinePage")
        self._context = context
        self._bus = bus
        self._generation = 0
        self._stale = True
        self.stages: list[Stage] = []
        self.columns: dict[str, StageColumn] = {}
        self.filter = BoardFilter()

        title = QLabel(self.tr("Pipeline"), self)
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.owner = QComboBox(self)
        self.owner.setObjectName("ownerFilter")
        self.owner.addItem(self.tr("Everyone"), None)
        self.owner.setMinimumWidth(160)
        self.owner.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.use_from = QCheckBox(self.tr("Closing from"), self)
        self.use_from.setObjectName("useCloseFrom")
        self.close_from = QDateEdit(self)
        self.close_from.setObjectName("closeFrom")
        self.close_from.setCalendarPopup(True)
        self.use_to = QCheckBox(self.tr("to"), self)
        self.use_to.setObjectName("useCloseTo")
        self.close_to = QDateEdit(self)
        self.close_to.setObjectName("closeTo")
        self.close_to.setCalendarPopup(True)
        today = QDate.currentDate()
        self.close_from.setDate(QDate(today.year(), today.month(), 1))
        self.close_to.setDate(QDate(today.year(), today.month(), 1).addMonths(3).addDays(-1))
        for box, edit in ((self.use_from, self.close_from), (self.use_to, self.close_to)):
            edit.setEnabled(False)
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(lambda _on: self._filters_changed())
            edit.dateChanged.connect(lambda _d: self._filters_changed())
        self.new_button = QPushButton(self.tr("New opportunity…"), self)
        self.new_button.setObjectName("newOpportunity")
        self.new_button.clicked.connect(self.new_opportunity)
        self.summary = QLabel(self)
        self.summary.setObjectName("boardSummary")
        self.summary.setStyleSheet("color: palette(placeholder-text);")
        # Totals in several currencies make a long line: wrap it rather than widen the window.
        self.summary.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("Owner:"), self))
        bar.addWidget(self.owner)
        bar.addSpacing(12)
        bar.addWidget(self.use_from)
        bar.addWidget(self.close_from)
        bar.addWidget(self.use_to)
        bar.addWidget(self.close_to)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        bar.addSpacing(12)
        bar.addWidget(self.new_button)

        self.empty = QLabel(self.tr("No pipeline stages yet. They come from the server with the first sync."),
                            self)
        self.empty.setObjectName("noStages")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 14px; padding: 40px;")
        self.empty.hide()
        self._board = QWidget(self)
        self._row = QHBoxLayout(self._board)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(10)
        self._row.addStretch(1)
        self.board_area = QScrollArea(self)
        self.board_area.setWidgetResizable(True)
        self.board_area.setFrameShape(QFrame.Shape.NoFrame)
        self.board_area.setWidget(self._board)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.board_area, 1)

        self._reload_timer = QTimer(self, singleShot=True, interval=150)
        self._reload_timer.timeout.connect(self.reload)
        bus.changed.connect(self._data_changed)
        self._load_owners()
        self.reload()

    # -- filters ---------------------------------------------------------------

    def _load_owners(self) -> None:
        run_async(self._context.worker, self._context.pipeline.owners, on_done=self._owners_loaded, context=self)

    def _owners_loaded(self, owners: list[tuple[str, str]]) -> None:
        current = self.owner.currentData()
        self.owner.blockSignals(True)
        while self.owner.count() > 1:
            self.owner.removeItem(1)
        me = self._context.settings.user_id
        if me:
            self.owner.addItem(self.tr("Me"), me)
        for user_id, name in owners:
            if user_id != me:
                self.owner.addItem(name, user_id)
        self.owner.setCurrentIndex(max(0, self.owner.findData(current)))
        self.owner.blockSignals(False)

    def set_filter(self, flt: BoardFilter) -> None:
        """Show the board with ``flt`` (e.g. from the dashboard)."""
        for widget in (self.owner, self.use_from, self.use_to, self.close_from, self.close_to):
            widget.blockSignals(True)
        index = self.owner.findData(flt.owner_id)
        if flt.owner_id and index < 0:
            self.owner.addItem(flt.owner_id, flt.owner_id)
            index = self.owner.count() - 1
        self.owner.setCurrentIndex(max(0, index))
        for box, edit, value in ((self.use_from, self.close_from, flt.close_from),
                                 (self.use_to, self.close_to, flt.close_to)):
            box.setChecked(value is not None)
            edit.setEnabled(value is not None)
            if value is not None:
                edit.setDate(QDate(value.year, value.month, value.day))
        for widget in (self.owner, self.use_from, self.use_to, self.close_from, self.close_to):
            widget.blockSignals(False)
        self._filters_changed()

    def _filters_changed(self) -> None:
        def pick(box: QCheckBox, edit: QDateEdit) -> date | None:
            if not box.isChecked():
                return None
            value = edit.date()
            return date(value.year(), value.month(), value.day())

        self.filter = BoardFilter(owner_id=self.owner.currentData(), close_from=pick(self.use_from, self.close_from),
                                  close_to=pick(self.use_to, self.close_to))
        self.reload()

    # -- loading ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        # A hidden board does not reload; it does when shown again.
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self._stale = True
        super().hideEvent(event)

    def _data_changed(self, change: DataChanged) -> None:
        if change.record_types & _WATCHED:
            self._stale = True
            if self.isVisible():
                self._reload_timer.start()

    def reload(self) -> None:
        self._stale = False
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, self._context.pipeline.board, self.filter,
                  on_done=lambda result: self._show(generation, *result), context=self)

    def _show(self, generation: int, stages: list[Stage], pages: list[ColumnPage]) -> None:
        if generation != self._generation:
            return
        by_name = {s.name: s for s in stages}
        wanted = [p.stage for p in pages]
        if wanted != list(self.columns) or any(
            self.columns[n].outcome != (by_name[n].outcome if n in by_name else "open") for n in wanted
        ):
            self._rebuild([by_name.get(name) for name in wanted])
        self.stages = stages
        for page in pages:
            self.columns[page.stage].show_page(page)
        self.empty.setVisible(not stages)
        self.board_area.setVisible(bool(stages))
        open_pages = [p for p in pages if by_name.get(p.stage) is None or by_name[p.stage].outcome == "open"]
        totals: dict[str, Any] = {}
        weighted: dict[str, Any] = {}
        for page in open_pages:
            for currency, amount in page.totals.amounts.items():
                totals[currency] = totals.get(currency, 0) + amount
            for currency, amount in page.totals.weighted.items():
                weighted[currency] = weighted.get(currency, 0) + amount
        count = sum(p.totals.count for p in open_pages)
        text = self.tr("%n open opportunity(s)", "", count)
        if totals:
            text += f"  ·  {fmt.money_totals(totals)}  ·  " + self.tr("weighted %1").replace(
                "%1", fmt.money_totals(weighted))
        self.summary.setText(text)
        emit(self.loaded)

    def _rebuild(self, stages: list[Stage | None]) -> None:
        for column in self.columns.values():
            self._row.removeWidget(column)
            column.setParent(None)
            column.deleteLater()
        self.columns = {}
        for i, stage in enumerate(stages):
            column = StageColumn(stage, self._board)
            column.model.moveRequested.connect(self.request_move)
            column.openRequested.connect(lambda record_id: emit(self.openRecord, "opportunity", record_id))
            column.moreRequested.connect(self.show_more)
            column.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            column.view.customContextMenuRequested.connect(lambda pos, c=column: self._card_menu(c, pos))
            self._row.insertWidget(i, column)
            self.columns[column.stage_name] = column

    def card_menu(self, column: StageColumn, row: int) -> QMenu:
        """Open, or move to another stage without dragging (keyboard and accessibility)."""
        card = column.model.cards[row]
        menu = QMenu(self)
        menu.addAction(self.tr("Open"), lambda: emit(self.openRecord, "opportunity", card.id))
        move = menu.addMenu(self.tr("Move to"))
        for stage in self.stages:
            if stage.name != column.stage_name:
                action = move.addAction(stage.name)
                action.triggered.connect(
                    lambda _c=False, to=stage.name: self.request_move(card.id, column.stage_name, to))
        return menu

    def _card_menu(self, column: StageColumn, pos: QPoint) -> None:
        index = column.view.indexAt(pos)
        if index.isValid():
            self.card_menu(column, index.row()).popup(column.view.viewport().mapToGlobal(pos))

    def show_more(self, stage: str) -> None:
        column = self.columns.get(stage)
        if column is None:
            return
        generation = self._generation
        names = [s.name for s in self.stages]
        run_async(self._context.worker, self._context.pipeline.column, stage, self.filter,
                  column.model.rowCount(), COLUMN_PAGE, names,
                  on_done=lambda page: self._more_loaded(generation, page), context=self)

    def _more_loaded(self, generation: int, page: ColumnPage) -> None:
        column = self.columns.get(page.stage)
        if generation == self._generation and column is not None:
            column.show_page(page, append=True)

    # -- moving ------------------------------------------------------------------

    def request_move(self, opportunity_id: str, from_stage: str, to_stage: str) -> None:
        target = next((s for s in self.stages if s.name == to_stage), None)
        if target is None:
            return
        reason: str | None = None
        if target.outcome in ("won", "lost"):
            question = (self.tr("Why was this opportunity won?") if target.outcome == "won"
                        else self.tr("Why was this opportunity lost?"))
            reason = messages.ask_text(self, self.tr("Move to %1").replace("%1", to_stage), question, "")
            if reason is None:
                return
            if not reason.strip():
                report_error(_reason_missing(), self)
                return
        log.info("moving opportunity %s from %r to %r", opportunity_id, from_stage, to_stage)
        self._optimistic_move(opportunity_id, from_stage, to_stage)
        run_async(self._context.worker, self._context.pipeline.move, opportunity_id, to_stage, reason,
                  on_done=lambda _fields: self._moved(opportunity_id, to_stage),
                  on_error=self._move_failed, context=self)

    def _optimistic_move(self, opportunity_id: str, from_stage: str, to_stage: str) -> None:
        # Show the card in its new column at once; the reload after the save
        # confirms it (or puts it back if the save failed).
        source, target = self.columns.get(from_stage), self.columns.get(to_stage)
        if source is None or target is None:
            return
        for row, card in enumerate(source.model.cards):
            if card.id == opportunity_id:
                source.model.beginRemoveRows(QModelIndex(), row, row)
                source.model.cards.pop(row)
                source.model.endRemoveRows()
                target.model.beginInsertRows(QModelIndex(), 0, 0)
                target.model.cards.insert(0, replace(card, stage=to_stage, dirty=True))
                target.model.endInsertRows()
                break

    def _moved(self, opportunity_id: str, stage: str) -> None:
        self._bus.announce({"opportunity"}, {opportunity_id})
        emit(self.moved, opportunity_id, stage)

    def _move_failed(self, exc: BaseException) -> None:
        self.reload()
        report_error(exc, self)

    def new_opportunity(self) -> None:
        first_open = next((s.name for s in self.stages if s.outcome == "open"), None)
        form = RecordFormDialog(self._context, self._bus, "opportunity", None,
                                initial={"stage": first_open} if first_open else None, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()


def _reason_missing() -> BaseException:
    return KnownError(QCoreApplication.translate("Pipeline", "Say why the opportunity was won or lost; "
                                                             "it was not moved."))
