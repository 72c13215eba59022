"""A model of one real backend and several offline clients, for hypothesis.

Shared by ``tests/sync/test_state_machine.py`` (a fixed number of examples
in CI) and ``python -m bench.soak`` (fresh seeds for as long as asked).

* The backend is the real ``crm_cloud`` served on loopback, started once and
  reused: every example resets its record tables, so examples cost only the
  work they do.  Clients get access tokens minted with the server's key, so
  no example pays for password hashing.
* Each client is the real app core in this process: its own SQLite store
  (copied from a migrated template), ``RecordService`` for user edits, and a
  ``SyncEngine`` whose HTTP goes through :class:`FaultyTransport` and whose
  store calls go through a hook that can "kill the process" at any call.
* Each laptop's clock may be set hours off (``set_clock``): the hybrid
  logical clocks of the merge see skew of up to half a day either way.
* Every value a user types is a unique token, so a value found anywhere
  (server, replica, conflict inbox) points at exactly one write.

The invariants, after every quiescent round (every client syncs twice with
no fault):

1. every replica holds exactly the server's live records, with the same data,
   and no outbox entry is left;
2. every write any client made is in the final data or in some client's
   conflict inbox, unless the same user had seen it and overwrote or deleted
   it on purpose (then it was superseded, not lost);
3. every delete is in effect, or in some conflict inbox;
4. every store passes ``PRAGMA integrity_check``;
5. every merge is in effect (the merged-away record is gone), or in some
   conflict inbox.

A write to a merged-away record counts as in the final data when the record it
was merged into (following merge chains) holds it: that is where the merge, or
the carry-over of an offline edit made before the merge arrived, put it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx
import jwt
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import create_engine, select, text

from crm_cloud.admin import create_user
from crm_cloud.core.db import Database
from crm_cloud.models import metadata as _cloud_metadata  # noqa: F401 - registers every record table
from crm_cloud.records.history import purge_history
from crm_cloud.records.tables import RECORD_TABLES
from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.keychain import MemoryTokenStore
from crm_desktop.store.db import DB_FILENAME
from crm_desktop.store.records import resolve_alias
from crm_desktop.store.schema import RECORD_MODELS, Conflict, PendingChange
from crm_protocol import hlc
from crm_protocol.records import RECORD_TYPES, ValidationFailed
from crm_protocol.wire import TokenResponse
from sync.auth import TokenManager
from sync.client import CloudClient
from sync.engine import SyncEngine
from sync.errors import SyncError
from sync.replica import Replica

log = logging.getLogger("crm.tests.machine")

SECRET_KEY = "machine-secret-" + "k" * 40
N_CLIENTS = 3
#: Small pages and batches, so a handful of records already takes several
#: pages and push rounds, and faults land between them.
PULL_LIMIT = 3
PUSH_BATCH = 3

#: Quiescent rounds in the middle of an example (one more always ends it).
MAX_ROUNDS = 1

#: The history-purge rule (once per example, after a delete).  On since the
#: merge bugs it found together with merges were fixed (a merge riding on a
#: delete of a purged record, a link through a merge chain to a purged record).
PURGE_RULE = True
#: Merges in most examples (two records of a kind from the start), made from
#: whatever version the merging client holds (stale merges: ``merge_base``).
#: On since the merge bugs it found were fixed (wt-sync4).
RICH_MERGES = True

#: Faults injected into one HTTP exchange of a sync.
HTTP_FAULTS = ("lost_request", "lost_response", "server_error", "captive_portal", "truncated", "timeout")

#: Fields a user edits in the model, per type (all plain text, so a token fits).
EDITABLE = {
    "account": ("name", "industry", "city", "notes"),
    "contact": ("first_name", "last_name", "title", "city", "notes"),
}


def event(text: str) -> None:
    """Tally an outcome in hypothesis' statistics (a no-op outside a hypothesis run)."""
    from hypothesis.control import currently_in_test_context

    if currently_in_test_context():
        hypothesis_event(text)


#: How far the clock of the client now acting is off (the model runs one client at a time).
_SKEW_MS = {"now": 0}
_REAL_WALL_MS = hlc.wall_ms


def _skewed_wall_ms() -> int:
    return _REAL_WALL_MS() + _SKEW_MS["now"]


class Crash(BaseException):
    """The client process died here (a BaseException: nothing may catch it)."""


