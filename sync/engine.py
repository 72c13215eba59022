"""One sync: push the outbox, then pull until caught up, then check.

Runs on the sync thread; every store operation is handed to the database
worker (``run_db``), every network call goes through :class:`CloudClient`.
Progress is published through a callback and cancellation is polled between
steps, so a cancelled or killed sync leaves the store consistent: pushed
changes are answered idempotently on retry and pulled pages are committed
with their cursor.
"""

from __future__ import annotations

import functools
import gc
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from crm_desktop.services.records import DataChanged
from crm_desktop.store.pull_stage import PageStager
from crm_protocol.wire import DEFAULT_PULL_LIMIT, MAX_PUSH_BATCH, PullResponse, PushRequest
from sync.client import CloudClient, RawPage
from sync.errors import BadResponse, Cancelled
from sync.pulled import PreparedPage, prepare_pull_body, prepare_pull_page
from sync.replica import Replica
from sync.report import SyncReport

log = logging.getLogger("crm.sync.engine")

T = TypeVar("T")
RunDb = Callable[..., Any]
#: Pushing can hit a conflict, which merges and re-queues the change; a few
#: rounds settle that, and the cap stops a pathological loop.
MAX_PUSH_ROUNDS = 20
#: A pull from cursor 0 of at least this many server revisions into a store
#: holding fewer than ``BULK_LOAD_MAX_LOCAL`` rows is a bulk load: the record
#: tables' secondary indexes are built once at its end instead of row by row
#: (``crm_desktop/store/bulk_load.py``).  Below it, building them costs more
#: than it saves.
BULK_LOAD_MIN_REVISIONS = 20_000
BULK_LOAD_MAX_LOCAL = 1_000
#: The first page of a pull asks for at most this many records: the server
#: answers it sooner than a full page, so the database thread starts applying
#: while the server builds the next, full one (asked for ahead, ``_PagePipeline``).
FIRST_PAGE_LIMIT = 500
#: The interpreter's switch interval while pulling (see ``SyncEngine._pull``).
PULL_SWITCH_INTERVAL_S = 0.0005


@dataclass
class SyncProgress:
    phase: str = "idle"
    done: int = 0
    total: int = 0


@dataclass
class _BulkLoad:
    """Whether this pull dropped the record tables' secondary indexes (built again at its end),
    and what its pages changed meanwhile, told once the indexes are back."""

    active: bool = False
    held: DataChanged | None = None

    def hold(self, event: DataChanged) -> None:
        self.held = event if self.held is None else self.held | event


