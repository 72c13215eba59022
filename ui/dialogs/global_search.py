"""Ctrl+K: search every record type at once, results grouped by type.

The query runs on the DB worker (``GlobalSearch``), a few milliseconds after
the last keystroke; each run is tagged with a generation and a result for an
older text is dropped, so typing fast never shows stale hits.  Up / Down move
through the hits while the cursor stays in the search box; Enter or a
double-click opens the record (an account's detail view, any other record's
form).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from crm_desktop.context import AppContext
from crm_desktop.services.search import SearchResult
from crm_desktop.store.schema import spec_for
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.search")

#: Milliseconds of quiet typing before a search runs.
DEBOUNCE_MS = 60

TypeRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2


class GlobalSearchDialog(QDialog):
    #: (record type, record id) the user chose to open.
    openRecord = Signal(str, str)
    #: A search result was shown (tests wait for it).
    resultsShown = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("globalSearch")
        self.setWindowTitle(self.tr("Search everything"))
        self.resize(640, 480)
        self._context = context
        self._generation = 0
        self._future: Future[Any] | None = None
        self._shown_text = ""
        self._open_when_shown = False

        self.edit = QLineEdit(self)
        self.edit.setObjectName("globalSearchEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(self.tr("Search all records: names, e-mails, phones, cities…"))
        self.results = QListWidget(self)
        self.results.setObjectName("globalSearchResults")
        self.results.setUniformItemSizes(False)
        self.status = QLabel(self)
        self.status.setObjectName("globalSearchStatus")
        self.status.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)

        self._bold = QFont()
        self._bold.setBold(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run)
        self.edit.textChanged.connect(lambda _t: self._debounce.start())
        self.edit.installEventFilter(self)
        self.results.itemActivated.connect(self._open_item)
        self.results.itemDoubleClicked.connect(self._open_item)

    # -- public ----------------------------------------------------------------

    def start(self, text: str = "") -> None:
        """Show the popup with the search box focused (Ctrl+K)."""
        if text:
            self.edit.setText(text)
        self.edit.selectAll()
        self.open()
        self.edit.setFocus()

    def hit_count(self) -> int:
        return sum(1 for i in range(self.results.count()) if self._is_hit(self.results.item(i)))

    def current_hit(self) -> tuple[str, str] | None:
        item = self.results.currentItem()
        if item is None or not self._is_hit(item):
            return None
        return str(item.data(TypeRole)), str(item.data(IdRole))

    # -- searching ---------------------------------------------------------------

    def _run(self) -> None:
        self._generation += 1
        generation = self._generation
        if self._future is not None:
            self._future.cancel()  # queued and no longer wanted
        text = self.edit.text()
        if not text.strip():
            self._future = None
            self.results.clear()
            self.status.setText("")
            return
        self.status.setText(self.tr("Searching…"))
        self._future = run_async(
            self._context.worker, self._context.search.search, text,
            on_done=lambda result: self._show(generation, result),
            on_error=lambda exc: self._failed(generation, exc),
            context=self,
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.status.setText("")
        report_error(exc, self)

    def _show(self, generation: int, result: SearchResult) -> None:
        if generation != self._generation:
            return  # the user has typed on: an older query's answer
        self.results.clear()
        first: QListWidgetItem | None = None
        for group in result.groups:
            label = QCoreApplication.translate("RecordType", spec_for(group.record_type).label_plural)
            count = f"{group.total:,}+" if group.more else f"{group.total:,}"
            header = QListWidgetItem(f"{label}  ({count})", self.results)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setFont(self._bold)
            for hit in group.hits:
                text = f"{hit.title}    {hit.detail}" if hit.detail else hit.title
                item = QListWidgetItem(text, self.results)
                item.setData(TypeRole, hit.record_type)
                item.setData(IdRole, hit.record_id)
                item.setToolTip(hit.detail)
                if first is None:
                    first = item
        if first is not None:
            self.results.setCurrentItem(first)
            self.status.setText(self.tr("Enter opens the selected record"))
        else:
            self.status.setText(self.tr("No records match “%1”").replace("%1", result.text.strip()))
        self._shown_text = result.text
        emit(self.resultsShown)
        if self._open_when_shown:
            self._open_when_shown = False
            if first is not None:
                self._open_item(first)

    # -- keyboard ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = Qt.Key(event.key())
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}[key]
                self._move(step)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if not self.edit.text().strip():
                    return True
                if self._debounce.isActive() or self._shown_text != self.edit.text():
                    # Enter right after typing: search now, open what it finds first.
                    self._debounce.stop()
                    self._open_when_shown = True
                    self._run()
                    return True
                item = self.results.currentItem()
                if item is not None:
                    self._open_item(item)
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        rows = [i for i in range(self.results.count()) if self._is_hit(self.results.item(i))]
        if not rows:
            return
        current = self.results.currentRow()
        position = rows.index(current) if current in rows else -1
        target = rows[max(0, min(len(rows) - 1, position + step))]
        self.results.setCurrentRow(target)
        self.results.scrollToItem(self.results.item(target))

    @staticmethod
    def _is_hit(item: QListWidgetItem | None) -> bool:
        return item is not None and item.data(IdRole) is not None

    def _open_item(self, item: QListWidgetItem) -> None:
        # A double-click also activates the item: open once.
        if not self._is_hit(item) or not self.isVisible():
            return
        record_type, record_id = str(item.data(TypeRole)), str(item.data(IdRole))
        self.accept()
        emit(self.openRecord, record_type, record_id)
