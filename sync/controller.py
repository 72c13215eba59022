"""Runs syncs off the GUI thread and reports their state through Qt signals.

Triggers: :meth:`sync_now` (the button), :meth:`start` (app start-up), the
network coming back (``QNetworkInformation``), and a periodic timer.  A
failed sync caused by the environment retries with exponential back-off and
jitter; a refused sign-in stops and asks the user, keeping every unsynced
change.  Uses QtCore and QtNetwork only, no widgets.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from crm_desktop.errors import KnownError
from crm_desktop.services.records import DataChanged
from sync.engine import SyncEngine
from sync.errors import Cancelled, Offline, ServerUnavailable, SignInRequired, SyncError
from sync.qt_compat import ThreadGate, emit
from sync.report import SyncReport

log = logging.getLogger("crm.sync.controller")

BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 300.0
#: What a sync changes reaches the views at most this often (the first change at once, the
#: rest merged): a sync applies a page every few tenths of a second, and every change makes
#: each open list query its table again, on the database thread that applies the pages.
CHANGES_INTERVAL_MS = 1000
#: How long :meth:`SyncController.stop` waits for its background reads (counts, last sync).
SIDE_JOIN_S = 1.0


def backoff_delay(failures: int, rng: Callable[[], float] = random.random, retry_after: float | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: a doubling window, a random
    point in its upper half ("equal jitter"), never sooner than the server asked."""
    ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * (2 ** max(0, failures - 1)))
    delay: float = ceiling / 2 + rng() * ceiling / 2
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


