"""Tables of the local store.

Record tables hold the fields of ``crm_protocol.records`` plus what sync needs:

* ``rid``: an integer primary key, so the full-text index (FTS5, external
  content) has a stable rowid that ``VACUUM`` never renumbers;
* ``id``: the client-made UUIDv7 every side knows the record by;
* ``server_rev``: the server revision the row was last synced at (NULL: never);
* ``dirty``: the row has local changes not yet acknowledged by the server;
* ``deleted``: a tombstone kept until the server has the delete;
* ``sort_key``: the lower-cased title, indexed, for the list's default order.

``pending_changes`` is the outbox: one row per record with unsynced changes,
written in the same transaction as the record (see services.records).  It
keeps the base revision and base values the edit started from, which the
three-way merge needs.

The schema is created and changed only by the Alembic migrations in
``crm_desktop/migrations``; these classes must match them (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Boolean, Column, DateTime, FromClause, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crm_protocol.records import (
    ACTIVITY,
    CAMPAIGN,
    CAMPAIGN_MEMBER,
    CASE,
    CUSTOM_FIELD_DEFINITION,
    LEAD,
    OPPORTUNITY,
    PIPELINE_STAGE,
    RECORD_TYPES,
    SERVICE_LEVEL,
    FieldKind,
    FieldSpec,
    RecordTypeSpec,
)


class Base(DeclarativeBase):
    pass


class SyncedRecord:
    """Columns every synced record table has."""

    if TYPE_CHECKING:
        # What the declarative base gives every concrete record class.
        __tablename__: str
        __table__: ClassVar[FromClause]

        def __init__(self, **kwargs: Any) -> None: ...

    rid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    server_rev: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dirty: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sort_key: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Account(SyncedRecord, Base):
    __tablename__ = "accounts"

    name: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(2048))
    industry: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    phone_e164: Mapped[str | None] = mapped_column(String(32))
    street: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    custom: Mapped[dict[str, str] | None] = mapped_column(JSON)
    owner_id: Mapped[str | None] = mapped_column(String(36))
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        Index("ix_accounts_sort", "sort_key", "rid", sqlite_where=text("deleted = 0")),
        Index("ix_accounts_rid_sort", "rid", "sort_key", sqlite_where=text("deleted = 0")),
        Index("ix_accounts_updated", "updated_at", "rid", sqlite_where=text("deleted = 0")),
        Index("ix_accounts_dirty", "dirty", sqlite_where=text("dirty = 1")),
        # Duplicate-check keys (migration 0003: the email index is COLLATE NOCASE).
        Index("ix_accounts_email_nocase", "email", sqlite_where=text("deleted = 0 AND email IS NOT NULL")),
        Index("ix_accounts_phone_e164", "phone_e164", sqlite_where=text("deleted = 0 AND phone_e164 IS NOT NULL")),
        # The owner filter of lists (migration 0012).
        Index("ix_accounts_owner", "owner_id", "sort_key", "rid", sqlite_where=text("deleted = 0")),
        # The duplicate check's accent-free name key (migration 0013, store/name_keys.py).
        Index("ix_accounts_name_key", text("crm_name_key(sort_key)"), sqlite_where=text("deleted = 0")),
    )


class Contact(SyncedRecord, Base):
    __tablename__ = "contacts"

    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(200))
    # No foreign key: a contact may arrive (or be visible) before or without
    # its account, and an account deleted elsewhere must not take the contact
    # with it.  The link is resolved when shown.
    account_id: Mapped[str | None] = mapped_column(String(36))
    email: Mapped[str | None] = mapped_column(String(320))
    email2: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    phone_e164: Mapped[str | None] = mapped_column(String(32))
    mobile: Mapped[str | None] = mapped_column(String(64))
    mobile_e164: Mapped[str | None] = mapped_column(String(32))
    street: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    custom: Mapped[dict[str, str] | None] = mapped_column(JSON)
    owner_id: Mapped[str | None] = mapped_column(String(36))
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        Index("ix_contacts_sort", "sort_key", "rid", sqlite_where=text("deleted = 0")),
        Index("ix_contacts_rid_sort", "rid", "sort_key", sqlite_where=text("deleted = 0")),
        # Orders the list by email and answers duplicate checks (migration 0016:
        # it is COLLATE NOCASE, and SQLite appends rid to every index key).
        Index("ix_contacts_email", "email", sqlite_where=text("deleted = 0")),
        Index("ix_contacts_updated", "updated_at", "rid", sqlite_where=text("deleted = 0")),
        Index("ix_contacts_account", "account_id"),
        Index("ix_contacts_dirty", "dirty", sqlite_where=text("dirty = 1")),
        # Duplicate-check keys (migration 0003: the email indexes are COLLATE NOCASE).
        Index("ix_contacts_email2_nocase", "email2", sqlite_where=text("deleted = 0 AND email2 IS NOT NULL")),
        Index("ix_contacts_phone_e164", "phone_e164", sqlite_where=text("deleted = 0 AND phone_e164 IS NOT NULL")),
        Index("ix_contacts_mobile_e164", "mobile_e164",
              sqlite_where=text("deleted = 0 AND mobile_e164 IS NOT NULL")),
        Index("ix_contacts_owner", "owner_id", "sort_key", "rid", sqlite_where=text("deleted = 0")),
        Index("ix_contacts_name_key", text("crm_name_key(sort_key)"), sqlite_where=text("deleted = 0")),
    )


class PendingChange(Base):
    """The outbox: one row per record with local changes the server lacks."""

    __tablename__ = "pending_changes"

    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Idempotency key of the next push of this entry.  Rotated once a push of
    #: it has been acknowledged and the record was edited again meanwhile.
    change_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    #: create / update / delete, as the server will see it.
    op: Mapped[str] = mapped_column(String(16), nullable=False)
    base_rev: Mapped[int | None] = mapped_column(Integer)
    #: The record's field values at ``base_rev`` (empty for a create).
    base_values: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    #: The exact change sent and not yet acknowledged; resent unchanged (same
    #: change id) until the server answers, so a lost response is harmless.
    in_flight: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Bumped by every local edit; ``in_flight_seq`` is its value when the
    #: in-flight change was frozen, so an edit made during a push is not lost.
    local_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    in_flight_seq: Mapped[int | None] = mapped_column(Integer)
    #: "pending" or "rejected" (the server refused it: reason kept for the user).
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    reject_code: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    field_errors: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    #: Field name -> hybrid-logical-clock stamp of its latest local edit.
    field_stamps: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: Record merge: ids of records of the same type merged into this one,
    #: sent with the change (the server makes them aliases of this record).
    merge_from: Mapped[list[str] | None] = mapped_column(JSON)
    #: Per id in ``merge_from``: ``{"rev": server revision, "values": field
    #: values}`` of that record as the merge was made from it.  The revision
    #: travels as ``merge_base``; the values are the base of the three-way
    #: merge when the server answers that the record changed since.
    merge_base: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Conflict(Base):
    """A value that lost a concurrent edit, kept so the user can bring it back."""

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    #: The field both sides changed, or NULL when the whole record is at stake
    #: (an edit against a delete).
    field: Mapped[str | None] = mapped_column(String(64))
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    local_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_rev: Mapped[int | None] = mapped_column(Integer)
    server_updated_by: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="field")
    #: NULL while open; "local", "server" or "custom" once resolved.
    resolution: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Whose value the conflict rule applied: "local" or "server".
    winner: Mapped[str | None] = mapped_column(String(16))
    #: Clock stamps of the two edits (crm_protocol.hlc), to show when each was made.
    local_stamp: Mapped[str | None] = mapped_column(String(40))
    server_stamp: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_conflicts_open", "resolution", "record_type", "record_id"),)


class RecordAlias(Base):
    """An id merged away (here or elsewhere) -> the record it now lives on,
    so links and open windows that still name the old id find the record."""

    __tablename__ = "record_aliases"

    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    old_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    new_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class KeyValue(Base):
    """Small per-profile state: sync cursor, client id, last sync time..."""

    __tablename__ = "kv"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class User(Base):
    """The server's user directory, cached to show owners by name."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)


