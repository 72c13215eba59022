"""Work-arounds for bugs of the Qt binding.

PySide6 6.12 on Python 3.11: ``SignalInstance.emit()`` returns ``True``
without owning a reference to it, so each emit from Python drops one
reference of ``True``; after a few thousand emits the interpreter aborts
("Fatal Python error: bool_dealloc").  ``emit()`` below gives the missing
reference back, only when a one-time probe shows the binding has the bug.
Every emit from Python code in ``ui`` goes through it.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("crm.ui.qt")

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    fired = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(4):
        probe.fired.emit()
    leaked = sys.getrefcount(True) - before
    if leaked < 0:
        for _ in range(-leaked):
            _incref(True)  # undo the probe's own damage
        log.info("Signal.emit drops a reference to True: compensating (PySide bug)")
        return True
    return False


_LEAKY = _emit_drops_a_reference()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, safe from the binding's reference bug."""
    result = signal.emit(*args)
    if _LEAKY and isinstance(result, bool):
        _incref(result)


class ThreadGate:
    """Lets background threads emit a QObject's signals only while its owner keeps it.

    A thread that emits on a QObject the GUI thread has just deleted crashes the
    process: PySide's "already deleted" check is not atomic with the emit, and the
    queued event may be posted for freed memory. So an object whose threads emit
    on it closes its gate (in its ``stop``/``shutdown``) before it may be deleted;
    a thread emits only while holding the gate, so once :meth:`close` has returned,
    no thread touches the object again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = True

    @property
    def is_open(self) -> bool:
        return self._open

    def emit(self, signal: Any, *args: Any) -> bool:
        """Emit ``signal(*args)`` (queued to the GUI thread) unless the gate is closed."""
        with self._lock:
            if not self._open:
                return False
            emit(signal, *args)
            return True

    def close(self) -> None:
        """No emit after this returns; waits for one in progress."""
        with self._lock:
            self._open = False
