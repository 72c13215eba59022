"""A record's detail: its fields (references shown by title), related records and timeline.

The timeline merges the record's linked activities with its changes from the
local history (``record_history``: local edits and pulled changes), newest
first.  Related records are found generically from the specs: every record
type with a reference field pointing at this type (an account's contacts,
opportunities and cases; a campaign's members...), plus linked activities.
Runs on the DB worker; returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.errors import RecordNotFound
from crm_desktop.store.db import Database
from crm_desktop.store.records import get_row, model_for, row_data
from crm_desktop.store.schema import Activity, RecordHistory, User, spec_for
from crm_protocol.records import LINKABLE_TYPES, RECORD_TYPES, FieldKind, FieldSpec, parse_datetime

Activity_t = Activity.__table__
Activity_ = Activity_t.c

#: Fields shown beside a related record's title, per type.
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "account": ("industry", "city"),
    "contact": ("title", "email", "phone"),
    "lead": ("status", "company", "source"),
    "opportunity": ("stage", "amount", "currency", "close_date"),
    "case": ("priority", "status", "due_at"),
    "activity": ("kind", "due_date", "start_at"),
    "campaign": ("status", "start_date"),
    "campaign_member": ("response", "responded_on"),
}
RELATED_LIMIT = 100
TIMELINE_LIMIT = 300


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    #: "activity" or "change"
    kind: str
    title: str
    who: str | None = None
    #: For changes: "local" or "sync"; the op (create / update / delete).
    source: str = ""
    op: str = ""
    changes: tuple[FieldChange, ...] = ()
    #: For activities: its id, kind (Call, Task...), done flag.
    activity_id: str | None = None
    activity_kind: str = ""
    done: bool = False


@dataclass(frozen=True)
class RelatedRecord:
    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class RelatedGroup:
    record_type: str
    #: The field of the related type that points at this record (``account_id``).
    via: str
    label: str
    count: int
    records: list[RelatedRecord]


@dataclass(frozen=True)
class RecordDetail:
    record_type: str
    id: str
    title: str
    data: dict[str, Any]
    #: Reference field -> the title of the record it points at (owner -> user name).
    ref_titles: dict[str, str]
    dirty: bool
    updated_at: datetime
    related: list[RelatedGroup] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def activity_moment(data: dict[str, Any], fallback: datetime) -> datetime:
    """When an activity happens: its start, else its due date (local midnight), else ``fallback``."""
    start = data.get("start_at")
    if start:
        moment = parse_datetime(str(start))
        if moment is not None:
            return moment
    due = data.get("due_date")
    if due:
        try:
            day = date.fromisoformat(str(due))
        except ValueError:
            return _aware(fallback)
        return datetime(day.year, day.month, day.day).astimezone(UTC)
    return _aware(fallback)


def summarize(record_type: str, data: dict[str, Any]) -> str:
    parts: list[str] = []
    names = SUMMARY_FIELDS.get(record_type, ())
    for name in names:
        value = data.get(name)
        if value in (None, "", False):
            continue
        if name == "currency" and parts and "amount" in names:
            parts[-1] = f"{parts[-1]} {value}"
            continue
        parts.append(str(value))
    return " · ".join(parts)


def referrers(record_type: str) -> list[tuple[str, FieldSpec]]:
    """(record type, field) pairs whose reference field points at ``record_type``."""
    out: list[tuple[str, FieldSpec]] = []
    for name, spec in RECORD_TYPES.items():
        if spec.admin_only:
            continue
        for fspec in spec.fields:
            if fspec.kind is FieldKind.REF and fspec.ref_type == record_type:
                out.append((name, fspec))
    return out


class TimelineService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def detail(self, record_type: str, record_id: str) -> RecordDetail:
        with self._db.session() as session:
            row = get_row(session, record_type, record_id)
            if row is None or row.deleted:
                raise RecordNotFound(f"This {spec_for(record_type).label.lower()} no longer exists.")
            data = row_data(record_type, row)
            spec = spec_for(record_type)
            users = dict(session.execute(select(User.id, User.name)).all())
            ref_titles = {}
            for fspec in spec.fields:
                value = data.get(fspec.name)
                if fspec.kind is FieldKind.REF and value:
                    ref_titles[fspec.name] = self._title_of(session, fspec.target_type(data), str(value), users)
            return RecordDetail(
                record_type, record_id, spec.title(data) or "(untitled)", data, ref_titles, bool(row.dirty),
                _aware(row.updated_at), self._related(session, record_type, record_id),
                self._timeline(session, record_type, record_id, users),
            )

    # -- helpers -------------------------------------------------------------

    @staticmethod
    def _title_of(session: Session, target_type: str | None, ref: str, users: dict[str, str]) -> str:
        if target_type == "user":
            return users.get(ref, "")
        if target_type is None or target_type not in RECORD_TYPES:
            return ""
        row = get_row(session, target_type, ref)
        if row is None or row.deleted:
            return ""
        return spec_for(target_type).title(row_data(target_type, row))

    def _related(self, session: Session, record_type: str, record_id: str) -> list[RelatedGroup]:
        groups: list[RelatedGroup] = []
        pairs = referrers(record_type)
        if record_type in LINKABLE_TYPES:
            pairs.append(("activity", RECORD_TYPES["activity"].field_map["related_id"]))
        for other, fspec in pairs:
            model = model_for(other)
            column = getattr(model, fspec.name)
            where = [column == record_id, model.deleted.is_(False)]
            if fspec.ref_type_field is not None:
                where.append(getattr(model, fspec.ref_type_field) == record_type)
            count = int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())
            if not count:
                continue
            rows = session.execute(
                select(model).where(*where).order_by(model.updated_at.desc(), model.rid).limit(RELATED_LIMIT)
            ).scalars()
            other_spec = spec_for(other)
            records = []
            for r in rows:
                values = row_data(other, r)
                title = other_spec.title(values)
                if not title and other == "campaign_member":
                    title = self._member_title(session, values)
                records.append(RelatedRecord(r.id, title or "(untitled)", summarize(other, values)))
            label = other_spec.label_plural
            if fspec.ref_type_field is None and len([p for p in pairs if p[0] == other]) > 1:
                label = f"{other_spec.label_plural} ({fspec.label})"
            groups.append(RelatedGroup(other, fspec.name, label, count, records))
        return groups

    @staticmethod
    def _member_title(session: Session, values: dict[str, Any]) -> str:
        for kind, name in (("lead", "lead_id"), ("contact", "contact_id"), ("campaign", "campaign_id")):
            ref = values.get(name)
            if ref:
                row = get_row(session, kind, str(ref))
                if row is not None:
                    return spec_for(kind).title(row_data(kind, row))
        return ""

    def _timeline(self, session: Session, record_type: str, record_id: str,
                  users: dict[str, str]) -> list[TimelineEntry]:
        spec = spec_for(record_type)
        entries: list[TimelineEntry] = []
        if record_type in LINKABLE_TYPES:
            activities = session.execute(
                select(Activity_t).where(
                    Activity_.related_id == record_id, Activity_.related_type == record_type,
                    Activity_.deleted.is_(False),
                ).order_by(Activity_.updated_at.desc()).limit(TIMELINE_LIMIT)
            ).all()
            for a in activities:
                values = {name: getattr(a, name) for name in RECORD_TYPES["activity"].field_names}
                entries.append(TimelineEntry(
                    activity_moment(values, a.created_at), "activity", str(values.get("subject") or ""),
                    users.get(str(values.get("owner_id") or "")), activity_id=a.id,
                    activity_kind=str(values.get("kind") or ""), done=bool(values.get("done")),
                ))
        history = session.execute(
            select(RecordHistory).where(RecordHistory.record_id == record_id,
                                        RecordHistory.record_type == record_type)
            .order_by(RecordHistory.changed_at.desc(), RecordHistory.id.desc()).limit(TIMELINE_LIMIT)
        ).scalars().all()
        # One entry per edit: the rows of one save share time, author, source and op.
        grouped: dict[tuple[Any, ...], list[RecordHistory]] = {}
        for h in history:
            grouped.setdefault((h.changed_at, h.changed_by, h.source, h.op), []).append(h)
        ref_cache: dict[tuple[str, str], str] = {}
        for (at, who, source, op), rows in grouped.items():
            changes = []
            for h in sorted(rows, key=lambda r: r.id):
                if h.field is None:
                    continue
                fspec = spec.field_map.get(h.field)
                label = fspec.label if fspec is not None else h.field
                old, new = h.old_value, h.new_value
                if fspec is not None and fspec.kind is FieldKind.REF:
                    old = self._cached_title(session, ref_cache, fspec, old, users) or old
                    new = self._cached_title(session, ref_cache, fspec, new, users) or new
                changes.append(FieldChange(h.field, label, old, new))
            title = {"create": "Created", "delete": "Deleted"}.get(op, "Changed")
            entries.append(TimelineEntry(_aware(at), "change", title, users.get(who or "") or None, source, op,
                                         tuple(changes)))
        entries.sort(key=lambda e: e.at, reverse=True)
        return entries

    def _cached_title(self, session: Session, cache: dict[tuple[str, str], str], fspec: FieldSpec, value: Any,
                      users: dict[str, str]) -> str:
        if not value or fspec.ref_type is None:
            return ""
        key = (fspec.ref_type, str(value))
        if key not in cache:
            cache[key] = self._title_of(session, fspec.ref_type, str(value), users)
        return cache[key]
