"""Case queries on the local store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crm_desktop.store.db import Database
from crm_desktop.store.records import row_data
from crm_desktop.store.schema import Case

#: Statuses of a case someone still has to work on.
OPEN_STATUSES = ("New", "Open", "Pending")


@dataclass(frozen=True)
class CaseView:
    id: str
    subject: str
    priority: str
    status: str
    due_at: str | None
    account_id: str | None
    contact_id: str | None
    owner_id: str | None
    dirty: bool


class SupportService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def open_cases(self, *, owner_id: str | None = None, limit: int = 1000) -> list[CaseView]:
        """Open cases, soonest due first (no due time last)."""
        t = Case.__table__
        stmt = select(Case).where(t.c.deleted.is_(False), t.c.status.in_(OPEN_STATUSES))
        if owner_id is not None:
            stmt = stmt.where(t.c.owner_id == owner_id)
        stmt = stmt.order_by(t.c.due_at.is_(None), t.c.due_at, t.c.rid).limit(limit)
        with self._db.session() as session:
            out = []
            for row in session.execute(stmt).scalars():
                d = row_data("case", row)
                out.append(CaseView(row.id, d["subject"] or "", d["priority"], d["status"], d["due_at"],
                                    d["account_id"], d["contact_id"], d["owner_id"], bool(row.dirty)))
            return out
