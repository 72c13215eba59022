"""The one way user changes reach the store.

Every create, update and delete writes the record and its outbox entry
(``pending_changes``) in the same transaction, so a change can never be saved
without being queued for sync, nor queued without being saved.  Methods run
on the database worker thread; they return plain data, never ORM objects.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.clock import tick
from crm_desktop.customization import rules as _custom_rules  # registers the custom field check
from crm_desktop.errors import KnownError, RecordNotFound
from crm_desktop.ids import new_id
from crm_desktop.sales import rules as _sales_rules  # registers the sales rules
from crm_desktop.services.hooks import EditContext, run_hooks
from crm_desktop.store import history
from crm_desktop.store.db import Database
from crm_desktop.store.records import (
    add_alias,
    get_row,
    model_for,
    now,
    repoint_refs,
    resolve_alias,
    row_data,
    set_row_data,
)
from crm_desktop.store.schema import Account, Conflict, Contact, KeyValue, PendingChange, User, spec_for
from crm_desktop.support import rules as _support_rules  # registers the service rules
from crm_protocol.custom import CustomFieldDef
from crm_protocol.hlc import stamp_ms
from crm_protocol.records import RECORD_TYPES, FieldError, FieldKind, ValidationFailed, validate_fields

log = logging.getLogger("crm.services")


@dataclass(frozen=True)
class RecordView:
    record_type: str
    id: str
    data: dict[str, Any]
    server_rev: int | None
    dirty: bool
    created_at: datetime
    updated_at: datetime

    @property
    def title(self) -> str:
        return spec_for(self.record_type).title(self.data)


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class PendingChangeView:
    record_type: str
    record_id: str
    title: str
    op: str
    status: str
    reason: str | None
    diffs: list[FieldDiff]
    field_errors: list[dict[str, str]] = field(default_factory=list)
    in_flight: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ConflictView:
    id: int
    record_type: str
    record_id: str
    title: str
    field: str | None
    label: str
    kind: str
    base_value: Any
    local_value: Any
    server_value: Any
    server_updated_by: str | None
    created_at: datetime
    #: "local" or "server": whose value the conflict rule applied (None: older entries).
    winner: str | None = None
    #: When each side made its edit (server time), if known.
    local_edited_at: datetime | None = None
    server_edited_at: datetime | None = None
    #: The field is long text (notes): "keep both" is offered.
    long_text: bool = False
    #: How to show the local value when it is not plain text (a link's target title).
    local_display: str | None = None


@dataclass(frozen=True)
class DataChanged:
    """What a write changed; broadcast so each view decides whether to refresh."""

    record_types: frozenset[str]
    ids: frozenset[str] = frozenset()
    outbox: bool = True

    def __or__(self, other: DataChanged) -> DataChanged:
        """One change saying what both say (a view refreshes for either): changes told
        together (a sync's pages)."""
        return DataChanged(self.record_types | other.record_types, self.ids | other.ids, self.outbox or other.outbox)


class RecordService:
    def __init__(
        self,
        db: Database,
        *,
        default_region: Callable[[], str] = lambda: "US",
        current_user_id: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._db = db
        self._default_region = default_region
        self._current_user_id = current_user_id

    # -- reading -----------------------------------------------------------

    def get(self, record_type: str, record_id: str) -> RecordView:
        with self._db.session() as session:
            row = get_row(session, record_type, record_id)
            if row is None or row.deleted:
                # Merged into another record (here or elsewhere): the old id
                # points to the record it now lives on.
                alias = resolve_alias(session, record_type, record_id)
                row = get_row(session, record_type, alias) if alias is not None else None
            if row is None or row.deleted:
                raise RecordNotFound(f"This {spec_for(record_type).label.lower()} no longer exists.")
            return RecordView(
                record_type, row.id, row_data(record_type, row), row.server_rev, row.dirty,
                row.created_at, row.updated_at,
            )

    def contacts_of_account(self, account_id: str, limit: int = 500) -> list[RecordView]:
        with self._db.session() as session:
            rows = session.execute(
                select(Contact)
                .where(Contact.account_id == account_id, Contact.deleted.is_(False))
                .order_by(Contact.sort_key, Contact.rid)
                .limit(limit)
            ).scalars()
            return [
                RecordView("contact", r.id, row_data("contact", r), r.server_rev, r.dirty,
                           r.created_at, r.updated_at)
                for r in rows
            ]

    def account_choices(self, text: str, limit: int = 50) -> list[tuple[str, str]]:
        """(id, name) of accounts whose name starts with or contains ``text``."""
        model = Account
        needle = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._db.session() as session:
            rows = session.execute(
                select(model.id, model.name)
                .where(model.deleted.is_(False), model.sort_key.like(f"%{needle}%", escape="\\"))
                .order_by(model.sort_key)
                .limit(limit)
            ).all()
        return [(r[0], r[1] or "") for r in rows]

    def get_in(self, session: Session, record_type: str, record_id: str) -> dict[str, Any]:
        """A live record's field values inside the caller's transaction."""
        return row_data(record_type, self._live_row(session, record_type, record_id))

    def choices(self, record_type: str, text: str, limit: int = 50) -> list[tuple[str, str]]:
        """(id, title) of live records of a type whose title contains ``text`` (for pickers)."""
        model = model_for(record_type)
        spec = spec_for(record_type)
        needle = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._db.session() as session:
            rows = session.execute(
                select(model)
                .where(model.deleted.is_(False), model.sort_key.like(f"%{needle}%", escape="\\"))
                .order_by(model.sort_key, model.rid)
                .limit(limit)
            ).scalars()
            return [(r.id, spec.title(row_data(record_type, r)) or "(untitled)") for r in rows]

    def title_of(self, record_type: str, record_id: str) -> str:
        """The display title of a record, or "" if it is not here (deleted, or not synced yet)."""
        with self._db.session() as session:
            row = get_row(session, record_type, record_id)
            if row is None or row.deleted:
                return ""
            return spec_for(record_type).title(row_data(record_type, row))

    def pipeline_stages(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        with self._db.session() as session:
            return _sales_rules.pipeline_stages(session, active_only=active_only)

    def custom_fields(self, record_type: str, *, active_only: bool = True) -> list[CustomFieldDef]:
        """The custom fields administrators defined for a record type (as last synced)."""
        with self._db.session() as session:
            fields = _custom_rules.custom_fields(session, record_type)
        return [f for f in fields if f.active or not active_only]

    def service_levels(self) -> list[dict[str, Any]]:
        with self._db.session() as session:
            return _support_rules.service_levels(session)

    def configuration(self, record_type: str) -> list[tuple[str, dict[str, Any]]]:
        """The live records of a configuration type (pipeline stages, service levels,
        custom field definitions), as (id, data), in the order the setup screen shows them."""
        spec = spec_for(record_type)
        if not spec.admin_only:
            raise ValueError(f"{record_type} is not a configuration type")
        model = model_for(record_type)
        with self._db.session() as session:
            rows = session.execute(select(model).where(model.deleted.is_(False))).scalars().all()
            records = [(row.id, row_data(record_type, row)) for row in rows]

        # Service levels by their priority's place in its list (Low, Normal, High...).
        title_field = spec.field_map.get(spec.title_fields[0])
        choices = title_field.choices if title_field is not None and title_field.kind is FieldKind.CHOICE else ()

        def order(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
            data = item[1]
            title = spec.title(data)
            rank = choices.index(title) if title in choices else len(choices)
            return (str(data.get("record_type") or ""), data.get("position") or 0, rank, title.casefold(), item[0])

        return sorted(records, key=order)

    def users(self) -> list[tuple[str, str]]:
        with self._db.session() as session:
            return [(u.id, u.name) for u in session.execute(select(User).order_by(User.name)).scalars()]

    # -- writing -----------------------------------------------------------

    def create(self, record_type: str, fields: dict[str, Any]) -> str:
        with self._db.session() as session:
            return self.create_in(session, record_type, fields)

    def unit_of_work(self) -> contextlib.AbstractContextManager[Session]:
        """One transaction for several writes (``create_in`` / ``update_in``): all or nothing."""
        return self._db.session()

    def create_in(self, session: Session, record_type: str, fields: dict[str, Any]) -> str:
        """Create a record and queue it for sync, inside the caller's transaction."""
        spec = spec_for(record_type)
        data = dict.fromkeys(spec.field_names)
        # Configuration (pipeline stages...) belongs to everyone: no owner.
        if "shared" in spec.field_map:
            data["shared"] = False
        if "owner_id" in spec.field_map:
            data["owner_id"] = self._current_user_id()
        data.update(fields)
        stamp = now()
        cleaned = self._validate(session, record_type, data, None, stamp)
        row = model_for(record_type)(
            id=new_id(), server_rev=None, dirty=True, deleted=False,
            created_at=stamp, updated_at=stamp,
        )
        set_row_data(record_type, row, cleaned)
        session.add(row)
        session.add(
            PendingChange(
                record_type=record_type, record_id=row.id, change_id=new_id(), op="create",
                base_rev=None, base_values={}, local_seq=1, status="pending",
                field_stamps={"*": tick(session)}, created_at=stamp, updated_at=stamp,
            )
        )
        # Flushed now so later writes of the same unit of work can refer to it.
        session.flush()
        self._note(session, record_type, row.id, "create", {}, cleaned, stamp)
        log.info("created %s %s", record_type, row.id)
        return row.id

    def update(self, record_type: str, record_id: str, fields: dict[str, Any]) -> None:
        with self._db.session() as session:
            self.update_in(session, record_type, record_id, fields)

    def update_in(self, session: Session, record_type: str, record_id: str, fields: dict[str, Any]) -> bool:
        """:meth:`update` inside the caller's transaction (an import, a lead conversion); False if
        nothing changed."""
        row = self._live_row(session, record_type, record_id)
        before = row_data(record_type, row)
        merged = {**before, **fields}
        cleaned = self._validate(session, record_type, merged, before, row.created_at)
        if cleaned == before:
            return False
        stamp = now()
        self._queue(session, record_type, row, "update", before, stamp, _changed(before, cleaned))
        set_row_data(record_type, row, cleaned)
        row.dirty = True
        row.updated_at = stamp
        self._note(session, record_type, record_id, "update", before, cleaned, stamp)
        return True

    def delete(self, record_type: str, record_id: str) -> None:
        with self._db.session() as session:
            row = self._live_row(session, record_type, record_id)
            entry = session.get(PendingChange, (record_type, record_id))
            if entry is not None and entry.op == "create" and entry.in_flight is None and not entry.merge_from:
                # The server never heard of it: forget it entirely.  Records
                # linked to it lose the link, or the server would refuse them
                # for pointing at a record it never had.
                self._unlink(session, record_type, record_id)
                session.delete(entry)
                session.delete(row)
                self._note(session, record_type, record_id, "delete", {}, {}, now())
                return
            stamp = now()
            self._queue(session, record_type, row, "delete", row_data(record_type, row), stamp)
            row.deleted = True
            row.dirty = True
            row.updated_at = stamp
            self._note(session, record_type, record_id, "delete", {}, {}, stamp)

    def discard_change(self, record_type: str, record_id: str) -> None:
        """Undo a record's unsynced changes, back to what the server has."""
        with self._db.session() as session:
            entry = session.get(PendingChange, (record_type, record_id))
            if entry is None:
                return
            if entry.in_flight is not None:
                raise KnownError(
                    "This change is being sent to the server. Wait for the sync to finish, "
                    "then discard it if you still want to."
                )
            row = get_row(session, record_type, record_id)
            if entry.op in ("create", "restore"):
                # Never on the server, or only as a tombstone there.
                if row is not None:
                    session.delete(row)
            elif row is not None:
                self._note(session, record_type, record_id, "update", row_data(record_type, row),
                           entry.base_values, now())
                set_row_data(record_type, row, entry.base_values)
                row.deleted = False
                row.dirty = False
                row.updated_at = now()
            session.delete(entry)

    def retry_rejected(self, record_type: str, record_id: str) -> None:
        with self._db.session() as session:
            entry = session.get(PendingChange, (record_type, record_id))
            if entry is not None and entry.status == "rejected":
                entry.status = "pending"
                entry.change_id = new_id()
                entry.reject_reason = entry.reject_code = None
                entry.field_errors = None

    # -- record merge --------------------------------------------------------

    def merge_records(self, record_type: str, keep_id: str, other_id: str, values: dict[str, Any]) -> None:
        """Merge ``other_id`` into ``keep_id`` (same type): ``keep_id`` takes
        ``values`` (the fields the user chose, e.g. from the merge dialog), the
        other record goes away and its id becomes an alias of ``keep_id``,
        every local link to it is re-pointed, and the merge syncs as one
        operation (``merge_from`` on the kept record's change) so the server
        and every other client do the same.  The other record's unsynced edits
        that were not chosen are kept in the conflict inbox.
        """
        spec = spec_for(record_type)
        if keep_id == other_id:
            raise KnownError(f"Choose two different {spec.label_plural.lower()} to merge.")
        with self._db.session() as session:
            keep = self._live_row(session, record_type, keep_id)
            other = self._live_row(session, record_type, other_id)
            oentry = session.get(PendingChange, (record_type, other_id))
            kentry = session.get(PendingChange, (record_type, keep_id))
            if (oentry is not None and oentry.in_flight is not None) or (
                kentry is not None and kentry.in_flight is not None and kentry.op == "create"
            ):
                raise KnownError(
                    "One of these records is being synced. Wait for the sync to finish, then merge again."
                )
            before = row_data(record_type, keep)
            other_data = row_data(record_type, other)
            cleaned = self._validate(session, record_type, {**before, **values}, before, keep.created_at)
            stamp = now()
            self._queue(session, record_type, keep, "update", before, stamp, _changed(before, cleaned))
            session.flush()
            kentry = session.get(PendingChange, (record_type, keep_id))
            assert kentry is not None
            # Never on the server (an unsynced create): nothing to merge there.
            on_server = other.server_rev is not None and not (oentry is not None and oentry.op == "create")
            if on_server:
                kentry.merge_from = [*(kentry.merge_from or []), other_id]
                # The version of the other record this merge is made from: the
                # server refuses the merge if it changed since, and the newer
                # values are then merged in (sync/replica.py, _merge_stale).
                if oentry is not None and oentry.op in ("update", "restore", "delete"):
                    base_rev, base_values = oentry.base_rev, oentry.base_values
                else:
                    base_rev, base_values = other.server_rev, other_data
                kentry.merge_base = {**(kentry.merge_base or {}),
                                     other_id: {"rev": base_rev, "values": base_values}}
            if oentry is not None and oentry.merge_from:
                # Records merged into the other one before: they now go with this one
                # (dropping the other's outbox entry must not drop its merges).
                kentry.merge_from = [*(kentry.merge_from or []),
                                     *(m for m in oentry.merge_from if m not in (kentry.merge_from or []))]
                kentry.merge_base = {**(oentry.merge_base or {}), **(kentry.merge_base or {})}
            set_row_data(record_type, keep, cleaned)
            keep.dirty = True
            keep.updated_at = stamp
            self._note(session, record_type, keep_id, "update", before, cleaned, stamp)
            self._note(session, record_type, other_id, "delete", {}, {}, stamp)
            if oentry is not None and oentry.op != "delete":
                base = oentry.base_values if oentry.op in ("update", "restore") else {}
                for f in spec.fields:
                    if f.derived_from is not None:
                        continue
                    edited = other_data.get(f.name) != base.get(f.name) and other_data.get(f.name) not in (None, "")
                    if edited and cleaned.get(f.name) != other_data.get(f.name):
                        session.add(
                            Conflict(
                                record_type=record_type, record_id=keep_id, field=f.name, kind="merged_away",
                                base_value=base.get(f.name), local_value=other_data.get(f.name),
                                server_value=cleaned.get(f.name), created_at=stamp, winner="server",
                            )
                        )
            if oentry is not None:
                session.delete(oentry)
            session.delete(other)
            add_alias(session, record_type, other_id, keep_id)
            repoint_refs(session, record_type, other_id, keep_id)
            log.info("merged %s %s into %s", record_type, other_id, keep_id)

    # -- outbox views ------------------------------------------------------

    def pending_count(self) -> int:
        with self._db.session() as session:
            return int(session.execute(select(func.count()).select_from(PendingChange)).scalar_one())

    def pending_changes(self) -> list[PendingChangeView]:
        views: list[PendingChangeView] = []
        with self._db.session() as session:
            entries = session.execute(
                select(PendingChange).order_by(PendingChange.updated_at.desc())
            ).scalars().all()
            for entry in entries:
                spec = spec_for(entry.record_type)
                row = get_row(session, entry.record_type, entry.record_id)
                current = row_data(entry.record_type, row) if row is not None else {}
                diffs: list[FieldDiff] = []
                if entry.op != "delete":
                    for f in spec.fields:
                        if f.derived_from is not None:
                            continue
                        old = entry.base_values.get(f.name)
                        new = current.get(f.name)
                        if old != new and not (entry.op == "create" and new in (None, "", False)):
                            diffs.append(FieldDiff(f.name, f.label, old, new))
                title = spec.title(current or entry.base_values) or "(untitled)"
                views.append(
                    PendingChangeView(
                        entry.record_type, entry.record_id, title, entry.op, entry.status,
                        entry.reject_reason, diffs, entry.field_errors or [],
                        entry.in_flight is not None, entry.updated_at,
                    )
                )
        return views

    # -- conflicts ---------------------------------------------------------

    def open_conflict_count(self) -> int:
        with self._db.session() as session:
            return int(
                session.execute(
                    select(func.count()).select_from(Conflict).where(Conflict.resolution.is_(None))
                ).scalar_one()
            )

    def open_conflicts(self) -> list[ConflictView]:
        out: list[ConflictView] = []
        with self._db.session() as session:
            rows = session.execute(
                select(Conflict).where(Conflict.resolution.is_(None)).order_by(Conflict.id)
            ).scalars().all()
            for c in rows:
                spec = spec_for(c.record_type)
                row = get_row(session, c.record_type, c.record_id)
                title = spec.title(row_data(c.record_type, row)) if row is not None else ""
                if not title and isinstance(c.local_value, dict):
                    title = spec.title(c.local_value)
                if not title and isinstance(c.base_value, dict):
                    # A whole-record entry of a delete: the record as it was.
                    title = spec.title(c.base_value)
                label = spec.field_map[c.field].label if c.field in spec.field_map else "Whole record"
                out.append(
                    ConflictView(
                        c.id, c.record_type, c.record_id, title or "(untitled)", c.field, label, c.kind,
                        c.base_value, c.local_value, c.server_value, c.server_updated_by, c.created_at,
                        c.winner, _stamp_time(c.local_stamp), _stamp_time(c.server_stamp),
                        c.field in spec.field_map and spec.field_map[c.field].kind is FieldKind.LONG_TEXT,
                        _link_title(spec, c.field, c.base_value) if c.kind == "parent_deleted" else None,
                    )
                )
        return out

    def resolve_conflict(self, conflict_id: int, choice: str, value: Any = None) -> None:
        """Settle a conflict: keep the server's value ("server"), mine ("local"),
        a typed one ("custom") or, for long text, both versions ("both").

        Whatever the conflict rule applied at sync time, the chosen value is
        written as an ordinary local edit (queued, synced, stamped now) when it
        differs from what the record holds, so every replica ends with it.
        """
        if choice not in ("local", "server", "custom", "both"):
            raise ValueError(choice)
        with self._db.session() as session:
            conflict = session.get(Conflict, conflict_id)
            if conflict is None or conflict.resolution is not None:
                return
            row = get_row(session, conflict.record_type, conflict.record_id)
            if conflict.field is None:
                self._resolve_whole(session, conflict, choice, row)
            elif conflict.kind == "parent_deleted":
                # The link was dropped because its target was deleted elsewhere:
                # "local" brings the target back and links it again.
                if choice == "local" and row is not None and not row.deleted and conflict.local_value:
                    fspec = spec_for(conflict.record_type).field_map.get(conflict.field)
                    if fspec is not None and fspec.ref_type and isinstance(conflict.base_value, dict):
                        target = get_row(session, fspec.ref_type, str(conflict.local_value))
                        if target is None or target.deleted:
                            self._bring_back(session, fspec.ref_type, str(conflict.local_value),
                                             conflict.base_value, conflict.server_rev, conflict.base_value)
                        self._set_field(session, conflict.record_type, row, conflict.field, conflict.local_value)
            elif row is not None and not row.deleted:
                if choice == "local":
                    wanted = conflict.local_value
                elif choice == "server":
                    wanted = conflict.server_value
                elif choice == "both":
                    wanted = keep_both(conflict.local_value, conflict.server_value)
                else:
                    wanted = value
                self._set_field(session, conflict.record_type, row, conflict.field, wanted)
            conflict.resolution = choice
            conflict.resolved_at = now()

    def _resolve_whole(self, session: Session, conflict: Conflict, choice: str, row: Any) -> None:
        """Edit against delete: "local" / "server" pick a side; whichever side the
        rule applied at sync time, picking the other one undoes it."""
        if conflict.kind == "parent_deleted":
            # Brought back for a record linked to it offline: "server" deletes it after all.
            if choice == "server" and row is not None and not row.deleted:
                self._delete_row(session, conflict.record_type, row)
            return
        if conflict.kind == "merged_away":
            self._resolve_merged_away(session, conflict, choice, row)
            return
        if conflict.kind == "access_lost":
            if choice == "local" and isinstance(conflict.local_value, dict):
                # The record now belongs to someone else: my version becomes a
                # new record of mine.
                values = {**conflict.local_value, "owner_id": self._current_user_id()}
                self._restore(session, conflict.record_type, new_id(), values)
            return
        keep_record = (
            (conflict.kind == "deleted_remotely" and choice == "local")
            or (conflict.kind == "edited_remotely" and choice == "server")
        )
        values = conflict.local_value if conflict.kind == "deleted_remotely" else conflict.server_value
        live = row is not None and not row.deleted
        if keep_record and not live and isinstance(values, dict):
            self._bring_back(session, conflict.record_type, conflict.record_id, values, conflict.server_rev,
                             conflict.server_value if conflict.kind == "deleted_remotely" else None)
        elif keep_record and live and conflict.kind == "deleted_remotely" and isinstance(values, dict):
            # Restored already (the rule let the edit win): make sure my values are there.
            for name, value in values.items():
                if name in spec_for(conflict.record_type).field_map and \
                        spec_for(conflict.record_type).field_map[name].derived_from is None:
                    self._set_field(session, conflict.record_type, row, name, value)
        elif not keep_record and live:
            self._delete_row(session, conflict.record_type, row)

    def _resolve_merged_away(self, session: Session, conflict: Conflict, choice: str, row: Any) -> None:
        """Local edits carried over to the record this one was merged into:
        "server" takes the carried fields back to the kept record's values;
        "local" keeps them (or, if the kept record is not here, keeps my
        version as a new record)."""
        if row is None or row.deleted:
            if choice == "local" and isinstance(conflict.local_value, dict):
                values = {**conflict.local_value, "owner_id": self._current_user_id()}
                self._restore(session, conflict.record_type, new_id(), values)
            return
        if choice != "server" or not isinstance(conflict.server_value, dict):
            return
        carried = (conflict.base_value or {}).get("carried", []) if isinstance(conflict.base_value, dict) else []
        for name in carried:
            if name in conflict.server_value:
                self._set_field(session, conflict.record_type, row, name, conflict.server_value[name])

    def _bring_back(
        self,
        session: Session,
        record_type: str,
        record_id: str,
        values: dict[str, Any],
        tombstone_rev: int | None,
        tombstone_values: Any,
    ) -> None:
        """Recreate a record deleted on the server, with the same id (so links
        to it hold): queued as a restore against the tombstone's revision."""
        entry = session.get(PendingChange, (record_type, record_id))
        row = get_row(session, record_type, record_id)
        if entry is not None and entry.in_flight is not None:
            raise KnownError(
                "This record is being synced. Wait for the sync to finish, then choose again."
            )
        if tombstone_rev is None:
            self._restore(session, record_type, record_id, values)
            return
        fields = {k: v for k, v in values.items() if k in spec_for(record_type).field_map}
        stamp = now()
        cleaned = self._validate(session, record_type, fields, None, stamp)
        if row is None:
            row = model_for(record_type)(
                id=record_id, server_rev=tombstone_rev, dirty=True, deleted=False,
                created_at=stamp, updated_at=stamp,
            )
            session.add(row)
        set_row_data(record_type, row, cleaned)
        row.deleted = False
        row.dirty = True
        row.updated_at = stamp
        self._note(session, record_type, record_id, "create", {}, cleaned, stamp)
        base = tombstone_values if isinstance(tombstone_values, dict) else {}
        if entry is None:
            entry = PendingChange(
                record_type=record_type, record_id=record_id, change_id=new_id(), op="restore",
                base_rev=tombstone_rev, base_values=base, local_seq=1, status="pending",
                created_at=stamp, updated_at=stamp,
            )
            session.add(entry)
        else:
            entry.op = "restore"
            entry.base_rev = tombstone_rev
            entry.base_values = base
            entry.change_id = new_id()
            entry.local_seq += 1
            entry.status = "pending"
            entry.updated_at = stamp
        entry.field_stamps = {"*": tick(session)}

    def _delete_row(self, session: Session, record_type: str, row: Any) -> None:
        entry = session.get(PendingChange, (record_type, row.id))
        if entry is not None and entry.op == "create" and entry.in_flight is None:
            session.delete(entry)
            session.delete(row)
            return
        stamp = now()
        self._queue(session, record_type, row, "delete", row_data(record_type, row), stamp)
        row.deleted = True
        row.dirty = True
        row.updated_at = stamp

    def _set_field(self, session: Session, record_type: str, row: Any, name: str, wanted: Any) -> None:
        before = row_data(record_type, row)
        if before.get(name) == wanted:
            return
        cleaned = self._validate(session, record_type, {**before, name: wanted}, before, row.created_at)
        if cleaned == before:
            return
        stamp = now()
        self._queue(session, record_type, row, "update", before, stamp, _changed(before, cleaned))
        set_row_data(record_type, row, cleaned)
        row.dirty = True
        row.updated_at = stamp
        self._note(session, record_type, row.id, "update", before, cleaned, stamp)

    # -- helpers -----------------------------------------------------------

    def _restore(self, session: Session, record_type: str, record_id: str, data: dict[str, Any]) -> None:
        stamp = now()
        cleaned = self._validate(session, record_type, {**data}, None, stamp)
        row = get_row(session, record_type, record_id)
        new_record_id = record_id
        if row is not None:
            # The id is a tombstone on the server; restore as a new record so
            # no client confuses it with the deleted one.
            new_record_id = new_id()
        restored = model_for(record_type)(
            id=new_record_id, server_rev=None, dirty=True, deleted=False, created_at=stamp, updated_at=stamp,
        )
        set_row_data(record_type, restored, cleaned)
        session.add(restored)
        session.add(
            PendingChange(
                record_type=record_type, record_id=new_record_id, change_id=new_id(), op="create",
                base_rev=None, base_values={}, local_seq=1, status="pending",
                field_stamps={"*": tick(session)}, created_at=stamp, updated_at=stamp,
            )
        )
        self._note(session, record_type, new_record_id, "create", {}, cleaned, stamp)

    def _note(self, session: Session, record_type: str, record_id: str, op: str, before: dict[str, Any],
              after: dict[str, Any], stamp: datetime) -> None:
        """Keep the edit in the local history (the record's timeline), same transaction."""
        history.note_local(session, record_type, record_id, op, before, after,
                           user_id=self._current_user_id(), stamp=stamp)

    def _unlink(self, session: Session, record_type: str, record_id: str) -> None:
        """Drop every local link to a record that is being forgotten (never reached the server)."""
        for spec in RECORD_TYPES.values():
            for f in spec.fields:
                if f.kind is not FieldKind.REF or f.ref_type == "user":
                    continue
                if f.ref_type is not None and f.ref_type != record_type:
                    continue
                model = model_for(spec.name)
                linked: list[Any] = list(session.execute(
                    select(model).where(getattr(model, f.name) == record_id, model.deleted.is_(False))
                ).scalars())
                for row in linked:
                    if f.target_type(row_data(spec.name, row)) == record_type:
                        self._set_field(session, spec.name, row, f.name, None)

    def _live_row(self, session: Session, record_type: str, record_id: str) -> Any:
        row = get_row(session, record_type, record_id)
        if row is None or row.deleted:
            raise RecordNotFound(
                f"This {spec_for(record_type).label.lower()} was deleted, perhaps by a sync. "
                "Nothing was changed."
            )
        return row

    def _queue(
        self,
        session: Session,
        record_type: str,
        row: Any,
        op: str,
        before: dict[str, Any],
        stamp: datetime,
        changed: set[str] | None = None,
    ) -> None:
        """Record a local edit in the outbox: one entry per record, however many
        edits, so they are pushed as one change against the first edit's base."""
        entry = session.get(PendingChange, (record_type, row.id))
        clock = tick(session) if changed else None
        if entry is None:
            session.add(
                PendingChange(
                    record_type=record_type, record_id=row.id, change_id=new_id(), op=op,
                    base_rev=row.server_rev, base_values=before, local_seq=1, status="pending",
                    field_stamps=dict.fromkeys(changed or (), clock), created_at=stamp, updated_at=stamp,
                )
            )
            return
        if clock is not None:
            entry.field_stamps = {**(entry.field_stamps or {}), **dict.fromkeys(changed or (), clock)}
        entry.local_seq += 1
        entry.updated_at = stamp
        if op == "delete":
            entry.op = "delete"
        if entry.status == "rejected":
            # The user edited a refused change: send it again as a new change.
            entry.status = "pending"
            entry.reject_code = entry.reject_reason = None
            entry.field_errors = None
            if entry.in_flight is None:
                entry.change_id = new_id()

    def _validate(
        self,
        session: Session,
        record_type: str,
        data: dict[str, Any],
        previous: dict[str, Any] | None,
        created_at: datetime,
    ) -> dict[str, Any]:
        region = self._default_region()
        cleaned = dict(validate_fields(record_type, data, partial=False, default_region=region))
        errors: list[FieldError] = []
        for f in spec_for(record_type).fields:
            target_type = f.target_type(cleaned) if f.kind is FieldKind.REF else None
            if target_type in (None, "user"):
                continue
            ref = cleaned.get(f.name)
            # A link the edit does not touch is not checked (as on the server):
            # a contact whose account was deleted elsewhere stays editable.
            if ref and (previous is None or previous.get(f.name) != ref):
                target = get_row(session, str(target_type), str(ref))
                if target is None or target.deleted:
                    errors.append(FieldError(f.name, f"{f.label}: the chosen record no longer exists"))
        errors.extend(run_hooks(EditContext(session, record_type, previous, created_at), cleaned))
        if errors:
            raise ValidationFailed(record_type, errors)
        return cleaned


#: Put between the two versions of a long text kept together.
KEEP_BOTH_SEPARATOR = "\n\n-----\n\n"


def keep_both(mine: Any, theirs: Any) -> str | None:
    """Both versions of a long text, mine first, without repeating a shared one."""
    parts = [str(v) for v in (mine, theirs) if v not in (None, "")]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return KEEP_BOTH_SEPARATOR.join(parts) or None


def _link_title(spec: Any, name: str | None, target: Any) -> str | None:
    fspec = spec.field_map.get(name or "")
    if fspec is None or not fspec.ref_type or not isinstance(target, dict):
        return None
    try:
        return str(spec_for(fspec.ref_type).title(target)) or None
    except KeyError:
        return None


def _stamp_time(stamp: str | None) -> datetime | None:
    ms = stamp_ms(stamp)
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name, value in after.items() if before.get(name) != value}


def kv_get(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(KeyValue, key)
    return default if row is None else row.value


def kv_set(session: Session, key: str, value: Any) -> None:
    row = session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    else:
        row.value = value



