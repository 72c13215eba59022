"""The record service: every record read and write, for REST and sync alike.

Writes bump the global counter (``server_state.seq``) inside the write
transaction and stamp the record with it as ``rev``; the counter row lock
serialises writers, so revisions become visible in commit order and a
client pulling ``rev > cursor`` never skips a change.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm_cloud.auth.models import User
from crm_cloud.core.errors import Forbidden, InvalidInput, NotFound
from crm_cloud.records.access import (
    Principal,
    audience_shrank,
    can_access,
    can_change_type,
    could_see,
    visible,
)
from crm_cloud.records.errors import (
    MergeStale,
    RecordDeleted,
    RecordExists,
    RecordGone,
    RefDeleted,
    RefGone,
    RevisionMismatch,
    UnknownRecordType,
)
from crm_cloud.records.history import history_horizon
from crm_cloud.records.hooks import WriteContext, forget_config, run_hooks
from crm_cloud.records.models import AppliedChange, RecordExit, ServerState
from crm_cloud.records.tables import COMMON_COLUMNS, RECORD_TABLES
from crm_protocol.hlc import DEFAULT_KEY, HybridClock, cap_stamp, wall_ms
from crm_protocol.records import (
    RECORD_TYPES,
    FieldKind,
    FieldSpec,
    RecordTypeSpec,
    ValidationFailed,
    format_datetime,
    is_uuid,
    parse_datetime,
    validate_fields,
)
from crm_protocol.wire import (
    Change,
    ChangeOp,
    ChangeResult,
    ChangeStatus,
    FieldErrorOut,
    PullLayout,
    PushRequest,
    PushResponse,
    RecordState,
    SyncStatus,
    TypeChecksum,
)

log = logging.getLogger(__name__)

_N_COMMON = len(COMMON_COLUMNS)
#: The columns before the fields in the rows :meth:`RecordService.pull` selects
#: (id, rev, deleted, updated_at, updated_by, field_stamps, merged_into).
_PULL_COMMON = 7
#: Marks exit rows among the record rows of the pull's merged stream.
_EXIT = "\x00exit"
#: A pull page stops growing past this many bytes of record data (it always
#: holds at least one record): 5,000 records with 10 MB notes would otherwise
#: make one answer of gigabytes.
PULL_PAGE_BYTES = 8 * 1024 * 1024
#: The server's node name in clock stamps.
SERVER_NODE = "s"


class _Redirect(Exception):
    """A reference to a merged-away record: use ``target`` instead."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def utcnow() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc_naive_safe(text: str) -> datetime:
    """A wire date-time as an aware UTC datetime (SQLite keeps its fields as they are)."""
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"not a date-time: {text!r}")
    return moment


@dataclass(frozen=True)
class StoredRecord:
    type: str
    id: str
    rev: int
    deleted: bool
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    stamps: dict[str, str] = field(default_factory=dict)
    merged_into: str | None = None

    def state(self) -> RecordState:
        return RecordState(
            type=self.type,
            id=self.id,
            rev=self.rev,
            deleted=self.deleted,
            data=self.data,
            updated_at=_as_utc(self.updated_at),
            updated_by=self.updated_by,
            stamps=self.stamps,
            merged_into=self.merged_into,
        )

    def rest(self) -> dict[str, Any]:
        """The flat REST representation."""
        return {
            "id": self.id,
            "rev": self.rev,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            **self.data,
        }


class TypeCodec:
    """Converts between a record type's rows and its wire values."""

    def __init__(self, spec: RecordTypeSpec, table: Table) -> None:
        self.spec = spec
        self.table = table
        self.field_names = spec.field_names
        self.columns = [table.c[n] for n in COMMON_COLUMNS] + [table.c[n] for n in self.field_names]
        self.out_conv: list[tuple[str, Callable[[Any], Any]]] = []
        self.in_conv: list[tuple[str, Callable[[Any], Any]]] = []
        for f in spec.fields:
            if f.kind is FieldKind.DECIMAL:
                self.out_conv.append((f.name, str))
                self.in_conv.append((f.name, Decimal))
            elif f.kind is FieldKind.DATE:
                self.out_conv.append((f.name, date.isoformat))
                self.in_conv.append((f.name, date.fromisoformat))
            elif f.kind is FieldKind.DATETIME:
                self.out_conv.append((f.name, format_datetime))
                self.in_conv.append((f.name, _utc_naive_safe))
        self.sqlite_json = _sqlite_json_object(spec)
        # layout=columns on SQLite: the row's size in bytes, and each field's values
        # as one JSON array (``_sqlite_columns``).
        self.sqlite_size: ColumnElement[Any] = literal_column(
            " + ".join(f'coalesce(length("{f.name}"), 0)' for f in spec.fields) or "0"
        )
        self.sqlite_field_arrays = [f"json_group_array({value})" for _name, value in _sqlite_json_values(spec)]
        positions = {name: i for i, name in enumerate(self.field_names)}
        #: layout=columns on PostgreSQL: (position among the fields, what makes a value its wire value).
        self.column_conv: list[tuple[int, Callable[[Any], Any]]] = [
            (positions[name], conv) for name, conv in self.out_conv
        ]
        #: (field, spec) of every reference, polymorphic ones included.
        self.ref_fields = tuple((f.name, f) for f in spec.fields if f.kind is FieldKind.REF)
        # Statements built once and run with parameters: building and caching a
        # statement per write cost more than SQLite's own work on a big push.
        # The UPDATE's SET clause comes from the parameters' keys.
        self.load_stmt = select(*self.columns).where(table.c.id == bindparam("pk"))
        self.insert_stmt = insert(table)
        self.update_stmt = update(table).where(table.c.id == bindparam("pk"))

    def data(self, row: Sequence[Any]) -> dict[str, Any]:
        data = dict(zip(self.field_names, row[_N_COMMON:], strict=True))
        for name, conv in self.out_conv:
            if data[name] is not None:
                data[name] = conv(data[name])
        return data

    def record(self, row: Sequence[Any]) -> StoredRecord:
        return StoredRecord(
            type=self.spec.name,
            id=row[0],
            rev=row[1],
            deleted=bool(row[2]),
            data=self.data(row),
            created_at=row[3],
            updated_at=row[4],
            updated_by=row[5],
            stamps=dict(row[6] or {}),
            merged_into=row[7],
        )

    def to_db(self, data: dict[str, Any]) -> dict[str, Any]:
        values = {n: data.get(n) for n in self.field_names}
        for name, conv in self.in_conv:
            if values[name] is not None:
                values[name] = conv(values[name])
        return values


