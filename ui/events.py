"""The UI's change bus: one place every view hears that data changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from crm_desktop.services.records import DataChanged
from ui.qt_compat import emit


class DataBus(QObject):
    """Carries :class:`DataChanged` from our own writes and from sync."""

    changed = Signal(object)

    def announce(self, record_types: set[str] | frozenset[str], ids: set[str] | frozenset[str] = frozenset(),
                 *, outbox: bool = True) -> None:
        emit(self.changed, DataChanged(frozenset(record_types), frozenset(ids), outbox))
