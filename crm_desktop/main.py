"""Entry point: ``crm-desktop [--data-dir DIR | --profile NAME] [--demo]``.

Builds the profile's context (store, services, settings), the sync session
(keychain, sign-in state) and hands them to the Qt UI.  This module and
``ui`` are the only ones that import widgets.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from crm_desktop import __version__
from crm_desktop.errors import KnownError
from crm_desktop.logging_setup import setup_logging
from crm_desktop.settings import default_data_dir

log = logging.getLogger("crm.main")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-desktop", description="Offline-first desktop CRM")
    parser.add_argument("--data-dir", type=Path, help="profile folder (default: the user data folder)")
    parser.add_argument("--profile", default="default", help="profile name inside the user data folder")
    parser.add_argument("--demo", action="store_true",
                        help="start a temporary local server with demo data and sign in as the demo user")
    parser.add_argument("--demo-contacts", type=int, default=3000, help=argparse.SUPPRESS)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--check-startup", action="store_true",
                        help="start, show the main window until its list is filled, then quit; writes the "
                             "moment it was ready as JSON to stdout (an install smoke test and the startup "
                             "benchmark)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _fatal(message: str, detail: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    log.error("%s (%s)", message, detail)
    app = QApplication.instance() or QApplication(sys.argv)
    box = QMessageBox(QMessageBox.Icon.Critical, "CRM", message)
    if detail:
        box.setDetailedText(detail)
    box.exec()
    del app
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    temp_profile: Path | None = None
    if args.demo and args.data_dir is None:
        temp_profile = Path(tempfile.mkdtemp(prefix="crm-demo-profile-"))
    data_dir: Path = args.data_dir or temp_profile or default_data_dir(args.profile)
    setup_logging(data_dir / "logs", args.log_level)
    log.info("crm-desktop %s starting with profile %s", __version__, data_dir)

    _import_core()
    from PySide6.QtWidgets import QApplication

    from crm_desktop.context import AppContext

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CRM")
    app.setOrganizationName("crm-desktop")

    try:
        context = AppContext.open(data_dir)
    except KnownError as exc:
        return _fatal(exc.message, exc.detail)

    demo = None
    session = None
    try:
        from crm_desktop.keychain import KeychainOrMemoryTokenStore, MemoryTokenStore, TokenStore
        from sync.session import SyncSession

        token_store: TokenStore = MemoryTokenStore() if args.demo else KeychainOrMemoryTokenStore()
        session = SyncSession(context, token_store, profile=args.profile)
        if args.demo:
            demo = _start_demo(context, session, args.demo_contacts)

        from ui.app import run

        return run(context, session=session, quit_when_ready=args.check_startup)
    except KnownError as exc:
        return _fatal(exc.message, exc.detail)
    finally:
        if session is not None:
            session.shutdown()  # the sync stopped, a sign-out's token forgotten, before the store closes
        if demo is not None:
            demo.stop()
        context.close()
        if temp_profile is not None:
            shutil.rmtree(temp_profile, ignore_errors=True)


def _import_core() -> None:
    """Import the modules that do not use Qt before PySide6 is imported.

    Importing PySide6.QtCore replaces ``builtins.__import__`` with a hook that runs
    Python code after every later import (for its ``__feature__`` switches). The
    core's few hundred modules (SQLAlchemy, the store, the services) load 0.2-0.3 s
    faster at start-up when they come first. The network stack is not needed for
    the first window: ``SyncSession.resume_later`` loads it on a thread.
    """
    import crm_desktop.context  # noqa: F401


def _start_demo(context, session, contacts: int):  # type: ignore[no-untyped-def]
    """Start the demo backend and sign the demo user in, as a browser would."""
    import httpx

    from crm_desktop.demo import DEMO_EMAIL, DEMO_PASSWORD, start_demo_backend
    from sync.auth import complete_sign_in_form

    backend = start_demo_backend(accounts=max(contacts // 5, 10), contacts=contacts)

    def open_url(url: str) -> None:
        with httpx.Client(timeout=30) as browser:
            complete_sign_in_form(browser, url, DEMO_EMAIL, DEMO_PASSWORD)

    try:
        session.sign_in(backend.url, open_url).result(timeout=60)
    except BaseException:
        backend.stop()
        raise
    session.finish_sign_in()
    return backend


if __name__ == "__main__":
    sys.exit(main())