class SyncController(QObject):
    stateChanged = Signal(str, str)  # noqa: N815 - Qt naming
    progress = Signal(int, int)
    pendingCountChanged = Signal(int)  # noqa: N815
    conflictCountChanged = Signal(int)  # noqa: N815
    lastSyncChanged = Signal(object)  # noqa: N815
    onlineChanged = Signal(bool)  # noqa: N815
    dataChanged = Signal(object)  # noqa: N815
    signInRequired = Signal(str)  # noqa: N815
    syncFinished = Signal(object)  # noqa: N815 - SyncReport or the exception
    _finishedInThread = Signal(object)  # noqa: N815
    _changedInThread = Signal(object)  # noqa: N815
    #: A background read's callback and its result (see ``_submit_side``).
    _sideDone = Signal(object, object)  # noqa: N815

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_minutes: int = 10,
        watch_network: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.state = "idle"
        self.message = ""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-sync")
        self._running: Future[SyncReport] | None = None
        self._again = False
        self._cancel = threading.Event()
        #: Set to stop the search-index tidying that runs after a sync (``SyncEngine.tidy``).
        self._tidy_cancel = threading.Event()
        self._tidying: Future[None] | None = None
        self._failures = 0
        self._stopped = False
        #: Every emit from a background thread goes through the gate, which :meth:`stop`
        #: closes: after that no thread touches this object, so its owner may delete it.
        self._gate = ThreadGate()
        #: The background reads' threads (``_submit_side``), joined by :meth:`stop`.
        self._side_threads: set[threading.Thread] = set()
        self._finishedInThread.connect(self._on_finished)
        self._changedInThread.connect(self._on_changed)
        self._sideDone.connect(self._deliver_side)
        #: Changes waiting for ``_changes_timer`` (see ``CHANGES_INTERVAL_MS``).
        self._held_change: DataChanged | None = None
        self._changes_timer = QTimer(self)
        self._changes_timer.setSingleShot(True)
        self._changes_timer.setInterval(CHANGES_INTERVAL_MS)
        self._changes_timer.timeout.connect(self._release_changes)

        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(100)
        self._progress_timer.timeout.connect(self._poll_progress)

        self._periodic = QTimer(self)
        self._periodic.timeout.connect(self.sync_now)
        self.set_interval(interval_minutes)

        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.sync_now)

        self._network: QNetworkInformation | None = None
        if watch_network and QNetworkInformation.loadDefaultBackend():
            self._network = QNetworkInformation.instance()
            if self._network is not None:
                self._network.reachabilityChanged.connect(self._on_reachability)

    # -- public ----------------------------------------------------------------

    def set_interval(self, minutes: int) -> None:
        if minutes > 0:
            self._periodic.start(minutes * 60_000)
        else:
            self._periodic.stop()

    def start(self) -> None:
        """Report the stored state, then sync once (start-up trigger)."""
        self.refresh_counts()
        self._submit_side(
            lambda: self.engine._run_db(self.engine.replica.last_sync),
            lambda when: emit(self.lastSyncChanged, when),
        )
        emit(self.onlineChanged, self.is_online())
        self.sync_now()

    def is_online(self) -> bool:
        if self._network is None:
            return True
        return bool(self._network.reachability() != QNetworkInformation.Reachability.Disconnected)

    def is_running(self) -> bool:
        return self._running is not None

    @Slot()
    def sync_now(self) -> None:
        if self._stopped:
            return
        if self._running is not None:
            self._again = True
            return
        self._retry.stop()
        # A sync goes first: the tidying stops after its current step.
        self._tidy_cancel.set()
        self._cancel = threading.Event()
        self._set_state("syncing", "")
        emit(self.progress, 0, 0)
        self._progress_timer.start()
        cancel = self._cancel
        gate = self._gate

        def changed(event: DataChanged) -> None:
            gate.emit(self._changedInThread, event)

        future = self._executor.submit(self.engine.run, cancel, changed)
        self._running = future
        future.add_done_callback(lambda f: gate.emit(self._finishedInThread, f))

    def cancel(self) -> None:
        self._cancel.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel any sync and wait for it to end (quit, sign-out).

        Once this returns, no background thread emits on this object again, so its
        owner may delete it (a thread emitting on a deleted QObject crashes the app).
        """
        self._stopped = True
        self._cancel.set()
        self._tidy_cancel.set()
        self._changes_timer.stop()
        self._held_change = None
        self._periodic.stop()
        self._retry.stop()
        self._progress_timer.stop()
        for running in (self._running, self._tidying):
            if running is None:
                continue
            try:
                # The store may close next: a tidying step must not be running then.
                running.result(timeout=timeout)
            except Exception:  # noqa: BLE001 - already reported by _on_finished or the tidying
                pass
        # A done-callback may still be emitting the sync's end: close() waits for it.
        self._gate.close()
        self._running = self._tidying = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        # They can no longer emit. Joined briefly, so that none holds the last reference
        # to this object (it would be deleted on that thread); not long, since a read
        # may wait behind a long job on the DB worker and this runs on the GUI thread.
        deadline = time.monotonic() + min(timeout, SIDE_JOIN_S)
        for thread in self._side_threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._side_threads.clear()

    def refresh_counts(self) -> None:
        replica = self.engine.replica
        self._submit_side(
            lambda: (self.engine._run_db(replica.pending_count), self.engine._run_db(replica.conflict_count)),
            self._emit_counts,
        )

    # -- internals -------------------------------------------------------------

    def _submit_side(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run the read ``fn`` on a thread of its own (a sync may hold the sync thread)
        and call ``done`` with its result on the GUI thread."""
        if self._stopped:
            return
        gate = self._gate

        def work() -> None:
            try:
                result = fn()
            except Exception:
                if gate.is_open:  # else the store may be closing with the app: not news
                    log.exception("background read failed")
                return
            gate.emit(self._sideDone, done, result)

        self._side_threads = {thread for thread in self._side_threads if thread.is_alive()}
        thread = threading.Thread(target=work, name="crm-sync-side", daemon=True)
        self._side_threads.add(thread)
        thread.start()

    @Slot(object, object)
    def _deliver_side(self, done: Callable[[Any], None], result: Any) -> None:
        done(result)

    def _emit_counts(self, counts: tuple[int, int]) -> None:
        emit(self.pendingCountChanged, counts[0])
        emit(self.conflictCountChanged, counts[1])

    def _set_state(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        emit(self.stateChanged, state, message)

    @Slot()
    def _poll_progress(self) -> None:
        progress = self.engine.progress
        emit(self.progress, progress.done, progress.total)

    @Slot(object)
    def _on_changed(self, change: DataChanged) -> None:
        if self._changes_timer.isActive():
            self._held_change = change if self._held_change is None else self._held_change | change
            return
        emit(self.dataChanged, change)
        self._changes_timer.start()

    @Slot()
    def _release_changes(self) -> None:
        change, self._held_change = self._held_change, None
        if change is not None:
            emit(self.dataChanged, change)
            self._changes_timer.start()

    @Slot(object)
    def _on_finished(self, future: Future[SyncReport]) -> None:
        self._running = None
        self._progress_timer.stop()
        # The sync's last changes arrived before this (queued in order): the views see
        # them before they hear the sync ended, and the next sync's first change goes at once.
        self._release_changes()
        self._changes_timer.stop()
        try:
            report = future.result()
        except Cancelled:
            self._set_state("idle", "")
            emit(self.syncFinished, None)
            return
        except SignInRequired as exc:
            self._failures = 0
            self._set_state("signed_out", exc.message)
            emit(self.signInRequired, exc.message)
            emit(self.syncFinished, exc)
        except Offline as exc:
            self._failures += 1
            self._set_state("offline", exc.message)
            emit(self.onlineChanged, False)
            self._schedule_retry(None)
            emit(self.syncFinished, exc)
        except SyncError as exc:
            self._failures += 1
            log.warning("sync failed: %s (%s)", exc.message, exc.detail)
            self._set_state("error", exc.message)
            if exc.transient:
                self._schedule_retry(exc.retry_after if isinstance(exc, ServerUnavailable) else None)
            emit(self.syncFinished, exc)
        except KnownError as exc:
            self._failures += 1
            self._set_state("error", exc.message)
            emit(self.syncFinished, exc)
        except Exception as exc:  # a bug: log it whole, tell the user plainly
            self._failures += 1
            log.exception("sync failed with an unexpected error")
            self._set_state("error", "Sync failed because of a bug in the app. Details are in the log file.")
            emit(self.syncFinished, exc)
        else:
            self._failures = 0
            emit(self.onlineChanged, True)
            self._set_state("idle", "")
            emit(self.lastSyncChanged, report.finished_at)
            emit(self.syncFinished, report)
        finally:
            self.refresh_counts()
        if self._again and not self._stopped:
            self._again = False
            self.sync_now()
        elif not self._stopped:
            self._start_tidy()

    def _start_tidy(self) -> None:
        """Merge what a bulk load left of the search indexes, on the sync thread between syncs."""
        self._tidy_cancel = cancel = threading.Event()

        def tidy() -> None:
            try:
                steps = self.engine.tidy(cancel)
                if steps > 1:
                    log.info("search indexes tidied in %d steps", steps)
            except KnownError as exc:
                # The environment's (a full disk, a locked store): the next sync tries again.
                log.warning("could not tidy the search indexes: %s", exc.message)
            except Exception:
                log.exception("tidying the search indexes failed")

        self._tidying = self._executor.submit(tidy)

    def _schedule_retry(self, retry_after: float | None) -> None:
        if self._stopped:
            return
        delay = backoff_delay(self._failures, retry_after=retry_after)
        log.info("next sync attempt in %.0f s", delay)
        self._retry.start(int(delay * 1000))

    @Slot(QNetworkInformation.Reachability)
    def _on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        online = reachability != QNetworkInformation.Reachability.Disconnected
        emit(self.onlineChanged, online)
        if online:
            log.info("network is back; syncing")
            self._failures = 0
            self.sync_now()

