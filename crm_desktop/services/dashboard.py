"""Key metrics for the dashboard, computed from the local store (works offline).

Each figure is a handful of aggregate queries over indexed columns; amounts
stay per currency (never summed across currencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from crm_desktop.activities.my_day import day_bounds
from crm_desktop.sales.pipeline import BoardFilter, ColumnTotals, PipelineService, cents
from crm_desktop.store.db import Database
from crm_desktop.store.schema import Activity, Case, Lead, Opportunity
from crm_desktop.support.case_queue import PRIORITY_ORDER
from crm_desktop.support.service import OPEN_STATUSES
from crm_protocol.records import format_datetime

Activity_t = Activity.__table__
Activity_ = Activity_t.c
Case_t = Case.__table__
Case_ = Case_t.c
Lead_t = Lead.__table__
Lead_ = Lead_t.c
Opportunity_t = Opportunity.__table__
Opportunity_ = Opportunity_t.c


@dataclass(frozen=True)
class StageValue:
    stage: str
    totals: ColumnTotals


@dataclass(frozen=True)
class Dashboard:
    today: date
    pipeline: list[StageValue]
    won_month: ColumnTotals
    won_quarter: ColumnTotals
    month_start: date
    quarter_start: date
    #: (priority, count), most urgent first
    cases_by_priority: list[tuple[str, int]]
    cases_overdue: int
    activities_today: int
    activities_overdue: int
    #: (source, count) of leads with status New; an empty source for leads without one
    new_leads_by_source: list[tuple[str, int]]


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class DashboardService:
    def __init__(self, db: Database, pipeline: PipelineService) -> None:
        self._db = db
        self._pipeline = pipeline

    def load(self, user_id: str | None, now: datetime, zone: tzinfo | None = None) -> Dashboard:
        today = (now.astimezone(zone) if zone else now.astimezone()).date()
        month_start = today.replace(day=1)
        q_start = quarter_start(today)
        stages = self._pipeline.stages()
        names = [s.name for s in stages]
        pipeline = [
            StageValue(s.name, self._pipeline.totals(s.name, BoardFilter(), names))
            for s in stages if s.outcome == "open"
        ]
        won_month = self._won(month_start, today)
        won_quarter = self._won(q_start, today)
        now_text = format_datetime(now)
        day_start, day_end = day_bounds(today, zone)
        mine = Activity_.owner_id == user_id if user_id else Activity_.owner_id.is_(None)
        with self._db.session() as session:
            by_priority: dict[str, int] = dict(session.execute(
                select(Case_.priority, func.count()).where(Case_.deleted.is_(False), Case_.status.in_(OPEN_STATUSES))
                .group_by(Case_.priority)
            ).all())
            overdue_cases = session.execute(
                select(func.count()).select_from(Case).where(
                    Case_.deleted.is_(False), Case_.status.in_(OPEN_STATUSES), Case_.due_at < now_text)
            ).scalar_one()
            open_mine = [Activity_.deleted.is_(False), Activity_.done.is_(False), mine]
            due_today = session.execute(
                select(func.count()).select_from(Activity).where(*open_mine, or_(
                    and_(Activity_.start_at.is_(None), Activity_.due_date == today.isoformat()),
                    and_(Activity_.start_at >= day_start, Activity_.start_at < day_end),
                ))
            ).scalar_one()
            overdue_activities = session.execute(
                select(func.count()).select_from(Activity).where(*open_mine, or_(
                    and_(Activity_.start_at.is_(None), Activity_.due_date < today.isoformat()),
                    Activity_.start_at < day_start,
                ))
            ).scalar_one()
            leads = session.execute(
                select(func.coalesce(Lead_.source, ""), func.count())
                .where(Lead_.deleted.is_(False), Lead_.status == "New")
                .group_by(func.coalesce(Lead_.source, "")).order_by(func.count().desc())
            ).all()
        return Dashboard(
            today, pipeline, won_month, won_quarter, month_start, q_start,
            [(p, int(by_priority.get(p, 0))) for p in PRIORITY_ORDER],
            int(overdue_cases), int(due_today), int(overdue_activities),
            [(str(source), int(n)) for source, n in leads],
        )

    def _won(self, start: date, end: date) -> ColumnTotals:
        with self._db.session() as session:
            rows = session.execute(
                select(Opportunity_.currency, func.count(), func.sum(cents(Opportunity_.amount)))
                .where(Opportunity_.deleted.is_(False), Opportunity_.status == "Won",
                       Opportunity_.close_date >= start.isoformat(), Opportunity_.close_date <= end.isoformat())
                .group_by(Opportunity_.currency)
            ).all()
        count = 0
        amounts: dict[str, Decimal] = {}
        for currency, n, total in rows:
            count += int(n)
            if total is not None:
                amounts[currency or ""] = (Decimal(int(total)) / 100).quantize(Decimal("0.01"))
        return ColumnTotals(count, amounts)
