"""The support case queue: open cases by priority, then by SLA due time.

A case is open unless Resolved or Closed.  Its ``due_at`` comes from the
service level of its priority (set by the backend); a case past it is overdue.
The queue is paged (``limit``/``offset``) so any number of cases loads quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from crm_desktop.store.db import Database
from crm_desktop.store.schema import Account, Case, User
from crm_desktop.support.service import OPEN_STATUSES
from crm_protocol.records import CASE_PRIORITIES, format_datetime, parse_datetime

Case_t = Case.__table__
Case_ = Case_t.c
Account_t = Account.__table__
Account_ = Account_t.c

#: Most urgent first.
PRIORITY_ORDER = tuple(reversed(CASE_PRIORITIES))


@dataclass(frozen=True)
class QueueFilter:
    #: Statuses shown; empty means every open status.
    statuses: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    owner_id: str | None = None
    overdue_only: bool = False


@dataclass(frozen=True)
class QueueRow:
    id: str
    subject: str
    account: str
    priority: str
    status: str
    due_at: datetime | None
    owner: str
    overdue: bool
    dirty: bool


@dataclass(frozen=True)
class QueuePage:
    total: int
    overdue: int
    rows: list[QueueRow] = field(default_factory=list)


def _priority_rank() -> Any:
    return case({p: i for i, p in enumerate(PRIORITY_ORDER)}, value=Case_.priority, else_=len(PRIORITY_ORDER))


class CaseQueueService:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _where(flt: QueueFilter, now_text: str) -> list[ColumnElement[bool]]:
        statuses = sorted(flt.statuses) if flt.statuses else list(OPEN_STATUSES)
        where: list[ColumnElement[bool]] = [Case_.deleted.is_(False), Case_.status.in_(statuses)]
        if flt.priorities:
            where.append(Case_.priority.in_(sorted(flt.priorities)))
        if flt.owner_id:
            where.append(Case_.owner_id == flt.owner_id)
        if flt.overdue_only:
            where.append(and_(Case_.due_at.is_not(None), Case_.due_at < now_text))
        return where

    def page(self, flt: QueueFilter, now: datetime, offset: int = 0, limit: int = 200) -> QueuePage:
        now_text = format_datetime(now)
        where = self._where(flt, now_text)
        with self._db.session() as session:
            total, overdue = session.execute(
                select(func.count(), func.count(case((Case_.due_at < now_text, 1))))
                .select_from(Case).where(*where)
            ).one()
            rows = session.execute(
                select(Case_.id, Case_.subject, Account_.name, Case_.priority, Case_.status, Case_.due_at, User.name,
                       Case_.dirty)
                .outerjoin(Account, and_(Account_.id == Case_.account_id, Account_.deleted.is_(False)))
                .outerjoin(User, User.id == Case_.owner_id)
                .where(*where)
                .order_by(_priority_rank(), case((Case_.due_at.is_(None), 1), else_=0), Case_.due_at, Case_.rid)
                .offset(offset).limit(limit)
            ).all()
        out = []
        for r in rows:
            due = parse_datetime(r[5]) if r[5] else None
            out.append(QueueRow(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", due, r[6] or "",
                                bool(r[5] and r[5] < now_text), bool(r[7])))
        return QueuePage(int(total), int(overdue or 0), out)
