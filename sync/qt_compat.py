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
