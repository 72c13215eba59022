"""The filter bar of a list page: a "Filters" menu of the fields, one removable chip
per filter, "Clear all".

The fields come from the record spec and the type's custom fields
(``crm_desktop/services/list_filters.py``); each kind has a small editor
(choices to tick, a period or a date range, a number range, the owner, an
account found by name, a tag, yes/no).  The bar only edits the filters: the
page puts them into the list's spec, which counts, sorts, pages and exports.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.list_filters import ME, FieldFilter, FilterField, FilterKind, FilterOp, Period
from crm_desktop.services.lists import ListSpec
from ui import format as fmt
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.filters")

#: Most accounts offered while typing an account's name.
RECORD_MATCHES = 20
SEARCH_DEBOUNCE_MS = 150


def _tr(text: str) -> str:
    return QCoreApplication.translate("FilterBar", text)


def period_label(period: str) -> str:
    labels: dict[str, str] = {
        Period.OVERDUE.value: _tr("Overdue"),
        Period.TODAY.value: _tr("Today"),
        Period.THIS_WEEK.value: _tr("This week"),
        Period.THIS_MONTH.value: _tr("This month"),
        Period.NEXT_30_DAYS.value: _tr("Next 30 days"),
    }
    return labels.get(str(period), str(period))


def value_text(field: FilterField | None, flt: FieldFilter) -> str:
    """The values of a filter as its chip shows them."""
    if flt.op is FilterOp.PERIOD:
        return period_label(flt.values[0]) if flt.values else ""
    if flt.op is FilterOp.BETWEEN:
        low, high = (flt.values + ("", ""))[:2]
        if low and high:
            return _tr("%1 to %2").replace("%1", low).replace("%2", high)
        return _tr("from %1").replace("%1", low) if low else _tr("up to %1").replace("%1", high)
    if flt.op is FilterOp.HAS_TAG:
        return ", ".join(flt.values)
    kind = field.kind if field is not None else FilterKind.TEXT
    shown: list[str] = []
    for index, value in enumerate(flt.values):
        if value == ME:
            shown.append(_tr("Me"))
        elif value == "":
            shown.append(_tr("(not set)"))
        elif kind is FilterKind.BOOL:
            shown.append(_tr("Yes") if value == "yes" else _tr("No"))
        elif index < len(flt.labels) and flt.labels[index]:
            shown.append(flt.labels[index])
        elif kind is FilterKind.CHOICE and field is not None and not field.name.startswith("custom."):
            shown.append(QCoreApplication.translate("Choices", value))
        else:
            shown.append(value)
    return ", ".join(shown)


def field_title(field: FilterField | None, name: str) -> str:
    if field is None:
        return name
    return field.label if field.name.startswith("custom.") else fmt.field_label(field.label)


class FilterEditor(QDialog):
    """Asks for one filter's values; ``result_filter`` holds it after Accept."""

    def __init__(self, context: AppContext, field: FilterField, current: FieldFilter | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterEditor")
        self._context = context
        self.field = field
        self.result_filter: FieldFilter | None = None
        self.setWindowTitle(_tr("Filter by %1").replace("%1", field_title(field, field.name)))
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        kind = field.kind
        self.choices: QListWidget | None = None
        self.combo: QComboBox | None = None
        self.text: QLineEdit | None = None
        self.low: QLineEdit | None = None
        self.high: QLineEdit | None = None
        self.period: QComboBox | None = None
        self.date_from: QDateEdit | None = None
        self.date_to: QDateEdit | None = None
        self.from_on: QCheckBox | None = None
        self.to_on: QCheckBox | None = None
        self.matches: QListWidget | None = None
        values = current.values if current is not None else ()
        if kind is FilterKind.CHOICE:
            self._choice_editor(field, values)
        elif kind is FilterKind.BOOL:
            self.combo = QComboBox(self)
            self.combo.setObjectName("value")
            self.combo.addItem(_tr("Yes"), "yes")
            self.combo.addItem(_tr("No"), "no")
            if values:
                self.combo.setCurrentIndex(max(0, self.combo.findData(values[0])))
            self.form.addRow(_tr("Is"), self.combo)
        elif kind is FilterKind.OWNER:
            self.combo = QComboBox(self)
            self.combo.setObjectName("value")
            self.combo.addItem(_tr("Me"), ME)
            self._owner_value = values[0] if values else ME
            self.form.addRow(_tr("Owner"), self.combo)
            run_async(context.worker, context.records.users, on_done=self._users_loaded, context=self)
        elif kind is FilterKind.RECORD:
            self._record_editor(current)
        elif kind in (FilterKind.TAGS, FilterKind.TEXT):
            self.text = QLineEdit(self)
            self.text.setObjectName("value")
            if values:
                self.text.setText(values[0])
            self.form.addRow(_tr("Tag") if kind is FilterKind.TAGS else _tr("Equals"), self.text)
        elif kind is FilterKind.NUMBER:
            self.low, self.high = QLineEdit(self), QLineEdit(self)
            for edit, name in ((self.low, "low"), (self.high, "high")):
                edit.setObjectName(name)
                edit.setValidator(QDoubleValidator(edit))
                edit.setPlaceholderText(_tr("any"))
            if current is not None and current.op is FilterOp.BETWEEN:
                self.low.setText(values[0])
                self.high.setText(values[1])
            self.form.addRow(_tr("From"), self.low)
            self.form.addRow(_tr("To"), self.high)
        else:
            self._date_editor(current)
        self.resize(360, self.sizeHint().height())

    # -- editors ---------------------------------------------------------------------

    def _choice_editor(self, field: FilterField, values: tuple[str, ...]) -> None:
        self.choices = QListWidget(self)
        self.choices.setObjectName("choices")
        custom = field.name.startswith("custom.")
        for value in (*field.choices, ""):
            if value:
                text = value if custom else QCoreApplication.translate("Choices", value)
            else:
                text = _tr("(not set)")
            item = QListWidgetItem(text, self.choices)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in values else Qt.CheckState.Unchecked)
        self.form.addRow(_tr("Any of"), self.choices)

    def _date_editor(self, current: FieldFilter | None) -> None:
        self.period = QComboBox(self)
        self.period.setObjectName("period")
        for period in Period:
            self.period.addItem(period_label(period), period.value)
        self.period.addItem(_tr("Custom range"), "")
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today, self), QDateEdit(today, self)
        self.from_on, self.to_on = QCheckBox(_tr("From"), self), QCheckBox(_tr("To"), self)
        for edit, box, name in ((self.date_from, self.from_on, "from"), (self.date_to, self.to_on, "to")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            box.setObjectName(f"{name}On")
            box.setChecked(True)
            box.toggled.connect(edit.setEnabled)
        if current is not None and current.op is FilterOp.PERIOD and current.values:
            self.period.setCurrentIndex(max(0, self.period.findData(current.values[0])))
        elif current is not None and current.op is FilterOp.BETWEEN:
            self.period.setCurrentIndex(self.period.count() - 1)
            for value, edit, box in ((current.values[0], self.date_from, self.from_on),
                                     (current.values[1], self.date_to, self.to_on)):
                if value:
                    edit.setDate(QDate.fromString(value, "yyyy-MM-dd"))
                else:
                    box.setChecked(False)
        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())
        row_from, row_to = QHBoxLayout(), QHBoxLayout()
        row_from.addWidget(self.from_on)
        row_from.addWidget(self.date_from, 1)
        row_to.addWidget(self.to_on)
        row_to.addWidget(self.date_to, 1)
        self.form.addRow(_tr("When"), self.period)
        self.form.addRow(row_from)
        self.form.addRow(row_to)
        self._period_chosen()

    def _period_chosen(self) -> None:
        assert self.period is not None
        custom = self.period.currentData() == ""
        for widget in (self.date_from, self.date_to, self.from_on, self.to_on):
            assert widget is not None
            widget.setVisible(custom)

    def _record_editor(self, current: FieldFilter | None) -> None:
        self.text = QLineEdit(self)
        self.text.setObjectName("value")
        self.text.setPlaceholderText(_tr("Type a name"))
        self.matches = QListWidget(self)
        self.matches.setObjectName("matches")
        self.form.addRow(_tr("Name"), self.text)
        self.form.addRow(self.matches)
        if current is not None and current.values:
            item = QListWidgetItem(current.labels[0] if current.labels else current.values[0], self.matches)
            item.setData(Qt.ItemDataRole.UserRole, current.values[0])
            self.matches.setCurrentItem(item)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._search_records)
        self.text.textChanged.connect(lambda _t: self._search_timer.start())
        self.matches.itemDoubleClicked.connect(lambda _i: self.apply())
        self._search_generation = 0

    def _search_records(self) -> None:
        assert self.text is not None and self.field.ref_type is not None
        self._search_generation += 1
        generation = self._search_generation
        spec = ListSpec(self.field.ref_type, search=self.text.text())
        run_async(self._context.worker, _find_records, self._context, spec,
                  on_done=lambda found: self._records_found(generation, found), context=self)

    def _records_found(self, generation: int, found: list[tuple[str, str]]) -> None:
        if generation != self._search_generation or self.matches is None:
            return
        self.matches.clear()
        for record_id, title in found:
            item = QListWidgetItem(title, self.matches)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
        if found:
            self.matches.setCurrentRow(0)

    def _users_loaded(self, users: list[tuple[str, str]]) -> None:
        assert self.combo is not None
        for user_id, name in users:
            self.combo.addItem(name, user_id)
        self.combo.setCurrentIndex(max(0, self.combo.findData(self._owner_value)))

    # -- result ----------------------------------------------------------------------

    def apply(self) -> None:
        try:
            self.result_filter = self._build()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    def _build(self) -> FieldFilter:
        name, kind = self.field.name, self.field.kind
        if self.choices is not None:
            picked = [self.choices.item(i) for i in range(self.choices.count())]
            values = tuple(str(i.data(Qt.ItemDataRole.UserRole)) for i in picked
                           if i.checkState() == Qt.CheckState.Checked)
            if not values:
                raise ValueError(_tr("Tick at least one value."))
            return FieldFilter(name, FilterOp.IS, values)
        if kind is FilterKind.OWNER and self.combo is not None:
            value = str(self.combo.currentData())
            label = "" if value == ME else self.combo.currentText()
            return FieldFilter(name, FilterOp.IS, (value,), (label,))
        if self.combo is not None:
            return FieldFilter(name, FilterOp.IS, (str(self.combo.currentData()),))
        if self.matches is not None:
            item = self.matches.currentItem()
            if item is None:
                raise ValueError(_tr("Choose a record from the list."))
            return FieldFilter(name, FilterOp.IS, (str(item.data(Qt.ItemDataRole.UserRole)),), (item.text(),))
        if self.text is not None:
            text = self.text.text().strip()
            if not text:
                raise ValueError(_tr("Enter a value."))
            return FieldFilter(name, FilterOp.HAS_TAG if kind is FilterKind.TAGS else FilterOp.IS, (text,))
        if self.low is not None and self.high is not None:
            low, high = self.low.text().strip(), self.high.text().strip()
            if not low and not high:
                raise ValueError(_tr("Enter a lowest or a highest value."))
            for value in (low, high):
                if value:
                    try:
                        float(value.replace(",", "."))
                    except ValueError:
                        raise ValueError(_tr("%1 is not a number.").replace("%1", value)) from None
            low, high = low.replace(",", "."), high.replace(",", ".")
            if low and high and float(low) > float(high):
                raise ValueError(_tr("The lowest value is above the highest."))
            return FieldFilter(name, FilterOp.BETWEEN, (low, high))
        assert self.period is not None and self.date_from is not None and self.date_to is not None
        assert self.from_on is not None and self.to_on is not None
        period = str(self.period.currentData())
        if period:
            return FieldFilter(name, FilterOp.PERIOD, (period,))
        first = self.date_from.date().toString("yyyy-MM-dd") if self.from_on.isChecked() else ""
        last = self.date_to.date().toString("yyyy-MM-dd") if self.to_on.isChecked() else ""
        if not first and not last:
            raise ValueError(_tr("Choose a first or a last day."))
        if first and last and first > last:
            raise ValueError(_tr("The first day is after the last."))
        return FieldFilter(name, FilterOp.BETWEEN, (first, last))


