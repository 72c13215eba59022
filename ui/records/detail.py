"""A record's detail view, for every record type: fields, timeline, related records.

The fields are shown read-only (references as links that open the record they
point to), next to tabs: the timeline (linked activities and the record's
changes: who, when, field, old -> new, from the local history, so offline
too) and one tab per kind of related record (an account's contacts,
opportunities, cases...).  "Edit" opens the record form; "Add activity" a new
call, meeting, task or note linked to the record.
"""

from __future__ import annotations

import html
import logging
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.records import DataChanged
from crm_desktop.services.timeline import RecordDetail, RelatedGroup, TimelineEntry, referrers
from crm_protocol.records import ACTIVITY_KINDS, LINKABLE_TYPES, RECORD_TYPES, FieldKind, parse_datetime
from ui import format as fmt
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.pages.cards import show_value
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.detail")

IdRole = Qt.ItemDataRole.UserRole + 1
TypeRole = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("RecordDetail", text)


def type_label(record_type: str, plural: bool = False) -> str:
    spec = RECORD_TYPES[record_type]
    return QCoreApplication.translate("RecordTypes", spec.label_plural if plural else spec.label)


def display_value(record_type: str, name: str, data: dict[str, Any], ref_titles: dict[str, str]) -> str:
    """A field's value as the detail view shows it ("" when empty)."""
    spec = RECORD_TYPES[record_type].field_map.get(name)
    value = data.get(name)
    if spec is None or value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if spec.kind is FieldKind.REF:
        return ref_titles.get(name) or str(value)
    if spec.kind is FieldKind.DATE:
        return fmt.day(str(value))
    if spec.kind is FieldKind.DATETIME:
        return fmt.moment(parse_datetime(str(value)))
    if spec.kind is FieldKind.DECIMAL and name == "amount" and data.get("currency"):
        try:
            return fmt.money(Decimal(str(value)), str(data["currency"]))
        except InvalidOperation:
            return str(value)
    if spec.kind is FieldKind.CHOICE:
        return QCoreApplication.translate("Choices", str(value))
    if spec.kind is FieldKind.INT and name == "probability":
        return f"{value} %"
    return show_value(value)


def change_value(value: Any) -> str:
    if value in (None, "", []):
        return _tr("(empty)")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is True:
        return _tr("Yes")
    if value is False:
        return _tr("No")
    return show_value(value)


def new_record_form(context: AppContext, bus: DataBus, record_type: str, initial: dict[str, Any],
                    titles: dict[str, str], parent: QWidget | None) -> RecordFormDialog:
    """A form for a new record, pre-filled; reference fields show ``titles``."""
    spec = RECORD_TYPES[record_type]
    refs = {k: v for k, v in initial.items() if k in spec.field_map and spec.field_map[k].kind is FieldKind.REF}
    plain = {k: v for k, v in initial.items() if k not in refs}
    form = RecordFormDialog(context, bus, record_type, None, initial=plain or None, parent=parent)
    if refs:
        form.fill(refs, titles=titles)
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    form.open()
    return form