def _column_type(fspec: FieldSpec) -> Any:
    kind = fspec.kind
    if kind is FieldKind.BOOL:
        return Boolean()
    if kind is FieldKind.INT:
        return Integer()
    if kind is FieldKind.LONG_TEXT:
        return Text()
    if kind is FieldKind.REF:
        return String(36)
    if kind in (FieldKind.TAGS, FieldKind.CUSTOM):
        return JSON()
    # Decimals, dates and date-times stay in their wire text form: exact, and
    # ISO dates and UTC date-times sort correctly as text.
    return String(fspec.max_length)


def record_model(
    class_name: str, spec: RecordTypeSpec, table_name: str, *, indexes: tuple[Index, ...] = ()
) -> type[SyncedRecord]:
    """An ORM class for ``spec``: the synced columns plus one column per field.

    The record types added after accounts and contacts are generated rather
    than written out, so a field is declared once (in the spec); the
    migrations still spell every table out, and a test compares them.
    """
    attrs: dict[str, Any] = {"__tablename__": table_name}
    for fspec in spec.fields:
        if fspec.kind is FieldKind.BOOL:
            attrs[fspec.name] = Column(fspec.name, Boolean(), nullable=False, default=False)
        else:
            attrs[fspec.name] = Column(fspec.name, _column_type(fspec))
    live = text("deleted = 0")
    sort_indexes: list[Index] = []
    if spec.title_fields:
        sort_indexes.append(Index(f"ix_{table_name}_sort", "sort_key", "rid", sqlite_where=live))
        # Narrow (rid, sort_key): sorting search matches by name reads it, not the wide rows.
        sort_indexes.append(Index(f"ix_{table_name}_rid_sort", "rid", "sort_key", sqlite_where=live))
    attrs["__table_args__"] = (
        *sort_indexes,
        Index(f"ix_{table_name}_updated", "updated_at", "rid", sqlite_where=live),
        Index(f"ix_{table_name}_dirty", "dirty", sqlite_where=text("dirty = 1")),
        *indexes,
    )
    return type(class_name, (SyncedRecord, Base), attrs)


