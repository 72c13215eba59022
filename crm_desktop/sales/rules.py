"""Sales rules applied offline: pipeline stages and what an opportunity's stage implies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.services.hooks import EditContext, register_hook
from crm_desktop.store.schema import PipelineStage
from crm_protocol.records import FieldError
from crm_protocol.rules import apply_stage, ordered_stages


def pipeline_stages(session: Session, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The pipeline stages this replica has (from the server), in pipeline order."""
    t = PipelineStage.__table__
    stmt = select(t.c.id, t.c.name, t.c.position, t.c.probability, t.c.outcome, t.c.active).where(
        t.c.deleted.is_(False)
    )
    if active_only:
        stmt = stmt.where(t.c.active.is_(True))
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return [dict(s) for s in ordered_stages(rows)]


def _opportunity_stage(context: EditContext, cleaned: dict[str, Any]) -> list[FieldError]:
    return apply_stage(cleaned, context.previous, pipeline_stages(context.session))


register_hook("opportunity", _opportunity_stage)
