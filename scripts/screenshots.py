"""Take the README's screenshots of the real app.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots.py

Runs what ``crm-desktop --demo`` runs (a temporary backend on loopback with demo
data, the demo user signed in), waits for the first sync to end, then saves the
main window on a few pages to ``docs/`` (``--out DIR`` elsewhere).  Nothing here is
a test hook: the window is driven through its public methods, as a user would.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from crm_desktop.context import AppContext
from crm_desktop.keychain import MemoryTokenStore
from crm_desktop.main import _start_demo
from sync.session import SyncSession
from ui.app import install_translators, use_sensible_locale
from ui.main_window import MainWindow
from ui.navigation import CONTACTS, DASHBOARD, PIPELINE

log = logging.getLogger("screenshots")
SHOTS = {"screenshot.png": CONTACTS, "screenshot-pipeline.png": PIPELINE, "screenshot-dashboard.png": DASHBOARD}


def pump(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--every-page", action="store_true", help="also every other page, as page-N.png (to review)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    app = QApplication(sys.argv[:1])
    app.setApplicationDisplayName("CRM")
    translators = install_translators(app, use_sensible_locale())  # noqa: F841 - kept alive
    profile = Path(tempfile.mkdtemp(prefix="crm-shots-"))
    context = AppContext.open(profile)
    session = SyncSession(context, MemoryTokenStore(), profile="shots")
    backend = _start_demo(context, session, args.contacts)
    try:
        window = MainWindow(context, sync_controller=session.controller, sign_in=None, sign_out=session.sign_out)
        window.resize(1400, 860)
        window.show()
        assert session.controller is not None
        session.controller.start()
        # The first sync: wait until the controller is back to idle.
        deadline = time.monotonic() + 300
        pump(2)
        while time.monotonic() < deadline and session.controller.state == "syncing":
            pump(0.5)
        pump(3)
        # Dismiss the reminder toast of today's demo meetings, as a user would.
        for button in window.findChildren(QPushButton, "dismissReminder"):
            if button.isVisible():
                button.click()
        shots = dict(SHOTS)
        if args.every_page:
            shots.update({f"page-{n}.png": n for n in range(window.stack.count())})
        for name, page in shots.items():
            window.show_page(page)
            pump(2)
            if not window.grab().save(str(args.out / name)):
                raise SystemExit(f"could not write {args.out / name}")
            log.info("saved %s", args.out / name)
        window.close()
    finally:
        session.shutdown()
        backend.stop()
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
