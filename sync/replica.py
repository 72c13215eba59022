"""The store side of sync: take changes out of the outbox, put server data in.

Every method is one transaction.  A pulled page and the cursor after it are
committed together, so an interrupted sync resumes where it stopped and never
applies a page twice; an outbox entry is frozen (``in_flight``) and committed
before it is sent, so a lost response is answered by resending exactly the
same change with the same change id.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.orm import Session

from crm_desktop.clock import client_id as stored_client_id
from crm_desktop.clock import knows_server_time, now_bound, observe_server
from crm_desktop.conflict_policy import DEFAULT_POLICY, ConflictPolicy, DeleteRule
from crm_desktop.ids import new_id
from crm_desktop.services.records import DataChanged, kv_get, kv_set
from crm_desktop.store import history, pull_stage
from crm_desktop.store.db import Database
from crm_desktop.store.pull_stage import PageStager
from crm_desktop.store.records import (
    add_alias,
    get_row,
    model_for,
    now,
    repoint_refs,
    row_data,
    set_row_data,
)
from crm_desktop.store.schema import (
    FTS_TABLES,
    RECORD_MODELS,
    Conflict,
    PendingChange,
    RecordAlias,
    User,
)
from crm_desktop.store.search_index import bulk_indexing
from crm_protocol.hlc import DEFAULT_KEY, cap_stamp, is_stamp
from crm_protocol.records import RECORD_TYPES, FieldKind, check_wire_data
from crm_protocol.wire import (
    Change,
    ChangeOp,
    ChangeResult,
    ChangeStatus,
    RecordState,
    RevokedRecord,
    UserOut,
)
from sync.errors import BadResponse
from sync.merge import three_way_merge
from sync.pulled import PreparedPage, TypeBatch, prepare_pull_page

log = logging.getLogger("crm.sync.replica")

CURSOR_KEY = "sync.cursor"
CLIENT_ID_KEY = "sync.client_id"
LAST_SYNC_KEY = "sync.last_success"
SERVER_KEY = "sync.server"
FULL_RESYNC_KEY = "sync.full_resync"
_TYPE_ORDER = {name: i for i, name in enumerate(RECORD_TYPES)}


@functools.cache
def _temp_stage(record_type: str) -> tuple[str, str]:
    """(name, CREATE) of the connection's own staging table of ``record_type``:
    for pages applied without the stage file (no :class:`PageStager`)."""
    table_name = RECORD_MODELS[record_type].__tablename__
    staged = pull_stage.staged_columns(record_type)
    return (
        f"temp.stage_{table_name}",
        f"CREATE TEMP TABLE IF NOT EXISTS stage_{table_name} ({', '.join(staged)})",
    )


@functools.cache
def _upsert_sql(record_type: str, source: str) -> str:
    """Move the staged rows of ``source`` into ``record_type``'s table: one statement,
    one step of SQLite, which runs without the interpreter lock."""
    table_name = RECORD_MODELS[record_type].__tablename__
    carried = pull_stage.row_columns(record_type)
    filled = pull_stage.FILLED_COLUMNS
    columns = (*carried, *(name for name, _ in filled))
    updated = [c for c in columns if c not in ("id", "created_at")]
    selected = ", ".join((*carried, *(expr for _, expr in filled)))
    # "WHERE true": an upsert's SELECT needs a WHERE clause to parse.
    return (
        f"INSERT INTO {table_name} ({', '.join(columns)}) SELECT {selected} FROM {source} WHERE true "
        f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in updated)}"
    )


class Replica:
    def __init__(self, db: Database, *, policy: Callable[[], ConflictPolicy] = lambda: DEFAULT_POLICY) -> None:
        self._db = db
        #: Read at every merge, so a rule changed in the settings applies at once.
        self._policy = policy

    # -- bookkeeping ---------------------------------------------------------

    def client_id(self) -> str:
        with self._db.session() as session:
            return stored_client_id(session)

    def knows_server_time(self) -> bool:
        with self._db.session() as session:
            return knows_server_time(session)

    def observe_server(self, server_time: datetime, hlc: str | None) -> None:
        """Keep the server's clock offset and move our clock past its stamps."""
        with self._db.session() as session:
            observe_server(session, server_time, hlc)

    def cursor(self) -> int:
        with self._db.session() as session:
            return int(kv_get(session, CURSOR_KEY, 0))

    def bind_server(self, server_key: str) -> None:
        """Remember which server and user this replica mirrors.

        Signing in to a different server or as a different user starts from
        cursor 0 (a full pull); local unsynced changes stay queued.
        """
        with self._db.session() as session:
            if kv_get(session, SERVER_KEY) != server_key:
                kv_set(session, SERVER_KEY, server_key)
                kv_set(session, CURSOR_KEY, 0)

    def last_sync(self) -> datetime | None:
        with self._db.session() as session:
            value = kv_get(session, LAST_SYNC_KEY)
        return datetime.fromisoformat(value) if value else None

    def mark_synced(self) -> datetime:
        stamp = datetime.now(UTC)
        with self._db.session() as session:
            kv_set(session, LAST_SYNC_KEY, stamp.isoformat())
        return stamp

    def pending_count(self) -> int:
        with self._db.session() as session:
            return int(session.execute(select(func.count()).select_from(PendingChange)).scalar_one())

    def sendable_count(self) -> int:
        with self._db.session() as session:
            return int(
                session.execute(
                    select(func.count()).select_from(PendingChange).where(PendingChange.status == "pending")
                ).scalar_one()
            )

    def conflict_count(self) -> int:
        with self._db.session() as session:
            return int(
                session.execute(
                    select(func.count()).select_from(Conflict).where(Conflict.resolution.is_(None))
                ).scalar_one()
            )

    def store_users(self, users: list[UserOut]) -> DataChanged:
        """Refresh the user directory; the event names the record types whose
        owner names now read differently (none when nothing changed)."""
        changed = False
        with self._db.session() as session:
            for user in users:
                existing = session.get(User, user.id)
                if existing is None:
                    session.add(User(id=user.id, email=user.email, name=user.name))
                    changed = True
                elif (existing.email, existing.name) != (user.email, user.name):
                    existing.email, existing.name = user.email, user.name
                    changed = True
        owned = frozenset(name for name, spec in RECORD_TYPES.items() if "owner_id" in spec.field_names)
        return DataChanged(owned if changed else frozenset(), outbox=False)

    # -- push ------------------------------------------------------------------

    def take_outbox(self, limit: int) -> list[Change]:
        """Freeze up to ``limit`` pending entries into changes to send."""
        changes: list[Change] = []
        with self._db.session() as session:
            # Parents before children (an account before its new contacts),
            # then oldest first, chosen in SQL: sorting only the oldest
            # ``limit`` entries starved a parent queued after its children (a
            # restore the server asked for), and the children never settled.
            type_order = case(_TYPE_ORDER, value=PendingChange.record_type, else_=len(_TYPE_ORDER))
            entries = list(
                session.execute(
                    select(PendingChange)
                    .where(PendingChange.status == "pending")
                    .order_by(type_order, PendingChange.created_at)
                    .limit(limit)
                ).scalars()
            )
            # One query per type for the records, one clock read for the batch,
            # and no autoflush between entries: a 10,000-edit backlog is frozen
            # in a handful of statements per batch, not several per entry.
            rows = _rows_by_id(session, ((e.record_type, e.record_id) for e in entries if e.in_flight is None))
            bound = now_bound(session)
            with session.no_autoflush:
                for entry in entries:
                    if entry.in_flight is not None:
                        changes.append(Change.model_validate(entry.in_flight))
                        continue
                    change = self._freeze(session, entry, rows.get((entry.record_type, entry.record_id)), bound)
                    if change is not None:
                        changes.append(change)
        return changes

    def _freeze(self, session: Session, entry: PendingChange, row: Any, bound: int) -> Change | None:
        spec = RECORD_TYPES[entry.record_type]
        if row is None:
            session.delete(entry)
            return None
        current = row_data(entry.record_type, row)
        op = entry.op
        if op == "delete" and entry.merge_from:
            # Merged into, then deleted: a merge cannot ride on a delete, so the
            # merge goes first (as the create or update it was), and the delete
            # follows on top of its answer (``_applied``).
            op = "create" if entry.base_rev is None else "update"
        fields: dict[str, Any]
        if op == "create":
            fields = {f.name: current[f.name] for f in spec.fields if f.derived_from is None}
        elif op in ("update", "restore"):
            fields = {
                f.name: current[f.name]
                for f in spec.fields
                if f.derived_from is None and current[f.name] != entry.base_values.get(f.name)
            }
            if not fields and op == "update" and not entry.merge_from:
                # Edited back to what the server has: nothing to send.
                row.dirty = False
                session.delete(entry)
                return None
        else:
            fields = {}
        change = Change(
            change_id=entry.change_id,
            type=entry.record_type,
            id=entry.record_id,
            op=ChangeOp.UPDATE if op == "restore" else ChangeOp(op),
            base_rev=entry.base_rev,
            fields=fields,
            stamps=_stamps_for(fields, entry.field_stamps, bound),
            restore=entry.op == "restore",
            merge_from=list(entry.merge_from or []),
            merge_base=_merge_revs(entry),
        )
        entry.in_flight = change.model_dump(mode="json")
        entry.in_flight_seq = entry.local_seq
        return change

    def apply_push_results(self, sent: list[Change], results: list[ChangeResult]) -> DataChanged:
        if len(results) != len(sent) or any(
            r.change_id != c.change_id for r, c in zip(results, sent, strict=False)
        ):
            raise BadResponse("The server answered a sync with results that do not match the changes sent.")
        touched: set[str] = set()
        with self._db.session() as session:
            # The outbox entries and records of the whole batch in one query per
            # type (each lookup one by one was most of a big push's client time).
            keys = [(c.type, c.id) for c in sent]
            entries = _entries_by_key(session, keys)
            rows = _rows_by_id(session, keys)
            for change, result in zip(sent, results, strict=True):
                entry = entries.get((change.type, change.id))
                if entry is None or entry.change_id != change.change_id:
                    log.warning("push result for an unknown outbox entry %s", change.change_id)
                    continue
                touched.add(change.type)
                if result.status is ChangeStatus.APPLIED:
                    with session.no_autoflush:
                        self._applied(session, entry, change, result, rows.get((change.type, change.id)))
                elif result.status is ChangeStatus.CONFLICT and result.code == "merge_stale":
                    if result.related is None or result.merged_id is None or result.related.type != change.type:
                        raise BadResponse("The server reported a stale merge without the record.")
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    self._merge_stale(session, entry, result.merged_id, result.related)
                elif result.status is ChangeStatus.CONFLICT:
                    if result.record is None:
                        raise BadResponse("The server reported a conflict without the record.")
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    self._merge_server_record(session, entry, result.record)
                elif result.code == "ref_deleted" and result.related is not None and result.field_errors:
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    self._parent_deleted(session, entry, result.field_errors[0].field, result.related)
                    touched.add(result.related.type)
                elif result.code == "ref_gone" and result.field_errors:
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    self._parent_gone(session, entry, result.field_errors[0].field)
                elif result.code == "gone" and change.op is not ChangeOp.CREATE:
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    self._gone(session, entry)
                else:
                    entry.in_flight = None
                    entry.in_flight_seq = None
                    entry.status = "rejected"
                    entry.reject_code = result.code
                    entry.reject_reason = result.reason or "The server refused this change."
                    entry.field_errors = [e.model_dump() for e in result.field_errors]
                    log.info("change %s rejected: %s", change.change_id, entry.reject_reason)
        return DataChanged(frozenset(touched))

    def _applied(
        self, session: Session, entry: PendingChange, change: Change, result: ChangeResult, row: Any
    ) -> None:
        record = result.record
        if record is None:
            raise BadResponse("The server applied a change without returning the record.")
        data = check_wire_data(record.type, record.data)
        # A delete whose merge went first (``_freeze``, or a restore carrying the
        # merge of a record deleted on both sides) still has its delete to send.
        deleted_here = row is not None and row.deleted and change.op is not ChangeOp.DELETE
        edited_since = entry.local_seq != entry.in_flight_seq or (
            entry.op == "delete" and change.op is not ChangeOp.DELETE
        ) or deleted_here
        if not edited_since:
            session.delete(entry)
            if row is None:
                return
            if record.deleted:
                session.delete(row)
                return
            set_row_data(change.type, row, data)
            row.server_rev = record.rev
            row.dirty = False
            return
        # Edited while the push was under way: keep the newer local values and
        # queue them as a new change on top of what the server now has.
        entry.in_flight = None
        entry.in_flight_seq = None
        entry.base_rev = record.rev
        entry.base_values = data
        entry.change_id = new_id()
        if deleted_here:
            entry.op = "delete"
        elif entry.op in ("create", "restore"):
            entry.op = "update"
        if entry.merge_from:
            # Merges that were in the answered change are done; later ones still go.
            entry.merge_from = [m for m in entry.merge_from if m not in change.merge_from] or None
            entry.merge_base = {k: v for k, v in (entry.merge_base or {}).items()
                                if k in (entry.merge_from or [])} or None
        if row is not None:
            row.server_rev = record.rev

    def _gone(self, session: Session, entry: PendingChange) -> None:
        """The server has no trace of a record we changed: it was deleted and
        its tombstone purged (we were offline longer than the server keeps its
        history), or lost with a restore from an older backup.  As for an edit
        against a delete (section 8 of docs/SYNC.md), the delete rule decides,
        and the inbox keeps the other side: with the default rule the edit
        brings the record back (same id, sent again as a create); with the rule
        ``delete`` the record goes and the inbox keeps the edited version.  A
        local delete is simply done."""
        record_type = entry.record_type
        row = get_row(session, record_type, entry.record_id)
        if entry.op == "delete" and entry.merge_from and row is not None:
            # Merged into, then deleted here: the merge still has to happen (the
            # merged records become aliases of this id), so the record is sent
            # as the create it now is, carrying the merge, and the delete follows
            # on its answer (``_freeze``, ``_applied``).
            entry.base_rev = None
            entry.base_values = {}
            entry.change_id = new_id()
            row.server_rev = None
            return
        if entry.op == "delete" or row is None:
            session.delete(entry)
            if row is not None:
                session.delete(row)
            return
        mine = row_data(record_type, row)
        edit_wins = self._policy().delete is DeleteRule.EDIT_WINS
        session.add(
            Conflict(
                record_type=record_type, record_id=entry.record_id, field=None, kind="deleted_remotely",
                base_value=entry.base_values, local_value=mine, server_value=None,
                server_rev=entry.base_rev, server_updated_by=None, created_at=now(),
                winner="local" if edit_wins else "server",
            )
        )
        log.warning("%s %s is gone from the server; %s", record_type, entry.record_id,
                    "sending it again" if edit_wins else "local version kept in the inbox")
        if not edit_wins:
            session.delete(entry)
            session.delete(row)
            return
        # Every field goes again, as a create under the same id (links to it hold).
        entry.op = "create"
        entry.base_rev = None
        entry.base_values = {}
        entry.change_id = new_id()
        row.server_rev = None
        row.dirty = True

    def _parent_deleted(self, session: Session, entry: PendingChange, field: str, parent: RecordState) -> None:
        """A change links to a record deleted elsewhere (a contact created
        offline under an account someone deleted).  By the delete rule: bring
        the parent back (default), or keep this record without the link.  The
        change is sent again either way; the inbox tells the user what happened
        and offers the other outcome."""
        parent_data = check_wire_data(parent.type, parent.data)
        stamp = now()
        entry.change_id = new_id()
        if self._policy().delete is DeleteRule.EDIT_WINS:
            prow = get_row(session, parent.type, parent.id)
            if prow is None:
                prow = model_for(parent.type)(
                    id=parent.id, server_rev=parent.rev, dirty=True, deleted=False,
                    created_at=stamp, updated_at=stamp,
                )
                set_row_data(parent.type, prow, parent_data)
                session.add(prow)
            prow.deleted = False
            prow.dirty = True
            prow.server_rev = parent.rev
            pentry = session.get(PendingChange, (parent.type, parent.id))
            if pentry is None:
                session.add(
                    PendingChange(
                        record_type=parent.type, record_id=parent.id, change_id=new_id(), op="restore",
                        base_rev=parent.rev, base_values=parent_data, local_seq=1, status="pending",
                        created_at=stamp, updated_at=stamp,
                    )
                )
            elif pentry.in_flight is None:
                pentry.op = "restore"
                pentry.base_rev = parent.rev
                pentry.base_values = parent_data
                pentry.change_id = new_id()
                pentry.status = "pending"
            already = session.execute(
                select(Conflict.id).where(
                    Conflict.record_type == parent.type, Conflict.record_id == parent.id,
                    Conflict.kind == "parent_deleted", Conflict.resolution.is_(None),
                )
            ).first()
            if already is None:
                session.add(
                    Conflict(
                        record_type=parent.type, record_id=parent.id, field=None, kind="parent_deleted",
                        base_value=None, local_value=row_data(parent.type, prow), server_value=parent_data,
                        server_rev=parent.rev, server_updated_by=parent.updated_by, created_at=stamp,
                        winner="local",
                    )
                )
            log.info("%s %s was deleted elsewhere; brought back for a linked change", parent.type, parent.id)
            return
        row = get_row(session, entry.record_type, entry.record_id)
        if row is not None:
            set_row_data(entry.record_type, row, {field: None})
        session.add(
            Conflict(
                record_type=entry.record_type, record_id=entry.record_id, field=field, kind="parent_deleted",
                base_value=parent_data, local_value=parent.id, server_value=None,
                server_rev=parent.rev, server_updated_by=parent.updated_by, created_at=stamp, winner="server",
            )
        )

    def _merge_stale(self, session: Session, entry: PendingChange, merged_id: str, related: RecordState) -> None:
        """The server refused a merge: ``merged_id`` changed there after the
        version the merge was made from.  ``related`` is what it is now: the
        record itself, or the live record it was merged into meanwhile.  What
        changed since is merged into the kept record (three-way, the merge's
        base version as base: a value the user took from the other record
        follows its newer edit, a value the user chose against it is a field
        conflict decided by the rule, the loser kept in the inbox), and the
        merge is sent again from the newer version."""
        record_type = entry.record_type
        entry.change_id = new_id()
        row = get_row(session, record_type, entry.record_id)
        bases = dict(entry.merge_base or {})
        info = bases.get(merged_id)
        base = dict(info.get("values") or {}) if isinstance(info, dict) else {}
        merge_from = [m for m in (entry.merge_from or []) if m != merged_id]
        theirs = check_wire_data(record_type, related.data)
        if related.id != merged_id:
            # Merged into another record meanwhile: all of them are one record,
            # so that one is merged here too, from what the server has now.
            other_entry = session.get(PendingChange, (record_type, related.id))
            if other_entry is not None and other_entry.in_flight is not None:
                # Its own change is still being sent: merge after its answer.
                return
            other_row = get_row(session, record_type, related.id)
            known = bases.get(related.id)
            if related.id in merge_from and isinstance(known, dict):
                # Merged here as well: its own merge base is what the user saw of it.
                base = dict(known.get("values") or {})
            # Otherwise the base stays the version of the record the user merged
            # here: what the other record holds beyond it was never chosen against.
            if other_entry is not None:
                if other_entry.merge_from:
                    merge_from += [m for m in other_entry.merge_from if m not in merge_from]
                    bases = {**(other_entry.merge_base or {}), **bases}
                if other_row is not None:
                    # Its unsynced local edits follow it, as when it is merged elsewhere.
                    self._carry_over(session, other_entry, other_row, related.model_copy(
                        update={"deleted": True, "merged_into": entry.record_id}))
                else:
                    session.delete(other_entry)
            elif other_row is not None:
                session.delete(other_row)
            add_alias(session, record_type, related.id, entry.record_id)
            repoint_refs(session, record_type, related.id, entry.record_id)
        bases.pop(merged_id, None)
        if related.id not in merge_from:
            merge_from.append(related.id)
        bases[related.id] = {"rev": related.rev, "values": theirs}
        entry.merge_from = merge_from
        entry.merge_base = bases
        if row is None:
            return
        mine = row_data(record_type, row)
        stamp = now()
        if row.deleted:
            # Merged here, then deleted: what changed on the other record since
            # is not applied, it is kept in the inbox ("keep theirs" brings it back).
            if any(theirs.get(k) != base.get(k) for k in theirs):
                session.add(
                    Conflict(
                        record_type=record_type, record_id=entry.record_id, field=None, kind="edited_remotely",
                        base_value=base, local_value=None, server_value=theirs, server_rev=related.rev,
                        server_updated_by=related.updated_by, created_at=stamp, winner="local",
                    )
                )
            return
        mine_stamps = _local_stamps(session, entry)
        result = three_way_merge(record_type, base, mine, theirs, mine_stamps=mine_stamps,
                                 theirs_stamps=related.stamps, policy=self._policy())
        for conflict in result.conflicts:
            session.add(
                Conflict(
                    record_type=record_type, record_id=entry.record_id, field=conflict.field, kind="field",
                    base_value=conflict.base, local_value=conflict.mine, server_value=conflict.theirs,
                    server_rev=related.rev, server_updated_by=related.updated_by, created_at=stamp,
                    winner="local" if conflict.winner == "mine" else "server",
                    local_stamp=conflict.mine_stamp, server_stamp=conflict.theirs_stamp,
                )
            )
        taken = [k for k, v in result.merged.items() if v != mine.get(k)]
        if taken:
            # The values taken from the other record keep the stamps of their edits.
            stamps = dict(entry.field_stamps or {})
            for name in taken:
                their_stamp = related.stamps.get(name) or related.stamps.get(DEFAULT_KEY)
                if their_stamp:
                    stamps[name] = their_stamp
            entry.field_stamps = stamps
            entry.local_seq += 1
            history.note_merged(session, record_type, entry.record_id, mine, result.merged, related)  # timeline
            set_row_data(record_type, row, result.merged)
            row.dirty = True
            row.updated_at = stamp
        log.info("%s %s: the merge of %s is sent again from revision %s", record_type, entry.record_id,
                 merged_id, related.rev)

    def _parent_gone(self, session: Session, entry: PendingChange, field: str) -> None:
        """A link points at a record merged into one deleted and purged since:
        nothing is left to bring back, so (whatever the delete rule) the record
        is sent without the link, and the inbox keeps the link."""
        row = get_row(session, entry.record_type, entry.record_id)
        entry.change_id = new_id()
        if row is None or field not in RECORD_TYPES[entry.record_type].field_map:
            return
        link = getattr(row, field)
        set_row_data(entry.record_type, row, {field: None})
        session.add(
            Conflict(
                record_type=entry.record_type, record_id=entry.record_id, field=field, kind="parent_deleted",
                base_value=None, local_value=link, server_value=None, server_rev=None,
                server_updated_by=None, created_at=now(), winner="server",
            )
        )
        log.info("%s %s: the record %s links to is gone; sent without the link", entry.record_type,
                 entry.record_id, field)

    def _carry_over(self, session: Session, entry: PendingChange, row: Any, record: RecordState) -> None:
        """A record with unsynced local edits was merged into another one
        elsewhere: the edits move to the record it was merged into (a
        three-way merge against that record's values, then an ordinary local
        edit of it); whatever they replace is kept in the inbox."""
        record_type = entry.record_type
        kept_id = str(record.merged_into)
        spec = RECORD_TYPES[record_type]
        mine = row_data(record_type, row)
        base = entry.base_values if entry.op in ("update", "restore") else {}
        edited = entry.op != "delete" and any(
            mine.get(f.name) != base.get(f.name) for f in spec.fields if f.derived_from is None
        )
        stamp = now()
        add_alias(session, record_type, record.id, kept_id)
        repoint_refs(session, record_type, record.id, kept_id)
        session.delete(entry)
        session.delete(row)
        kept = get_row(session, record_type, kept_id)
        if kept is None:
            kept = self._revive_merged(session, entry, kept_id, stamp)
        if entry.merge_from and kept is not None and not kept.deleted and kept.server_rev is not None:
            # Records merged here before it was merged elsewhere: they go on to
            # the record it lives on now, with the versions they were merged from.
            self._pass_merges_on(session, entry, kept, stamp)
        if not edited:
            return
        if kept is None or kept.deleted:
            # Not visible here (or gone): keep the whole local version.
            session.add(
                Conflict(
                    record_type=record_type, record_id=record.id, field=None, kind="merged_away",
                    base_value=base, local_value=mine, server_value=None, server_rev=record.rev,
                    server_updated_by=record.updated_by, created_at=stamp, winner="server",
                )
            )
            return
        kept_data = row_data(record_type, kept)
        mine_stamps = _local_stamps(session, entry)
        # The kept record's own stamps are not kept locally: it counts as older,
        # so the offline edit is carried over and what it replaces goes to the inbox.
        result = three_way_merge(record_type, base, mine, kept_data, mine_stamps=mine_stamps,
                                 theirs_stamps={}, policy=self._policy())
        carried = {k: v for k, v in result.merged.items() if v != kept_data.get(k)}
        for conflict in result.conflicts:
            session.add(
                Conflict(
                    record_type=record_type, record_id=kept_id, field=conflict.field, kind="field",
                    base_value=conflict.base, local_value=conflict.mine, server_value=conflict.theirs,
                    server_rev=kept.server_rev, server_updated_by=record.updated_by, created_at=stamp,
                    winner="local" if conflict.winner == "mine" else "server",
                    local_stamp=conflict.mine_stamp, server_stamp=conflict.theirs_stamp,
                )
            )
        session.add(
            Conflict(
                record_type=record_type, record_id=kept_id, field=None, kind="merged_away",
                base_value={"merged_id": record.id, "carried": sorted(carried)}, local_value=mine,
                server_value=kept_data, server_rev=record.rev, server_updated_by=record.updated_by,
                created_at=stamp, winner="local",
            )
        )
        if not carried:
            return
        kentry = session.get(PendingChange, (record_type, kept_id))
        carried_stamps = {k: mine_stamps.get(k) or mine_stamps.get(DEFAULT_KEY) or "" for k in carried}
        carried_stamps = {k: v for k, v in carried_stamps.items() if v}
        if kentry is None:
            session.add(
                PendingChange(
                    record_type=record_type, record_id=kept_id, change_id=new_id(), op="update",
                    base_rev=kept.server_rev, base_values=kept_data, local_seq=1, status="pending",
                    field_stamps=carried_stamps, created_at=stamp, updated_at=stamp,
                )
            )
        else:
            kentry.local_seq += 1
            kentry.updated_at = stamp
            kentry.field_stamps = {**(kentry.field_stamps or {}), **carried_stamps}
        set_row_data(record_type, kept, carried)
        kept.dirty = True
        kept.updated_at = stamp
        log.info("%s %s was merged into %s; local edits carried over", record_type, record.id, kept_id)

    def _revive_merged(self, session: Session, entry: PendingChange, kept_id: str, stamp: datetime) -> Any:
        """The record this one was merged into elsewhere is one this computer
        merged into it (two users merging the same pair in opposite
        directions): bring its row back as the merge was made from it, so the
        local edits can be carried over to it (its newer version on the server
        is merged in as usual when the carried edit is answered ``conflict``)."""
        info = (entry.merge_base or {}).get(kept_id)
        if kept_id not in (entry.merge_from or []) or not isinstance(info, dict):
            return None
        rev, values = info.get("rev"), info.get("values")
        if not isinstance(rev, int) or not isinstance(values, dict):
            return None
        record_type = entry.record_type
        row = model_for(record_type)(id=kept_id, server_rev=rev, dirty=False, deleted=False,
                                     created_at=stamp, updated_at=stamp)
        set_row_data(record_type, row, values)
        session.add(row)
        alias = session.get(RecordAlias, (record_type, kept_id))
        if alias is not None:
            session.delete(alias)
        session.flush()
        return row

    def _pass_merges_on(self, session: Session, entry: PendingChange, kept: Any, stamp: datetime) -> None:
        record_type = entry.record_type
        kentry = session.get(PendingChange, (record_type, kept.id))
        if kentry is None:
            kentry = PendingChange(
                record_type=record_type, record_id=kept.id, change_id=new_id(), op="update",
                base_rev=kept.server_rev, base_values=row_data(record_type, kept), local_seq=1, status="pending",
                created_at=stamp, updated_at=stamp,
            )
            session.add(kentry)
            session.flush()
            kept.dirty = True
        elif kentry.in_flight is not None:
            # Sent already: the merges go with the next change (one on top of its answer).
            kentry.local_seq += 1
        merge_from = list(kentry.merge_from or [])
        merge_from += [m for m in entry.merge_from or [] if m not in merge_from and m != kept.id]
        kentry.merge_from = merge_from or None
        kentry.merge_base = {**(entry.merge_base or {}), **(kentry.merge_base or {})} or None
        kentry.updated_at = stamp

    # -- pull ------------------------------------------------------------------

    def apply_pull_page(
        self, records: Sequence[RecordState], cursor: int, prepared: PreparedPage | None = None,
        server_clock: tuple[datetime, str | None] | None = None,
    ) -> DataChanged:
        """Apply one pulled page and save ``cursor``, in one transaction.

        ``prepared`` is the page prepared already (:func:`sync.pulled.prepare_pull_page`
        of ``records``, or :func:`sync.pulled.prepare_pull_body`: then ``records`` is
        not read); the engine prepares pages in its fetching thread.
        ``server_clock``: the page's server time and clock, observed first (as
        :meth:`observe_server`) in the same transaction: one commit per page, not two.
        """
        page = prepared if prepared is not None else prepare_pull_page(records)
        touched: set[str] = set()
        with self._db.session() as session:
            if server_clock is not None:
                observe_server(session, *server_clock)
            has_outbox = session.execute(select(PendingChange.record_id).limit(1)).first() is not None
            for record_type, batch in page.batches.items():
                touched.add(record_type)
                pending: dict[str, PendingChange] = {}
                if has_outbox:
                    pending = {
                        e.record_id: e
                        for e in session.execute(
                            select(PendingChange).where(
                                PendingChange.record_type == record_type, PendingChange.record_id.in_(batch.ids)
                            )
                        ).scalars()
                    }
                # Record id -> its position in the batch.  Later revisions of the
                # same record in one page win; apply in order.
                plain: dict[str, int] = {}
                if pending:
                    for position, record_id in enumerate(batch.ids):
                        entry = pending.get(record_id)
                        if entry is None:
                            plain[record_id] = position
                        else:
                            record, data = batch.item(position)
                            self._merge_server_record(session, entry, record.model_copy(update={"data": data}))
                else:
                    plain = dict(zip(batch.ids, range(len(batch.ids)), strict=True))
                # The staged rows are exactly the plain ones unless a record waits to be merged.
                slot = page.slot if not pending else None
                self._upsert_plain(session, record_type, batch, plain, page.rows.get(record_type, {}), slot)
            for record_type, record_id, merged_into in page.merged:
                # Merged away: the id becomes an alias, local links follow it.
                add_alias(session, record_type, record_id, merged_into)
                touched |= repoint_refs(session, record_type, record_id, merged_into)
            kv_set(session, CURSOR_KEY, cursor)
        return DataChanged(frozenset(touched), outbox=False)

    def _upsert_plain(
        self, session: Session, record_type: str, batch: TypeBatch, plain: dict[str, int],
        rows: dict[str, tuple[Any, ...]], slot: int | None,
    ) -> None:
        """Write server records with no local change (``plain``: id -> position in
        ``batch``): delete the deleted, upsert the rest.

        ``slot``: the stage slot (``crm_desktop/store/pull_stage.py``) holding
        ``rows`` already; without one they are staged here, in a temporary table.
        """
        model = model_for(record_type)
        table = cast(Table, model.__table__)
        connection = session.connection()
        ids = list(plain)
        # The timeline notes what this page changes of rows we hold (none, in a first sync).
        held = {
            row[0] for row in connection.exec_driver_sql(
                f"SELECT id FROM {table.name} WHERE id IN (SELECT value FROM json_each(?))",
                (orjson.dumps(ids).decode(),),
            )
        }
        if held:
            overwriting = [batch.item(position) for record_id, position in plain.items() if record_id in held]
            history.note_pulled(session, record_type, overwriting)
        if slot is not None:
            source = f"{pull_stage.SCHEMA}.{pull_stage.table_name(record_type, slot)}"
        else:
            source, create = _temp_stage(record_type)
            connection.exec_driver_sql(create)
        with bulk_indexing(session, record_type, ids, source, list(held)):
            deleted_ids = [record_id for record_id, position in plain.items() if batch.deleted[position]]
            if deleted_ids:
                session.execute(delete(table).where(table.c.id.in_(deleted_ids)))
            if slot is None:
                live = [rows[record_id] for record_id, position in plain.items() if not batch.deleted[position]]
                if live:
                    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
                    pull_stage.insert_rows(
                        connection.exec_driver_sql, source, len(live[0]), live, pull_stage.parameter_limit(driver)
                    )
                    connection.exec_driver_sql(_upsert_sql(record_type, source))
            elif rows:
                connection.exec_driver_sql(_upsert_sql(record_type, source))
        if slot is None:
            connection.exec_driver_sql(f"DELETE FROM {source}")

    def _merge_server_record(self, session: Session, entry: PendingChange, record: RecordState) -> None:
        """Rebase a record's unsynced local change on the server's version."""
        record_type = entry.record_type
        theirs = check_wire_data(record_type, record.data)
        row = get_row(session, record_type, entry.record_id)
        stamp = now()
        if row is None:
            session.delete(entry)
            return
        if entry.base_rev is not None and record.rev <= entry.base_rev:
            # This version (or a newer one) was merged already; the local
            # change is based on it.
            return
        if record.deleted and record.merged_into:
            self._carry_over(session, entry, row, record)
            return
        mine = row_data(record_type, row)
        policy = self._policy()
        if record.deleted:
            if entry.op == "delete" and entry.merge_from:
                # Merged into, then deleted here, and deleted there too: the merge
                # still has to happen (the merged records must go, as aliases of
                # this id).  The tombstone is restored carrying the merge, and the
                # delete follows on its answer (``_applied``).
                entry.op = "restore"
                entry.base_rev = record.rev
                entry.base_values = theirs
                entry.change_id = new_id()
                row.server_rev = record.rev
                return
            if entry.op == "delete":
                # Deleted on both sides: nothing left to decide.
                session.delete(entry)
                session.delete(row)
                return
            edit_wins = policy.delete is DeleteRule.EDIT_WINS
            # Edited here, deleted there.  The whole local version and the
            # deleted one are kept in the inbox either way, so the user can
            # undo whichever side the rule chose.
            session.add(
                Conflict(
                    record_type=record_type, record_id=entry.record_id, field=None, kind="deleted_remotely",
                    base_value=entry.base_values, local_value=mine, server_value=theirs,
                    server_rev=record.rev, server_updated_by=record.updated_by, created_at=stamp,
                    winner="local" if edit_wins else "server",
                )
            )
            if edit_wins:
                # The edit brings the record back, same id (so links to it
                # hold): a restore change against the tombstone's revision.
                entry.op = "restore"
                entry.base_rev = record.rev
                entry.base_values = theirs
                entry.change_id = new_id()
                row.server_rev = record.rev
                row.dirty = True
            else:
                session.delete(entry)
                session.delete(row)
            return
        if entry.op == "delete":
            if all(theirs.get(k) == entry.base_values.get(k) for k in theirs):
                # Nobody edited it meanwhile: the delete goes ahead on the new base.
                entry.base_rev = record.rev
                entry.base_values = theirs
                entry.change_id = new_id()
                return
            edit_wins = policy.delete is DeleteRule.EDIT_WINS
            # Deleted here after someone edited it there.
            session.add(
                Conflict(
                    record_type=record_type, record_id=entry.record_id, field=None, kind="edited_remotely",
                    base_value=entry.base_values, local_value=None, server_value=theirs,
                    server_rev=record.rev, server_updated_by=record.updated_by, created_at=stamp,
                    winner="server" if edit_wins else "local",
                )
            )
            if edit_wins:
                # Their edit keeps the record: the local delete is withdrawn
                # (kept in the inbox as "delete it after all").
                set_row_data(record_type, row, theirs)
                row.deleted = False
                row.dirty = False
                row.server_rev = record.rev
                if entry.merge_from:
                    # Only the delete is withdrawn: records merged into this one still go.
                    entry.op = "update"
                    entry.base_rev = record.rev
                    entry.base_values = theirs
                    entry.change_id = new_id()
                    row.dirty = True
                else:
                    session.delete(entry)
            else:
                entry.base_rev = record.rev
                entry.base_values = theirs
                entry.change_id = new_id()
            return
        base = entry.base_values if entry.op in ("update", "restore") else theirs
        # A stamp made before this machine knew the server's time may claim
        # the future (a laptop set hours ahead): capped, as the server would.
        mine_stamps = _local_stamps(session, entry)
        result = three_way_merge(
            record_type, base, mine, theirs,
            mine_stamps=mine_stamps, theirs_stamps=record.stamps, policy=policy,
        )
        for conflict in result.conflicts:
            session.add(
                Conflict(
                    record_type=record_type, record_id=entry.record_id, field=conflict.field, kind="field",
                    base_value=conflict.base, local_value=conflict.mine, server_value=conflict.theirs,
                    server_rev=record.rev, server_updated_by=record.updated_by, created_at=stamp,
                    winner="local" if conflict.winner == "mine" else "server",
                    local_stamp=conflict.mine_stamp, server_stamp=conflict.theirs_stamp,
                )
            )
        history.note_merged(session, record_type, entry.record_id, mine, result.merged, record)  # timeline
        set_row_data(record_type, row, result.merged)
        row.server_rev = record.rev
        if result.differs_from(theirs) or entry.merge_from:
            entry.op = "update"
            entry.base_rev = record.rev
            entry.base_values = theirs
            entry.change_id = new_id()
            row.dirty = True
        else:
            session.delete(entry)
            row.dirty = False

    # -- access lost -------------------------------------------------------------

    def apply_revoked(self, revoked: list[RevokedRecord]) -> tuple[DataChanged, int, int]:
        """Drop records this user may no longer see (reassigned, unshared).

        Unsynced local changes to them cannot be sent any more; they go to
        the conflict inbox (kind ``access_lost``), never silently dropped: an
        edit keeps the whole local version (``local_value``), a delete is kept
        as ``local_value`` None with the record as last synced in
        ``base_value`` (the delete was not made; the record stays with whoever
        has it now).  Idempotent, so it may run before the page's cursor is
        saved.  Returns the change, how many local changes were kept that way
        and how many records left the replica.
        """
        touched: set[str] = set()
        kept = removed = 0
        with self._db.session() as session:
            for item in revoked:
                if item.type not in RECORD_TYPES:
                    continue
                row = get_row(session, item.type, item.id)
                entry = session.get(PendingChange, (item.type, item.id))
                if entry is not None:
                    if row is not None:
                        deleting = entry.op == "delete"
                        session.add(
                            Conflict(
                                record_type=item.type, record_id=item.id, field=None, kind="access_lost",
                                base_value=entry.base_values,
                                local_value=None if deleting else row_data(item.type, row),
                                server_value=None, server_rev=item.rev, created_at=now(), winner="server",
                            )
                        )
                        kept += 1
                        log.warning("access to %s %s lost; the unsynced %s is kept in the inbox", item.type,
                                    item.id, "delete" if deleting else "edit")
                    session.delete(entry)
                if row is not None:
                    session.delete(row)
                    touched.add(item.type)
                    removed += 1
        return DataChanged(frozenset(touched), outbox=kept > 0), kept, removed

    # -- consistency -------------------------------------------------------------

    def live_counts(self) -> dict[str, tuple[int, int]]:
        """Per type: (count, sum of server_rev) of synced, live records."""
        out: dict[str, tuple[int, int]] = {}
        with self._db.session() as session:
            for record_type, model in RECORD_MODELS.items():
                count, rev_sum = session.execute(
                    select(func.count(), func.coalesce(func.sum(model.server_rev), 0)).where(
                        model.server_rev.is_not(None)
                    )
                ).one()
                out[record_type] = (int(count), int(rev_sum or 0))
        return out

    def record_count(self) -> int:
        """Rows in every record table (tombstones too): is the store (almost) empty?"""
        with self._db.session() as session:
            return sum(
                int(session.execute(select(func.count()).select_from(model)).scalar_one())
                for model in RECORD_MODELS.values()
            )

    def page_stager(self) -> PageStager:
        """A writer of pulled pages into this store's stage file, for the fetching thread."""
        return PageStager(self._db.path.parent)

    def begin_bulk_load(self) -> None:
        """Drop the record tables' secondary indexes until :meth:`end_bulk_load`
        (``crm_desktop/store/bulk_load.py``): a first sync of many records fills
        the tables several times faster without them."""
        # Links to other records stay indexed: a pulled merge re-points them.
        # So do indexes that cost a pulled page next to nothing: keys that
        # arrive in order (rid, and the update time, which grows with the
        # revisions a first sync pulls in order) only append to the index's
        # last pages, and no pulled row is dirty.  Building them at the end
        # would be time after the last page, when nothing else runs.
        kept = {
            model.__tablename__: {
                "rid", "updated_at", "dirty",
                *(f.name for f in RECORD_TYPES[name].fields
                  if f.kind is FieldKind.REF and (f.ref_type in RECORD_TYPES or f.ref_type_field is not None)),
            }
            for name, model in RECORD_MODELS.items()
        }
        self._db.defer_indexes(
            [model.__tablename__ for model in RECORD_MODELS.values()],
            [fts_table for fts_table, _ in FTS_TABLES.values()],
            kept,
        )

    def end_bulk_load(self) -> int:
        """Build the indexes :meth:`begin_bulk_load` dropped; how many."""
        return self._db.restore_deferred_indexes()

    def tidy_search_index_step(self) -> bool:
        """Merge a little more of the search indexes a bulk load left in pieces; whether any is left."""
        return self._db.tidy_search_index_step()

    def reset_cursor(self) -> None:
        with self._db.session() as session:
            kv_set(session, CURSOR_KEY, 0)

    # -- full resync ---------------------------------------------------------------

    def begin_full_resync(self) -> None:
        """Pull everything again from cursor 0, then drop what the server no longer has.

        The flag outlives a crash: an interrupted full resync starts over, so
        the sweep at its end always sees the whole feed.
        """
        with self._db.session() as session:
            kv_set(session, CURSOR_KEY, 0)
            kv_set(session, FULL_RESYNC_KEY, True)

    def full_resync_pending(self) -> bool:
        with self._db.session() as session:
            return bool(kv_get(session, FULL_RESYNC_KEY, False))

    def finish_full_resync(self, seen: dict[str, set[str]]) -> int:
        """Synced local records the full feed did not deliver go to the inbox, not silently away.

        They are records the server lost (restored from an older backup) or
        no longer lists: the replica must match the server, but the user keeps
        the data (``deleted_remotely``: "keep mine" brings it back).  Records
        with unsynced changes stay queued; their push settles them.
        """
        moved = 0
        stamp = now()
        with self._db.session() as session:
            pending = {
                (t, i) for t, i in session.execute(select(PendingChange.record_type, PendingChange.record_id))
            }
            for record_type, model in RECORD_MODELS.items():
                delivered = seen.get(record_type, set())
                rows = session.execute(
                    select(model.id).where(model.server_rev.is_not(None), model.deleted.is_(False))
                ).scalars()
                ghosts = [i for i in rows if i not in delivered and (record_type, i) not in pending]
                for record_id in ghosts:
                    row = get_row(session, record_type, record_id)
                    if row is None:
                        continue
                    session.add(
                        Conflict(
                            record_type=record_type, record_id=record_id, field=None, kind="deleted_remotely",
                            base_value=None, local_value=row_data(record_type, row), server_value=None,
                            server_rev=row.server_rev, server_updated_by=None, created_at=stamp, winner="server",
                        )
                    )
                    session.delete(row)
                    moved += 1
            kv_set(session, FULL_RESYNC_KEY, False)
        if moved:
            log.warning("full resync: %d local records the server no longer has moved to the conflict inbox", moved)
        return moved



