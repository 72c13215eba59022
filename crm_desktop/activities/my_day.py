""""My day": the current user's overdue and today's activities, and due reminders.

An activity happens at its ``start_at`` (calls and meetings, UTC) or on its
``due_date`` (a day, in the user's local time).  "Today" is the local day.
Reminders: an activity with a start time is reminded ``REMIND_BEFORE`` before
it starts; one with only a due date at ``TASK_REMIND_HOUR`` o'clock local time
on that day.  Each reminder is shown once: ``reminders_sent`` remembers it
(keyed by the moment, so a rescheduled activity is reminded again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.records import get_row, row_data
from crm_desktop.store.schema import Activity, ReminderSent, spec_for
from crm_protocol.records import format_datetime, parse_datetime

Activity_t = Activity.__table__
Activity_ = Activity_t.c

REMIND_BEFORE = timedelta(minutes=10)
TASK_REMIND_HOUR = 9
#: Reminders missed by more than this (the app was closed) are not shown any more.
MISSED_WINDOW = timedelta(hours=12)
#: Most items listed per section of My day.
SECTION_LIMIT = 500


@dataclass(frozen=True)
class DayItem:
    id: str
    kind: str
    subject: str
    priority: str
    due_date: str
    start_at: datetime | None
    related_type: str
    related_id: str
    related_title: str
    done: bool


@dataclass(frozen=True)
class MyDay:
    today: date
    overdue: list[DayItem]
    today_items: list[DayItem]


@dataclass(frozen=True)
class Reminder:
    activity_id: str
    subject: str
    kind: str
    remind_at: datetime
    start_at: datetime | None
    due_date: str


def day_bounds(day: date, zone: tzinfo | None) -> tuple[str, str]:
    """The local ``day`` as a half-open UTC range in the wire's text form."""
    start = datetime.combine(day, time(0), tzinfo=zone) if zone else datetime.combine(day, time(0)).astimezone()
    end = start + timedelta(days=1)
    return format_datetime(start), format_datetime(end)


def _mine(user_id: str | None) -> ColumnElement[bool]:
    # Before the first sign-in records have no owner: they are all "mine".
    return Activity_.owner_id == user_id if user_id else Activity_.owner_id.is_(None)


class MyDayService:
    def __init__(self, db: Database, records: RecordService) -> None:
        self._db = db
        self._records = records

    def load(self, user_id: str | None, now: datetime, zone: tzinfo | None = None) -> MyDay:
        local_now = now.astimezone(zone) if zone else now.astimezone()
        today = local_now.date()
        day_start, day_end = day_bounds(today, zone)
        open_mine = [Activity_.deleted.is_(False), Activity_.done.is_(False), _mine(user_id)]
        # Overdue: due before today, or started before today (not done).
        overdue_where = or_(
            and_(Activity_.start_at.is_(None), Activity_.due_date < today.isoformat()),
            Activity_.start_at < day_start,
        )
        today_where = or_(
            and_(Activity_.start_at.is_(None), Activity_.due_date == today.isoformat()),
            and_(Activity_.start_at >= day_start, Activity_.start_at < day_end),
        )
        with self._db.session() as session:
            overdue = self._items(session, [*open_mine, overdue_where])
            # Today's list also shows what was done today, ticked.
            today_rows = self._items(session, [Activity_.deleted.is_(False), _mine(user_id), today_where])
        return MyDay(today, overdue, today_rows)

    def _items(self, session: Any, where: list[Any]) -> list[DayItem]:
        rows = session.execute(
            select(Activity_t).where(*where)
            .order_by(Activity_.start_at.is_(None), Activity_.start_at, Activity_.due_date, Activity_.rid)
            .limit(SECTION_LIMIT)
        ).all()
        titles = self._titles(session, rows)
        return [
            DayItem(r.id, r.kind or "", r.subject or "", r.priority or "", r.due_date or "",
                    parse_datetime(r.start_at) if r.start_at else None, r.related_type or "", r.related_id or "",
                    titles.get((r.related_type, r.related_id), ""), bool(r.done))
            for r in rows
        ]

    @staticmethod
    def _titles(session: Any, rows: list[Any]) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for r in rows:
            key = (r.related_type, r.related_id)
            if not r.related_type or not r.related_id or key in out:
                continue
            target = get_row(session, r.related_type, r.related_id)
            out[key] = "" if target is None or target.deleted else spec_for(r.related_type).title(
                row_data(r.related_type, target))
        return out

    def mark_done(self, activity_id: str, done: bool = True) -> None:
        self._records.update("activity", activity_id, {"done": done})

    # -- reminders -------------------------------------------------------------

    def due_reminders(self, user_id: str | None, now: datetime, zone: tzinfo | None = None,
                      ) -> tuple[list[Reminder], datetime | None]:
        """Reminders due at ``now`` not yet shown (now marked shown), and when the next one is due."""
        now = now.astimezone(UTC)
        horizon = now + timedelta(days=2)
        earliest = now - MISSED_WINDOW
        local_today = now.astimezone(zone).date() if zone else now.astimezone().date()
        first_day = (local_today - timedelta(days=1)).isoformat()
        last_day = (local_today + timedelta(days=2)).isoformat()
        with self._db.session() as session:
            rows = session.execute(
                select(Activity_t).where(
                    Activity_.deleted.is_(False), Activity_.done.is_(False), _mine(user_id),
                    or_(
                        and_(Activity_.start_at >= format_datetime(earliest),
                             Activity_.start_at < format_datetime(horizon + REMIND_BEFORE)),
                        and_(Activity_.start_at.is_(None), Activity_.due_date >= first_day,
                             Activity_.due_date <= last_day),
                    ),
                )
            ).all()
            candidates: list[tuple[datetime, Any]] = []
            for r in rows:
                at = self._remind_at(r, zone)
                if at is not None:
                    candidates.append((at, r))
            due = [(at, r) for at, r in candidates if earliest <= at <= now]
            sent = {
                (s.activity_id, s.remind_at)
                for s in session.execute(
                    select(ReminderSent).where(ReminderSent.activity_id.in_([r.id for _, r in due] or [""]))
                ).scalars()
            }
            reminders: list[Reminder] = []
            for at, r in sorted(due, key=lambda item: item[0]):
                key = format_datetime(at)
                if (r.id, key) in sent:
                    continue
                session.add(ReminderSent(activity_id=r.id, remind_at=key, shown_at=now))
                reminders.append(Reminder(r.id, r.subject or "", r.kind or "", at,
                                          parse_datetime(r.start_at) if r.start_at else None, r.due_date or ""))
            upcoming = [at for at, _ in candidates if at > now]
        return reminders, (min(upcoming) if upcoming else None)

    @staticmethod
    def _remind_at(row: Any, zone: tzinfo | None) -> datetime | None:
        if row.start_at:
            start = parse_datetime(row.start_at)
            return None if start is None else start - REMIND_BEFORE
        if row.due_date:
            try:
                day = date.fromisoformat(row.due_date)
            except ValueError:
                return None
            local = datetime.combine(day, time(TASK_REMIND_HOUR), tzinfo=zone) if zone else \
                datetime.combine(day, time(TASK_REMIND_HOUR)).astimezone()
            return local.astimezone(UTC)
        return None
