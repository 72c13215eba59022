"""A lazy table model over one record type's list (any size, never blocking).

The model knows the total count and the ordered rid array of the current
list.  At first only the first page of rids is known (with its rows); the
whole array comes from a second, background query.  Display rows are kept in
an LRU cache filled a page (~200 rows) at a time by the DB worker.
``data()`` never queries: a row not yet loaded shows a placeholder and asks
for its page; ``dataChanged`` follows when the page lands.

Every load is tagged with a generation; results of an older generation (a
search the user has typed past) are dropped.
"""

from __future__ import annotations

import logging
from array import array
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from crm_desktop.context import AppContext
from crm_desktop.services.list_filters import FieldFilter
from crm_desktop.services.lists import (
    TABLES,
    FirstPage,
    ListService,
    ListSpec,
    Row,
    columns,
    date_columns,
    money_columns,
    sortable,
    time_columns,
)
from ui.format import day as format_day
from ui.format import moment
from ui.format import money as format_money
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.lists")

PLACEHOLDER = "…"
PAGE_SIZE = 200
CACHE_ROWS = 6000

Index = QModelIndex | QPersistentModelIndex


def _first_load(
    lists: ListService, spec: ListSpec, custom: tuple[str, ...] = ()
) -> tuple[FirstPage, dict[int, Row]]:
    page = lists.first_page(spec, PAGE_SIZE)
    # Display rows of the first page only: a search matching a few thousand
    # records returns all their rids at once, and the rest load as scrolled to.
    return page, lists.rows(spec.record_type, page.ids[:PAGE_SIZE], custom)


def format_time(value: Any) -> str:
    if not value:
        return ""
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return moment(stamp)  # the user's date format, local time


