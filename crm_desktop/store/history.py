"""Writing the local record history (the "changes" half of a record's timeline).

Two writers, both inside the caller's transaction:

* :func:`note_local` — the service layer, for an edit made on this computer;
* :func:`note_pulled` / :func:`note_merged` — the sync replica, for a pulled
  record that differs from the local row.

Only fields whose value really changed are written, so a pulled echo of our
own pushed edit adds nothing.  Records seen for the first time in a pull are
not written (an initial sync of a million records must not write a million
history rows); their history starts with the first change after that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from crm_desktop.store.schema import RECORD_MODELS, RecordHistory, data_columns, spec_for

#: Longest text kept in the history for one value (long notes are cut).
MAX_VALUE_CHARS = 1000
_CHUNK = 500


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    return value


def _tracked(record_type: str) -> tuple[str, ...]:
    # Derived fields (phone_e164) follow their source field: not worth a line.
    return tuple(f.name for f in spec_for(record_type).fields if f.derived_from is None)


def diff_rows(
    record_type: str, record_id: str, before: dict[str, Any], after: dict[str, Any], *,
    stamp: datetime, user_id: str | None, source: str,
) -> list[dict[str, Any]]:
    """History rows (as insert parameters) for every tracked field that differs."""
    rows = []
    for name in _tracked(record_type):
        old, new = before.get(name), after.get(name)
        if old in (None, "") and new in (None, ""):
            continue
        if old != new:
            rows.append({
                "record_type": record_type, "record_id": record_id, "changed_at": stamp,
                "changed_by": user_id, "source": source, "op": "update", "field": name,
                "old_value": _short(old), "new_value": _short(new),
            })
    return rows


def _whole(record_type: str, record_id: str, op: str, *, stamp: datetime, user_id: str | None,
           source: str) -> dict[str, Any]:
    return {"record_type": record_type, "record_id": record_id, "changed_at": stamp, "changed_by": user_id,
            "source": source, "op": op, "field": None, "old_value": None, "new_value": None}


def _write(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RecordHistory), list(rows))


def note_local(
    session: Session, record_type: str, record_id: str, op: str, before: dict[str, Any],
    after: dict[str, Any], *, user_id: str | None, stamp: datetime,
) -> None:
    """An edit made here: ``op`` is create, update or delete."""
    if op == "update":
        _write(session, diff_rows(record_type, record_id, before, after, stamp=stamp, user_id=user_id,
                                  source="local"))
    else:
        _write(session, [_whole(record_type, record_id, op, stamp=stamp, user_id=user_id, source="local")])


def note_pulled(session: Session, record_type: str, items: Iterable[tuple[Any, dict[str, Any]]]) -> None:
    """Pulled records (``(RecordState, data)`` pairs) about to overwrite their local rows."""
    by_id = {record.id: (record, data) for record, data in items}
    if not by_id:
        return
    table: Table = RECORD_MODELS[record_type].__table__  # type: ignore[assignment]
    names = data_columns(record_type)
    ids = list(by_id)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        existing = session.execute(
            select(table.c.id, table.c.deleted, *(table.c[n] for n in names)).where(table.c.id.in_(chunk))
        ).all()
        for found in existing:
            if found.deleted:
                continue
            record, data = by_id[found.id]
            stamp = _utc(record.updated_at)
            if record.deleted:
                rows.append(_whole(record_type, record.id, "delete", stamp=stamp, user_id=record.updated_by,
                                   source="sync"))
                continue
            before = {n: getattr(found, n) for n in names}
            rows.extend(diff_rows(record_type, record.id, before, data, stamp=stamp, user_id=record.updated_by,
                                  source="sync"))
    _write(session, rows)


def note_merged(session: Session, record_type: str, record_id: str, before: dict[str, Any],
                after: dict[str, Any], record: Any) -> None:
    """A pulled record merged into a row with unsynced local edits (``after``: the merged values)."""
    _write(session, diff_rows(record_type, record_id, before, after, stamp=_utc(record.updated_at),
                              user_id=record.updated_by, source="sync"))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