def _sqlite_wire_value(f: FieldSpec) -> str:
    """SQLite expression for a scalar field's value as the wire has it."""
    col = f'"{f.name}"'
    if f.kind is FieldKind.DECIMAL:
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE printf('%.2f', {col}) END"
    if f.kind is FieldKind.DATETIME:
        # Stored as UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"; the wire form is "YYYY-MM-DDTHH:MM:SSZ".
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE substr({col}, 1, 10) || 'T' || substr({col}, 12, 8) || 'Z' END"
    return col


def _sqlite_json_values(spec: RecordTypeSpec) -> list[tuple[str, str]]:
    """(field, SQLite expression for its JSON value as the wire has it) of every field."""
    values = []
    for f in spec.fields:
        col = f'"{f.name}"'
        if f.kind is FieldKind.BOOL:
            value = f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} THEN json('true') ELSE json('false') END"
        elif f.kind in (FieldKind.TAGS, FieldKind.CUSTOM):
            value = f"json({col})"  # stored as JSON text: embed the array, not a string
        else:
            value = _sqlite_wire_value(f)
        values.append((f.name, value))
    return values


def _sqlite_json_object(spec: RecordTypeSpec) -> str:
    """SQLite expression building a record's ``data`` as JSON text, values as the wire has them."""
    pairs = [f"'{name}', {value}" for name, value in _sqlite_json_values(spec)]
    return f"json_object({', '.join(pairs)})"


def _record_columns(record_type: str, rows: list[Sequence[Any]]) -> dict[str, Any]:
    """The page's ``rows`` of one type (as :meth:`RecordService.pull` selects them on
    PostgreSQL) as a :class:`crm_protocol.wire.RecordColumns` dict for orjson."""
    codec = _CODECS[record_type]
    columns = list(zip(*rows, strict=True))
    fragment = orjson.Fragment
    out: dict[str, Any] = {
        "type": record_type, "id": list(columns[0]), "rev": list(columns[1]), "deleted": list(map(bool, columns[2])),
        "updated_at": list(columns[3]), "updated_by": list(columns[4]),
    }
    if any(value is not None for value in columns[6]):
        out["merged_into"] = list(columns[6])
    if any(stamps is not None for stamps in columns[5]):
        out["stamps"] = [{} if s is None else fragment(s) if isinstance(s, str) else s for s in columns[5]]
    fields = [list(values) for values in columns[_PULL_COMMON:_PULL_COMMON + len(codec.field_names)]]
    for position, conv in codec.column_conv:
        fields[position] = [None if value is None else conv(value) for value in fields[position]]
    out["data"] = dict(zip(codec.field_names, fields, strict=True))
    return out


_SQLITE_UPDATED_AT = "substr(updated_at, 1, 10) || 'T' || substr(updated_at, 12) || 'Z'"


_CODECS: dict[str, TypeCodec] = {}


def codec_for(record_type: str) -> TypeCodec:
    codec = _CODECS.get(record_type)
    if codec is None:
        spec = RECORD_TYPES.get(record_type)
        table = RECORD_TABLES.get(record_type)
        if spec is None or table is None:
            raise UnknownRecordType(f"Unknown record type {record_type!r}")
        codec = _CODECS[record_type] = TypeCodec(spec, table)
    return codec


def record_types() -> list[str]:
    return [name for name in RECORD_TYPES if name in RECORD_TABLES]