class FaultyTransport(httpx.BaseTransport):
    """Real HTTP to the backend, with at most one fault armed per sync."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.fault: tuple[str, int] | None = None
        self.path = ""
        self.count = 0

    def arm(self, kind: str | None, at: int = 0, path: str = "") -> None:
        """Hit the ``at``-th request (counting only those whose path ends with ``path``)."""
        self.fault = (kind, at) if kind else None
        self.path = path
        self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith(self.path):
            return self._forward(request, None)
        n = self.count
        self.count += 1
        kind = self.fault[0] if self.fault is not None and self.fault[1] == n else None
        if kind == "lost_request":
            raise httpx.ConnectError("injected: the request never arrived", request=request)
        if kind == "server_error":
            return httpx.Response(503, headers={"Content-Type": "text/html", "Retry-After": "2"},
                                  content=b"<html>503 Service Unavailable</html>", request=request)
        if kind == "captive_portal":
            return httpx.Response(200, headers={"Content-Type": "text/html"},
                                  content=b"<html><body>Sign in to Airport Wi-Fi</body></html>", request=request)
        return self._forward(request, kind)

    def _forward(self, request: httpx.Request, kind: str | None) -> httpx.Response:
        response = self._inner.handle_request(request)
        body = response.read()
        response.close()
        if kind == "lost_response":
            raise httpx.ReadError("injected: connection reset after the server answered", request=request)
        if kind == "timeout":
            raise httpx.ReadTimeout("injected: the answer came too late", request=request)
        if kind == "truncated":
            body = body[: len(body) // 2]
        return httpx.Response(response.status_code,
                              headers={"Content-Type": response.headers.get("Content-Type", "")},
                              content=body, request=request)

    def close(self) -> None:
        self._inner.close()


def mint_access_token(user_id: str, secret: str = SECRET_KEY, ttl_s: int = 7 * 86400) -> str:
    """An access token exactly as the server issues it (its key is the test's)."""
    key = hmac.new(secret.encode(), b"access-token", hashlib.sha256).digest()
    now = int(time.time())
    return jwt.encode({"sub": user_id, "fam": None, "iat": now, "exp": now + ttl_s, "typ": "access"},
                      key, algorithm="HS256")


class Backend:
    """The real backend on loopback, one per test session (or soak run)."""

    def __init__(self, workdir: Path) -> None:
        from tests.sync.fixtures import CloudServer

        self.workdir = workdir
        # Every client's clock may be hours off (SimClient.skew_ms); the server's is right.
        hlc.wall_ms = _skewed_wall_ms
        self.database_url = f"sqlite:///{workdir / 'cloud.db'}"
        self.server = CloudServer(workdir, self.database_url, {"CRM_CLOUD_SECRET_KEY": SECRET_KEY})
        self.server.start()
        self.user_id = create_user(self.database_url, "machine@example.com", "Machine", "machine password")
        self._db = create_engine(self.database_url)
        # A migrated client store, copied for every client (a copy is much
        # cheaper than running the migrations again).
        self.template = workdir / "template-profile"
        AppContext.open(self.template, lock=False).close()
        self.http = httpx.Client(timeout=30)
        tokens = TokenManager(self.url, self.http, MemoryTokenStore(), "machine-observer")
        tokens.accept(token_response(self.user_id))
        self.observer = CloudClient(self.http, tokens)
        self._presync_template(tokens)

    def _presync_template(self, tokens: TokenManager) -> None:
        """Pull what every user sees from the start (seeded records) into the template once;
        each client still gets its own client id and clock."""
        context = AppContext.open(self.template, lock=False)
        try:
            replica = Replica(context.db)
            replica.bind_server(f"{self.url}|{self.user_id}")
            SyncEngine(replica, CloudClient(self.http, tokens)).run()
        finally:
            context.close()
        with sqlite3.connect(self.template / DB_FILENAME) as connection:
            connection.execute("DELETE FROM kv WHERE key IN ('sync.client_id', 'sync.hlc')")
        connection.close()

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        """Forget every record and applied change: a clean server for the next example."""
        assert RECORD_TABLES, "no record tables registered"
        with self._db.begin() as connection:
            # Only the types the model writes: seeded records (pipeline stages...) stay.
            for table in ("applied_changes", "record_exits", *(RECORD_TABLES[t].name for t in EDITABLE)):
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("UPDATE server_state SET history_horizon = 0"))

    def purge_history(self) -> int:
        """``crm-cloud history purge`` of everything written so far: every plain
        tombstone and exit goes, and every client's cursor falls below the horizon."""
        db = Database(self._db)
        with db.write() as session:
            return purge_history(session, timedelta(0), now=datetime.now(UTC) + timedelta(seconds=1)).horizon

    def server_records(self) -> dict[str, dict[str, Any]]:
        """Every live record the user sees, read through the protocol: id -> (type, data)."""
        return self.server_state()[0]

    def server_state(self) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """The live records (id -> type and data) and the merge aliases (merged-away id -> kept id)."""
        out: dict[str, dict[str, Any]] = {}
        aliases: dict[str, str] = {}
        cursor = 0
        while True:
            page = self.observer.pull(cursor, 5000)
            for record in page.records:
                if record.deleted:
                    out.pop(record.id, None)
                    if record.merged_into:
                        aliases[record.id] = record.merged_into
                else:
                    out[record.id] = {"type": record.type, **record.data}
            cursor = page.cursor
            if not page.has_more:
                return out, aliases

    def close(self) -> None:
        hlc.wall_ms = _REAL_WALL_MS
        self.http.close()
        self._db.dispose()
        self.server.stop()


