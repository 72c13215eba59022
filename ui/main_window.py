"""The main window: navigation, pages, File menu and status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.services.exports import ExportFormat
from crm_desktop.services.records import DataChanged
from ui.dialogs import messages
from ui.dialogs.global_search import GlobalSearchDialog
from ui.dialogs.record_form import open_record
from ui.dialogs.setup import SetupDialog
from ui.dialogs.sign_in import SignIn, SignInDialog
from ui.events import DataBus
from ui.models.record_list import RecordListModel
from ui.navigation import ACCOUNTS, CONFLICTS, CONTACTS, PENDING, RECORD_PAGES, groups, page_label
from ui.pages.conflicts import ConflictsPage
from ui.pages.factory import make_list_page
from ui.pages.pending import PendingPage
from ui.pages.record_list import RecordListPage
from ui.qt_compat import emit
from ui.status_bar import StatusBar
from ui.tasks import report_error, run_async
from ui.workspace import Workspace

log = logging.getLogger("crm.ui.main")

__all__ = ["ACCOUNTS", "CONFLICTS", "CONTACTS", "PENDING", "MainWindow"]


def _counts(context: AppContext) -> tuple[int, int]:
    return context.records.pending_count(), context.records.open_conflict_count()


class MainWindow(QMainWindow):
    def __init__(
        self,
        context: AppContext,
        *,
        sync_controller: Any = None,
        sign_in: SignIn | None = None,
        sign_out: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.context = context
        self.bus = DataBus(self)
        self._sign_in = sign_in
        self._sign_out = sign_out
        self._controller: Any = None
        self._after_sync: Callable[[], None] | None = None
        self._quitting = False
        self._global_search: GlobalSearchDialog | None = None
        self.resize(1280, 800)

        self.pending = PendingPage(context, self.bus, self)
        self.conflicts = ConflictsPage(context, self.bus, self)
        self.record_pages: dict[int, RecordListPage] = {
            number: make_list_page(context, self.bus, record_type, self)
            for number, record_type in RECORD_PAGES.items()
        }
        self.contacts = self.record_pages[CONTACTS]
        self.accounts = self.record_pages[ACCOUNTS]
        self.workspace = Workspace(self)
        self.stack = QStackedWidget(self)
        pages: dict[int, QWidget] = {**self.record_pages, **self.workspace.pages, PENDING: self.pending,
                                     CONFLICTS: self.conflicts}
        for number in sorted(pages):
            self.stack.addWidget(pages[number])

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet(
            "QListWidget { border: none; background: palette(window); padding-top: 8px; }"
            "QListWidget::item { padding: 8px 10px; border-radius: 4px; margin: 1px 6px; }"
            "QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }"
        )
        # Pages grouped by module under non-selectable headings.
        style = self.style()
        icons = {CONTACTS: style.StandardPixmap.SP_DirHomeIcon, PENDING: style.StandardPixmap.SP_BrowserReload,
                 CONFLICTS: style.StandardPixmap.SP_MessageBoxWarning}
        self._nav_rows: dict[int, int] = {}
        self._row_pages: dict[int, int] = {}
        heading_font = self.nav.font()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 0.9)
        for group in groups():
            heading = QListWidgetItem(group.title, self.nav)
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            heading.setFont(heading_font)
            for number in group.pages:
                item = QListWidgetItem(style.standardIcon(icons.get(number, style.StandardPixmap.SP_DirIcon)),
                                       page_label(number), self.nav)
                item.setData(Qt.ItemDataRole.UserRole, number)
                self._nav_rows[number] = self.nav.row(item)
                self._row_pages[self.nav.row(item)] = number
        self.nav.currentRowChanged.connect(self._nav_row_changed)

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.status.pendingClicked.connect(lambda: self.show_page(PENDING))
        self.status.conflictsClicked.connect(lambda: self.show_page(CONFLICTS))
        self.status.signInClicked.connect(self.sign_in)

        self._build_menu()
        self._pending_count = 0
        self._conflict_count = 0
        self.bus.changed.connect(self._data_changed)
        self.set_sync_controller(sync_controller)
        self.show_page(CONTACTS)
        self.refresh_counts()
        self._update_title()

    # -- building ------------------------------------------------------------

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.sign_in_action = QAction(self.tr("Sign in…"), self)
        self.sign_in_action.triggered.connect(self.sign_in)
        self.sign_out_action = QAction(self.tr("Sign out"), self)
        self.sign_out_action.setObjectName("signOut")
        self.sign_out_action.triggered.connect(self.sign_out)
        self.sync_action = QAction(self.tr("Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.sync_now)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(self.sync_action)
        file_menu.addSeparator()
        self.import_action = QAction(self.tr("Import into this list…"), self)
        self.import_action.setObjectName("fileImport")
        self.import_action.triggered.connect(lambda: self._current_list_call("import_file"))
        self.export_action = QAction(self.tr("Export this list as CSV…"), self)
        self.export_action.setObjectName("fileExport")
        self.export_action.triggered.connect(lambda: self._current_list_call("export", ExportFormat.CSV))
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.setup_action = QAction(self.tr("Setup: stages, service levels, custom fields…"), self)
        self.setup_action.setObjectName("fileSetup")
        self.setup_action.triggered.connect(self.open_setup)
        file_menu.addAction(self.setup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_in_action)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        # Ctrl+K: search every record type (a QShortcut, so it works whatever has focus in the window).
        self.global_search_shortcut = QShortcut(QKeySequence("Ctrl+K"), self)
        self.global_search_shortcut.activated.connect(self.open_global_search)
        find = QAction(self.tr("Find"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        order = [number for group in groups() for number in group.pages if number not in (PENDING, CONFLICTS)]
        for number, page in enumerate([*order, PENDING, CONFLICTS][:9], start=1):
            go = QAction(self)
            go.setShortcut(QKeySequence(f"Ctrl+{number}"))
            go.triggered.connect(lambda _c=False, p=page: self.show_page(p))
            self.addAction(go)

    def _update_nav(self) -> None:
        counts = {PENDING: self._pending_count, CONFLICTS: self._conflict_count}
        for page, count in counts.items():
            item = self.nav_item(page)
            item.setText(page_label(page) + (f"  ({count})" if count else ""))

    def nav_item(self, page: int) -> QListWidgetItem:
        """The navigation entry of a page."""
        item = self.nav.item(self._nav_rows[page])
        assert item is not None
        return item

    def _nav_row_changed(self, row: int) -> None:
        page = self._row_pages.get(row)
        if page is not None:
            self.stack.setCurrentIndex(page)

    def _update_title(self) -> None:
        email = self.context.settings.user_email
        base = self.tr("CRM")
        self.setWindowTitle(f"{base} — {email}" if email and self._controller is not None else base)
        signed_in = self._controller is not None
        self.sign_in_action.setVisible(not signed_in)
        self.sign_out_action.setVisible(signed_in and self._sign_out is not None)
        self.sync_action.setEnabled(signed_in)

    # -- navigation ----------------------------------------------------------

    def show_page(self, page: int) -> None:
        self.nav.setCurrentRow(self._nav_rows[page])
        widget = self.stack.widget(page)
        if isinstance(widget, RecordListPage):
            widget.table.setFocus()

    def current_list_model(self) -> RecordListModel:
        """The model of the list page on screen (contacts if another page is)."""
        widget = self.stack.currentWidget()
        return (widget if isinstance(widget, RecordListPage) else self.contacts).model

    def _current_list_call(self, method: str, *args: Any) -> None:
        """Import / export act on the list page on screen (contacts if another page is)."""
        widget = self.stack.currentWidget()
        page = widget if isinstance(widget, RecordListPage) else self.contacts
        getattr(page, method)(*args)

    def open_global_search(self) -> GlobalSearchDialog:
        if self._global_search is None:
            self._global_search = GlobalSearchDialog(self.context, self)
            self._global_search.openRecord.connect(self._open_found_record)
        self._global_search.start()
        return self._global_search

    def open_setup(self) -> SetupDialog:
        """Pipeline stages, service levels and custom fields (changed by administrators)."""
        dialog = SetupDialog(self.context, self.bus, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _open_found_record(self, record_type: str, record_id: str) -> None:
        open_record(self.context, self.bus, record_type, record_id, self)

    def _focus_search(self) -> None:
        widget = self.stack.currentWidget()
        if isinstance(widget, RecordListPage):
            widget.focus_search()

    # -- sync controller -----------------------------------------------------

    def set_sync_controller(self, controller: Any) -> None:
        """Bind to a sync controller (after sign-in), or None (signed out)."""
        if self._controller is not None:
            for name, slot in self._controller_slots():
                try:
                    getattr(self._controller, name).disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self._controller = controller
        self.status.bind(controller)
        if controller is not None:
            for name, slot in self._controller_slots():
                getattr(controller, name).connect(slot)
        self._update_title()

    def _controller_slots(self) -> list[tuple[str, Any]]:
        return [
            ("dataChanged", self._forward_data_changed),
            ("signInRequired", self._sign_in_required),
            ("stateChanged", self._sync_state),
            ("pendingCountChanged", self._set_pending),
            ("conflictCountChanged", self._set_conflicts),
        ]

    def _forward_data_changed(self, change: DataChanged) -> None:
        emit(self.bus.changed, change)

    def sync_now(self) -> None:
        if self._controller is not None:
            self._controller.sync_now()

    def _sync_state(self, state: str, message: str) -> None:
        if self._after_sync is None or state == "syncing":
            return
        then, self._after_sync = self._after_sync, None
        if state == "idle":
            then()
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Sync did not finish"),
                              self.tr("The sync did not finish, so your changes are still only on this "
                                      "computer.") + (f"\n\n{message}" if message else ""),
                              QMessageBox.StandardButton.Ok, self)
            box.open()

    def _sign_in_required(self, message: str) -> None:
        self.status.set_state("signed_out", message)
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Sign in again"),
                          message or self.tr("Your session has ended. Sign in again to keep syncing."),
                          QMessageBox.StandardButton.Ok, self)
        box.finished.connect(lambda _r: self.sign_in())
        box.open()

    # -- counts ----------------------------------------------------------------

    def refresh_counts(self) -> None:
        run_async(self.context.worker, _counts, self.context,
                  on_done=lambda counts: self._show_counts(*counts), context=self)

    def _show_counts(self, pending: int, conflicts: int) -> None:
        self._set_pending(pending)
        self._set_conflicts(conflicts)

    def _set_pending(self, count: int) -> None:
        self._pending_count = count
        self.status.set_pending_count(count)
        self._update_nav()

    def _set_conflicts(self, count: int) -> None:
        self._conflict_count = count
        self.status.set_conflict_count(count)
        self._update_nav()

    def _data_changed(self, _change: DataChanged) -> None:
        self.refresh_counts()

    # -- signing in and out ----------------------------------------------------

    def sign_in(self) -> SignInDialog | None:
        if self._sign_in is None:
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Sign in"),
                              self.tr("Signing in is not available in this build."),
                              QMessageBox.StandardButton.Ok, self)
            box.open()
            return None
        dialog = SignInDialog(self._sign_in, self.context.settings.server_url, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signedIn.connect(self._signed_in)
        dialog.open()
        return dialog

    def _signed_in(self, email: str) -> None:
        self.status.showMessage(self.tr("Signed in as %1").replace("%1", email), 8000)
        self._update_title()
        self.bus.announce(set(RECORD_PAGES.values()))

    def sign_out(self) -> None:
        if self._pending_count > 0 and self._controller is not None:
            choice = messages.choose(
                self, self.tr("Sign out"),
                self.tr("%n change(s) are not synced yet. They stay on this computer and are sent when "
                        "you sign in again.", "", self._pending_count),
                [("sync", self.tr("Sync first")), ("anyway", self.tr("Sign out anyway"))],
            )
            if choice is None:
                return
            if choice == "sync":
                self._after_sync = self._do_sign_out
                self.sync_now()
                return
        self._do_sign_out()

    def _do_sign_out(self) -> None:
        if self._sign_out is None:
            return
        try:
            self._sign_out()
        except KnownError as exc:
            report_error(exc, self)
            return
        log.info("signed out")
        self.set_sync_controller(None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self._pending_count > 0 and self._controller is not None:
            choice = messages.choose(
                self, self.tr("Quit"),
                self.tr("%n change(s) are not synced yet. They are kept on this computer and sent at "
                        "the next sync.", "", self._pending_count),
                [("sync", self.tr("Sync first")), ("anyway", self.tr("Quit anyway"))],
            )
            if choice is None:
                event.ignore()
                return
            if choice == "sync":
                event.ignore()
                self._after_sync = self._quit_now
                self.sync_now()
                return
        event.accept()

    def _quit_now(self) -> None:
        self._quitting = True
        self.close()
