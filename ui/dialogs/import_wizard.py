"""The import wizard: file -> column mapping -> preview -> import.

Every step's work (reading the file, checking the rows, writing them) runs on
the DB worker through ``context.imports``; the wizard polls its Progress for
the bar and passes Cancel back.  Nothing is written before the last page; the
last page writes in one transaction, so Cancel there leaves nothing either.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from crm_desktop.context import AppContext
from crm_desktop.dataio.mapping import CUSTOM_PREFIX, guess_mapping, targets
from crm_desktop.dataio.progress import Cancelled, Progress, ProgressSnapshot
from crm_desktop.dataio.readers import ENCODINGS, Table
from crm_desktop.errors import KnownError
from crm_desktop.services.imports import (
    DuplicateAction,
    ImportMode,
    ImportOptions,
    ImportPreview,
    ImportResult,
)
from crm_desktop.store.schema import spec_for
from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import FieldKind
from ui.dialogs import messages
from ui.dialogs.progress import ProgressPoller, show_on
from ui.events import DataBus
from ui.qt_compat import emit
from ui.tasks import report_error, run_async

log = logging.getLogger("crm.ui.import")

FILE_FILTERS = "Contacts and tables (*.csv *.txt *.tsv *.xlsx *.vcf *.vcard);;All files (*)"
#: Rows shown in the problem and duplicate tables (the counts are always exact).
SHOWN_ROWS = 5000
#: Rows scanned for the mapping step's example values.
SAMPLE_ROWS = 200

FILE_PAGE, MAPPING_PAGE, PREVIEW_PAGE, IMPORT_PAGE = range(4)


def _phases(widget: QWidget) -> dict[str, str]:
    return {
        "reading": widget.tr("Reading the file…"),
        "checking": widget.tr("Checking rows…"),
        "duplicates": widget.tr("Looking for duplicates…"),
        "importing": widget.tr("Importing…"),
        "saving": widget.tr("Saving…"),
    }


class _TaskPage(QWizardPage):
    """A page that runs one worker task with a progress bar."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.bar = QProgressBar(self)
        self.bar.setObjectName("progress")
        self.bar.hide()
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.poller = ProgressPoller(self)
        self.poller.changed.connect(self._show_progress)
        self.progress: Progress | None = None
        self.future: Future[Any] | None = None

    def run(self, fn: Any, *args: Any, on_done: Any, on_error: Any, **kwargs: Any) -> None:
        self.cancel()
        progress = Progress()
        self.progress = progress
        self.bar.show()
        self.bar.setRange(0, 0)
        self.poller.start(progress)

        def done(result: Any) -> None:
            if progress is self.progress:
                self._finish()
                on_done(result)

        def failed(exc: BaseException) -> None:
            if progress is self.progress:
                self._finish()
                on_error(exc)

        self.future = run_async(self.wiz.context.worker, fn, *args, progress=progress, on_done=done,
                                on_error=failed, context=self, **kwargs)
        emit(self.completeChanged)

    def _finish(self) -> None:
        self.poller.stop()
        self.bar.hide()
        self.future = None
        emit(self.completeChanged)

    def cancel(self) -> None:
        """Ask the running task to stop (it stops at its next check)."""
        if self.progress is not None and self.future is not None:
            self.progress.cancel()

    @property
    def busy(self) -> bool:
        return self.future is not None

    def _show_progress(self, snapshot: ProgressSnapshot) -> None:
        show_on(self.bar, self.status, snapshot, _phases(self))


