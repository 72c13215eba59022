"""Service rules applied offline: a case's due time from its priority's service level."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.services.hooks import EditContext, register_hook
from crm_desktop.store.schema import ServiceLevel
from crm_protocol.records import CASE_PRIORITIES, FieldError
from crm_protocol.rules import apply_service_level


def service_levels(session: Session) -> list[dict[str, Any]]:
    """The service levels this replica has (from the server), most urgent first."""
    t = ServiceLevel.__table__
    rows = session.execute(
        select(t.c.id, t.c.priority, t.c.response_hours, t.c.resolution_hours).where(t.c.deleted.is_(False))
    )
    order = {p: i for i, p in enumerate(reversed(CASE_PRIORITIES))}
    return sorted((dict(r._mapping) for r in rows), key=lambda level: order.get(level["priority"], 99))


def _case_due(context: EditContext, cleaned: dict[str, Any]) -> list[FieldError]:
    apply_service_level(cleaned, context.previous, context.created_at, service_levels(context.session))
    return []


register_hook("case", _case_due)
