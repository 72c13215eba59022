"""Running service calls on the DB worker and getting the result on the GUI thread.

``run_async(worker, fn, *args, on_done=..., on_error=..., context=widget)``
submits ``fn`` to the worker and returns its Future.  When it completes, a
small relay QObject (living on the GUI thread) emits a signal from the
future's done-callback; Qt delivers it queued, so ``on_done(result)`` or
``on_error(exc)`` always run on the GUI thread.  Results for a ``context``
object that has been destroyed meanwhile are dropped; cancelled futures too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from crm_desktop.worker import DbWorker
from ui.qt_compat import emit

log = logging.getLogger("crm.ui.tasks")


class _Relay(QObject):
    finished = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        context: QObject | None,
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._context = context
        # Always queued: a future that is already done calls back at once, in
        # the caller's thread; the result must still arrive later, from the
        # event loop (never re-entrantly, e.g. inside a model's data()).
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, future: Future[Any]) -> None:
        # Deleted here, on the GUI thread: the future's done-callback still refers to this
        # relay and may drop that last reference on the worker's thread, where deleting a
        # QObject of the GUI thread is not safe.
        self.deleteLater()
        _live.discard(self)
        if future.cancelled():
            return
        if self._context is not None and not shiboken6.isValid(self._context):
            log.debug("dropping a result for a destroyed %s", type(self._context).__name__)
            return
        exc = future.exception()
        if exc is not None:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                report_error(exc, self._context)
            return
        if self._on_done is not None:
            self._on_done(future.result())


#: Relays waiting for their future; kept alive here until delivered.
_live: set[_Relay] = set()


def run_async(
    worker: DbWorker,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    context: QObject | None = None,
    **kwargs: Any,
) -> Future[Any]:
    """Run ``fn(*args, **kwargs)`` on the worker; call back on the GUI thread."""
    future = worker.submit(fn, *args, **kwargs)
    return watch(future, on_done=on_done, on_error=on_error, context=context)


def watch(
    future: Future[Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    context: QObject | None = None,
) -> Future[Any]:
    """Call back on the GUI thread when any Future completes (e.g. sign-in)."""
    relay = _Relay(on_done, on_error, context)
    _live.add(relay)
    future.add_done_callback(lambda done: emit(relay.finished, done))
    return future


def report_error(exc: BaseException, parent: QObject | None = None) -> None:
    """Show a KnownError plainly; anything else is a bug (crash dialog)."""
    from ui.dialogs.messages import show_error

    show_error(parent, exc)