def _rows_by_id(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The local rows of (type, id) pairs, one query per type (in chunks under SQLite's variable limit)."""
    by_type: dict[str, list[str]] = {}
    for record_type, record_id in keys:
        if record_type in RECORD_MODELS:
            by_type.setdefault(record_type, []).append(record_id)
    out: dict[tuple[str, str], Any] = {}
    for record_type, ids in by_type.items():
        model = model_for(record_type)
        for start in range(0, len(ids), 500):
            for row in session.execute(select(model).where(model.id.in_(ids[start:start + 500]))).scalars():
                out[(record_type, row.id)] = row
    return out


def _entries_by_key(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PendingChange]:
    """The outbox entries of (type, id) pairs, one query per type."""
    by_type: dict[str, list[str]] = {}
    for record_type, record_id in keys:
        by_type.setdefault(record_type, []).append(record_id)
    out: dict[tuple[str, str], PendingChange] = {}
    for record_type, ids in by_type.items():
        for start in range(0, len(ids), 500):
            for entry in session.execute(
                select(PendingChange).where(
                    PendingChange.record_type == record_type, PendingChange.record_id.in_(ids[start:start + 500])
                )
            ).scalars():
                out[(record_type, entry.record_id)] = entry
    return out


def _merge_revs(entry: PendingChange) -> dict[str, int]:
    """The ``merge_base`` to send: the revision each merged-away record was merged from."""
    bases = entry.merge_base or {}
    out: dict[str, int] = {}
    for other_id in entry.merge_from or []:
        info = bases.get(other_id)
        rev = info.get("rev") if isinstance(info, dict) else None
        if isinstance(rev, int) and rev >= 1:
            out[other_id] = rev
    return out


def _local_stamps(session: Session, entry: PendingChange) -> dict[str, str]:
    """The stamps of an outbox entry's local edits, for a three-way merge, capped at
    the server's now: a laptop set hours ahead must not win every conflict."""
    bound = now_bound(session)
    return {k: cap_stamp(v, bound) for k, v in (entry.field_stamps or {}).items() if is_stamp(v)}


def _stamps_for(fields: Iterable[str], stamps: dict[str, str] | None, bound: int) -> dict[str, str]:
    """The stamps to send with ``fields``: named ones, plus the default one if kept."""
    out: dict[str, str] = {}
    if not stamps:
        return out
    names = set(fields)
    for key, value in stamps.items():
        if (key == DEFAULT_KEY or key in names) and is_stamp(value):
            out[key] = cap_stamp(value, bound)
    return out
