"""Reading and writing record rows generically, by record type name.

Shared by the service layer (user edits) and the sync engine (server data),
so both treat every record type the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.store.schema import RECORD_MODELS, SyncedRecord, data_columns, sort_key_for

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
