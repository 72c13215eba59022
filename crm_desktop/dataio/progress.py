"""Progress of a long import or export, published by the worker and polled by the UI.

The worker thread updates a :class:`Progress`; the GUI polls :meth:`snapshot`
about every 100 ms and may call :meth:`cancel`, which the worker notices at
its next :meth:`check` (between chunks, never in the middle of a row).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from crm_desktop.errors import KnownError


class Cancelled(KnownError):
    """The user cancelled; whatever was being written has been undone."""


@dataclass(frozen=True)
class ProgressSnapshot:
    phase: str
    done: int
    total: int


class Progress:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._phase = ""
        self._done = 0
        self._total = 0
        self._cancel = threading.Event()

    def update(self, done: int, total: int | None = None, phase: str | None = None) -> None:
        with self._lock:
            self._done = done
            if total is not None:
                self._total = total
            if phase is not None:
                self._phase = phase

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            return ProgressSnapshot(self._phase, self._done, self._total)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self, message: str = "Cancelled.") -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled(message)
