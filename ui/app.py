"""Starting the UI: QApplication, translators, crash handler, main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from ui.dialogs.crash import crash_dialog
from ui.dialogs.sign_in import SignIn
from ui.main_window import MainWindow

log = logging.getLogger("crm.ui")

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        path = RESOURCES / "icons" / f"app-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon


def install_translators(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Qt's own translations plus ours (resources/translations/crm_<lang>.qm)."""
    locale = locale or QLocale()
    installed: list[QTranslator] = []
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    ours = QTranslator(app)
    if ours.load(locale, "crm", "_", str(RESOURCES / "translations")):
        app.installTranslator(ours)
        installed.append(ours)
    return installed


def log_file() -> Path | None:
    for handler in logging.getLogger().handlers:
        name = getattr(handler, "baseFilename", None)
        if name:
            return Path(name)
    return None


def make_excepthook(window: QWidget | None) -> Callable[[type[BaseException], BaseException,
                                                         TracebackType | None], None]:
    dialogs: list[QMessageBox] = []

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, KnownError):
            log.warning("error shown to the user: %s", exc.message)
            box = QMessageBox(QMessageBox.Icon.Warning, QApplication.translate("App", "Something went wrong"),
                              exc.message, QMessageBox.StandardButton.Ok, window)
        else:
            log.error("unexpected error", exc_info=(exc_type, exc, tb))
            box = crash_dialog(exc_type, exc, tb, log_file(), window)
        dialogs.append(box)
        box.finished.connect(lambda _r: dialogs.remove(box))
        box.open()

    return hook


def run(
    context: AppContext,
    *,
    sync_controller: Any = None,
    sign_in: SignIn | None = None,
    sign_out: Callable[[], None] | None = None,
    demo: bool = False,
) -> int:
    """Show the main window for ``context`` and run the event loop; returns the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("crm-desktop")
    app.setApplicationDisplayName(QApplication.translate("App", "CRM"))
    app.setWindowIcon(app_icon())
    translators = install_translators(app)
    window = MainWindow(context, sync_controller=sync_controller, sign_in=sign_in, sign_out=sign_out)
    previous_hook = sys.excepthook
    sys.excepthook = make_excepthook(window)
    try:
        if demo:
            from ui.demo import seed_demo

            seed_demo(window)
        window.show()
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        for translator in translators:
            app.removeTranslator(translator)