def _direct(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


class _PagePipeline:
    """Pulled pages fetched ahead of the database thread, in two more threads.

    While the database thread applies page N, the preparing thread parses and
    checks page N+1 and writes its rows to the stage file (``sync/pulled.py``,
    ``crm_desktop/store/pull_stage.py``), and the downloading thread already
    receives the page after when the server named it (``Link: rel="next"``),
    so the server builds a page while the app parses the one before.  sqlite3
    and socket reads release the interpreter lock, so the three overlap.

    Once the page asked for is ready, the preparing thread goes on with the
    one after it (``_chain``), so it never waits for the database thread to
    ask: a page that takes the database thread longer than usual (a commit
    that merges index segments) no longer holds the next two up.  It stays
    one page ahead of the last one asked for, so at most three pages use the
    stage at once (``pull_stage.SLOTS``): the one being applied, the one
    asked for, the one after.
    """

    def __init__(self, client: CloudClient, limit: int, stager: PageStager) -> None:
        self._client = client
        self._limit = limit
        self._stager = stager
        self._downloads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-download")
        self._prepares = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-prefetch")
        #: downloads started ahead, by cursor (used by the preparing thread only)
        self._ahead: dict[int, Future[RawPage]] = {}
        #: the page prepared ahead of the engine's asking (at most one), by cursor
        self._chained: dict[int, Future[tuple[PullResponse, PreparedPage]]] = {}
        #: the cursor the engine asked for last
        self._latest: int | None = None
        self._lock = threading.Lock()

    def request(self, cursor: int, limit: int | None = None) -> Future[tuple[PullResponse, PreparedPage]]:
        """The page after ``cursor``, parsed, checked and staged: the page without
        its records (``records`` is empty), and its records prepared.  ``limit``:
        at most this many records (else the pipeline's limit, also of the pages
        asked for ahead)."""
        with self._lock:
            self._latest = cursor
            future = self._chained.pop(cursor, None)
            # A page prepared ahead for another cursor (a restarted pull) is not wanted.
            for stale in self._chained.values():
                stale.cancel()
            self._chained.clear()
            if future is None:
                future = self._prepares.submit(self._prepare, cursor, limit or self._limit)
        future.add_done_callback(functools.partial(self._chain, cursor))
        return future

    def _chain(self, cursor: int, future: Future[tuple[PullResponse, PreparedPage]]) -> None:
        """Once the page after ``cursor`` is ready, prepare the one after it."""
        if future.cancelled() or future.exception() is not None:
            return
        page = future.result()[0]
        with self._lock:
            if cursor != self._latest or not page.has_more or page.cursor <= cursor or self._chained:
                return
            self._chained[page.cursor] = self._prepares.submit(self._prepare, page.cursor, self._limit)

    def _prepare(self, cursor: int, limit: int) -> tuple[PullResponse, PreparedPage]:
        download = self._ahead.pop(cursor, None)
        for stale in self._ahead.values():
            # A page asked for ahead that is not the one wanted (a restarted pull).
            stale.cancel()
        self._ahead.clear()
        if download is None:
            download = self._downloads.submit(self._client.pull_raw, cursor, limit)
        raw = download.result()
        if raw.next_cursor is not None:
            self._ahead[raw.next_cursor] = self._downloads.submit(
                self._client.pull_raw, raw.next_cursor, self._limit
            )
        # Column by column when the page has the usual shape; else by the schema,
        # which refuses it with the reason (sync/pulled.py).
        prepared = prepare_pull_body(raw.body, self._stager)
        if prepared is not None:
            return prepared
        page = self._client.parse_pull(raw.body)
        return page.model_copy(update={"records": []}), prepare_pull_page(page.records, self._stager)

    def __enter__(self) -> _PagePipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._prepares.shutdown(wait=True, cancel_futures=True)
            for ahead in self._ahead.values():
                ahead.cancel()
            self._downloads.shutdown(wait=True, cancel_futures=True)
        finally:
            self._stager.close()


class SyncEngine:
    def __init__(
        self,
        replica: Replica,
        client: CloudClient,
        *,
        run_db: RunDb = _direct,
        pull_limit: int = DEFAULT_PULL_LIMIT,
        push_batch: int = MAX_PUSH_BATCH,
        bulk_load_min: int = BULK_LOAD_MIN_REVISIONS,
    ) -> None:
        self.replica = replica
        self.client = client
        self._run_db = run_db
        self.pull_limit = pull_limit
        self.push_batch = push_batch
        self.bulk_load_min = bulk_load_min
        self.progress = SyncProgress()
        self._progress_lock = threading.Lock()

    def _set_progress(self, phase: str, done: int, total: int) -> None:
        with self._progress_lock:
            self.progress = SyncProgress(phase, done, total)

    def run(
        self,
        cancelled: threading.Event | None = None,
        on_changed: Callable[[DataChanged], None] | None = None,
    ) -> SyncReport:
        cancelled = cancelled or threading.Event()
        report = SyncReport()

        def check() -> None:
            if cancelled.is_set():
                raise Cancelled()

        def changed(event: DataChanged) -> None:
            report.changed |= event.record_types
            if on_changed is not None and event.record_types:
                on_changed(event)

        client_id: str = self._run_db(self.replica.client_id)
        if not self._run_db(self.replica.knows_server_time):
            # Learn the server's time before the first push, so edits made
            # offline on a laptop with a wrong clock are judged in server time.
            info = self.client.info()
            self._run_db(self.replica.observe_server, info.server_time, None)
        self._push(client_id, report, check, changed)
        self._pull(report, check, changed)
        if report.pulled or report.pushed:
            if not self._consistent():
                # The replica and the server disagree on what it should hold:
                # pull everything again (unsynced local changes are rebased,
                # never dropped) and log it so it is never silent.
                log.warning("replica check failed after sync; running a repair pull")
                self._run_db(self.replica.begin_full_resync)
                report.repaired = True
                self._pull(report, check, changed)
        try:
            # Lists show owners by name: a new or renamed user refreshes them.
            changed(self._run_db(self.replica.store_users, self.client.users()))
        except BadResponse:
            log.warning("could not refresh the user directory", exc_info=True)
        report.finished_at = self._run_db(self.replica.mark_synced)
        self._set_progress("idle", 0, 0)
        return report

    def _push(
        self,
        client_id: str,
        report: SyncReport,
        check: Callable[[], None],
        changed: Callable[[DataChanged], None],
    ) -> None:
        total = int(self._run_db(self.replica.sendable_count))
        done = 0
        # Enough rounds for the whole outbox plus the conflict rounds: a big
        # offline backlog goes in one sync, a change that never settles stops.
        rounds = MAX_PUSH_ROUNDS + -(-total // max(self.push_batch, 1))
        for _round in range(rounds):
            check()
            changes = self._run_db(self.replica.take_outbox, self.push_batch)
            if not changes:
                return
            self._set_progress("push", done, max(total, done + len(changes)))
            response = self.client.push(PushRequest(client_id=client_id, changes=changes))
            # The server's clock first: merging a conflict compares stamps in server time.
            self._run_db(self.replica.observe_server, response.server_time, response.hlc)
            event = self._run_db(self.replica.apply_push_results, changes, response.results)
            changed(event)
            done += len(changes)
            report.pushed += sum(1 for r in response.results if r.status == "applied")
            report.rejected += sum(1 for r in response.results if r.status == "rejected")
        log.warning("push did not settle after %d rounds; the rest waits for the next sync", rounds)

    def _pull(
        self, report: SyncReport, check: Callable[[], None], changed: Callable[[DataChanged], None]
    ) -> None:
        # A pulled page is hundreds of thousands of short-lived, acyclic objects
        # (freed by reference counting): the cyclic collector would only rescan
        # the whole heap every few thousand of them, a fifth of an initial
        # sync's CPU.  It runs again (and catches up) when the pull ends.
        collecting = gc.isenabled()
        gc.disable()
        # Three threads take turns on the interpreter lock (``_PagePipeline``):
        # the database thread wants it back after every SQLite statement and
        # waits until the thread parsing a page lets go, which it does only
        # every switch interval (5 ms by default).  Measured on 2 cores, a
        # tenth of that makes a first sync ~15% faster; the GUI thread gets
        # its turns sooner too.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, PULL_SWITCH_INTERVAL_S))
        bulk = _BulkLoad()
        try:
            self._pull_pages(report, check, changed, bulk)
        finally:
            sys.setswitchinterval(switch_interval)
            if collecting:
                gc.enable()
            try:
                if bulk.active:
                    # Also after a failed or cancelled pull: the lists need their
                    # indexes, and the next sync goes on from the saved cursor.
                    self._set_progress("index", 0, 0)
                    self._run_db(self.replica.end_bulk_load)
            finally:
                if bulk.held is not None:
                    changed(bulk.held)

    def tidy(self, cancelled: threading.Event | None = None) -> int:
        """Merge the search indexes a first sync's bulk load left in many segments, a step at
        a time through the database thread, so a user's action waits one step at most
        (``crm_desktop/store/bulk_load.py``); how many steps ran.  Stops when ``cancelled``
        is set (a sync wants the thread); the next call goes on where it stopped."""
        steps = 0
        while not (cancelled is not None and cancelled.is_set()):
            more = self._run_db(self.replica.tidy_search_index_step)
            steps += 1
            if not more:
                break
        return steps

    def _pull_pages(
        self, report: SyncReport, check: Callable[[], None], changed: Callable[[DataChanged], None],
        bulk: _BulkLoad,
    ) -> None:
        # The ids a full resync delivered (only then: an initial sync need not keep them).
        seen: dict[str, set[str]] | None = None
        if self._run_db(self.replica.full_resync_pending):
            # A full resync (possibly interrupted): from the start, so the
            # sweep at its end sees every record the server has.
            self._run_db(self.replica.reset_cursor)
            seen = {}
        cursor: int = self._run_db(self.replica.cursor)
        start = cursor
        # A pull from cursor 0 gets every record there is: the history horizon
        # does not concern it (its later pages' cursors are below the horizon
        # too, and restarting there would never end).  What a purge during the
        # pull takes away, the replica check at the end finds and repairs.
        from_zero = cursor == 0
        with _PagePipeline(self.client, self.pull_limit, self.replica.page_stager()) as pipeline:
            fetch = pipeline.request
            first = min(self.pull_limit, FIRST_PAGE_LIMIT)
            upcoming = fetch(cursor, first)
            while True:
                check()
                page, prepared = upcoming.result()
                behind_horizon = not from_zero and 0 < cursor < page.history_horizon
                if page.server_cursor < cursor or behind_horizon:
                    if behind_horizon:
                        # We were away longer than the server keeps its change
                        # history: deletes we never saw may have been purged.
                        log.warning("cursor %s is below the server's history horizon %s; full resync",
                                    cursor, page.history_horizon)
                        report.history_expired = True
                    else:
                        # The server was restored from an older backup: our
                        # cursor is ahead of it.
                        log.warning("server cursor %s is behind ours (%s); full resync", page.server_cursor, cursor)
                    # Start over; local changes are kept.
                    cursor = start = 0
                    from_zero = True
                    seen = {}
                    self._run_db(self.replica.begin_full_resync)
                    upcoming = fetch(cursor, first)
                    continue
                if page.cursor < cursor:
                    raise BadResponse("The server's change feed went backwards; nothing was applied.")
                if page.has_more:
                    upcoming = fetch(page.cursor)
                if (
                    cursor == 0 and page.has_more and not bulk.active
                    and page.server_cursor >= self.bulk_load_min
                    and self._run_db(self.replica.record_count) < BULK_LOAD_MAX_LOCAL
                ):
                    # A first sync of many records into an empty store.
                    self._run_db(self.replica.begin_bulk_load)
                    bulk.active = True
                # The server's clock is observed before the page's records are merged.
                clock: tuple[datetime, str | None] | None = (page.server_time, page.hlc)
                if page.revoked:
                    self._run_db(self.replica.observe_server, page.server_time, page.hlc)
                    clock = None
                    # Idempotent, so it may commit before the page and its cursor.
                    lost_event, kept, removed = self._run_db(self.replica.apply_revoked, page.revoked)
                    report.access_lost += kept
                    report.revoked += removed
                    changed(lost_event)
                event = self._run_db(self.replica.apply_pull_page, (), page.cursor, prepared, clock)
                if bulk.active:
                    # Told once, after the load: a view told now would query tables
                    # without their indexes, on the thread applying the pages.
                    bulk.hold(event)
                else:
                    changed(event)
                if seen is not None:
                    for record_type, ids in prepared.live_ids().items():
                        seen.setdefault(record_type, set()).update(ids)
                report.pulled += prepared.count
                cursor = page.cursor
                span = max(page.server_cursor - start, 1)
                self._set_progress("pull", min(cursor - start, span), span)
                if not page.has_more:
                    if seen is not None:
                        report.lost_on_server += self._run_db(self.replica.finish_full_resync, seen)
                    return

    def _consistent(self) -> bool:
        if self._run_db(self.replica.pending_count):
            # Unsynced local edits make the replica differ on purpose.
            return True
        status = self.client.status()
        if status.cursor != self._run_db(self.replica.cursor):
            # Someone wrote since our last page; the next sync will compare.
            return True
        local: dict[str, tuple[int, int]] = self._run_db(self.replica.live_counts)
        for entry in status.types:
            count, rev_sum = local.get(entry.type, (0, 0))
            if (count, rev_sum) != (entry.count, entry.rev_sum):
                log.warning(
                    "replica check: %s local=(%d, %d) server=(%d, %d)",
                    entry.type, count, rev_sum, entry.count, entry.rev_sum,
                )
                return False
        return True