class FilePage(_TaskPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Choose a file"))
        self.setSubTitle(self.tr("CSV or text files, Excel workbooks (.xlsx) and vCard address books (.vcf)."))
        self.path = QLineEdit(self)
        self.path.setObjectName("path")
        self.path.setPlaceholderText(self.tr("Path of the file to import"))
        self.path.editingFinished.connect(self.load)
        browse = QPushButton(self.tr("Choose…"), self)
        browse.setObjectName("browse")
        browse.clicked.connect(self.browse)
        self.encoding = QComboBox(self)
        self.encoding.setObjectName("encoding")
        self.encoding.addItem(self.tr("Detect automatically"), None)
        for code, label in ENCODINGS:
            self.encoding.addItem(self.tr(label), code)
        self.encoding.currentIndexChanged.connect(lambda _i: self.load())
        self.info = QLabel(self)
        self.info.setObjectName("info")
        self.info.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self._loaded_key: tuple[str, Any] | None = None

        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("File:"), row)
        form.addRow(self.tr("Text encoding:"), self.encoding)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.info)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def browse(self) -> None:
        chosen = messages.ask_open_path(self, self.tr("Import from"), self.tr(FILE_FILTERS))
        if chosen:
            self.path.setText(chosen)
            self.load()

    def _key(self) -> tuple[str, Any]:
        return self.path.text().strip(), self.encoding.currentData()

    def load(self) -> None:
        key = self._key()
        if not key[0] or (key == self._loaded_key and self.wiz.table is not None):
            return
        self.wiz.table = None
        self._loaded_key = None
        self.info.clear()
        self.error.clear()
        self.run(self.wiz.context.imports.read, Path(key[0]), encoding=key[1],
                 on_done=lambda table: self._loaded(key, table), on_error=self._failed)

    def _loaded(self, key: tuple[str, Any], table: Table) -> None:
        self.status.clear()
        if key != self._key():
            self.load()
            return
        self.wiz.table = table
        self._loaded_key = key
        kind = {"csv": self.tr("Text (CSV)"), "xlsx": self.tr("Excel workbook"), "vcard": self.tr("vCard")}
        parts = [self.tr("%1 with %n row(s)", "", len(table.rows) + len(table.problems))
                 .replace("%1", kind.get(table.format, table.format))]
        if table.sheet:
            parts.append(self.tr("worksheet “%1”").replace("%1", table.sheet))
        if table.encoding:
            parts.append(self.tr("encoding %1").replace("%1", table.encoding))
        if table.delimiter:
            shown = {"\t": self.tr("tab"), ",": self.tr("comma"), ";": self.tr("semicolon")}
            parts.append(self.tr("separated by %1").replace("%1", shown.get(table.delimiter, table.delimiter)))
        self.info.setText(", ".join(parts) + ".")
        emit(self.completeChanged)

    def _failed(self, exc: BaseException) -> None:
        self.status.clear()
        if isinstance(exc, KnownError):
            self.error.setText(exc.message)
        else:
            report_error(exc, self)
        emit(self.completeChanged)

    def isComplete(self) -> bool:
        return (self.wiz.table is not None and self._loaded_key == self._key() and not self.busy
                and self.wiz.custom_fields is not None)


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("Match the columns"))
        self.setSubTitle(self.tr("Choose the field each column of the file goes into. Columns set to "
                                 "“Ignore” are left out."))
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("mapping")
        self.table.setHorizontalHeaderLabels([self.tr("Column in the file"), self.tr("Example values"),
                                              self.tr("Goes into")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.refs = QComboBox(self)
        self.refs.setObjectName("refs")
        self.refs_label = QLabel(self)
        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #c62828;")
        self.combos: list[QComboBox] = []
        row = QHBoxLayout()
        row.addWidget(self.refs_label)
        row.addWidget(self.refs, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)

    def initializePage(self) -> None:
        table = self.wiz.table
        assert table is not None
        spec = spec_for(self.wiz.record_type)
        custom = self.wiz.custom_fields or []
        guessed = guess_mapping(spec, table.headers, custom)
        self.table.setRowCount(len(table.headers))
        self.combos = []
        for column, header in enumerate(table.headers):
            self.table.setItem(column, 0, QTableWidgetItem(header))
            samples: list[str] = []
            # The first rows are enough for examples (a mostly empty column of
            # a 100,000-row file must not stall the GUI thread).
            for _line, cells in table.rows[:SAMPLE_ROWS]:
                value = " ".join(cells[column].split())
                if value and value not in samples:
                    samples.append(value[:40])
                if len(samples) == 3:
                    break
            self.table.setItem(column, 1, QTableWidgetItem("  ·  ".join(samples)))
            combo = QComboBox(self.table)
            combo.setObjectName(f"target_{column}")
            combo.addItem(self.tr("— Ignore —"), None)
            for target in targets(spec, custom):
                # Custom field labels are the administrator's own words: shown as they are.
                shown = target.label if target.key.startswith(CUSTOM_PREFIX) else self._label(target.label)
                combo.addItem(shown, target.key)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(column))))
            combo.currentIndexChanged.connect(lambda _i: self._changed())
            self.table.setCellWidget(column, 2, combo)
            self.combos.append(combo)
        ref_fields = [f for f in spec.fields if f.kind is FieldKind.REF and f.ref_type not in (None, "user")]
        self.refs.clear()
        if ref_fields:
            ref_label = spec_for(str(ref_fields[0].ref_type)).label_plural.lower()
            self.refs_label.setText(self.tr("Names of %1 in the file:").replace("%1", self._label(ref_label)))
            self.refs.addItem(self.tr("Link to existing ones, create the missing ones"), True)
            self.refs.addItem(self.tr("Link to existing ones only (a name not found is a problem)"), False)
        self.refs.setVisible(bool(ref_fields))
        self.refs_label.setVisible(bool(ref_fields))
        self._changed()

    def _label(self, text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("Fields", text)

    def mapping(self) -> dict[int, str]:
        return {c: combo.currentData() for c, combo in enumerate(self.combos) if combo.currentData()}

    def set_target(self, column: int, target: str | None) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(max(0, combo.findData(target)))

    def _changed(self) -> None:
        mapping = self.mapping()
        used: dict[str, int] = {}
        clash = ""
        for column, target in mapping.items():
            if target in used:
                clash = self.tr("Two columns go into “%1”: choose one of them.").replace(
                    "%1", self.combos[column].currentText())
            used[target] = column
        if not mapping:
            clash = self.tr("Choose a field for at least one column.")
        self.problem.setText(clash)
        spec = spec_for(self.wiz.record_type)
        self.refs.setEnabled(any(spec.field_map.get(t) is not None and spec.field_map[t].kind is FieldKind.REF
                                 and spec.field_map[t].ref_type != "user" for t in mapping.values()))
        emit(self.completeChanged)

    def isComplete(self) -> bool:
        return not self.problem.text()

    def options(self) -> ImportOptions:
        create = self.refs.currentData()
        return ImportOptions(self.wiz.record_type, self.mapping(), create_missing_refs=bool(
            True if create is None else create))


class PreviewPage(_TaskPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Check before importing"))
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.problems = QTableWidget(0, 2, self)
        self.problems.setObjectName("problems")
        self.problems.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Problem")])
        self.duplicates = QTableWidget(0, 5, self)
        self.duplicates.setObjectName("duplicates")
        self.duplicates.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Row"), self.tr("Looks like"),
                                                   self.tr("Why"), self.tr("Will be")])
        self.duplicates.setToolTip(self.tr("Double-click to open the existing record"))
        self.duplicates.cellDoubleClicked.connect(self._open_existing)
        for table in (self.problems, self.duplicates):
            table.verticalHeader().hide()
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setStretchLastSection(True)
        self.duplicates.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Per-row choices for the selected duplicates (over the defaults below).
        self.overrides: dict[int, DuplicateAction] = {}
        self.action_labels = {
            DuplicateAction.SKIP: self.tr("Skipped"),
            DuplicateAction.MERGE: self.tr("Merged into the existing record"),
            DuplicateAction.IMPORT: self.tr("Imported as new"),
        }
        row_actions = QHBoxLayout()
        row_actions.addWidget(QLabel(self.tr("Selected rows:"), self))
        self.row_buttons: dict[str, QPushButton] = {}
        for key, text in (("skip", self.tr("Skip")), ("merge", self.tr("Merge")),
                          ("import", self.tr("Import as new")), ("default", self.tr("Use the default"))):
            button = QPushButton(text, self)
            button.setObjectName(f"rows_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.set_selected(k))
            row_actions.addWidget(button)
            self.row_buttons[key] = button
        row_actions.addStretch(1)
        duplicates_tab = QWidget(self)
        duplicates_layout = QVBoxLayout(duplicates_tab)
        duplicates_layout.setContentsMargins(0, 0, 0, 0)
        duplicates_layout.addWidget(self.duplicates, 1)
        duplicates_layout.addLayout(row_actions)
        self.save_problems = QPushButton(self.tr("Save the problem rows…"), self)
        self.save_problems.setObjectName("saveProblems")
        self.save_problems.setToolTip(self.tr("A CSV of the rows left out, with their line and problem, "
                                              "to fix and import again"))
        self.save_problems.clicked.connect(lambda: self.save_problem_rows())
        problems_tab = QWidget(self)
        problems_layout = QVBoxLayout(problems_tab)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.addWidget(self.problems, 1)
        problems_row = QHBoxLayout()
        problems_row.addStretch(1)
        problems_row.addWidget(self.save_problems)
        problems_layout.addLayout(problems_row)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(problems_tab, self.tr("Problems"))
        self.tabs.addTab(duplicates_tab, self.tr("Possible duplicates"))

        self.good_only = QRadioButton(self)
        self.good_only.setObjectName("goodOnly")
        self.all_or_nothing = QRadioButton(self.tr("Import the whole file or nothing"), self)
        self.all_or_nothing.setObjectName("allOrNothing")
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.good_only)
        self.mode.addButton(self.all_or_nothing)
        self.good_only.setChecked(True)
        self.good_only.toggled.connect(lambda _c: self._mode_changed())
        self.certain = QComboBox(self)
        self.certain.setObjectName("certainAction")
        self.likely = QComboBox(self)
        self.likely.setObjectName("likelyAction")
        labels = {DuplicateAction.SKIP: self.tr("Skip them"),
                  DuplicateAction.MERGE: self.tr("Merge into the existing record (fill its empty fields)"),
                  DuplicateAction.IMPORT: self.tr("Import them as new records")}
        for combo, order in ((self.certain, (DuplicateAction.SKIP, DuplicateAction.MERGE, DuplicateAction.IMPORT)),
                             (self.likely, (DuplicateAction.IMPORT, DuplicateAction.SKIP, DuplicateAction.MERGE))):
            for action in order:
                combo.addItem(labels[action], action)
            combo.currentIndexChanged.connect(lambda _i: self._refresh_actions())
        self.blocked = QLabel(self)
        self.blocked.setObjectName("blocked")
        self.blocked.setWordWrap(True)
        self.blocked.setStyleSheet("color: #c62828;")

        options = QFormLayout()
        options.addRow(self.good_only)
        options.addRow(self.all_or_nothing)
        options.addRow(self.tr("Rows with the same email or phone as an existing record:"), self.certain)
        options.addRow(self.tr("Rows whose name alone matches:"), self.likely)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(options)
        layout.addWidget(self.blocked)
        self._shown: list[Any] = []

    def initializePage(self) -> None:
        self.wiz.preview = None
        self.overrides = {}
        self.summary.clear()
        self.blocked.clear()
        self.problems.setRowCount(0)
        self.duplicates.setRowCount(0)
        table = self.wiz.table
        assert table is not None
        self.run(self.wiz.context.imports.preview, table, self.wiz.mapping_page.options(),
                 on_done=self._checked, on_error=self._failed)

    def cleanupPage(self) -> None:
        self.cancel()

    def _checked(self, preview: ImportPreview) -> None:
        self.status.clear()
        self.wiz.preview = preview
        label = spec_for(preview.record_type).label_plural.lower()
        lines = [self.tr("%n row(s) can be imported.", "", preview.good_count)]
        if preview.problems:
            lines.append(self.tr("%n row(s) have problems (listed below with their line numbers).", "",
                                 preview.problem_count))
        if preview.duplicates:
            lines.append(self.tr("%n row(s) look like records you already have.", "", len(preview.duplicates)))
        for fname, names in preview.to_create.items():
            ref = spec_for(str(spec_for(preview.record_type).field_map[fname].ref_type)).label_plural.lower()
            lines.append(self.tr("%n new %1 will be created by name.", "", len(names)).replace("%1", ref))
        self.summary.setText(" ".join(lines))
        self.good_only.setText(self.tr("Import only the good rows (%1 %2)").replace(
            "%1", f"{preview.good_count:,}").replace("%2", label))
        self.save_problems.setEnabled(bool(preview.problems))
        self.problems.setRowCount(min(len(preview.problems), SHOWN_ROWS))
        for row, problem in enumerate(preview.problems[:SHOWN_ROWS]):
            self.problems.setItem(row, 0, _number_item(problem.line))
            self.problems.setItem(row, 1, QTableWidgetItem(problem.message))
        self._shown = preview.duplicates[:SHOWN_ROWS]
        self.duplicates.setRowCount(len(self._shown))
        for row, dup in enumerate(self._shown):
            self.duplicates.setItem(row, 0, _number_item(dup.line))
            self.duplicates.setItem(row, 1, QTableWidgetItem(dup.title))
            if dup.matches:
                match = dup.matches[0]
                self.duplicates.setItem(row, 2, QTableWidgetItem(match.title))
                self.duplicates.setItem(row, 3, QTableWidgetItem(", ".join(match.reasons)))
            else:
                self.duplicates.setItem(row, 2, QTableWidgetItem(self.tr("line %1 of this file").replace(
                    "%1", str(dup.same_as_line))))
                self.duplicates.setItem(row, 3, QTableWidgetItem(dup.same_as_reason))
        self._refresh_actions()
        self.problems.resizeColumnToContents(0)
        self.duplicates.resizeColumnToContents(0)
        self.tabs.setTabText(0, self.tr("Problems (%1)").replace("%1", f"{preview.problem_count:,}"))
        self.tabs.setTabText(1, self.tr("Possible duplicates (%1)").replace("%1", f"{len(preview.duplicates):,}"))
        self.tabs.setCurrentIndex(0 if preview.problems or not preview.duplicates else 1)
        self._mode_changed()

    def save_problem_rows(self, path: str | None = None) -> None:
        preview, table = self.wiz.preview, self.wiz.table
        if preview is None or table is None or not preview.problems:
            return
        if path is None:
            path = messages.ask_save_path(self, self.tr("Save the problem rows"), "problem rows.csv",
                                          self.tr("CSV (*.csv)"))
            if not path:
                return
        run_async(self.wiz.context.worker, self.wiz.context.imports.save_problems, table, preview, Path(path),
                  on_done=lambda n: self.status.setText(self.tr("Saved %n problem row(s).", "", n)), context=self)

    def action_for(self, row: int) -> DuplicateAction:
        """What the import will do with shown duplicate ``row``."""
        dup = self._shown[row]
        action = self.overrides.get(dup.line)
        if action is None:
            combo = self.certain if dup.certain else self.likely
            action = DuplicateAction(combo.currentData())
        if action is DuplicateAction.MERGE and not dup.matches:
            action = DuplicateAction.SKIP  # repeats an earlier line, which is imported
        return action

    def set_selected(self, key: str) -> None:
        rows = sorted({index.row() for index in self.duplicates.selectionModel().selectedRows()})
        for row in rows:
            line = self._shown[row].line
            if key == "default":
                self.overrides.pop(line, None)
            else:
                self.overrides[line] = DuplicateAction(key)
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        for row, dup in enumerate(self._shown):
            item = QTableWidgetItem(self.action_labels[self.action_for(row)])
            font = item.font()
            font.setBold(dup.line in self.overrides)
            item.setFont(font)
            self.duplicates.setItem(row, 4, item)

    def _failed(self, exc: BaseException) -> None:
        self.status.clear()
        if isinstance(exc, Cancelled):
            self.summary.setText(self.tr("The check was stopped."))
        elif isinstance(exc, KnownError):
            self.summary.setText(exc.message)
        else:
            report_error(exc, self)

    def _mode_changed(self) -> None:
        preview = self.wiz.preview
        text = ""
        if preview is not None:
            if self.all_or_nothing.isChecked() and preview.problems:
                text = self.tr("The file has %n row(s) with problems, so “the whole file or nothing” would "
                               "import nothing. Fix the file, or import only the good rows.", "",
                               preview.problem_count)
            elif preview.good_count == 0:
                text = self.tr("There is nothing to import.")
        self.blocked.setText(text)
        emit(self.completeChanged)

    def _open_existing(self, row: int, _column: int) -> None:
        if row >= len(self._shown) or not self._shown[row].matches:
            return
        self.wiz.open_record(self._shown[row].matches[0].record_id)

    def isComplete(self) -> bool:
        return self.wiz.preview is not None and not self.busy and not self.blocked.text()

    def choices(self) -> tuple[ImportMode, DuplicateAction, DuplicateAction]:
        mode = ImportMode.ALL_OR_NOTHING if self.all_or_nothing.isChecked() else ImportMode.GOOD_ROWS
        return mode, DuplicateAction(self.certain.currentData()), DuplicateAction(self.likely.currentData())


