"""Service levels: the module's Python interface and the due-time rule on cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_cloud.core.errors import InvalidInput
from crm_cloud.records.hooks import WriteContext, register_hook
from crm_cloud.service.tables import service_level_table
from crm_protocol.records import CASE_PRIORITIES
from crm_protocol.rules import apply_service_level


def service_levels(session: Session) -> list[dict[str, Any]]:
    """Live service levels, most urgent priority first, as plain field values."""
    t = service_level_table
    rows = session.execute(
        select(t.c.id, t.c.priority, t.c.response_hours, t.c.resolution_hours).where(t.c.deleted.is_(False))
    ).all()
    order = {p: i for i, p in enumerate(reversed(CASE_PRIORITIES))}
    return sorted((dict(r._mapping) for r in rows), key=lambda level: order.get(level["priority"], 99))


def _case_due(context: WriteContext, cleaned: dict[str, Any]) -> None:
    apply_service_level(cleaned, context.previous, context.created_at, service_levels(context.session))


def _one_level_per_priority(context: WriteContext, cleaned: dict[str, Any]) -> None:
    t = service_level_table
    clash = context.session.execute(
        select(t.c.id).where(
            t.c.priority == cleaned.get("priority"), t.c.deleted.is_(False), t.c.id != context.record_id
        )
    ).first()
    if clash is not None:
        raise InvalidInput(
            f"There is already a service level for priority {cleaned.get('priority')}",
            detail={"field_errors": [{"field": "priority", "message": "This priority already has a service level"}]},
        )


register_hook("case", _case_due)
register_hook("service_level", _one_level_per_priority)
