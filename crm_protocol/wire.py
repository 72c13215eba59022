"""The sync wire protocol: the only schema the client and the backend share.

See docs/SYNC.md for the rules; in short:

* ``POST /api/v1/sync/push`` takes a batch of :class:`Change` and answers one
  :class:`ChangeResult` per change, in order.  A change carries a client-made
  ``change_id``: the server records its result and answers a replay with the
  same result without applying it again.  ``base_rev`` is the server revision
  the edit started from; if the record moved on since, the answer is
  ``conflict`` with the server's current record and nothing is written.
* ``GET /api/v1/sync/pull?cursor=N&limit=M`` answers the records changed after
  cursor ``N`` in server commit order, at most ``M`` of them, with the cursor
  to ask for next.  Deletes travel as tombstones (``deleted=true``); a cursor
  below the server's history horizon (old tombstones purged) is answered with
  ``history_horizon`` and the client resyncs in full.  With ``layout=columns``
  the records come by type and field (:class:`RecordColumns`) instead.

Every request carries the header ``X-CRM-Protocol``; a server that cannot
speak that version answers 409 with ``code="protocol_mismatch"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_protocol.hlc import STAMP_RE

#: 2: per-field clock stamps on changes and records, the server's clock on
#: every answer.
PROTOCOL_VERSION = 2
PROTOCOL_HEADER = "X-CRM-Protocol"
MAX_PUSH_BATCH = 500
MAX_PULL_LIMIT = 5000
#: Records per pull page the app asks for: larger pages cost the client fewer
#: commits and index merges (2,000 -> 5,000 made the initial sync about a fifth
#: faster); the server also ends a page at a size in bytes.
DEFAULT_PULL_LIMIT = 5000
#: How a pulled page carries its records: one object each (``records``), or by
#: type and field (``columns``, :class:`RecordColumns`), for clients that ask.
PullLayout = Literal["records", "columns"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A hybrid-logical-clock stamp (see :mod:`crm_protocol.hlc`).
Stamp = Annotated[str, Field(pattern=STAMP_RE.pattern, max_length=40)]
#: Field name (or ``"*"`` for every field not named) -> the stamp of its last edit.
Stamps = Annotated[dict[str, Stamp], Field(max_length=256)]


class ChangeOp(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class ChangeStatus(StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class RecordState(_Model):
    """A record as the server holds it at revision ``rev``."""

    type: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=36, max_length=36)
    rev: int = Field(ge=1)
    deleted: bool = False
    data: dict[str, Any]
    updated_at: datetime
    updated_by: str | None = None
    #: When each field was last edited (hybrid logical clock), for the merge.
    stamps: Stamps = Field(default_factory=dict)
    #: On the tombstone of a record merged into another: that record's id.
    merged_into: str | None = Field(default=None, min_length=36, max_length=36)


class Change(_Model):
    change_id: str = Field(min_length=36, max_length=36)
    type: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=36, max_length=36)
    op: ChangeOp
    #: Server revision the edit was based on; ``None`` for a create.
    base_rev: int | None = Field(default=None, ge=1)
    #: Only the fields this change sets (for a create: all of them).
    fields: dict[str, Any] = Field(default_factory=dict)
    #: When each field in ``fields`` was edited; fields without a stamp are
    #: stamped by the server's clock.
    stamps: Stamps = Field(default_factory=dict)
    #: An update that brings back a deleted record (an edit that won against
    #: a delete): applied to the tombstone if ``base_rev`` is its revision.
    restore: bool = False
    #: Record merge: ids of records of the same type merged into this one.
    #: They become tombstones pointing here, and every reference to them is
    #: re-pointed here, in the same transaction as this change.
    merge_from: list[str] = Field(default_factory=list, max_length=20)
    #: Per id in ``merge_from``: the server revision of that record the merge
    #: was made from (the version the user saw).  If the record changed on the
    #: server after it, nothing is written and the answer is a ``conflict``
    #: with ``code="merge_stale"`` (docs/SYNC.md, section 4), so a change the
    #: server took for it meanwhile is merged by the client, never dropped.
    #: Ids without an entry are merged unchecked (clients that predate it).
    merge_base: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict, max_length=20)


class PushRequest(_Model):
    client_id: str = Field(min_length=1, max_length=64)
    changes: list[Change] = Field(max_length=MAX_PUSH_BATCH)


class FieldErrorOut(_Model):
    field: str
    message: str


class ChangeResult(_Model):
    change_id: str
    status: ChangeStatus
    #: The record after the change (applied) or as the server has it (conflict).
    record: RecordState | None = None
    #: Why a change was rejected, in words a user understands.
    reason: str | None = None
    code: str | None = None
    field_errors: list[FieldErrorOut] = Field(default_factory=list)
    #: With ``code="ref_deleted"``: the deleted record a reference field of
    #: the change points at (its tombstone, to restore it or to drop the link).
    #: With ``code="merge_stale"``: the live record ``merged_id`` now is (the
    #: record itself, or the one it was merged into meanwhile).
    related: RecordState | None = None
    #: With ``code="merge_stale"`` only: the id in ``merge_from`` whose
    #: ``merge_base`` is out of date.  Only sent in answer to a change that
    #: carried ``merge_base``, so clients that predate it never see it.
    merged_id: str | None = Field(default=None, min_length=36, max_length=36)


class PushResponse(_Model):
    results: list[ChangeResult]
    cursor: int = Field(ge=0, description="Server cursor after this push")
    #: The server's wall clock and hybrid clock when it answered: clients
    #: stamp their edits in server time (see docs/SYNC.md, "Clocks").
    server_time: datetime
    hlc: Stamp


class RevokedRecord(_Model):
    """A record the caller could see and no longer may (reassigned, unshared):
    the client removes it, keeping any unsynced local edits in its inbox."""

    type: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=36, max_length=36)
    rev: int = Field(ge=1)


Id = Annotated[str, Field(min_length=36, max_length=36)]


class RecordColumns(_Model):
    """One record type's records of a pulled page, field by field (``layout=columns``).

    Position ``i`` of every list is the ``i``-th record of the type, in
    server commit order; the page's order across types is ``rev`` order.
    The same records as :class:`RecordState` objects in ``records``, without
    repeating every key in every record: a client parses a page of 5,000
    contacts in a quarter of the time and checks each field of the page in
    one pass (``sync/pulled.py``).  ``merged_into`` and ``stamps`` are left
    out when no record of the page has one.
    """

    type: str = Field(min_length=1, max_length=64)
    id: list[Id]
    rev: list[Annotated[int, Field(ge=1)]]
    deleted: list[bool]
    updated_at: list[datetime]
    updated_by: list[str | None]
    merged_into: list[Id | None] | None = None
    stamps: list[Stamps] | None = None
    #: Field name -> the field's value of each record.
    data: dict[str, list[Any]]

    @model_validator(mode="after")
    def _one_value_per_record(self) -> RecordColumns:
        count = len(self.id)
        lists = [self.rev, self.deleted, self.updated_at, self.updated_by, self.merged_into, self.stamps,
                 *self.data.values()]
        if any(values is not None and len(values) != count for values in lists):
            raise ValueError(f"the {self.type} columns do not all hold {count} values")
        return self

    def records(self) -> list[RecordState]:
        """The records, one :class:`RecordState` each (checked by it)."""
        columns = dict(self)
        return [RecordState.model_validate(record_state_at(columns, i)) for i in range(len(self.id))]


def record_state_at(columns: Mapping[str, Any], position: int) -> dict[str, Any]:
    """The record at ``position`` of one type's columns (:class:`RecordColumns`'s fields,
    checked or as parsed from JSON), as the dict :class:`RecordState` takes."""
    state = {key: columns[key][position] for key in ("id", "rev", "deleted", "updated_at", "updated_by")}
    state["type"] = columns["type"]
    state["data"] = {name: values[position] for name, values in columns["data"].items()}
    for key in ("merged_into", "stamps"):
        if columns.get(key) is not None:
            state[key] = columns[key][position]
    return state


class PullResponse(_Model):
    records: list[RecordState]
    #: The page's records by type and field instead of in ``records``: sent
    #: only to a client that asks (``layout=columns``), so clients that
    #: predate it (and reject unknown fields) never see it.
    #: :meth:`all_records` gives the page's records either way.
    columns: list[RecordColumns] = Field(default_factory=list)
    #: Records that left the caller's sight in this span of revisions.
    revoked: list[RevokedRecord] = Field(default_factory=list)
    cursor: int = Field(ge=0)
    has_more: bool
    #: The server's newest revision.  A client whose cursor is above it talks
    #: to a server restored from an older backup and must resync in full.
    server_cursor: int = Field(ge=0)
    server_time: datetime
    hlc: Stamp
    #: The server's history horizon: deletes and exits up to this revision may
    #: have been purged.  Sent (non-zero) only to a client that asks for it
    #: (``horizon=1``) and only when the asked cursor is above 0 and below it:
    #: the client may have missed a purged delete and must resync in full from
    #: cursor 0, keeping its outbox (docs/SYNC.md, section 5).  Optional with a
    #: default; never sent to clients that do not ask, which predate it and
    #: reject unknown fields.
    history_horizon: int = Field(default=0, ge=0)

    def all_records(self) -> list[RecordState]:
        """Every record of the page in page order, whichever layout the server used."""
        if not self.columns:
            return list(self.records)
        # Revisions are the server's commit order: the page's order across types.
        return sorted([*self.records, *(r for c in self.columns for r in c.records())], key=lambda r: r.rev)


class TypeChecksum(_Model):
    """Live (not deleted) records of one type the caller may see.

    ``rev_sum`` is the sum of their revisions: cheap to compute on both sides
    from an index, and any missed or extra change moves it.
    """

    type: str
    count: int = Field(ge=0)
    rev_sum: int = Field(ge=0)


class SyncStatus(_Model):
    """What the server says the caller's replica should hold at ``cursor``."""

    cursor: int
    types: list[TypeChecksum]


class ServerInfo(_Model):
    name: str
    protocol_min: int
    protocol_max: int
    server_version: str
    #: The server's clock, so a client can stamp edits in server time before
    #: its first push (docs/SYNC.md, "Clocks").
    server_time: datetime


class UserOut(_Model):
    id: str
    email: str
    name: str


class ErrorBody(_Model):
    code: str
    message: str
    detail: Any | None = None


class TokenResponse(_Model):
    model_config = ConfigDict(extra="ignore", frozen=True)
    access_token: str
    token_type: Literal["bearer", "Bearer"]
    expires_in: int
    refresh_token: str
    scope: str | None = None