def token_response(user_id: str) -> TokenResponse:
    return TokenResponse(access_token=mint_access_token(user_id), token_type="bearer", expires_in=7 * 86400,
                         refresh_token="not-used-by-the-model")


class SimClient:
    """One laptop: a store, the record service and a sync engine that can die."""

    def __init__(self, backend: Backend, name: str, folder: Path) -> None:
        self.backend = backend
        self.name = name
        self.folder = folder
        shutil.copytree(backend.template, folder)
        self.transport = FaultyTransport()
        self.http = httpx.Client(transport=self.transport, timeout=30)
        self.crash_at: int | None = None
        self.crash_after = False
        #: How far this laptop's clock is off, in ms (set by the model; hours either way).
        self.skew_ms = 0
        self.db_calls = 0
        self.crashes = 0
        self._open()

    def _open(self) -> None:
        self.context = AppContext.open(self.folder, lock=False)
        self.context.settings.user_id = self.backend.user_id
        tokens = TokenManager(self.backend.url, self.http, MemoryTokenStore(), f"machine-{self.name}")
        tokens.accept(token_response(self.backend.user_id))
        self.replica = Replica(self.context.db)
        self.replica.bind_server(f"{self.backend.url}|{self.backend.user_id}")
        self.engine = SyncEngine(self.replica, CloudClient(self.http, tokens), run_db=self._run_db,
                                 pull_limit=PULL_LIMIT, push_batch=PUSH_BATCH)

    def _run_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        n = self.db_calls
        self.db_calls += 1
        if self.crash_at is not None and n == self.crash_at:
            self.crash_at = None
            if self.crash_after:
                fn(*args)  # committed, but the process dies before it can go on
            raise Crash()
        return fn(*args)

    def restart(self) -> None:
        """What a restart after a kill does: reopen the store, new engine, same files."""
        self.crashes += 1
        self.context.close()
        self._open()
        if not self.context.db.integrity_ok():
            raise AssertionError(f"{self.name}: integrity_check failed after a crash")

    def sync(self, fault: str | None = None, at: int = 0, crash_at: int | None = None,
             crash_after: bool = False) -> str:
        """One sync; returns how it ended ("ok", an error class name or "crash")."""
        self.transport.arm(fault, at)
        self.db_calls = 0
        self.crash_at, self.crash_after = crash_at, crash_after
        _SKEW_MS["now"] = self.skew_ms
        try:
            self.engine.run()
        except Crash:
            self.restart()
            return "crash"
        except SyncError as exc:
            if fault is None and crash_at is None:
                raise AssertionError(f"{self.name}: a sync with no fault failed: {exc.message} ({exc.detail})") from exc
            if not exc.transient:
                raise AssertionError(f"{self.name}: an injected {fault} gave a non-retryable error: {exc!r}") from exc
            return type(exc).__name__
        finally:
            self.transport.arm(None)
            self.crash_at = None
            _SKEW_MS["now"] = 0
        return "ok"

    # -- reading the store ---------------------------------------------------

    def live_ids(self, record_type: str) -> list[str]:
        """Live ids in the order they arrived here; rules pick from the end, so
        small (shrunk) picks mean the newest record."""
        model = RECORD_MODELS[record_type]
        with self.context.db.session() as session:
            return list(session.execute(
                select(model.id).where(model.deleted.is_(False)).order_by(model.rid)
            ).scalars())

    def lives_on(self, record_type: str, record_id: str) -> str:
        """The id a record lives on here, after the merges this store knows of."""
        with self.context.db.session() as session:
            return resolve_alias(session, record_type, record_id) or record_id

    def live_records(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for record_type, model in RECORD_MODELS.items():
            names = RECORD_TYPES[record_type].field_names
            with self.context.db.session() as session:
                for row in session.execute(select(model).where(model.deleted.is_(False))).scalars():
                    out[row.id] = {"type": record_type, **{n: getattr(row, n) for n in names}}
        return out

    def conflict_texts(self) -> list[tuple[str, str]]:
        """(record id, every value of the conflict as JSON text) of every inbox entry, open or resolved."""
        with self.context.db.session() as session:
            return [
                (c.record_id, json.dumps([c.base_value, c.local_value, c.server_value], default=str))
                for c in session.execute(select(Conflict)).scalars()
            ]

    def outbox(self) -> list[tuple[str, str, str | None]]:
        with self.context.db.session() as session:
            return [(e.record_id, e.status, e.reject_reason) for e in session.execute(select(PendingChange)).scalars()]

    def close(self) -> None:
        self.context.close()
        self.http.close()


@dataclass
class Write:
    client: str
    record_type: str
    record_id: str
    field: str
    value: str
    superseded: bool = False


@dataclass
class World:
    """One example: the clients and everything they wrote."""

    backend: Backend
    folder: Path
    clients: list[SimClient] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)
    #: (client, type, merged-away id, kept id) of every merge a user made.
    merges: list[tuple[str, str, str, str]] = field(default_factory=list)
    tokens: itertools.count[int] = field(default_factory=itertools.count)
    refused: int = 0

    def token(self) -> str:
        # Fixed width and delimited: no token is part of another.
        return f"<w{next(self.tokens):06d}>"

    def _supersede(self, client: SimClient, record_type: str, record_id: str, fields: set[str] | None) -> None:
        """The user saw these values and replaced them: the writes behind them are not lost."""
        try:
            current = client.context.records.get(record_type, record_id).data
        except KnownError:
            return
        for write in self.writes:
            if ((fields is None or write.field in fields) and current.get(write.field) == write.value
                    and client.lives_on(record_type, write.record_id) == record_id):
                write.superseded = True

    def create(self, i: int, record_type: str, link: int | None) -> None:
        client = self.clients[i]
        _SKEW_MS["now"] = client.skew_ms
        fields: dict[str, Any] = {}
        if record_type == "account":
            fields["name"] = self.token()
        else:
            fields["first_name"] = self.token()
            accounts = client.live_ids("account")
            if link is not None and accounts:
                fields["account_id"] = accounts[-1 - link % len(accounts)]
        try:
            record_id = client.context.records.create(record_type, fields)
        except (KnownError, ValidationFailed):
            self.refused += 1
            return
        for name, value in fields.items():
            if name != "account_id":
                self.writes.append(Write(client.name, record_type, record_id, name, value))

    def edit(self, i: int, record_type: str, pick: int, field_index: int) -> None:
        client = self.clients[i]
        _SKEW_MS["now"] = client.skew_ms
        ids = client.live_ids(record_type)
        if not ids:
            return
        record_id = ids[-1 - pick % len(ids)]
        names = EDITABLE[record_type]
        name = names[field_index % len(names)]
        value = self.token()
        self._supersede(client, record_type, record_id, {name})
        try:
            client.context.records.update(record_type, record_id, {name: value})
        except (KnownError, ValidationFailed):
            self.refused += 1
            return
        self.writes.append(Write(client.name, record_type, record_id, name, value))

    def delete(self, i: int, record_type: str, pick: int) -> None:
        client = self.clients[i]
        _SKEW_MS["now"] = client.skew_ms
        ids = client.live_ids(record_type)
        if not ids:
            return
        record_id = ids[-1 - pick % len(ids)]
        self._supersede(client, record_type, record_id, None)
        try:
            client.context.records.delete(record_type, record_id)
        except KnownError:
            self.refused += 1
            return
        self.deletes.append((client.name, record_id))

    def merge(self, i: int, record_type: str, pick: int, other_pick: int, choose: int) -> None:
        """The user merges two duplicates (the merge dialog): the kept record takes,
        field by field, its own value or the other's (bit n of ``choose`` picks the
        other's value of the n-th editable field)."""
        client = self.clients[i]
        _SKEW_MS["now"] = client.skew_ms
        ids = client.live_ids(record_type)
        if len(ids) < 2 and RICH_MERGES:
            # Merge what there is two of (the rule would be a no-op too often otherwise).
            record_type = next((t for t in sorted(EDITABLE) if len(client.live_ids(t)) >= 2), record_type)
            ids = client.live_ids(record_type)
        if len(ids) < 2:
            return
        keep_id = ids[-1 - pick % len(ids)]
        rest = [x for x in ids if x != keep_id]
        other_id = rest[-1 - other_pick % len(rest)]
        try:
            keep = client.context.records.get(record_type, keep_id).data
            other = client.context.records.get(record_type, other_id).data
        except KnownError:
            return
        names = EDITABLE[record_type]
        values = {n: other.get(n) for bit, n in enumerate(names) if choose >> bit & 1 and other.get(n) != keep.get(n)}
        # What the user saw and chose against is replaced on purpose: on the kept
        # record the fields taking the other's value, on the other every field not taken.
        self._supersede(client, record_type, keep_id, set(values))
        self._supersede(client, record_type, other_id, set(names) - set(values))
        try:
            client.context.records.merge_records(record_type, keep_id, other_id, values)
        except (KnownError, ValidationFailed):
            self.refused += 1
            return
        self.merges.append((client.name, record_type, other_id, keep_id))
        event(f"merge {record_type}")

    def quiesce(self) -> None:
        for _ in range(2):
            for client in self.clients:
                client.sync()
        self.check()

    def check(self) -> None:
        server, server_aliases = self.backend.server_state()
        # A record merged before it ever reached the server has its alias only
        # on the client that merged it.  A merge the server never made (the
        # same pair merged the other way round elsewhere first) is no alias: the
        # record is live there, and its writes are in it.
        aliases = {
            **{other: kept for _who, _t, other, kept in self.merges if other not in server},
            **server_aliases,
        }
        for client in self.clients:
            assert client.context.db.integrity_ok(), f"{client.name}: integrity_check failed"
            outbox = client.outbox()
            assert not outbox, f"{client.name}: outbox not empty after a quiescent round: {outbox}"
            local = client.live_records()
            missing = sorted(set(server) - set(local))
            extra = sorted(set(local) - set(server))
            assert not missing and not extra, (
                f"{client.name} differs from the server: missing {missing}, extra {extra}")
            for record_id, data in server.items():
                assert local[record_id] == data, (
                    f"{client.name}: record {record_id} differs:\n local  {local[record_id]}\n server {data}")
        inbox = [entry for client in self.clients for entry in client.conflict_texts()]
        lost = []
        for write in self.writes:
            if write.superseded:
                continue
            # A write to a merged-away record lives on in the record it was merged into.
            final = server.get(_follow(aliases, write.record_id))
            if final is not None and final.get(write.field) == write.value:
                continue
            if any(write.value in values for _rid, values in inbox):
                continue
            lost.append(write)
        assert not lost, "writes lost (in neither the final data nor any conflict inbox):\n" + "\n".join(
            f"  {w.client} set {w.record_type} {w.record_id} {w.field}={w.value}" for w in lost)
        inbox_ids = {rid for rid, _values in inbox}
        undone = [(who, rid) for who, rid in self.deletes if rid in server and rid not in inbox_ids]
        assert not undone, f"deletes undone without a trace in any inbox: {undone}"
        # A merge is in effect: the merged-away record is gone (an alias; the kept
        # record may have been deleted since), or the user was told (an inbox entry
        # names one of the two).
        unmerged = [
            (who, other, kept) for who, _t, other, kept in self.merges
            if other in server and _follow(server_aliases, kept) != other and not {other, kept} & inbox_ids
        ]
        assert not unmerged, f"merges not in effect and not in any inbox: {unmerged}"

    def close(self) -> None:
        for client in self.clients:
            client.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _follow(aliases: dict[str, str], record_id: str) -> str:
    """The id a record lives on after merges (chains followed)."""
    seen = {record_id}
    while record_id in aliases and aliases[record_id] not in seen:
        record_id = aliases[record_id]
        seen.add(record_id)
    return record_id


