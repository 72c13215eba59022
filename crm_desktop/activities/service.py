"""Activity queries on the local store: what is due, and what is linked to a record.

Runs on the database worker; returns plain data.  Dates are compared as ISO
text (``due_date`` is ``YYYY-MM-DD``; ``start_at`` is UTC ``...Z``), which the
indexes on ``activities`` serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import and_, or_, select

from crm_desktop.store.db import Database
from crm_desktop.store.records import row_data
from crm_desktop.store.schema import Activity, SyncedRecord
from crm_protocol.records import format_datetime


@dataclass(frozen=True)
class ActivityView:
    id: str
    kind: str
    subject: str
    due_date: str | None
    start_at: str | None
    end_at: str | None
    done: bool
    priority: str | None
    related_type: str | None
    related_id: str | None
    owner_id: str | None
    dirty: bool


def _view(row: SyncedRecord) -> ActivityView:
    d = row_data("activity", row)
    return ActivityView(
        row.id, d["kind"], d["subject"] or "", d["due_date"], d["start_at"], d["end_at"], bool(d["done"]),
        d["priority"], d["related_type"], d["related_id"], d["owner_id"], bool(row.dirty),
    )


class ActivityService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def linked_to(self, record_type: str, record_id: str, *, limit: int = 500) -> list[ActivityView]:
        """Activities linked to one record, newest first (for a timeline)."""
        t = Activity.__table__
        with self._db.session() as session:
            rows = session.execute(
                select(Activity)
                .where(t.c.related_id == record_id, t.c.related_type == record_type, t.c.deleted.is_(False))
                .order_by(t.c.start_at.desc(), t.c.due_date.desc(), t.c.updated_at.desc())
                .limit(limit)
            ).scalars()
            return [_view(r) for r in rows]

    def due(
        self, until: date, *, owner_id: str | None = None, include_done: bool = False, local_tz: tzinfo | None = None
    ) -> list[ActivityView]:
        """Activities due on or before ``until`` (overdue ones included), by due date / start.

        An activity is due by its ``due_date`` (tasks) or, without one, by the
        day it starts (meetings, calls), taken in local time.
        """
        t = Activity.__table__
        tz = local_tz if local_tz is not None else datetime.now().astimezone().tzinfo
        end_local = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
        end_utc = format_datetime(end_local.astimezone(UTC))
        condition = or_(
            t.c.due_date <= until.isoformat(),
            and_(t.c.due_date.is_(None), t.c.start_at < end_utc),
        )
        stmt = select(Activity).where(t.c.deleted.is_(False), condition)
        if not include_done:
            stmt = stmt.where(t.c.done.is_(False))
        if owner_id is not None:
            stmt = stmt.where(t.c.owner_id == owner_id)
        with self._db.session() as session:
            rows = session.execute(stmt.order_by(t.c.due_date, t.c.start_at, t.c.rid)).scalars()
            return [_view(r) for r in rows]