def _find_records(context: AppContext, spec: ListSpec) -> list[tuple[str, str]]:
    """(id, title) of the first records matching a search (on the DB worker)."""
    ids = context.lists.first_ids(spec, RECORD_MATCHES)
    rows = context.lists.rows(spec.record_type, ids)
    return [(str(rows[rid][0]), str(rows[rid][2])) for rid in ids if rid in rows]


class FilterBar(QWidget):
    """Filters button, chips, Clear all.  ``filtersChanged`` carries the new tuple."""

    filtersChanged = Signal(object)

    def __init__(self, context: AppContext, record_type: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._context = context
        self._type = record_type
        self.fields: dict[str, FilterField] = {}
        self.filters: tuple[FieldFilter, ...] = ()
        self.editor: FilterEditor | None = None
        self.menu = QMenu(self)
        self.menu.setObjectName("filtersMenu")
        self.button = QToolButton(self)
        self.button.setObjectName("filtersButton")
        self.button.setText(_tr("Filters"))
        self.button.setToolTip(_tr("Show only the records whose fields match"))
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setEnabled(False)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setText(_tr("Clear all"))
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self.clear)
        self.chips: dict[str, QToolButton] = {}
        self._chip_row = QHBoxLayout()
        self._chip_row.setContentsMargins(0, 0, 0, 0)
        self._chip_row.setSpacing(4)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addLayout(self._chip_row)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self._show_chips()

    def set_fields(self, fields: list[FilterField]) -> None:
        self.fields = {f.name: f for f in fields}
        self.menu.clear()
        for field in fields:
            action = self.menu.addAction(field_title(field, field.name) + "…")
            action.setObjectName(f"filter_{field.name}")
            action.triggered.connect(lambda _c=False, name=field.name: self.edit_field(name))
        self.button.setEnabled(bool(fields))
        self._show_chips()  # chip texts can use the choices now

    def set_filters(self, filters: tuple[FieldFilter, ...], *, notify: bool = True) -> None:
        if filters == self.filters:
            return
        self.filters = filters
        self._show_chips()
        if notify:
            emit(self.filtersChanged, filters)

    def put(self, flt: FieldFilter) -> None:
        """Add a filter, replacing one on the same field."""
        kept = tuple(f for f in self.filters if f.field != flt.field)
        self.set_filters((*kept, flt))

    def remove(self, field: str) -> None:
        self.set_filters(tuple(f for f in self.filters if f.field != field))

    def clear(self) -> None:
        self.set_filters(())

    def edit_field(self, name: str) -> FilterEditor | None:
        field = self.fields.get(name)
        if field is None:
            return None
        current = next((f for f in self.filters if f.field == name), None)
        editor = FilterEditor(self._context, field, current, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self._edited(editor))
        editor.open()
        self.editor = editor
        return editor

    def _edited(self, editor: FilterEditor) -> None:
        if editor.result_filter is not None:
            self.put(editor.result_filter)

    def chip_text(self, flt: FieldFilter) -> str:
        field = self.fields.get(flt.field)
        return f"{field_title(field, flt.field)}: {value_text(field, flt)}"

    def _show_chips(self) -> None:
        for chip in self.chips.values():
            self._chip_row.removeWidget(chip)
            chip.deleteLater()
        self.chips = {}
        for flt in self.filters:
            chip = QToolButton(self)
            chip.setObjectName(f"chip_{flt.field}")
            chip.setText(self.chip_text(flt) + "  ✕")
            chip.setToolTip(_tr("Remove this filter"))
            chip.setStyleSheet("QToolButton { border: 1px solid palette(mid); border-radius: 9px; "
                               "padding: 1px 8px; background: palette(alternate-base); }")
            chip.clicked.connect(lambda _c=False, name=flt.field: self.remove(name))
            self._chip_row.addWidget(chip)
            self.chips[flt.field] = chip
        self.clear_button.setVisible(bool(self.filters))


def filters_from_settings(raw: Any) -> tuple[FieldFilter, ...]:
    if not isinstance(raw, list):
        return ()
    found = (FieldFilter.from_json(item) for item in raw)
    return tuple(f for f in found if f is not None)
