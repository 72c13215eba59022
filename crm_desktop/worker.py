"""The database worker: the one thread that touches the local store.

SQLite allows one writer at a time; funnelling every store operation (user
edits, list queries, sync pages) through one thread keeps the GUI thread free
and removes lock contention.  Callers get a :class:`concurrent.futures.Future`;
the UI turns its completion into a Qt signal (``ui/tasks.py``), the sync
engine simply waits on it from its own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger("crm.worker")

P = ParamSpec("P")
T = TypeVar("T")


class DbWorker:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-db")
        self._thread_ident: int | None = None
        self._executor.submit(self._remember_thread).result()

    def _remember_thread(self) -> None:
        self._thread_ident = threading.get_ident()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the worker and wait for it (for non-GUI threads only)."""
        if threading.get_ident() == self._thread_ident:
            return fn(*args, **kwargs)
        return self._executor.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
