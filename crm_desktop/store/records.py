"""Reading and writing record rows generically, by record type name.

Shared by the service layer (user edits) and the sync engine (server data),
so both treat every record type the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from crm_desktop.store.schema import RECORD_MODELS, RecordAlias, SyncedRecord, data_columns, sort_key_for
from crm_protocol.records import RECORD_TYPES, FieldKind

RecordRow = SyncedRecord


def now() -> datetime:
    return datetime.now(UTC)


def model_for(record_type: str) -> type[SyncedRecord]:
    try:
        return RECORD_MODELS[record_type]
    except KeyError:
        raise ValueError(f"unknown record type {record_type!r}") from None


def row_data(record_type: str, row: RecordRow) -> dict[str, Any]:
    """The synced field values of a row, as they travel on the wire."""
    return {name: getattr(row, name) for name in data_columns(record_type)}


def set_row_data(record_type: str, row: RecordRow, data: dict[str, Any]) -> None:
    for name in data_columns(record_type):
        if name in data:
            setattr(row, name, data[name])
    row.sort_key = sort_key_for(record_type, row_data(record_type, row))


def get_row(session: Session, record_type: str, record_id: str) -> RecordRow | None:
    model = model_for(record_type)
    row = session.execute(select(model).where(model.id == record_id)).scalar_one_or_none()
    return row


def resolve_alias(session: Session, record_type: str, record_id: str) -> str | None:
    """The id a merged-away record now lives on (following chains), or None."""
    seen = {record_id}
    current = record_id
    found = False
    for _ in range(20):
        alias = session.get(RecordAlias, (record_type, current))
        if alias is None or alias.new_id in seen:
            break
        current = alias.new_id
        seen.add(current)
        found = True
    return current if found else None


def add_alias(session: Session, record_type: str, old_id: str, new_id: str) -> None:
    alias = session.get(RecordAlias, (record_type, old_id))
    if alias is None:
        session.add(RecordAlias(record_type=record_type, old_id=old_id, new_id=new_id, created_at=now()))
    else:
        alias.new_id = new_id


def repoint_refs(session: Session, record_type: str, old_id: str, new_id: str) -> set[str]:
    """Point every local link to ``old_id`` (a merged-away record) at ``new_id``.

    Not queued for sync: the server re-points the same links when it applies
    the merge, and a row with unsynced changes sends its (re-pointed) value.
    Returns the record types touched.
    """
    touched: set[str] = set()
    for name, model in RECORD_MODELS.items():
        spec = RECORD_TYPES[name]
        for fspec in spec.fields:
            if fspec.kind is not FieldKind.REF:
                continue
            column = getattr(model, fspec.name)
            if fspec.ref_type_field is not None:
                condition = and_(column == old_id, getattr(model, fspec.ref_type_field) == record_type)
            elif fspec.ref_type == record_type:
                condition = column == old_id
            else:
                continue
            result = session.execute(update(model).where(condition).values({fspec.name: new_id}))
            if getattr(result, "rowcount", 0):
                touched.add(name)
    return touched
