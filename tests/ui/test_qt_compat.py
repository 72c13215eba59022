"""The emit() work-around keeps True's reference count intact."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from ui.qt_compat import emit


class _Source(QObject):
    fired = Signal(object)


def test_many_emits_leave_true_alone() -> None:
    source = _Source()
    got: list[int] = []
    source.fired.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(source.fired, i)
    assert len(got) == 5000
    assert abs(sys.getrefcount(True) - before) < 50
