"""A first sync inside the app, in a fresh process: ``python -m bench.app_sync URL EMAIL WORKDIR RUNS``.

* ``initial_sync_in_app_records_per_s``: what ``initial_sync_records_per_s`` measures, but as a
  user gets it: the main window open on the contacts list, the sync run by the app's
  ``SyncController`` with the engine on the app's DB worker, the window told what each sync
  changes (so its lists reload on the same DB worker that applies the pages).  Clock from
  ``sync_now`` to ``syncFinished``; median of ``RUNS`` fresh clients against the backend at
  ``URL`` (started and seeded by ``bench/__main__.py``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.__main__ import Backend, signed_in_engine  # noqa: E402
from crm_desktop.context import AppContext  # noqa: E402
from crm_desktop.services.lists import ListSpec  # noqa: E402
from sync.controller import SyncController  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.report import SyncReport  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.models.record_list import RecordListModel  # noqa: E402


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    sys.stdout.write(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}) + "\n")


def one_sync(app: QApplication, url: str, email: str, client_dir: Path) -> dict[str, float]:
    context = AppContext.open(client_dir, lock=False)
    backend = Backend(client_dir)
    backend.url = url
    bare, http = signed_in_engine(context, backend, email)
    engine = SyncEngine(bare.replica, bare.client, run_db=context.worker.run)
    controller = SyncController(engine, interval_minutes=0, watch_network=False)
    window = MainWindow(context, sync_controller=controller)
    try:
        window.show_page(0)  # Contacts
        window.show()
        model = next(m for m in window.findChildren(RecordListModel) if m.record_type == "contact")
        reloads = {"n": 0}
        model.loaded.connect(lambda *_args: reloads.__setitem__("n", reloads["n"] + 1))
        results: list[Any] = []
        loop = QEventLoop()

        def finished_sync(result: object) -> None:
            results.append((time.perf_counter(), result))
            loop.quit()

        controller.syncFinished.connect(finished_sync)
        # The GUI thread waits in its event loop as in the app (polling it here would
        # take turns on the interpreter lock the app never takes).
        QTimer.singleShot(600_000, loop.quit)
        started, started_cpu = time.perf_counter(), time.process_time()
        controller.sync_now()
        loop.exec()
        if not results:
            raise RuntimeError("the sync did not finish within 10 minutes")
        finished, report = results[0]
        if not isinstance(report, SyncReport):
            raise RuntimeError(f"the sync failed: {report!r}")
        landed = context.worker.run(context.lists.count, ListSpec("contact"))
        return {"rate": report.pulled / (finished - started), "seconds": finished - started,
                "cpu": time.process_time() - started_cpu, "landed": landed, "list_loads": reloads["n"]}
    finally:
        controller.stop()
        window.close()
        window.deleteLater()
        app.processEvents()
        context.close()
        http.close()


def main() -> int:
    url, email, workdir, runs = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    app = QApplication(sys.argv[:1])
    syncs = [one_sync(app, url, email, workdir / f"app-client-{run}") for run in range(runs)]
    middle = sorted(syncs, key=lambda figures: figures["rate"])[len(syncs) // 2]
    emit("initial_sync_in_app_records_per_s", middle["rate"], "records/s", seconds=round(middle["seconds"], 2),
         landed=int(middle["landed"]), cpu_app_s=round(middle["cpu"], 2),
         list_loads=int(middle["list_loads"]), runs=[round(f["rate"]) for f in syncs])
    return 0


if __name__ == "__main__":
    sys.exit(main())
