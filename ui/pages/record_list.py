"""A list page: search box, field filters, lazy table, New / Edit / Delete.

The filters and the custom columns shown are kept per list in the settings
(``Settings.list_views``) and come back when the app starts again.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.services.exports import ExportFormat, supports_vcard
from crm_desktop.services.list_filters import FieldFilter, FilterField, filter_fields, valid_filters
from crm_desktop.services.records import DataChanged
from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import CUSTOMIZABLE_TYPES, RECORD_TYPES
from ui.dialogs import messages
from ui.dialogs.export import ExportJob, export_list
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.merge_records import MergeRecordsDialog
from ui.dialogs.record_form import RecordFormDialog
from ui.events import DataBus
from ui.models.record_list import RecordListModel
from ui.pages.filter_bar import FilterBar, filters_from_settings
from ui.qt_compat import emit
from ui.records.detail import RecordDetailDialog
from ui.tasks import run_async

log = logging.getLogger("crm.ui.pages")

SEARCH_DEBOUNCE_MS = 150

#: Default column widths (no resize-to-contents over a million rows).
WIDTHS = {
    "name": 170, "account": 160, "title": 150, "industry": 130, "email": 220, "phone": 120,
    "city": 100, "owner": 110, "updated_at": 120, "company": 160, "status": 90, "rating": 70, "source": 100,
    "stage": 120, "amount": 120, "probability": 80, "close_date": 100, "kind": 80, "due_date": 100,
    "start_at": 120, "done": 50, "related": 170, "contact": 150, "priority": 80, "due_at": 120, "type": 110,
    "start_date": 100, "end_date": 100, "budget": 120, "members": 80,
}


def search_hint(widget: QWidget, record_type: str) -> str:
    hints = {
        "contact": widget.tr("Search contacts by name, email, phone or city"),
        "account": widget.tr("Search accounts by name, email, phone or city"),
        "lead": widget.tr("Search leads by name, company, email, phone or city"),
        "opportunity": widget.tr("Search opportunities by name or next step"),
        "activity": widget.tr("Search activities by subject"),
        "case": widget.tr("Search cases by subject"),
        "campaign": widget.tr("Search campaigns by name"),
    }
    return hints.get(record_type, widget.tr("Search"))


class RecordTable(QTableView):
    """The table: Enter opens the current row, Delete deletes it."""

    openRequested = Signal()
    deleteRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            emit(self.openRequested)
            return
        if event.matches(QKeySequence.StandardKey.Delete) and self.currentIndex().isValid():
            emit(self.deleteRequested)
            return
        super().keyPressEvent(event)


class RecordListPage(QWidget):
    #: The number of records shown changed (for the window's status).
    countChanged = Signal(int)

    def __init__(self, context: AppContext, bus: DataBus, record_type: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._bus = bus
        self._type = record_type
        self.setObjectName(f"{record_type}ListPage")
        self.model = RecordListModel(context, record_type, self)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(search_hint(self, record_type))
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)

        self.table = RecordTable(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows may be selected: two of them can be merged.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if self.model.spec.descending else Qt.SortOrder.AscendingOrder,
        )
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, WIDTHS.get(self.model.column_key(column), 140))
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.table.openRequested.connect(self.edit_current)
        self.table.deleteRequested.connect(self.delete_current)
        self.model.countChanged.connect(self._count_changed)
        self.model.loadingChanged.connect(self._loading_changed)
        self.model.modelReset.connect(self._update_actions)

        label = QCoreApplication.translate("RecordTypes", RECORD_TYPES[record_type].label)
        self.new_action = QAction(self.tr("New %1").replace("%1", label.lower()), self)
        self.new_action.setObjectName("new")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_action.triggered.connect(self.new_record)
        self.edit_action = QAction(self.tr("Open"), self)
        self.edit_action.setObjectName("edit")
        self.edit_action.setToolTip(self.tr("Open the selected record (Enter)"))
        self.edit_action.triggered.connect(self.edit_current)
        self.delete_action = QAction(self.tr("Delete"), self)
        self.delete_action.setObjectName("delete")
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_current)
        self.merge_action = QAction(self.tr("Merge…"), self)
        self.merge_action.setObjectName("merge")
        self.merge_action.setToolTip(self.tr("Merge the two selected records into one (select two rows)"))
        self.merge_action.triggered.connect(self.merge_selected)
        for action in (self.new_action, self.edit_action, self.delete_action):
            self.addAction(action)
        style = self.style()
        self.new_action.setIcon(style.standardIcon(style.StandardPixmap.SP_FileIcon))
        self.edit_action.setIcon(style.standardIcon(style.StandardPixmap.SP_DialogOpenButton))
        self.delete_action.setIcon(style.standardIcon(style.StandardPixmap.SP_TrashIcon))

        self.import_action = QAction(self.tr("Import…"), self)
        self.import_action.setObjectName("import")
        self.import_action.setToolTip(self.tr("Import records from a CSV, Excel or vCard file"))
        self.import_action.triggered.connect(lambda: self.import_file())
        self.export_menu = QMenu(self)
        self.export_actions: dict[ExportFormat, QAction] = {}
        for fmt, text in ((ExportFormat.CSV, self.tr("CSV (Excel, Google Sheets…)")),
                          (ExportFormat.XLSX, self.tr("Excel workbook (.xlsx)")),
                          (ExportFormat.VCARD, self.tr("vCard address book (.vcf)"))):
            if fmt is ExportFormat.VCARD and not supports_vcard(record_type):
                continue
            action = self.export_menu.addAction(text)
            action.setObjectName(f"export_{fmt.value}")
            action.triggered.connect(lambda _c=False, f=fmt: self.export(f))
            self.export_actions[fmt] = action
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Export this list, as filtered and sorted"))
        self.export_button.setMenu(self.export_menu)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.import_action.setIcon(style.standardIcon(style.StandardPixmap.SP_ArrowDown))
        self.export_button.setIcon(style.standardIcon(style.StandardPixmap.SP_ArrowUp))
        self.export_job: ExportJob | None = None

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.new_action)
        self.toolbar.addAction(self.edit_action)
        self.toolbar.addAction(self.delete_action)
        self.toolbar.addAction(self.merge_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.import_action)
        self.toolbar.addWidget(self.export_button)
        # Optional columns: the custom fields administrators defined for this type.
        self.columns_menu = QMenu(self)
        self.columns_menu.setObjectName("columnsMenu")
        self.columns_button = QToolButton(self)
        self.columns_button.setObjectName("columnsButton")
        self.columns_button.setText(self.tr("Columns"))
        self.columns_button.setToolTip(self.tr("Show custom fields as columns"))
        self.columns_button.setMenu(self.columns_menu)
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setEnabled(False)
        self.custom_column_actions: dict[str, QAction] = {}
        if record_type in CUSTOMIZABLE_TYPES:
            self.toolbar.addWidget(self.columns_button)
            self._load_custom_fields()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.count_label.setStyleSheet("color: palette(mid);")

        # Field filters, as the list was left last time.
        self.filter_bar = FilterBar(context, record_type, self)
        saved = context.settings.list_views.get(record_type)
        if not isinstance(saved, dict):
            saved = {}  # a hand-edited or damaged settings file: start unfiltered
        self._saved_columns = [c for c in saved.get("columns") or [] if isinstance(c, str)]
        self.model.set_filters(valid_filters(record_type, filters_from_settings(saved.get("filters"))),
                               reload=False)
        self.filter_bar.set_filters(self.model.filters, notify=False)
        self.filter_bar.filtersChanged.connect(self._filters_chosen)
        self._load_filter_fields()

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.toolbar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(top)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        bus.changed.connect(self._data_changed)
        self._update_actions()
        self.model.reload()

    # -- actions -------------------------------------------------------------

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def new_record(self) -> None:
        self._open_form(None)

    def edit_current(self) -> None:
        record_id = self.current_id()
        if record_id:
            self.open_record(record_id)

    def open_record(self, record_id: str) -> None:
        """Open the record's detail view (fields, timeline, related records; Edit from there)."""
        detail = RecordDetailDialog(self._context, self._bus, self._type, record_id, parent=self)
        detail.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        detail.open()

    def _open_form(self, record_id: str | None) -> RecordFormDialog:
        dialog = RecordFormDialog(self._context, self._bus, self._type, record_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._select_after_reload)
        dialog.open()
        return dialog

    def delete_current(self) -> None:
        record_id = self.current_id()
        if not record_id:
            return
        index = self.table.currentIndex()
        title = str(self.model.index(index.row(), 0).data() or "")
        if not messages.confirm(
            self, self.tr("Delete"),
            self.tr("Delete “%1”? The deletion is synced to everyone.").replace("%1", title),
            self.tr("Delete"),
        ):
            return
        run_async(self._context.worker, self._context.records.delete, self._type, record_id,
                  on_done=lambda _r: self._bus.announce({self._type}, {record_id}), context=self)

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [rid for rid in (self.model.record_id(r) for r in rows) if rid]

    def merge_selected(self) -> MergeRecordsDialog | None:
        """Merge the two selected records (side by side, choose per field)."""
        ids = self.selected_ids()
        if len(ids) != 2:
            return None
        dialog = MergeRecordsDialog(self._context, self._bus, self._type, ids[0], ids[1], parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._select_after_reload)
        dialog.open()
        return dialog

    def import_file(self, path: str | None = None) -> ImportWizard:
        wizard = ImportWizard(self._context, self._bus, self._type, parent=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        if path:
            wizard.set_path(path)
        else:
            wizard.file_page.browse()
        return wizard

    def export(self, fmt: ExportFormat, path: str | None = None) -> ExportJob | None:
        """Export the list as shown: its search, filter and sort."""
        self.export_job = export_list(self, self._context, self.model.spec, fmt, path)
        return self.export_job

    # -- reacting ------------------------------------------------------------

    def _search_now(self) -> None:
        self._debounce.stop()
        self.model.set_search(self.search.text())

    def _header_clicked(self, column: int) -> None:
        header = self.table.horizontalHeader()
        if not self.model.is_sortable(column):
            # Keep showing the real sort: only some columns have an index.
            spec = self.model.spec
            header.setSortIndicator(
                self.model.sort_column(),
                Qt.SortOrder.DescendingOrder if spec.descending else Qt.SortOrder.AscendingOrder,
            )
            return
        self.model.sort(column, header.sortIndicatorOrder())

    def _load_custom_fields(self) -> None:
        run_async(self._context.worker, self._context.records.custom_fields, self._type,
                  on_done=self._custom_fields_loaded, context=self)

    def _custom_fields_loaded(self, fields: list[CustomFieldDef]) -> None:
        shown = set(self.model.custom_columns) or set(self._saved_columns)
        self.columns_menu.clear()
        self.custom_column_actions = {}
        for field in fields:
            action = self.columns_menu.addAction(field.label)
            action.setObjectName(f"column_{field.name}")
            action.setCheckable(True)
            action.setChecked(field.name in shown)
            action.setData(field.name)
            action.toggled.connect(lambda _on: self._custom_columns_chosen())
            self.custom_column_actions[field.name] = action
        self.columns_button.setEnabled(bool(fields))
        self._custom_columns_chosen()

    def _custom_columns_chosen(self) -> None:
        chosen = [(name, action.text()) for name, action in self.custom_column_actions.items()
                  if action.isChecked()]
        before = self.model.columnCount()
        self.model.set_custom_columns(chosen)
        for column in range(before, self.model.columnCount()):
            self.table.setColumnWidth(column, 140)
        if self.custom_column_actions:
            self._saved_columns = [name for name, _label in chosen]
            self._save_view()

    # -- filters ---------------------------------------------------------------

    def apply_filters(self, filters: tuple[FieldFilter, ...]) -> None:
        """Show the records passing ``filters`` (and no search): a dashboard figure's list."""
        self._debounce.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.set_search("")
        self.filter_bar.set_filters(filters)

    def _filters_chosen(self, filters: tuple[FieldFilter, ...]) -> None:
        self.model.set_filters(filters)
        self._save_view()

    def _load_filter_fields(self) -> None:
        run_async(self._context.worker, _filter_fields, self._context, self._type,
                  on_done=self.filter_bar.set_fields, context=self)

    def _save_view(self) -> None:
        """Remember this list's filters and columns (written by the DB worker, off the GUI thread)."""
        views = dict(self._context.settings.list_views)
        views[self._type] = {"filters": [f.to_json() for f in self.model.filters],
                             "columns": list(self._saved_columns)}
        if views == self._context.settings.list_views:
            return
        # A new dict, not an edit in place: the worker may be writing the old one.
        self._context.settings.list_views = views
        run_async(self._context.worker, self._context.save_settings, context=self)

    def _data_changed(self, change: DataChanged) -> None:
        if "custom_field" in change.record_types and self._type in CUSTOMIZABLE_TYPES:
            self._load_custom_fields()
        if change.record_types & {"custom_field", "pipeline_stage"}:
            self._load_filter_fields()
        if self._type in change.record_types:
            keep = self.current_id()
            if keep:
                self._select_after_reload(keep)
            self.model.reload()

    def _select_after_reload(self, record_id: str) -> None:
        def select() -> None:
            self.model.loaded.disconnect(select)
            row = self.model.row_of(record_id)
            if row is not None:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))

        self.model.loaded.connect(select)

    def _count_changed(self, count: int) -> None:
        if self.model.filters and self.model.count_exact:
            self.count_label.setText(self.tr("%n matching record(s)", "", count))
        elif self.model.count_exact:
            self.count_label.setText(self.tr("%n record(s)", "", count))
        else:
            # A common search term: the estimate shows at once, the exact
            # count when the whole list has loaded.
            self.count_label.setText(self.tr("About %n record(s)", "", count))
        emit(self.countChanged, count)

    def _loading_changed(self, loading: bool) -> None:
        if loading:
            self.count_label.setText(self.tr("Searching…") if self.model.spec.search else self.tr("Loading…"))

    def _update_actions(self) -> None:
        has = self.table.currentIndex().isValid()
        self.edit_action.setEnabled(has)
        self.delete_action.setEnabled(has)
        self.merge_action.setEnabled(len(self.table.selectionModel().selectedRows()) == 2)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()


def _filter_fields(context: AppContext, record_type: str) -> list[FilterField]:
    """The list's filters (runs on the DB worker: custom fields and stage names are in the store)."""
    custom = context.records.custom_fields(record_type) if record_type in CUSTOMIZABLE_TYPES else []
    return filter_fields(record_type, custom, context.lists.filter_choices(record_type))
