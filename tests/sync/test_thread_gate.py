"""Background threads never emit on a QObject that its owner has stopped and may delete
(``sync/qt_compat.py:ThreadGate``): with PySide that crashes the process (a full test
run died with a segmentation fault when a sync controller was deleted while one of its
background reads was still finishing)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sync.controller import SyncController

STRESS = textwrap.dedent(
    """
    import random, threading, time
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    from sync.qt_compat import ThreadGate

    class Owner(QObject):
        done = Signal(object)

        def __init__(self):
            super().__init__()
            self.gate = ThreadGate()
            self.child = QObject(self)
            self.heard = 0
            self.done.connect(self.hear)

        def hear(self, value):
            self.heard += 1

    app = QCoreApplication([])
    emitted = 0
    for _ in range(3000):
        owner = Owner()
        gate, signal = owner.gate, owner.done

        def work():
            global emitted
            time.sleep(random.random() * 0.0002)
            emitted += gate.emit(signal, (1, 2))

        thread = threading.Thread(target=work)
        thread.start()
        time.sleep(random.random() * 0.0002)
        owner.gate.close()
        del owner  # the C++ object goes now, maybe before the thread's turn
        app.processEvents()
        thread.join()
        app.processEvents()
    print("emitted", emitted)
    """
)


def test_threads_emitting_through_the_gate_never_touch_a_deleted_object() -> None:
    # In a child process: without the gate this crashes it (SIGSEGV) within a few hundred rounds.
    done = subprocess.run(
        [sys.executable, "-c", STRESS],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("emitted ")


def test_a_gate_once_closed_drops_emits_and_waits_for_one_in_progress(qtbot: Any) -> None:
    from PySide6.QtCore import QObject, Signal

    from sync.qt_compat import ThreadGate

    class Source(QObject):
        fired = Signal(object)

    source, gate = Source(), ThreadGate()
    heard: list[object] = []
    source.fired.connect(heard.append)
    assert gate.emit(source.fired, 1) and heard == [1]
    gate.close()
    assert not gate.is_open
    assert not gate.emit(source.fired, 2) and heard == [1]


class _SlowReads:
    """The little of a SyncEngine that the controller's background reads use; each read
    waits for ``release`` (as behind a long step on the DB worker)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reads = 0
        self.replica = SimpleNamespace(pending_count=lambda: 3, conflict_count=lambda: 1, last_sync=lambda: None)

    def _run_db(self, fn: Any) -> Any:
        self.release.wait(10)
        self.reads += 1
        return fn()


def test_a_stopped_controller_hears_nothing_from_a_read_that_ends_later_and_can_be_deleted(qtbot: Any) -> None:
    engine = _SlowReads()
    controller = SyncController(engine, interval_minutes=0, watch_network=False)  # type: ignore[arg-type]
    heard: list[int] = []
    controller.pendingCountChanged.connect(heard.append)
    controller.refresh_counts()
    started = time.monotonic()
    controller.stop(timeout=0.2)  # the read is still waiting: stop does not wait long for it
    assert time.monotonic() - started < 5
    side_threads = [t for t in threading.enumerate() if t.name == "crm-sync-side"]
    engine.release.set()
    for thread in side_threads:
        thread.join(10)
    assert engine.reads == 2  # the read ended...
    del controller  # ...and its owner deleted the controller: no crash, nothing heard
    qtbot.wait(50)
    assert heard == []


def test_a_running_controller_still_delivers_its_background_reads(qtbot: Any) -> None:
    engine = _SlowReads()
    engine.release.set()
    controller = SyncController(engine, interval_minutes=0, watch_network=False)  # type: ignore[arg-type]
    heard: list[tuple[str, int]] = []
    controller.pendingCountChanged.connect(lambda count: heard.append(("pending", count)))
    controller.conflictCountChanged.connect(lambda count: heard.append(("conflicts", count)))
    try:
        with qtbot.waitSignal(controller.conflictCountChanged):
            controller.refresh_counts()
        assert heard == [("pending", 3), ("conflicts", 1)]
    finally:
        controller.stop()
