"""UI figures, in a fresh process: ``python -m bench.ui PROFILE_DIR``.

* ``list_scroll_to_row_ms``: jump to a random row of the sorted list and have it
  painted with real data (median of 20).

``startup_to_window_s`` is measured on the real entry point (``bench_startup`` in
``bench/__main__.py``).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication  # noqa: E402

from crm_desktop.context import AppContext  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.models.record_list import RecordListModel  # noqa: E402


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    sys.stdout.write(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}) + "\n")


def wait_until(app: QApplication, condition, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        # Let queued signals from the worker arrive without spinning the CPU.
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def main() -> int:
    profile = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    context = AppContext.open(profile, lock=False)
    window = MainWindow(context)
    window.show_page(0)  # Contacts
    window.show()
    model = next(m for m in window.findChildren(RecordListModel) if m.record_type == "contact")

    def first_rows_filled() -> bool:
        return model.rowCount() > 0 and model.data(model.index(0, 0)) not in (None, "…")

    wait_until(app, first_rows_filled)

    view = window.contacts.findChild(QAbstractItemView)
    assert view is not None, "the contacts page has no list view"
    rng = random.Random(3)
    wait_until(app, lambda: not model.loading, 120)
    timings = []
    for _ in range(20):
        row = rng.randrange(model.rowCount())
        started = time.perf_counter()
        view.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        wait_until(app, lambda r=row: model.data(model.index(r, 0)) not in (None, "…"), 30)
        viewport = view.viewport()
        assert viewport is not None
        viewport.repaint()
        timings.append((time.perf_counter() - started) * 1000)
    emit("list_scroll_to_row_ms", statistics.median(timings), "ms", samples=len(timings),
         max=round(max(timings), 2))
    window.close()
    context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