class ImportPage(_TaskPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Importing"))
        self.result_label = QLabel(self)
        self.result_label.setObjectName("result")
        self.result_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        self.finished_ok = False
        self.done = False

    def initializePage(self) -> None:
        preview = self.wiz.preview
        assert preview is not None
        mode, certain, likely = self.wiz.preview_page.choices()
        self.done = False
        self.result_label.clear()
        self.run(self.wiz.context.imports.commit, preview, mode, duplicate_action=certain, likely_action=likely,
                 overrides=dict(self.wiz.preview_page.overrides), on_done=self._imported, on_error=self._failed)

    def _imported(self, result: ImportResult) -> None:
        self.done = True
        self.finished_ok = True
        self.status.clear()
        preview = self.wiz.preview
        assert preview is not None
        label = spec_for(preview.record_type).label_plural.lower()
        lines = [self.tr("Imported %1 %2.").replace("%1", f"{result.created:,}").replace("%2", label)]
        for ref_type, count in result.created_refs.items():
            lines.append(self.tr("Created %1 %2 by name.").replace("%1", f"{count:,}").replace(
                "%2", spec_for(ref_type).label_plural.lower()))
        if result.merged:
            lines.append(self.tr("Merged %n row(s) into existing records.", "", result.merged))
        if result.skipped_duplicates:
            lines.append(self.tr("Skipped %n duplicate(s).", "", result.skipped_duplicates))
        if result.skipped_bad:
            lines.append(self.tr("Left out %n row(s) with problems.", "", result.skipped_bad))
        lines.append(self.tr("They are sent to the server at the next sync."))
        self.result_label.setText("\n".join(lines))
        self.wiz.setOption(QWizard.WizardOption.NoCancelButton, True)
        types = {preview.record_type, *result.created_refs}
        self.wiz.bus.announce(types, set(result.ids))
        emit(self.wiz.imported, result)
        if self.wiz.close_when_done:
            self.wiz.done(QWizard.DialogCode.Accepted)

    def _failed(self, exc: BaseException) -> None:
        self.done = True
        self.status.clear()
        if isinstance(exc, KnownError):
            text = exc.message
            if not isinstance(exc, Cancelled):
                text += "\n" + self.tr("Nothing was imported.")
            self.result_label.setText(text)
        else:
            self.result_label.setText(self.tr("Nothing was imported."))
            report_error(exc, self)
        self.wiz.setOption(QWizard.WizardOption.NoCancelButton, True)
        if self.wiz.close_when_done:
            self.wiz.done(QWizard.DialogCode.Rejected)

    def isComplete(self) -> bool:
        return self.done


class ImportWizard(QWizard):
    imported = Signal(object)  # ImportResult

    def __init__(
        self, context: AppContext, bus: DataBus, record_type: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.context = context
        self.bus = bus
        self.record_type = record_type
        self.table: Table | None = None
        self.preview: ImportPreview | None = None
        self.close_when_done = False
        #: The type's custom fields (mapping targets), loaded by the worker; None until then.
        self.custom_fields: list[CustomFieldDef] | None = None
        spec = spec_for(record_type)
        self.setWindowTitle(self.tr("Import %1").replace("%1", spec.label_plural.lower()))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(860, 640)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.import_page = ImportPage(self)
        for page_id, page in enumerate((self.file_page, self.mapping_page, self.preview_page, self.import_page)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Close"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))
        self.preview_page.setCommitPage(True)
        run_async(context.worker, context.records.custom_fields, record_type,
                  on_done=self._custom_fields_loaded, context=self)

    def _custom_fields_loaded(self, fields: list[CustomFieldDef]) -> None:
        self.custom_fields = fields
        emit(self.file_page.completeChanged)

    def set_path(self, path: str) -> None:
        self.file_page.path.setText(path)
        self.file_page.load()

    def open_record(self, record_id: str) -> None:
        from ui.dialogs.record_form import open_record

        open_record(self.context, self.bus, self.record_type, record_id, self)

    def reject(self) -> None:
        page = self.currentPage()
        if isinstance(page, ImportPage) and page.busy:
            # Writing: stop it and wait, so the user learns whether anything
            # went in (it is all or nothing) before the wizard closes.
            page.cancel()
            page.status.setText(self.tr("Cancelling… nothing will be imported."))
            self.close_when_done = True
            return
        if isinstance(page, _TaskPage):
            page.cancel()
        super().reject()


def _number_item(value: int) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.ItemDataRole.DisplayRole, value)
    return item