class RecordListModel(QAbstractTableModel):
    #: The list's count changed (after a load).
    countChanged = Signal(int)
    #: True while a new list is being fetched.
    loadingChanged = Signal(bool)
    #: A load finished (the first page is shown).
    loaded = Signal()

    RecordIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, context: AppContext, record_type: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._type = record_type
        self._base_keys = columns(record_type)
        self._keys = self._base_keys
        #: Custom fields shown as extra columns (names), and their headings.
        self._custom: tuple[str, ...] = ()
        self._custom_labels: dict[str, str] = {}
        self._sortable = sortable(record_type)
        self._time_columns = [i for i, key in enumerate(self._keys) if key in time_columns(record_type)]
        self._date_columns = [i for i, key in enumerate(self._keys) if key in date_columns(record_type)]
        self._money_columns = [i for i, key in enumerate(self._keys) if key in money_columns(record_type)]
        table = TABLES[record_type]
        self._spec = ListSpec(record_type, sort=table.default_sort, descending=table.default_descending)
        self._generation = 0
        self._count = 0
        self._exact = True
        self._ids: array[int] | list[int] = []
        self._complete = True
        self._cache: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._requested: set[int] = set()
        self._futures: list[Future[Any]] = []
        self._loading = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._dirty_color = QColor("#b45309")

    # -- public API ----------------------------------------------------------

    @property
    def record_type(self) -> str:
        return self._type

    @property
    def spec(self) -> ListSpec:
        return self._spec

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def total(self) -> int:
        return self._count

    @property
    def count_exact(self) -> bool:
        """False while ``total`` is an estimate (until the whole list has loaded)."""
        return self._exact

    def column_key(self, column: int) -> str:
        return self._keys[column]

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self._keys) and self._keys[column] in self._sortable

    def sort_column(self) -> int:
        return self._keys.index(self._spec.sort)

    def set_search(self, text: str) -> None:
        if text != self._spec.search:
            self._spec = replace(self._spec, search=text)
            self.reload()

    @property
    def filters(self) -> tuple[FieldFilter, ...]:
        return self._spec.filters

    def set_filters(self, filters: tuple[FieldFilter, ...], *, reload: bool = True) -> None:
        """Show only the rows passing every filter (``services/list_filters.py``)."""
        if filters != self._spec.filters:
            self._spec = replace(self._spec, filters=filters)
            if reload:
                self.reload()

    def set_account_filter(self, account_id: str | None) -> None:
        self._spec = replace(self._spec, account_id=account_id)
        self.reload()

    @property
    def custom_columns(self) -> tuple[str, ...]:
        return self._custom

    def set_custom_columns(self, fields: list[tuple[str, str]]) -> None:
        """Show these custom fields ((name, heading) pairs) after the standard columns."""
        names = tuple(name for name, _ in fields)
        if names == self._custom:
            return
        self.beginResetModel()
        self._custom = names
        self._custom_labels = {f"custom.{name}": label for name, label in fields}
        self._keys = (*self._base_keys, *(f"custom.{name}" for name in names))
        self._cache.clear()
        self._requested = set()
        self.endResetModel()
        self.reload()

    def record_id(self, row: int) -> str | None:
        rid = self._rid_at(row)
        if rid is None:
            return None
        cached = self._cache.get(rid)
        return None if cached is None else str(cached[0])

    def row_of(self, record_id: str) -> int | None:
        """Row of a loaded record (for keeping the selection across reloads)."""
        for rid, values in self._cache.items():
            if values[0] == record_id:
                try:
                    return self._ids.index(rid)
                except ValueError:
                    return None
        return None

    def reload(self) -> None:
        """Fetch the list again (new search, new sort, or data changed)."""
        self._generation += 1
        generation = self._generation
        for future in self._futures:
            future.cancel()  # queued work of an older list is no longer wanted
        self._futures = []
        self._set_loading(True)
        # "Me" in an owner filter is whoever is signed in now.
        self._spec = replace(self._spec, me=self._context.settings.user_id or None)
        spec = self._spec
        self._futures.append(
            run_async(
                self._context.worker, _first_load, self._context.lists, spec, self._custom,
                on_done=lambda result: self._on_first(generation, spec, result),
                on_error=lambda exc: self._on_error(generation, exc),
                context=self,
            )
        )

    # -- Qt model ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._keys)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._keys):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            key = self._keys[section]
            return self._custom_labels.get(key) or self._labels().get(key, key)
        if role == Qt.ItemDataRole.ToolTipRole and self.is_sortable(section):
            return self.tr("Click to sort")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count or index.column() >= len(self._keys):
            return None
        values = self._values(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if values is None:
                return PLACEHOLDER
            return values[index.column() + 2]
        if values is None:
            return None
        if role == self.RecordIdRole:
            return values[0]
        if role == Qt.ItemDataRole.ToolTipRole and values[1] and index.column() == 0:
            return self.tr("Changed here, not yet synced")
        if role == Qt.ItemDataRole.ForegroundRole and values[1] and index.column() == 0:
            return self._dirty_color
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self.is_sortable(column):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        key = self._keys[column]
        if (key, descending) != (self._spec.sort, self._spec.descending):
            self._spec = replace(self._spec, sort=key, descending=descending)
            self.reload()

    # -- loading -------------------------------------------------------------

    def _labels(self) -> dict[str, str]:
        return {
            # Activities and cases are titled by their subject.
            "name": self.tr("Subject") if self.record_type in ("activity", "case") else self.tr("Name"),
            "account": self.tr("Account"),
            "title": self.tr("Job title"),
            "industry": self.tr("Industry"),
            "email": self.tr("Email"),
            "phone": self.tr("Phone"),
            "city": self.tr("City"),
            "owner": self.tr("Owner"),
            "updated_at": self.tr("Updated"),
            "company": self.tr("Company"),
            "status": self.tr("Status"),
            "rating": self.tr("Rating"),
            "source": self.tr("Source"),
            "stage": self.tr("Stage"),
            "amount": self.tr("Amount"),
            "probability": self.tr("Probability"),
            "close_date": self.tr("Close date"),
            "kind": self.tr("Kind"),
            "due_date": self.tr("Due date"),
            "start_at": self.tr("Starts"),
            "done": self.tr("Done"),
            "related": self.tr("Related to"),
            "contact": self.tr("Contact"),
            "priority": self.tr("Priority"),
            "due_at": self.tr("Due"),
            "type": self.tr("Type"),
            "start_date": self.tr("Start date"),
            "end_date": self.tr("End date"),
            "budget": self.tr("Budget"),
            "members": self.tr("Members"),
        }

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            emit(self.loadingChanged, loading)

    def _rid_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _values(self, row: int) -> tuple[Any, ...] | None:
        rid = self._rid_at(row)
        values = None if rid is None else self._cache.get(rid)
        if values is None:
            self._request_page(row // PAGE_SIZE)
        else:
            self._cache.move_to_end(rid)  # type: ignore[arg-type]
        return values

    def _request_page(self, page: int) -> None:
        if page in self._requested or page * PAGE_SIZE >= len(self._ids):
            return  # already asked, or its rids are not known yet (they follow)
        self._requested.add(page)
        rids = list(self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE])
        generation = self._generation
        self._futures.append(
            run_async(
                self._context.worker, self._context.lists.rows, self._type, rids, self._custom,
                on_done=lambda rows: self._on_rows(generation, page, rows),
                on_error=lambda exc: self._on_error(generation, exc),
                context=self,
            )
        )

    def _display(self, row: Row) -> tuple[Any, ...]:
        values = [("" if v is None else v) for v in row]
        # Display rows are (id, dirty, columns...).
        for column in self._time_columns:
            values[column + 2] = format_time(row[column + 2])
        for column in self._date_columns:
            values[column + 2] = format_day(row[column + 2])
        for column in self._money_columns:
            text = row[column + 2]
            if text:
                amount, _, currency = str(text).partition(" ")
                try:
                    values[column + 2] = format_money(Decimal(amount), currency)
                except InvalidOperation:
                    values[column + 2] = text  # shown as stored rather than hidden
        return tuple(values)

    def _store(self, rows: dict[int, Row]) -> None:
        for rid, row in rows.items():
            self._cache[rid] = self._display(row)
            self._cache.move_to_end(rid)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def _on_first(self, generation: int, spec: ListSpec, result: tuple[FirstPage, dict[int, Row]]) -> None:
        if generation != self._generation:
            return
        page, rows = result
        self.beginResetModel()
        self._count = page.count
        self._exact = page.exact
        self._ids = page.ids
        self._complete = page.complete
        self._cache.clear()
        self._requested = set()
        self._store(rows)
        self.endResetModel()
        emit(self.countChanged, self._count)
        self._set_loading(False)
        emit(self.loaded)
        if not page.complete:
            self._futures.append(
                run_async(
                    self._context.worker, self._context.lists.all_ids, spec,
                    on_done=lambda ids: self._on_all_ids(generation, ids),
                    on_error=lambda exc: self._on_error(generation, exc),
                    context=self,
                )
            )

    def _on_all_ids(self, generation: int, ids: array[int]) -> None:
        if generation != self._generation:
            return
        estimated = not self._exact
        self._exact = True
        known = len(self._ids)
        if estimated and len(ids) != self._count and list(ids[:known]) == list(self._ids[:known]):
            # The estimate was off; the rows shown stay, only the end moves.
            if len(ids) > self._count:
                self.beginInsertRows(QModelIndex(), self._count, len(ids) - 1)
                self._count, self._ids = len(ids), ids
                self.endInsertRows()
            else:
                self.beginRemoveRows(QModelIndex(), len(ids), self._count - 1)
                self._count, self._ids = len(ids), ids
                self.endRemoveRows()
            emit(self.countChanged, self._count)
        elif len(ids) != self._count:
            # The data changed between the two queries: show what is true now.
            self.beginResetModel()
            self._count = len(ids)
            self._ids = ids
            self._requested = set()
            self.endResetModel()
            emit(self.countChanged, self._count)
        else:
            self._ids = ids
            emit(self.countChanged, self._count)  # now exact
            if self._count:
                emit(self.dataChanged,
                    self.index(0, 0), self.index(self._count - 1, len(self._keys) - 1),
                    [Qt.ItemDataRole.DisplayRole],
                )
        self._complete = True

    def _on_rows(self, generation: int, page: int, rows: dict[int, Row]) -> None:
        if generation != self._generation:
            return
        self._store(rows)
        first = page * PAGE_SIZE
        last = min(self._count, first + PAGE_SIZE) - 1
        # Rows cached here may be evicted again later: let them be re-asked then.
        self._requested.discard(page)
        for rid in self._ids[first:last + 1]:
            if rid not in rows:
                # Deleted since the list was loaded: show it blank, not forever "…".
                self._cache[rid] = ("", False, *([""] * len(self._keys)))
        if last >= first:
            emit(self.dataChanged, self.index(first, 0), self.index(last, len(self._keys) - 1))

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._set_loading(False)
        from ui.tasks import report_error

        report_error(exc, self)
