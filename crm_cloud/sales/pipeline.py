"""Pipeline stages: the module's Python interface and its rules on opportunities."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_cloud.core.errors import InvalidInput
from crm_cloud.records.access import Principal, visible
from crm_cloud.records.hooks import WriteContext, register_hook
from crm_cloud.sales.schemas import PipelineSummary, StageTotal
from crm_cloud.sales.tables import opportunity_table, pipeline_stage_table
from crm_protocol.rules import apply_stage, ordered_stages


def stages(session: Session, *, active_only: bool = False) -> list[dict[str, Any]]:
    """Live pipeline stages in order, as plain field values."""
    t = pipeline_stage_table
    stmt = select(t.c.name, t.c.position, t.c.probability, t.c.outcome, t.c.active, t.c.id).where(
        t.c.deleted.is_(False)
    )
    if active_only:
        stmt = stmt.where(t.c.active.is_(True))
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return [dict(s) for s in ordered_stages(rows)]


def pipeline_summary(session: Session, principal: Principal) -> PipelineSummary:
    """Open opportunities the principal can see, counted and summed per stage and currency."""
    t = opportunity_table
    rows = session.execute(
        select(t.c.stage, t.c.currency, t.c.amount, t.c.probability).where(
            t.c.deleted.is_(False), t.c.status == "Open", visible(t, principal)
        )
    ).all()
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    weighted: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for stage, currency, amount, probability in rows:
        counts[stage] += 1
        if amount is not None:
            value = Decimal(amount)
            amounts[stage][currency or ""] += value
            weighted[stage][currency or ""] += value * Decimal(probability or 0) / 100
    configured = stages(session)
    names = [s["name"] for s in configured] + sorted(set(counts) - {s["name"] for s in configured})
    info = {s["name"]: s for s in configured}

    def money(values: dict[str, Decimal]) -> dict[str, str]:
        return {k: str(v.quantize(Decimal("0.01"))) for k, v in sorted(values.items())}

    return PipelineSummary(
        stages=[
            StageTotal(
                stage=name,
                position=info.get(name, {}).get("position"),
                probability=info.get(name, {}).get("probability"),
                outcome=info.get(name, {}).get("outcome"),
                count=counts.get(name, 0),
                amounts=money(amounts.get(name, {})),
                weighted=money(weighted.get(name, {})),
            )
            for name in names
        ]
    )


def _opportunity_stage(context: WriteContext, cleaned: dict[str, Any]) -> None:
    errors = apply_stage(cleaned, context.previous, stages(context.session))
    if errors:
        raise InvalidInput(
            f"The opportunity is not valid: {'; '.join(str(e) for e in errors)}",
            detail={"field_errors": [{"field": e.field, "message": e.message} for e in errors]},
        )


def _stage_name_unique(context: WriteContext, cleaned: dict[str, Any]) -> None:
    t = pipeline_stage_table
    clash = context.session.execute(
        select(t.c.id).where(t.c.name == cleaned.get("name"), t.c.deleted.is_(False), t.c.id != context.record_id)
    ).first()
    if clash is not None:
        raise InvalidInput(
            f"There is already a pipeline stage named {cleaned.get('name')!r}",
            detail={"field_errors": [{"field": "name", "message": "Name is already used by another stage"}]},
        )


register_hook("opportunity", _opportunity_stage)
register_hook("pipeline_stage", _stage_name_unique)
