"""Putting server-side records into a local store the way a pull does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crm_desktop.context import AppContext
from crm_desktop.ids import new_id
from crm_protocol.records import validate_fields
from crm_protocol.wire import RecordState
from sync.replica import Replica

_rev = [1000]

STAGES = (
    ("Prospecting", 10, 10, "open"),
    ("Qualification", 20, 25, "open"),
    ("Proposal", 30, 60, "open"),
    ("Closed won", 90, 100, "won"),
    ("Closed lost", 99, 0, "lost"),
)


def pulled(context: AppContext, record_type: str, fields: dict[str, Any], *, record_id: str | None = None,
           by: str | None = None, at: datetime | None = None, deleted: bool = False) -> str:
    """Apply one record as a pulled page (the server's version of it); returns its id."""
    _rev[0] += 1
    data = validate_fields(record_type, fields, partial=False)
    record_id = record_id or new_id()
    state = RecordState(type=record_type, id=record_id, rev=_rev[0], deleted=deleted, data=dict(data),
                        updated_at=at or datetime.now(UTC), updated_by=by)
    Replica(context.db).apply_pull_page([state], _rev[0])
    return record_id


def pull_stages(context: AppContext) -> None:
    for name, position, probability, outcome in STAGES:
        pulled(context, "pipeline_stage", {"name": name, "position": position, "probability": probability,
                                           "outcome": outcome, "active": True})


def add_user(context: AppContext, user_id: str, name: str) -> None:
    with context.db.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO users (id, email, name) VALUES (?, ?, ?)", (user_id, f"{name.lower()}@example.com", name))