_LIVE = text("deleted = 0")

# -- sales ----------------------------------------------------------------------
Lead = record_model("Lead", LEAD, "leads", indexes=(
    Index("ix_leads_status", "status", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_leads_campaign", "campaign_id"),
    Index("ix_leads_owner", "owner_id", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_leads_name_key", text("crm_name_key(sort_key)"), sqlite_where=_LIVE),
))
Opportunity = record_model("Opportunity", OPPORTUNITY, "opportunities", indexes=(
    Index("ix_opportunities_account", "account_id"),
    Index("ix_opportunities_stage", "stage", "close_date", "rid", sqlite_where=_LIVE),
    Index("ix_opportunities_close", "close_date", "rid", sqlite_where=_LIVE),
    Index("ix_opportunities_campaign", "campaign_id"),
    # Covers the pipeline board's totals, plain and weighted (one index-only scan for every
    # column; migration 0008, probability added by 0014).
    Index("ix_opportunities_board", "stage", "currency", "close_date", "owner_id", "amount", "probability",
          "deleted"),
    # List filters (migration 0012): owner, and open / won / lost.
    Index("ix_opportunities_owner", "owner_id", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_opportunities_name_key", text("crm_name_key(sort_key)"), sqlite_where=_LIVE),
    Index("ix_opportunities_status", "status", "sort_key", "rid", sqlite_where=_LIVE),
))
PipelineStage = record_model("PipelineStage", PIPELINE_STAGE, "pipeline_stages")
# -- activities ------------------------------------------------------------------
Activity = record_model("Activity", ACTIVITY, "activities", indexes=(
    Index("ix_activities_related", "related_id", "related_type"),
    Index("ix_activities_due", "done", "due_date", "rid", sqlite_where=_LIVE),
    Index("ix_activities_start", "start_at", "rid", sqlite_where=_LIVE),
    Index("ix_activities_owner", "owner_id", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_activities_name_key", text("crm_name_key(sort_key)"), sqlite_where=_LIVE),
))
# -- service ---------------------------------------------------------------------
Case = record_model("Case", CASE, "cases", indexes=(
    Index("ix_cases_account", "account_id"),
    Index("ix_cases_contact", "contact_id"),
    Index("ix_cases_queue", "status", "due_at", "rid", sqlite_where=_LIVE),
    Index("ix_cases_owner", "owner_id", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_cases_name_key", text("crm_name_key(sort_key)"), sqlite_where=_LIVE),
))
ServiceLevel = record_model("ServiceLevel", SERVICE_LEVEL, "service_levels")
# -- customization ---------------------------------------------------------------
CustomField = record_model("CustomField", CUSTOM_FIELD_DEFINITION, "custom_fields")
# -- marketing -------------------------------------------------------------------
Campaign = record_model("Campaign", CAMPAIGN, "campaigns", indexes=(
    Index("ix_campaigns_start", "start_date", "rid", sqlite_where=_LIVE),
    Index("ix_campaigns_owner", "owner_id", "sort_key", "rid", sqlite_where=_LIVE),
    Index("ix_campaigns_name_key", text("crm_name_key(sort_key)"), sqlite_where=_LIVE),
))
CampaignMember = record_model("CampaignMember", CAMPAIGN_MEMBER, "campaign_members", indexes=(
    Index("ix_campaign_members_campaign", "campaign_id"),
    Index("ix_campaign_members_lead", "lead_id"),
    Index("ix_campaign_members_contact", "contact_id"),
))

#: Record type name -> ORM class.  Sync and services are generic over this.
RECORD_MODELS: dict[str, type[SyncedRecord]] = {
    "pipeline_stage": PipelineStage,
    "service_level": ServiceLevel,
    "custom_field": CustomField,
    "account": Account,
    "contact": Contact,
    "campaign": Campaign,
    "opportunity": Opportunity,
    "lead": Lead,
    "case": Case,
    "activity": Activity,
    "campaign_member": CampaignMember,
}

#: Full-text index per record type: (FTS table, the columns it indexes as SQL
#: expressions over the record table).  Kept in step by triggers (migration).
FTS_TABLES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "account": (
        "accounts_fts",
        (
            ("name", "coalesce(new.name, '')"),
            ("email", "coalesce(new.email, '')"),
            ("phone", "coalesce(new.phone_e164, '')"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
    "contact": (
        "contacts_fts",
        (
            # crm_person_name: family name first for CJK names (crm_protocol.records.person_name).
            ("name", "crm_person_name(new.first_name, new.last_name)"),
            ("email", "trim(coalesce(new.email, '') || ' ' || coalesce(new.email2, ''))"),
            ("phone", "trim(coalesce(new.phone_e164, '') || ' ' || coalesce(new.mobile_e164, ''))"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
    "lead": (
        "leads_fts",
        (
            ("name", "trim(crm_person_name(new.first_name, new.last_name) || ' ' || coalesce(new.company, ''))"),
            ("email", "coalesce(new.email, '')"),
            ("phone", "trim(coalesce(new.phone_e164, '') || ' ' || coalesce(new.mobile_e164, ''))"),
            ("city", "coalesce(new.city, '')"),
        ),
    ),
    "opportunity": (
        "opportunities_fts",
        (
            ("name", "coalesce(new.name, '')"),
            ("next_step", "coalesce(new.next_step, '')"),
        ),
    ),
    "activity": (
        "activities_fts",
        (
            ("name", "coalesce(new.subject, '')"),
        ),
    ),
    "case": (
        "cases_fts",
        (
            ("name", "coalesce(new.subject, '')"),
        ),
    ),
    "campaign": (
        "campaigns_fts",
        (
            ("name", "coalesce(new.name, '')"),
        ),
    ),
}


def spec_for(record_type: str) -> RecordTypeSpec:
    return RECORD_TYPES[record_type]


def table_of(record_type: str) -> str:
    """The local table of a record type (``opportunity`` -> ``opportunities``)."""
    return RECORD_MODELS[record_type].__tablename__


def data_columns(record_type: str) -> tuple[str, ...]:
    """The record table's columns that carry synced field values."""
    return spec_for(record_type).field_names


def sort_key_for(record_type: str, data: dict[str, Any]) -> str:
    return spec_for(record_type).title(data).casefold()


def sort_key_function(record_type: str) -> Callable[[dict[str, Any]], str]:
    """``sort_key_for`` for one record type, for many records (a pulled page)."""
    title = spec_for(record_type).title

    def sort_key(data: dict[str, Any]) -> str:
        return title(data).casefold()

    return sort_key


def python_value(kind: FieldKind, value: Any) -> Any:
    """Wire value -> column value (bools stay bools, everything else as is)."""
    if kind is FieldKind.BOOL:
        return bool(value)
    return value


class RecordTag(Base):
    """One tag of one live record, for the list's "has tag" filter (migration 0015).

    Kept by triggers on each record table with tags (insert, update of the tags
    or the tombstone, delete), so every write path (forms, imports, sync) keeps
    it without code of its own.  ``tag`` is ``crm_tag_key(tag)``, the casefolded tag.
    """

    __tablename__ = "record_tags"

    tbl: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag: Mapped[str] = mapped_column(Text, primary_key=True)
    rid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = (Index("ix_record_tags_row", "tbl", "rid"),)


class RecordHistory(Base):
    """One changed field of one record (or a whole-record create/delete), kept locally.

    Written by the service layer for local edits and by the sync replica when a
    pulled record differs from the local row, so a record's timeline ("who
    changed what, when") works offline.  Never synced: each client keeps the
    history it has seen.
    """

    __tablename__ = "record_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    #: The user who made the change (NULL: unknown, e.g. before sign-in).
    changed_by: Mapped[str | None] = mapped_column(String(36))
    #: "local" (edited here) or "sync" (pulled from the server).
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    #: create / update / delete.
    op: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The field changed; NULL for a create or delete of the whole record.
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_record_history_record", "record_id", "changed_at"),)


class ReminderSent(Base):
    """An activity reminder already shown, so each one fires once (even across restarts).

    Keyed by activity and the moment it was due: moving the activity to a new
    time makes a new reminder.
    """

    __tablename__ = "reminders_sent"

    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    remind_at: Mapped[str] = mapped_column(String(32), primary_key=True)
    shown_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
