"""Starting the UI: QApplication, translators, crash handler, main window."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSocketNotifier, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from ui.dialogs.crash import crash_dialog
from ui.dialogs.sign_in import SignIn
from ui.main_window import MainWindow
from ui.qt_compat import emit

log = logging.getLogger("crm.ui")

RESOURCES = Path(__file__).resolve().parent.parent / "resources"

#: Signals that end the app the way quitting does: Ctrl+C in its terminal, ``kill`` or the
#: desktop session ending, its terminal closed.
QUIT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def exit_on_signals(app: QApplication) -> Iterator[None]:
    """While inside: :data:`QUIT_SIGNALS` end the event loop, so that what follows it runs
    (the sync stopped, the store closed, a demo's backend and temporary profile removed).
    Without this Python dies at once on SIGTERM and leaves a demo's backend running.

    No question asked, unlike closing the window: unsynced changes stay in the store for
    the next start.  A second signal while shutting down acts as it would by default.

    Python runs a signal handler only when the interpreter gets control, which the Qt event
    loop may not give it for a long time: the C-level handler also writes a byte to a socket
    (``signal.set_wakeup_fd``), and a QSocketNotifier on the other end brings Python in.
    """
    if sys.platform == "win32" or QUIT_SIGNALS == () or not _is_main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    # Reading the bytes is all: the Python handler has run by the time this slot does.
    notifier.activated.connect(lambda *_args: _drain(reader))
    previous = {signum: signal.getsignal(signum) for signum in QUIT_SIGNALS}

    def handle(signum: int, _frame: object) -> None:
        log.info("%s received: quitting", signal.Signals(signum).name)
        for other in QUIT_SIGNALS:
            # A second one (the shutdown hangs, the user presses Ctrl+C again) ends the process.
            signal.signal(other, signal.SIG_DFL)
        # Through the event loop: a signal in the moment before app.exec() starts would
        # otherwise ask a loop that is not running yet to exit, and be lost.
        QTimer.singleShot(0, lambda: app.exit(128 + signum))

    old_wakeup = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        for signum in QUIT_SIGNALS:
            signal.signal(signum, handle)
        log.debug("quitting on %s", ", ".join(signal.Signals(signum).name for signum in QUIT_SIGNALS))
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back from here
                signal.signal(signum, handler)
        signal.set_wakeup_fd(old_wakeup)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()


def _drain(reader: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while reader.recv(64):
            pass


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        path = RESOURCES / "icons" / f"app-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon


def use_sensible_locale() -> QLocale:
    """The locale numbers and dates are shown in: the system's, unless it is the
    bare "C" locale (no LANG set, as in minimal sessions and some remote
    desktops), which writes 1234567.00 and "25 11 2026"; then US English."""
    if QLocale().language() == QLocale.Language.C:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    return QLocale()


def install_translators(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Qt's own translations plus ours (resources/translations/crm_<lang>.qm)."""
    locale = locale or QLocale()
    installed: list[QTranslator] = []
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    ours = QTranslator(app)
    folder = str(RESOURCES / "translations")
    # Untranslated languages fall back to English (for its plural forms).
    if ours.load(locale, "crm", "_", folder) or ours.load("crm_en", folder):
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


class _GuiCall(QObject):
    """Runs a callable on the GUI thread (queued from a worker thread)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(lambda fn: fn())


def _session_sign_in(session: Any) -> SignIn:
    """Sign in through the session; the sync controller is started on the GUI thread."""
    relay = _GuiCall()

    def sign_in(server_url: str, open_url: Callable[[str], None]) -> Future[str]:
        outer: Future[str] = Future()
        inner: Future[str] = session.sign_in(server_url, open_url)

        def finish() -> None:
            try:
                email = inner.result()
                session.finish_sign_in()
            except BaseException as exc:  # noqa: BLE001 - handed to the dialog
                outer.set_exception(exc)
            else:
                outer.set_result(email)

        inner.add_done_callback(lambda _f: emit(relay.call, finish))
        return outer

    return sign_in


def _when_list_ready(window: MainWindow, then: Callable[[], None]) -> None:
    """Call ``then`` once the list on screen has its first rows (or is known to be
    empty, or failed to load: ``loadingChanged``, not ``loaded``)."""
    model = window.current_list_model()
    if model.loading:
        model.loadingChanged.connect(lambda _loading: then(), Qt.ConnectionType.SingleShotConnection)
    else:
        QTimer.singleShot(0, then)


def _report_ready_and_quit(app: QApplication, window: MainWindow) -> None:
    """``--check-startup``: paint, write ``{"ready_at": <epoch seconds>, "rows": N}``, quit."""
    window.repaint()
    rows = window.current_list_model().rowCount()
    sys.stdout.write(json.dumps({"ready_at": time.time(), "rows": rows}) + "\n")
    sys.stdout.flush()
    app.quit()


def run(
    context: AppContext,
    *,
    sync_controller: Any = None,
    sign_in: SignIn | None = None,
    sign_out: Callable[[], None] | None = None,
    demo: bool = False,
    session: Any = None,
    quit_when_ready: bool = False,
) -> int:
    """Show the main window for ``context`` and run the event loop; returns the exit code.

    With a ``session`` (a ``sync.session.SyncSession``), sign-in, sign-out and the sync
    controller come from it, and the window follows its controller as it changes.
    """
    if session is not None:
        sync_controller = session.controller
        sign_in = _session_sign_in(session)
        sign_out = session.sign_out
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("crm-desktop")
    app.setApplicationDisplayName(QApplication.translate("App", "CRM"))
    app.setWindowIcon(app_icon())
    translators = install_translators(app, use_sensible_locale())
    window = MainWindow(context, sync_controller=sync_controller, sign_in=sign_in, sign_out=sign_out)
    if session is not None:
        session.controllerChanged.connect(window.set_sync_controller)
        session.keychainProblem.connect(lambda message: window.statusBar().showMessage(message, 30_000))
        if session.controller is not None:
            session.controller.start()
    previous_hook = sys.excepthook
    sys.excepthook = make_excepthook(window)
    try:
        if demo:
            from ui.demo import seed_demo

            seed_demo(window)
        window.show()
        if quit_when_ready:
            _when_list_ready(window, lambda: _report_ready_and_quit(app, window))
        elif session is not None:
            # Once the list on screen has its first rows: the remembered sign-in (an
            # HTTP client, the sync controller, the first sync) and a look at the
            # keychain (keyring's backend detection is 0.1-0.2 s of CPU), neither of
            # which the first paint needs.
            _when_list_ready(window, session.resume_later)
        with exit_on_signals(app):
            return app.exec()
    finally:
        sys.excepthook = previous_hook
        for translator in translators:
            app.removeTranslator(translator)
