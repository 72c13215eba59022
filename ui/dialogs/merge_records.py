"""Merge two records of one type: side by side, choose per field, keep one id.

The merge itself is ``RecordService.merge_records``: the other record's id
becomes an alias of the kept one, links to it are re-pointed, and the merge
syncs as one operation.  Fields where the two agree are not asked about.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.records import RecordView, keep_both
from crm_desktop.store.schema import spec_for
from crm_protocol.records import FieldKind
from ui.dialogs import messages
from ui.events import DataBus
from ui.pages.cards import show_value
from ui.qt_compat import emit
from ui.tasks import run_async

log = logging.getLogger("crm.ui.merge")

LEFT, RIGHT, BOTH = "left", "right", "both"


def _load(context: AppContext, record_type: str, left: str, right: str) -> tuple[RecordView, RecordView]:
    return context.records.get(record_type, left), context.records.get(record_type, right)


def _union(a: Any, b: Any) -> list[str] | None:
    out: list[str] = []
    seen: set[str] = set()
    for tag in [*(a or []), *(b or [])]:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out or None


class MergeRecordsDialog(QDialog):
    merged = Signal(str)  # the kept id

    def __init__(
        self,
        context: AppContext,
        bus: DataBus,
        record_type: str,
        left_id: str,
        right_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mergeRecordsDialog")
        self._context = context
        self._bus = bus
        self._type = record_type
        self.spec = spec_for(record_type)
        self.setWindowTitle(self.tr("Merge %1").replace("%1", self.spec.label_plural.lower()))
        self.resize(760, 560)
        self.left: RecordView | None = None
        self.right: RecordView | None = None
        #: field name -> its choice group (only fields where the records differ)
        self.groups: dict[str, QButtonGroup] = {}
        self.keep_group = QButtonGroup(self)
        self.busy = True

        intro = QLabel(self.tr(
            "Choose the record to keep and, for each field where the two differ, the value to keep. "
            "The other record is merged into it: its links (contacts, deals, activities…) move to the kept "
            "record, and anyone who opens the old one finds the kept one. The merge is synced to everyone."
        ), self)
        intro.setWordWrap(True)
        self._grid_host = QWidget(self)
        self.grid = QGridLayout(self._grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.merge_button = self.buttons.addButton(self.tr("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setEnabled(False)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        run_async(context.worker, _load, context, record_type, left_id, right_id,
                  on_done=lambda pair: self._show(*pair), on_error=self._failed, context=self)

    def _failed(self, exc: BaseException) -> None:
        messages.show_error(self, exc)
        self.reject()

    def _show(self, left: RecordView, right: RecordView) -> None:
        self.left, self.right = left, right
        grid = self.grid
        grid.addWidget(QLabel(f"<b>{self.tr('Field')}</b>", self), 0, 0)
        for column, (view, key) in enumerate(((left, LEFT), (right, RIGHT)), start=1):
            radio = QRadioButton(self.tr("Keep “%1”").replace("%1", view.title or self.tr("(untitled)")), self)
            radio.setObjectName(f"keep_{key}")
            radio.setProperty("side", key)
            self.keep_group.addButton(radio)
            grid.addWidget(radio, 0, column)
        # The older record (created first) is kept by default: it is the one
        # others are most likely to have linked to.
        keep_left = left.created_at <= right.created_at
        self.keep_group.buttons()[0 if keep_left else 1].setChecked(True)
        row = 1
        for fspec in self.spec.fields:
            if fspec.derived_from is not None:
                continue
            a, b = left.data.get(fspec.name), right.data.get(fspec.name)
            if a == b or (a in (None, "", False) and b in (None, "", False)):
                continue
            caption = QLabel(fspec.label, self)
            caption.setAlignment(Qt.AlignmentFlag.AlignTop)
            grid.addWidget(caption, row, 0)
            group = QButtonGroup(self)
            group.setObjectName(f"choice_{fspec.name}")
            for column, (value, key) in enumerate(((a, LEFT), (b, RIGHT)), start=1):
                radio = QRadioButton(show_value(value), self)
                radio.setObjectName(f"{fspec.name}_{key}")
                radio.setProperty("side", key)
                group.addButton(radio)
                grid.addWidget(radio, row, column)
            if fspec.kind in (FieldKind.TAGS, FieldKind.LONG_TEXT) and a and b:
                both = QRadioButton(self.tr("Both"), self)
                both.setObjectName(f"{fspec.name}_{BOTH}")
                both.setProperty("side", BOTH)
                group.addButton(both)
                row += 1
                grid.addWidget(both, row, 1, 1, 2)
            # Default: the kept record's value, unless it is empty.
            kept_value = a if keep_left else b
            default = (LEFT if keep_left else RIGHT) if kept_value not in (None, "") else (
                RIGHT if keep_left else LEFT)
            if fspec.kind is FieldKind.TAGS and a and b:
                default = BOTH
            for button in group.buttons():
                if button.property("side") == default:
                    button.setChecked(True)
            self.groups[fspec.name] = group
            row += 1
        if not self.groups:
            grid.addWidget(QLabel(self.tr("The two records have the same values."), self), row, 0, 1, 3)
        grid.setRowStretch(row + 1, 1)
        self.busy = False
        self.merge_button.setEnabled(True)

    def keep_side(self) -> str:
        checked = self.keep_group.checkedButton()
        return str(checked.property("side")) if checked is not None else LEFT

    def choose(self, field: str, side: str) -> None:
        for button in self.groups[field].buttons():
            if button.property("side") == side:
                button.setChecked(True)

    def chosen_values(self) -> dict[str, Any]:
        """The values the kept record takes (only fields where the records differ)."""
        assert self.left is not None and self.right is not None
        out: dict[str, Any] = {}
        for name, group in self.groups.items():
            checked = group.checkedButton()
            side = str(checked.property("side")) if checked is not None else self.keep_side()
            a, b = self.left.data.get(name), self.right.data.get(name)
            if side == LEFT:
                out[name] = a
            elif side == RIGHT:
                out[name] = b
            elif self.spec.field_map[name].kind is FieldKind.TAGS:
                out[name] = _union(a, b)
            else:
                first, second = (a, b) if self.keep_side() == LEFT else (b, a)
                out[name] = keep_both(first, second)
        return out

    def merge(self) -> None:
        if self.left is None or self.right is None or self.busy:
            return
        keep, other = (self.left, self.right) if self.keep_side() == LEFT else (self.right, self.left)
        values = self.chosen_values()
        self.busy = True
        self.merge_button.setEnabled(False)

        def done(_result: Any) -> None:
            self._bus.announce({self._type}, {keep.id, other.id})
            emit(self.merged, keep.id)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.merge_button.setEnabled(True)
            messages.show_error(self, exc)

        run_async(self._context.worker, self._context.records.merge_records, self._type, keep.id, other.id,
                  values, on_done=done, on_error=failed, context=self)