class RecordDetailDialog(QDialog):
    #: (record type, id): the user asked to open another record.
    openRecord = Signal(str, str)
    #: The detail was (re)loaded.
    loaded = Signal()

    def __init__(self, context: AppContext, bus: DataBus, record_type: str, record_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{record_type}Detail")
        self._context = context
        self._bus = bus
        self.record_type = record_type
        self.record_id = record_id
        self._generation = 0
        self.detail: RecordDetail | None = None
        self.setWindowTitle(type_label(record_type))
        self.resize(1000, 680)

        self.kind_label = QLabel(type_label(record_type).upper(), self)
        self.kind_label.setStyleSheet("color: palette(placeholder-text); font-size: 11px; letter-spacing: 1px;")
        self.title = QLabel(self)
        self.title.setObjectName("detailTitle")
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.edit_button = QPushButton(_tr("Edit…"), self)
        self.edit_button.setObjectName("editRecord")
        self.edit_button.clicked.connect(self.edit)
        self.activity_button = QToolButton(self)
        self.activity_button.setObjectName("addActivity")
        self.activity_button.setText(_tr("Add activity"))
        self.activity_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.activity_button)
        for kind in ACTIVITY_KINDS:
            action = menu.addAction(QCoreApplication.translate("Choices", kind))
            action.setObjectName(f"add{kind}")
            action.triggered.connect(lambda _c=False, k=kind: self.add_activity(k))
        self.activity_button.setMenu(menu)
        self.activity_button.setVisible(record_type in LINKABLE_TYPES)
        # "New contact / opportunity / case…" for the record types that can point at this one.
        self.new_related_button = QToolButton(self)
        self.new_related_button.setObjectName("newRelated")
        self.new_related_button.setText(_tr("New related"))
        self.new_related_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        related_menu = QMenu(self.new_related_button)
        self.new_related_actions: dict[str, QAction] = {}
        for other, fspec in referrers(record_type):
            if fspec.name.startswith("converted_") or other == "activity":
                continue
            action = related_menu.addAction(_tr("New %1…").replace("%1", type_label(other)))
            action.setObjectName(f"new_{other}_{fspec.name}")
            action.triggered.connect(lambda _c=False, t=other, f=fspec.name: self.add_related(t, f))
            self.new_related_actions[f"{other}.{fspec.name}"] = action
        self.new_related_button.setMenu(related_menu)
        self.new_related_button.setVisible(bool(self.new_related_actions))
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.kind_label)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.new_related_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.activity_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.fields = QFormLayout()
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields.setHorizontalSpacing(14)
        self.fields.setVerticalSpacing(8)
        fields_box = QWidget(self)
        fields_box.setLayout(self.fields)
        fields_scroll = QScrollArea(self)
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setWidget(fields_box)
        fields_scroll.setMinimumWidth(300)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("detailTabs")
        self.timeline = QTreeWidget(self)
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels([_tr("When"), _tr("What")])
        self.timeline.setColumnWidth(0, 150)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.itemActivated.connect(self._timeline_activated)
        self.timeline.itemChanged.connect(self._timeline_item_changed)
        self.tabs.addTab(self.timeline, _tr("Timeline"))
        self.related_views: dict[tuple[str, str], QTreeWidget] = {}

        splitter = QSplitter(self)
        splitter.addWidget(fields_scroll)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 600])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addSpacing(6)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.openRecord.connect(self._open_other)
        bus.changed.connect(self._data_changed)
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        run_async(self._context.worker, self._context.timeline.detail, self.record_type, self.record_id,
                  on_done=lambda detail: self._show(generation, detail), on_error=self._failed, context=self)

    def _failed(self, exc: BaseException) -> None:
        report_error(exc, self.parentWidget())
        self.reject()

    def _data_changed(self, change: DataChanged) -> None:
        # The record itself, its linked activities, or a related record changed.
        if self.record_id in change.ids or change.record_types & ({self.record_type, "activity"}
                                                                     | set(self._related_types())):
            self.reload()

    def _related_types(self) -> list[str]:
        return [g.record_type for g in self.detail.related] if self.detail is not None else []

    def _show(self, generation: int, detail: RecordDetail) -> None:
        if generation != self._generation:
            return
        self.detail = detail
        self.title.setText(detail.title)
        self.setWindowTitle(f"{detail.title} — {type_label(self.record_type)}")
        owner = detail.ref_titles.get("owner_id")
        parts = [_tr("Owner: %1").replace("%1", owner) if owner else "",
                 _tr("Not synced yet") if detail.dirty else ""]
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        self._show_fields(detail)
        self._show_timeline(detail.timeline)
        self._show_related(detail.related)
        emit(self.loaded)

    def _show_fields(self, detail: RecordDetail) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        spec = RECORD_TYPES[self.record_type]
        for fspec in spec.fields:
            if fspec.derived_from or fspec.name in spec.title_fields or fspec.name in ("currency", "related_type"):
                continue
            text = display_value(self.record_type, fspec.name, detail.data, detail.ref_titles)
            if not text or (fspec.kind is FieldKind.BOOL and detail.data.get(fspec.name) is False):
                continue
            label = QLabel(self)
            label.setObjectName(f"value_{fspec.name}")
            label.setWordWrap(True)
            target = fspec.target_type(detail.data) if fspec.kind is FieldKind.REF else None
            if target and target != "user" and target in RECORD_TYPES:
                label.setText(f'<a href="{target}:{detail.data[fspec.name]}">{html.escape(text)}</a>')
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                label.linkActivated.connect(self._link)
            else:
                label.setText(text)
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(fmt.field_label(fspec.label), self)
            caption.setStyleSheet("color: palette(placeholder-text);")
            self.fields.addRow(caption, label)
        if not self.fields.rowCount():
            self.fields.addRow(QLabel(_tr("No details yet."), self))

    def _show_timeline(self, entries: list[TimelineEntry]) -> None:
        self.timeline.blockSignals(True)
        self.timeline.clear()
        bold = QFont(self.timeline.font())
        bold.setBold(True)
        for entry in entries:
            local = entry.at.astimezone()
            # An activity with only a due date happens on a day, not at midnight.
            when = fmt.day(local.date()) if entry.kind == "activity" and local.time() == time(0) \
                else fmt.moment(entry.at)
            item = QTreeWidgetItem([when, self._entry_text(entry)])
            if entry.kind == "activity":
                item.setData(0, IdRole, entry.activity_id)
                item.setData(0, TypeRole, "activity")
                # Tick an activity done right here.
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(1, Qt.CheckState.Checked if entry.done else Qt.CheckState.Unchecked)
                item.setToolTip(0, _tr("Tick when done"))
                if not entry.done:
                    item.setFont(1, bold)
            for change in entry.changes:
                child = QTreeWidgetItem(["", f"{fmt.field_label(change.label)}: {change_value(change.old)} → "
                                             f"{change_value(change.new)}"])
                child.setToolTip(1, child.text(1))
                item.addChild(child)
            item.setToolTip(1, item.text(1))
            self.timeline.addTopLevelItem(item)
            item.setExpanded(True)
        if not entries:
            self.timeline.addTopLevelItem(QTreeWidgetItem(["", _tr("Nothing has happened yet.")]))
        self.tabs.setTabText(0, _tr("Timeline (%1)").replace("%1", str(len(entries))))
        self.timeline.blockSignals(False)

    def _timeline_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        record_id = item.data(0, IdRole)
        if column != 1 or item.data(0, TypeRole) != "activity" or not record_id:
            return
        done = item.checkState(1) == Qt.CheckState.Checked
        run_async(self._context.worker, self._context.my_day.mark_done, str(record_id), done,
                  on_done=lambda _none: self._bus.announce({"activity"}, {str(record_id)}),
                  on_error=self._mark_failed, context=self)

    def _mark_failed(self, exc: BaseException) -> None:
        self.reload()
        report_error(exc, self)

    @staticmethod
    def _entry_text(entry: TimelineEntry) -> str:
        if entry.kind == "activity":
            kind = QCoreApplication.translate("Choices", entry.activity_kind) if entry.activity_kind else ""
            text = f"{kind}: {entry.title}" if kind else entry.title
            return text + (f"  ({_tr('done')})" if entry.done else "")
        what = {"create": _tr("Created"), "delete": _tr("Deleted")}.get(entry.op, _tr("Changed"))
        who = entry.who or (_tr("you") if entry.source == "local" else _tr("someone"))
        text = _tr("%1 by %2").replace("%1", what).replace("%2", who)
        if entry.source == "sync":
            text += "  " + _tr("(from the server)")
        return text

    def _show_related(self, groups: list[RelatedGroup]) -> None:
        while self.tabs.count() > 1:
            widget = self.tabs.widget(1)
            self.tabs.removeTab(1)
            if widget is not None:
                widget.deleteLater()
        self.related_views = {}
        for group in groups:
            view = QTreeWidget(self)
            view.setObjectName(f"related_{group.record_type}_{group.via}")
            view.setRootIsDecorated(False)
            view.setAlternatingRowColors(True)
            view.setHeaderLabels([_tr("Name"), _tr("Details")])
            view.setColumnWidth(0, 260)
            for record in group.records:
                item = QTreeWidgetItem([record.title, record.summary])
                item.setData(0, IdRole, record.id)
                item.setData(0, TypeRole, group.record_type)
                view.addTopLevelItem(item)
            if group.count > len(group.records):
                more = QTreeWidgetItem(["", _tr("… and %1 more").replace("%1", str(group.count - len(group.records)))])
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                view.addTopLevelItem(more)
            view.itemActivated.connect(self._related_activated)
            label = QCoreApplication.translate("RecordTypes", group.label)
            self.tabs.addTab(view, f"{label} ({group.count})")
            self.related_views[(group.record_type, group.via)] = view

    # -- actions ---------------------------------------------------------------------

    def _link(self, href: str) -> None:
        record_type, _, record_id = href.partition(":")
        if record_type in RECORD_TYPES and record_id:
            emit(self.openRecord, record_type, record_id)

    def _timeline_activated(self, item: QTreeWidgetItem) -> None:
        record_id = item.data(0, IdRole)
        if record_id:
            emit(self.openRecord, str(item.data(0, TypeRole)), str(record_id))

    def _related_activated(self, item: QTreeWidgetItem) -> None:
        record_id = item.data(0, IdRole)
        if record_id:
            emit(self.openRecord, str(item.data(0, TypeRole)), str(record_id))

    def _open_other(self, record_type: str, record_id: str) -> RecordDetailDialog:
        other = RecordDetailDialog(self._context, self._bus, record_type, record_id, self)
        other.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        other.open()
        return other

    def edit(self) -> RecordFormDialog:
        form = RecordFormDialog(self._context, self._bus, self.record_type, self.record_id, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form

    def add_related(self, record_type: str, via: str) -> RecordFormDialog:
        """A new record of ``record_type`` whose ``via`` field points at this record."""
        title = self.detail.title if self.detail is not None else ""
        return new_record_form(self._context, self._bus, record_type, {via: self.record_id}, {via: title}, self)

    def add_activity(self, kind: str) -> RecordFormDialog:
        title = self.detail.title if self.detail is not None else ""
        initial: dict[str, Any] = {"kind": kind, "related_type": self.record_type, "related_id": self.record_id}
        return new_record_form(self._context, self._bus, "activity", initial, {"related_id": title}, self)