def _field_errors(exc: ValidationFailed) -> list[dict[str, str]]:
    return [{"field": e.field, "message": e.message} for e in exc.errors]


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE wildcards escaped (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_STATE = cast(Table, ServerState.__table__)
_NEXT_REV = update(_STATE).where(_STATE.c.id == 1).values(seq=_STATE.c.seq + 1).returning(_STATE.c.seq)
_READ_HLC = select(_STATE.c.hlc).where(_STATE.c.id == 1)
_WRITE_HLC = update(_STATE).where(_STATE.c.id == 1).values(hlc=bindparam("new_hlc"))
_APPLIED = cast(Table, AppliedChange.__table__)
_INSERT_APPLIED = insert(_APPLIED)


class RecordService:
    """Record operations on behalf of one principal, inside the caller's transaction."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        #: Who writes are stamped with (None for the command line's system principal).
        self._actor = principal.user_id or None
        #: The server's clock, kept here once this transaction holds the counter's
        #: row lock (which guards it too), so a push reads it once, not per change.
        self._hlc: HybridClock | None = None
        self._locked = False

    def _conn(self) -> Connection:
        return self.session.connection()

    # -- counter -----------------------------------------------------------

    def next_rev(self) -> int:
        """Bump the global counter; takes the row lock that orders all writers."""
        rev = int(self._conn().execute(_NEXT_REV).scalar_one())
        self._locked = True
        return rev

    def current_seq(self) -> int:
        return int(self.session.execute(select(ServerState.seq).where(ServerState.id == 1)).scalar_one())

    # -- clock -------------------------------------------------------------

    def _clock(self) -> HybridClock:
        if self._hlc is not None:
            return self._hlc
        clock = HybridClock.restore(SERVER_NODE, self._conn().execute(_READ_HLC).scalar_one())
        if self._locked:
            # No other writer can move it until this transaction ends.
            self._hlc = clock
        return clock

    def clock_now(self) -> str:
        """The server's clock for an answer (not saved: nothing was stamped with it)."""
        return self._clock().now()

    def _stamp(
        self,
        previous: Mapping[str, str] | None,
        changed: Iterable[str],
        given: Mapping[str, str] | None,
    ) -> dict[str, str]:
        """The record's field stamps after a write that changed ``changed``.

        Stamps the client sent (when the user made the edit, in server time)
        are kept, capped if they claim the future; anything unstamped (a REST
        call, an old client) gets the server's clock.  Call after
        :meth:`next_rev`, which holds the row lock the clock lives in.
        """
        given = given or {}
        clock = self._clock()
        bound = wall_ms()
        own = clock.now()
        default = given.get(DEFAULT_KEY)
        out: dict[str, str]
        if previous is None:
            out = {DEFAULT_KEY: cap_stamp(default, bound) if default else own}
        else:
            out = dict(previous)
        for name in changed:
            stamp = given.get(name) or (default if previous is not None else None)
            if stamp:
                out[name] = cap_stamp(stamp, bound)
            elif previous is not None:
                out[name] = own
        for stamp in out.values():
            clock.observe(stamp)
        self._conn().execute(_WRITE_HLC, {"new_hlc": clock.last})
        return out

    # -- reads -------------------------------------------------------------

    def _load(self, codec: TypeCodec, record_id: str) -> StoredRecord | None:
        row = self._conn().execute(codec.load_stmt, {"pk": record_id}).first()
        return codec.record(row) if row is not None else None

    def _load_visible(self, codec: TypeCodec, record_id: str) -> StoredRecord:
        current = self._load(codec, record_id)
        if current is None or not can_access(current.data, self.principal):
            raise NotFound(f"No {codec.spec.label.lower()} with id {record_id}")
        return current

    def get(self, record_type: str, record_id: str) -> StoredRecord:
        codec = codec_for(record_type)
        current = self._load_visible(codec, record_id)
        if current.deleted:
            raise RecordDeleted(f"The {codec.spec.label.lower()} {record_id} was deleted", current)
        return current

    def list(
        self,
        record_type: str,
        *,
        limit: int,
        after: str | None = None,
        q: str | None = None,
        filters: dict[str, str] | None = None,
        updated_since: datetime | None = None,
    ) -> tuple[list[StoredRecord], str | None]:
        """Live visible records ordered by id (uuid7: creation order), keyset-paged by ``after``."""
        codec = codec_for(record_type)
        t = codec.table
        stmt = select(*codec.columns).where(visible(t, self.principal), t.c.deleted.is_(False))
        if after:
            stmt = stmt.where(t.c.id > after)
        if q:
            pattern = like_pattern(q.strip())
            title_cols = [t.c[n] for n in codec.spec.title_fields]
            conds = [c.ilike(pattern, escape="\\") for c in title_cols]
            if len(title_cols) > 1:
                joined: ColumnElement[Any] = func.coalesce(title_cols[0], "")
                for c in title_cols[1:]:
                    joined = joined + " " + func.coalesce(c, "")
                conds.append(joined.ilike(pattern, escape="\\"))
            stmt = stmt.where(or_(*conds))
        for name, value in (filters or {}).items():
            stmt = stmt.where(t.c[name] == value)
        if updated_since is not None:
            stmt = stmt.where(t.c.updated_at >= updated_since)
        rows = self.session.execute(stmt.order_by(t.c.id).limit(limit + 1)).all()
        records = [codec.record(r) for r in rows[:limit]]
        next_after = records[-1].id if len(rows) > limit and records else None
        return records, next_after

    # -- writes ------------------------------------------------------------

    def _validate(
        self,
        codec: TypeCodec,
        merged: dict[str, Any],
        previous: dict[str, Any] | None,
    ) -> dict[str, Any]:
        try:
            cleaned: dict[str, Any] = dict(validate_fields(codec.spec.name, merged, partial=False))
        except ValidationFailed as exc:
            raise InvalidInput(
                f"The {codec.spec.label.lower()} is not valid: {exc}",
                detail={"field_errors": _field_errors(exc)},
            ) from exc
        for name in codec.field_names:
            cleaned.setdefault(name, None)
        if "owner_id" in cleaned and not cleaned["owner_id"]:
            cleaned["owner_id"] = self.principal.user_id
        for name, fspec in codec.ref_fields:
            value = cleaned.get(name)
            ref_type = fspec.target_type(cleaned)
            if value is None or ref_type is None:
                continue
            if previous is not None and previous.get(name) == value and fspec.target_type(previous) == ref_type:
                continue
            try:
                self._check_ref(codec, name, ref_type, value)
            except _Redirect as redirect:
                # A link to a record merged away (made offline before the
                # merge synced) points at the record it was merged into.
                cleaned[name] = redirect.target
                if self._load(codec_for(ref_type), redirect.target) is None:
                    # Merged into a record since deleted and purged: the link
                    # has nothing left to point at (the client keeps it in its inbox).
                    label = codec.spec.field_map[name].label
                    raise RefGone(f"{label}: the {codec_for(ref_type).spec.label.lower()} it was merged into "
                                  "was deleted and its history purged", name) from None
                self._check_ref(codec, name, ref_type, redirect.target)
        return cleaned

    def _check_ref(self, codec: TypeCodec, name: str, ref_type: str, value: str) -> None:
        label = codec.spec.field_map[name].label
        if ref_type == "user":
            found = self.session.execute(
                select(User.id).where(User.id == value, User.active.is_(True))
            ).first()
            if found is None:
                raise InvalidInput(
                    f"{label}: no user with id {value}",
                    detail={"field_errors": [{"field": name, "message": f"{label} is not a known user"}]},
                )
            return
        target = codec_for(ref_type)
        t = target.table
        target_row = self.session.execute(
            select(t.c.id, t.c.deleted).where(t.c.id == value, visible(t, self.principal))
        ).first()
        what = target.spec.label.lower()
        if target_row is None:
            raise InvalidInput(
                f"{label}: the {what} {value} does not exist or is not visible to you",
                detail={"field_errors": [{"field": name, "message": f"{label} refers to an unknown {what}"}]},
            )
        if target_row.deleted:
            final = self.resolve_alias(ref_type, value)
            if final != value:
                # Merged away: the reference follows the alias (see _validate).
                raise _Redirect(final)
            tombstone = self._load(target, value)
            assert tombstone is not None
            raise RefDeleted(f"{label}: the {what} was deleted", name, tombstone)

    def _check_may_change(self, codec: TypeCodec) -> None:
        if not can_change_type(codec.spec, self.principal):
            raise Forbidden(f"Only an administrator can change {codec.spec.label_plural.lower()}")
        if codec.spec.admin_only:
            # Every write path checks here first: what hooks cached of the
            # configuration in this transaction is read again after this write.
            forget_config(self.session)

    def create(
        self, record_type: str, fields: dict[str, Any], record_id: str, stamps: Mapping[str, str] | None = None
    ) -> StoredRecord:
        codec = codec_for(record_type)
        self._check_may_change(codec)
        if not is_uuid(record_id):
            raise InvalidInput(
                "The id must be a lower-case UUID",
                detail={"field_errors": [{"field": "id", "message": "id must be a lower-case UUID"}]},
            )
        rev = self.next_rev()
        existing = self._load(codec, record_id)
        if existing is not None:
            if can_access(existing.data, self.principal):
                raise RecordExists(f"A {record_type} with id {record_id} already exists", existing)
            raise InvalidInput(
                f"The id {record_id} is already in use",
                detail={"field_errors": [{"field": "id", "message": "id is already in use"}]},
            )
        merged = dict.fromkeys(codec.field_names)
        merged.update(fields)
        cleaned = self._validate(codec, merged, None)
        now = utcnow()
        run_hooks(WriteContext(self.session, self.principal, record_type, record_id, None, now), cleaned)
        values = codec.to_db(cleaned)
        field_stamps = self._stamp(None, (n for n in fields if n in codec.spec.field_map), stamps)
        self._conn().execute(
            codec.insert_stmt,
            {"id": record_id, "rev": rev, "deleted": False, "created_at": now, "updated_at": now,
             "updated_by": self._actor, "field_stamps": field_stamps, **values},
        )
        return StoredRecord(
            record_type, record_id, rev, False, cleaned, now, now, self._actor, field_stamps
        )

    def update(
        self,
        record_type: str,
        record_id: str,
        fields: dict[str, Any],
        base_rev: int | None,
        stamps: Mapping[str, str] | None = None,
        *,
        restore: bool = False,
    ) -> StoredRecord:
        """Change fields of a record; with ``restore`` also bring back a deleted one
        (edit against delete), provided ``base_rev`` is the tombstone's revision."""
        codec = codec_for(record_type)
        self._check_may_change(codec)
        rev = self.next_rev()
        current = self._load_visible(codec, record_id)
        if current.deleted and (not restore or current.merged_into is not None):
            # A merged-away record is never restored: its edits belong on the
            # record it was merged into (the client carries them over).
            raise RecordDeleted(f"The {record_type} {record_id} was deleted", current)
        if base_rev is not None and base_rev != current.rev:
            raise RevisionMismatch(
                f"The {record_type} changed on the server (revision {current.rev}, not {base_rev})", current
            )
        merged = dict(current.data)
        merged.update(fields)
        cleaned = self._validate(codec, merged, current.data)
        run_hooks(
            WriteContext(self.session, self.principal, record_type, record_id, current.data, current.created_at),
            cleaned,
        )
        now = utcnow()
        changed = [n for n in codec.field_names if cleaned.get(n) != current.data.get(n)]
        field_stamps = self._stamp(current.stamps, changed, stamps)
        if audience_shrank(current.data, cleaned):
            self.session.add(RecordExit(
                rev=rev, record_type=record_type, record_id=record_id,
                owner_before=current.data.get("owner_id"), shared_before=bool(current.data.get("shared")),
            ))
        self._conn().execute(
            codec.update_stmt,
            {"pk": record_id, "rev": rev, "deleted": False, "updated_at": now, "updated_by": self._actor,
             "field_stamps": field_stamps, **codec.to_db(cleaned)},
        )
        return StoredRecord(
            record_type, record_id, rev, False, cleaned, current.created_at, now, self._actor,
            field_stamps,
        )

    def delete(self, record_type: str, record_id: str, base_rev: int | None) -> StoredRecord:
        """Turn the record into a tombstone; deleting a tombstone changes nothing."""
        codec = codec_for(record_type)
        self._check_may_change(codec)
        current = self._load_visible(codec, record_id)
        if current.deleted:
            return current
        rev = self.next_rev()
        current = self._load_visible(codec, record_id)
        if current.deleted:
            return current
        if base_rev is not None and base_rev != current.rev:
            raise RevisionMismatch(
                f"The {record_type} changed on the server (revision {current.rev}, not {base_rev})", current
            )
        now = utcnow()
        self._conn().execute(
            codec.update_stmt,
            {"pk": record_id, "rev": rev, "deleted": True, "updated_at": now, "updated_by": self._actor},
        )
        return StoredRecord(
            record_type, record_id, rev, True, current.data, current.created_at, now, self._actor,
            current.stamps,
        )

    # -- sync --------------------------------------------------------------

    def push(self, request: PushRequest) -> PushResponse:
        # Every replay of the batch found in one query, not one per change.
        known = self._stored_results([change.change_id for change in request.changes])
        results = [self.apply_change(change, known) for change in request.changes]
        return PushResponse(
            results=results, cursor=self.current_seq(), server_time=utcnow(), hlc=self.clock_now()
        )

    def apply_change(self, change: Change, known: dict[str, tuple[str, str]] | None = None) -> ChangeResult:
        """Apply one change in its own savepoint; never raises for a bad change.

        ``known``: the stored results of the batch's change ids (``_stored_results``),
        kept up to date here; without it the change id is looked up."""
        if known is None:
            replay = self._stored_result(change)
        else:
            stored = known.get(change.change_id)
            replay = self._replay(change, *stored) if stored is not None else None
        if replay is not None:
            return replay
        try:
            with self.session.begin_nested():
                record = self._apply(change)
                result = ChangeResult(
                    change_id=change.change_id, status=ChangeStatus.APPLIED, record=record.state()
                )
                stored_json = result.model_dump_json()
                self._conn().execute(
                    _INSERT_APPLIED,
                    {"change_id": change.change_id, "user_id": self.principal.user_id, "result": stored_json},
                )
            if known is not None:
                known[change.change_id] = (self.principal.user_id, stored_json)
            return result
        except (RecordExists, RevisionMismatch, RecordDeleted) as exc:
            # The same change may just have been applied by a concurrent request
            # (PostgreSQL): answer what that one answered.
            replay = self._stored_result(change)
            if replay is not None:
                return replay
            return ChangeResult(
                change_id=change.change_id,
                status=ChangeStatus.CONFLICT,
                record=exc.current.state(),
                reason=exc.message,
                code="conflict",
            )
        except MergeStale as exc:
            return ChangeResult(
                change_id=change.change_id,
                status=ChangeStatus.CONFLICT,
                record=exc.current.state() if exc.current is not None else None,
                reason=exc.message,
                code=exc.code,
                related=exc.related.state(),
                merged_id=exc.merged_id,
            )
        except RefDeleted as exc:
            # The client decides (by its delete rule) whether to bring the
            # target back or to keep its record without the link.
            return ChangeResult(
                change_id=change.change_id, status=ChangeStatus.REJECTED, reason=exc.message, code=exc.code,
                field_errors=[FieldErrorOut(field=exc.field, message=exc.message)], related=exc.current.state(),
            )
        except InvalidInput as exc:
            errors = (exc.detail or {}).get("field_errors", [])
            return ChangeResult(
                change_id=change.change_id,
                status=ChangeStatus.REJECTED,
                reason=exc.message,
                code=exc.code,
                field_errors=[FieldErrorOut(field=e["field"], message=e["message"]) for e in errors],
            )
        except (NotFound, Forbidden) as exc:
            return self._rejected(change, exc.code, exc.message)
        except SQLAlchemyError:
            log.exception("change %s failed", change.change_id)
            return self._rejected(change, "server_error", "The server could not apply this change")

    def _stored_result(self, change: Change) -> ChangeResult | None:
        stored = self.session.execute(
            select(AppliedChange.user_id, AppliedChange.result).where(
                AppliedChange.change_id == change.change_id
            )
        ).first()
        if stored is None:
            return None
        return self._replay(change, stored.user_id, stored.result)

    def _stored_results(self, change_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """change id -> (user id, stored result) of the ids already applied."""
        out: dict[str, tuple[str, str]] = {}
        for start in range(0, len(change_ids), 500):
            rows = self._conn().execute(
                select(_APPLIED.c.change_id, _APPLIED.c.user_id, _APPLIED.c.result).where(
                    _APPLIED.c.change_id.in_(change_ids[start:start + 500])
                )
            )
            out.update((row.change_id, (row.user_id, row.result)) for row in rows)
        return out

    def _replay(self, change: Change, user_id: str, result: str) -> ChangeResult:
        if user_id != self.principal.user_id:
            return self._rejected(change, "change_id_reused", "This change id was already used")
        return ChangeResult.model_validate_json(result)

    @staticmethod
    def _rejected(change: Change, code: str, reason: str) -> ChangeResult:
        return ChangeResult(change_id=change.change_id, status=ChangeStatus.REJECTED, reason=reason, code=code)

    def _apply(self, change: Change) -> StoredRecord:
        if change.merge_from and change.op is ChangeOp.DELETE:
            raise InvalidInput("A merge keeps its record: it cannot be a delete", detail={"field_errors": []})
        if change.merge_base:
            self._check_merge_bases(change)
        if change.op is ChangeOp.CREATE:
            record = self.create(change.type, dict(change.fields), change.id, change.stamps)
        elif change.base_rev is None:
            raise InvalidInput(f"An {change.op.value} needs base_rev", detail={"field_errors": []})
        else:
            try:
                if change.op is not ChangeOp.UPDATE:
                    return self.delete(change.type, change.id, change.base_rev)
                record = self.update(
                    change.type, change.id, dict(change.fields), change.base_rev, change.stamps,
                    restore=change.restore,
                )
            except RecordDeleted:
                raise
            except NotFound as exc:
                # Known to the client (it has a base revision) but no row here
                # at all any more: say so, the client decides by its delete rule.
                codec = codec_for(change.type)
                if self._load(codec, change.id) is None:
                    raise RecordGone(
                        f"This {codec.spec.label.lower()} was deleted on the server and its history has been purged"
                    ) from exc
                raise
        for other in change.merge_from:
            self.merge_into(change.type, other, record.id)
        return record

    # -- record merge ------------------------------------------------------

    def _check_merge_bases(self, change: Change) -> None:
        """Refuse (``merge_stale``, nothing written) a merge made from an older
        version of a merged-away record than the server holds: the change the
        server took for it since would be lost.  Not stale: a record that was
        only deleted since (its values were merged, the delete supersedes the
        rest), or one merged into this very record meanwhile."""
        unknown = sorted(set(change.merge_base) - set(change.merge_from))
        if unknown:
            raise InvalidInput(
                "merge_base names records that are not in merge_from",
                detail={"field_errors": [{"field": "merge_base", "message": f"not merged here: {unknown[0]}"}]},
            )
        codec = codec_for(change.type)
        kept = self._load(codec, change.id)
        if kept is not None and kept.merged_into is not None:
            # The kept record was merged away itself: the change is a conflict
            # with its tombstone, and the client carries the merge over.
            return
        kept_id = self.resolve_alias(change.type, change.id)
        for other_id in change.merge_from:
            base = change.merge_base.get(other_id)
            if base is None:
                continue
            other = self._load(codec, other_id)
            if other is None or other.rev <= base or not can_access(other.data, self.principal):
                continue
            if other.deleted and other.merged_into is None:
                continue
            target_id = self.resolve_alias(change.type, other_id)
            if target_id == kept_id:
                continue
            target = other if target_id == other_id else self._load(codec, target_id)
            if target is None or target.deleted or not can_access(target.data, self.principal):
                continue
            raise MergeStale(
                f"The {codec.spec.label.lower()} merged into this one changed on the server "
                f"(revision {other.rev}, not {base})",
                kept if kept is not None and can_access(kept.data, self.principal) else None,
                other_id,
                target,
            )

    def merge_into(self, record_type: str, other_id: str, kept_id: str) -> StoredRecord | None:
        """Merge record ``other_id`` into ``kept_id`` (the kept record's values
        are set by the caller): ``other_id`` becomes a tombstone pointing at
        ``kept_id`` (an alias), and every reference to it, in every record
        type, is re-pointed at ``kept_id``, each as an ordinary new revision so
        every client pulls it.  Merging again is a no-op.  A record deleted and
        purged meanwhile (no row at all) has nothing left to merge: only the
        references to it are re-pointed (None)."""
        codec = codec_for(record_type)
        self._check_may_change(codec)
        if other_id == kept_id:
            raise InvalidInput("A record cannot be merged into itself", detail={"field_errors": []})
        if self._load(codec, other_id) is None:
            self._repoint(record_type, other_id, kept_id)
            return None
        other = self._load_visible(codec, other_id)
        if other.merged_into == kept_id:
            return other
        if other.merged_into is not None:
            # Merged elsewhere meanwhile (two users deduplicating the same
            # records): all of them are one record, so the one it now lives on
            # is merged here too; nothing if that is this record already.
            target = self.resolve_alias(record_type, other_id)
            if target == kept_id or target == other_id:
                return other
            return self.merge_into(record_type, target, kept_id)
        rev = self.next_rev()
        now = utcnow()
        self.session.execute(
            update(codec.table)
            .where(codec.table.c.id == other_id)
            .values(rev=rev, deleted=True, merged_into=kept_id, updated_at=now, updated_by=self._actor)
        )
        self._repoint(record_type, other_id, kept_id)
        return StoredRecord(
            record_type, other_id, rev, True, other.data, other.created_at, now, self._actor, other.stamps, kept_id
        )

    def _repoint(self, record_type: str, old_id: str, new_id: str) -> None:
        for name in record_types():
            codec = codec_for(name)
            t = codec.table
            for field_name, fspec in codec.ref_fields:
                column = t.c[field_name]
                if fspec.ref_type_field is not None:
                    condition = and_(column == old_id, t.c[fspec.ref_type_field] == record_type)
                elif fspec.ref_type == record_type:
                    condition = column == old_id
                else:
                    continue
                rows = self.session.execute(select(t.c.id, t.c.field_stamps).where(condition)).all()
                for row in rows:
                    stamps = self._stamp(dict(row.field_stamps or {}), [field_name], None)
                    self.session.execute(
                        update(t)
                        .where(t.c.id == row.id)
                        .values(**{field_name: new_id}, rev=self.next_rev(), field_stamps=stamps,
                                updated_at=utcnow(), updated_by=self._actor)
                    )

    def resolve_alias(self, record_type: str, record_id: str) -> str:
        """Follow merge aliases to the record ``record_id`` now lives on."""
        t = codec_for(record_type).table
        seen = {record_id}
        current = record_id
        for _ in range(20):
            target = self.session.execute(select(t.c.merged_into).where(t.c.id == current)).scalar()
            if target is None or target in seen:
                return current
            seen.add(target)
            current = target
        return current

    def pull(
        self, cursor: int, limit: int, *, horizon: bool = False, layout: PullLayout = "records"
    ) -> dict[str, Any]:
        """Visible records (tombstones too) with ``rev > cursor`` in rev order, as plain dicts
        for :func:`crm_cloud.http.dumps` (on SQLite each ``data`` is an ``orjson.Fragment``).

        ``layout="columns"``: the records go by type and field in ``columns``
        (:class:`crm_protocol.wire.RecordColumns`) instead of one object each
        in ``records``.

        The hot path of an initial sync: Core selects sent straight to the driver,
        tuples merged by rev, plain dicts for orjson; no per-record models.  Call it
        in a snapshot (``Database.read(snapshot=True)``).
        """
        seq = self.current_seq()
        conn = self.session.connection()
        sqlite = conn.dialect.name == "sqlite"
        by_columns = layout == "columns"
        streams: list[list[tuple[int, str, Sequence[Any]]]] = []
        for record_type in record_types():
            codec = codec_for(record_type)
            t = codec.table
            common: list[Any] = [t.c.id, t.c.rev, t.c.deleted, t.c.updated_at, t.c.updated_by, t.c.field_stamps,
                                 t.c.merged_into]
            if sqlite:
                common[3] = literal_column(_SQLITE_UPDATED_AT)
            if sqlite and by_columns:
                # Which records make the page, first; their values come as one JSON
                # array per field after (_sqlite_columns).
                columns: list[Any] = [t.c.rev, codec.sqlite_size]
            elif sqlite:
                # SQLite builds each record's data object itself (json_object); Python
                # only wraps it, and orjson embeds it as a pre-serialised fragment.
                columns = [*common, literal_column(codec.sqlite_json)]
            else:
                columns = [*common, *codec.columns[_N_COMMON:]]
            stmt: Select[Any] = (
                select(*columns)
                .where(t.c.rev > cursor, t.c.rev <= seq, visible(t, self.principal))
                .order_by(t.c.rev)
                .limit(limit + 1)
            )
            # Straight to the driver: no per-value result processing on the hot path.
            compiled = stmt.compile(dialect=conn.dialect)
            params: Any = (
                tuple(compiled.params[k] for k in compiled.positiontup or ())
                if compiled.positional
                else compiled.params
            )
            # The driver's own cursor: its rows are plain tuples (a Result
            # wraps each in a Row, a fifth of the page's cost).
            cursor_ = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                rows = cursor_.execute(str(compiled), params).fetchall()
            finally:
                cursor_.close()
            streams.append([(r[0 if sqlite and by_columns else 1], record_type, r) for r in rows])
        if cursor > 0:
            # A first pull (cursor 0) has nothing to drop.
            streams.append([(r[0], _EXIT, r) for r in self._exits(cursor, seq, limit)])
        merged = heapq.merge(*streams, key=lambda item: item[0]) if len(streams) > 1 else streams[0]
        records: list[dict[str, Any]] = []
        revoked: list[dict[str, Any]] = []
        #: layout=columns: the page's rows of each type, in rev order
        picked: dict[str, list[Sequence[Any]]] = {}
        append = records.append
        has_more = False
        fragment = orjson.Fragment
        emitted = 0
        size = 0
        last_rev = cursor
        for rev, record_type, row in merged:
            if emitted == limit or size > PULL_PAGE_BYTES:
                has_more = True
                break
            emitted += 1
            last_rev = rev
            if record_type is _EXIT:
                revoked.append({"type": row[1], "id": row[2], "rev": rev})
                continue
            if by_columns:
                picked.setdefault(record_type, []).append(row)
                size += row[1] if sqlite else sum(len(v) for v in row[7:] if isinstance(v, str))
                continue
            data: Any
            if sqlite:
                data = fragment(row[7])
                size += len(row[7])
            else:
                codec = _CODECS[record_type]
                data = dict(zip(codec.field_names, row[7:], strict=True))
                size += sum(len(v) for v in row[7:] if isinstance(v, str))
                for name, conv in codec.out_conv:
                    if data[name] is not None:
                        data[name] = conv(data[name])
            item = {
                "type": record_type,
                "id": row[0],
                "rev": rev,
                "deleted": bool(row[2]),
                "data": data,
                "updated_at": row[3],
                "updated_by": row[4],
            }
            stamps = row[5]
            if stamps is not None:
                # SQLite hands the stored JSON text over as is: embedded, not re-encoded.
                item["stamps"] = fragment(stamps) if isinstance(stamps, str) else stamps
            if row[6] is not None:
                item["merged_into"] = row[6]
            append(item)
        next_cursor = last_rev if has_more else seq
        body: dict[str, Any] = {
            "records": records, "revoked": revoked, "cursor": next_cursor, "has_more": has_more,
            "server_cursor": seq, "server_time": utcnow(), "hlc": self.clock_now(),
        }
        if by_columns and sqlite:
            body["columns"] = [
                self._sqlite_columns(record_type, cursor, rows[-1][0]) for record_type, rows in picked.items()
            ]
        elif by_columns:
            body["columns"] = [_record_columns(record_type, rows) for record_type, rows in picked.items()]
        if horizon and cursor > 0:
            purged_up_to = history_horizon(self.session)
            if cursor < purged_up_to:
                # Deletes after this cursor may have been purged: the client
                # must resync in full.  Sent only to clients that ask for it
                # (they reject unknown fields); older ones rely on the replica
                # check (docs/SYNC.md, section 6) to find what they missed.
                body["history_horizon"] = purged_up_to
        return body

    def _sqlite_columns(self, record_type: str, cursor: int, last_rev: int) -> dict[str, Any]:
        """The visible records of one type with ``cursor < rev <= last_rev`` as a
        :class:`crm_protocol.wire.RecordColumns` dict for orjson, each list built
        by SQLite as one JSON array (embedded as an ``orjson.Fragment``): Python
        touches no value of a record (``layout=columns`` on SQLite)."""
        codec = codec_for(record_type)
        t = codec.table
        arrays = [
            "json_group_array(id)", "json_group_array(rev)",
            "json_group_array(CASE WHEN deleted THEN json('true') ELSE json('false') END)",
            f"json_group_array({_SQLITE_UPDATED_AT})", "json_group_array(updated_by)",
            "max(merged_into IS NOT NULL)", "json_group_array(merged_into)",
            "max(field_stamps IS NOT NULL)", "json_group_array(coalesce(json(field_stamps), json_object()))",
            *codec.sqlite_field_arrays,
        ]
        # The inner ORDER BY feeds the arrays in commit order: SQLite does not
        # flatten an ordered subquery into an aggregate (and the client checks
        # the order by ``rev``; each list's positions agree whatever it is).
        rows = (
            select(t).where(t.c.rev > cursor, t.c.rev <= last_rev, visible(t, self.principal)).order_by(t.c.rev)
        ).subquery()
        values: Any = self.session.execute(select(*map(literal_column, arrays)).select_from(rows)).one()
        fragment = orjson.Fragment
        out: dict[str, Any] = {
            "type": record_type, "id": fragment(values[0]), "rev": fragment(values[1]),
            "deleted": fragment(values[2]), "updated_at": fragment(values[3]), "updated_by": fragment(values[4]),
        }
        if values[5]:
            out["merged_into"] = fragment(values[6])
        if values[7]:
            out["stamps"] = fragment(values[8])
        out["data"] = {name: fragment(array) for name, array in zip(codec.field_names, values[9:], strict=True)}
        return out

    def _exits(self, cursor: int, seq: int, limit: int) -> Sequence[Any]:
        """Exits in (cursor, seq] of records the caller could see before and cannot now."""
        ex = cast(Table, RecordExit.__table__)
        gone_now = [
            and_(ex.c.record_type == record_type, ~exists().where(
                codec_for(record_type).table.c.id == ex.c.record_id,
                visible(codec_for(record_type).table, self.principal),
            ))
            for record_type in record_types()
        ]
        return self.session.execute(
            select(ex.c.rev, ex.c.record_type, ex.c.record_id)
            .where(ex.c.rev > cursor, ex.c.rev <= seq, could_see(ex, self.principal), or_(*gone_now))
            .order_by(ex.c.rev)
            .limit(limit + 1)
        ).all()

    def status(self) -> SyncStatus:
        types = []
        for record_type in record_types():
            t = codec_for(record_type).table
            count, rev_sum = self.session.execute(
                select(func.count(), func.coalesce(func.sum(t.c.rev), 0)).where(
                    and_(t.c.deleted.is_(False), visible(t, self.principal))
                )
            ).one()
            types.append(TypeChecksum(type=record_type, count=int(count), rev_sum=int(rev_sum)))
        return SyncStatus(cursor=self.current_seq(), types=types)