class SyncMachine(RuleBasedStateMachine):
    """Random offline work and syncs, with faults, on three clients of one user."""

    backend: ClassVar[Backend]
    examples: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        self.backend.reset()
        folder = Path(tempfile.mkdtemp(prefix="machine-", dir=self.backend.workdir))
        self.world = World(self.backend, folder)
        self.rounds = 0
        self.purges = 0
        for n in range(N_CLIENTS):
            name = "abcdefgh"[n]
            self.world.clients.append(SimClient(self.backend, name, folder / name))

    @initialize(record_type=st.sampled_from(sorted(EDITABLE)))
    def start_with_records(self, record_type: str) -> None:
        # Something to edit from the first step on (with RICH_MERGES: two of a
        # kind to merge, known to every client).
        self.world.create(0, record_type, None)
        if RICH_MERGES:
            self.world.create(0, record_type, None)
            for client in self.world.clients:
                client.sync()
        else:
            self.world.clients[0].sync()

    @rule(client=st.integers(0, N_CLIENTS - 1), record_type=st.sampled_from(sorted(EDITABLE)),
          link=st.none() | st.integers(0, 50))
    def create(self, client: int, record_type: str, link: int | None) -> None:
        self.world.create(client, record_type, link)

    @rule(client=st.integers(0, N_CLIENTS - 1), record_type=st.sampled_from(sorted(EDITABLE)),
          pick=st.integers(0, 50), field_index=st.integers(0, 4))
    def edit(self, client: int, record_type: str, pick: int, field_index: int) -> None:
        self.world.edit(client, record_type, pick, field_index)

    @rule(client=st.integers(0, N_CLIENTS - 1), record_type=st.sampled_from(sorted(EDITABLE)),
          pick=st.integers(0, 50))
    def delete(self, client: int, record_type: str, pick: int) -> None:
        self.world.delete(client, record_type, pick)

    @rule(client=st.integers(0, N_CLIENTS - 1), record_type=st.sampled_from(sorted(EDITABLE)),
          pick=st.integers(0, 50), other_pick=st.integers(0, 50), choose=st.integers(0, 31))
    def merge(self, client: int, record_type: str, pick: int, other_pick: int, choose: int) -> None:
        self.world.merge(client, record_type, pick, other_pick, choose)

    @precondition(lambda self: PURGE_RULE and self.world.deletes and self.purges < 1)
    @rule()
    def purge_history(self) -> None:
        """The server drops its change history (tombstones, exits): clients behind resync in full.
        Once per example, after a delete (with nothing to purge it proves little)."""
        self.purges += 1
        self.world.backend.purge_history()
        event("history purged")

    @rule(client=st.integers(0, N_CLIENTS - 1), hours=st.integers(-12, 12))
    def set_clock(self, client: int, hours: int) -> None:
        """The laptop's clock is hours off (time zone set wrong, dead CMOS battery...)."""
        self.world.clients[client].skew_ms = hours * 3600 * 1000 + 137

    @rule(client=st.integers(0, N_CLIENTS - 1))
    def sync(self, client: int) -> None:
        self.world.clients[client].sync()

    @rule(client=st.integers(0, N_CLIENTS - 1), fault=st.sampled_from(HTTP_FAULTS), at=st.integers(0, 8))
    def sync_with_fault(self, client: int, fault: str, at: int) -> None:
        event(f"{fault}: {self.world.clients[client].sync(fault, at)}")

    @rule(client=st.integers(0, N_CLIENTS - 1), at=st.integers(0, 20), after=st.booleans())
    def sync_and_crash(self, client: int, at: int, after: bool) -> None:
        event(f"crash: {self.world.clients[client].sync(crash_at=at, crash_after=after)}")

    @precondition(lambda self: self.rounds < MAX_ROUNDS)
    @rule()
    def quiescent_round(self) -> None:
        # Checked at the end of every example too; more rounds in the middle
        # add little and cost six syncs each.
        self.rounds += 1
        self.world.quiesce()

    def teardown(self) -> None:
        try:
            self.world.quiesce()
            inbox = sum(len(c.conflict_texts()) for c in self.world.clients)
            event(f"conflicts in inboxes: {min(inbox, 3)}{'+' if inbox >= 3 else ''}")
        finally:
            self.world.close()
