"""REST routers of the sales module."""

from __future__ import annotations

from fastapi import APIRouter

from crm_cloud.deps import Ctx, CurrentPrincipal
from crm_cloud.records.rest import make_record_router
from crm_cloud.sales import pipeline
from crm_cloud.sales.schemas import PipelineSummary

router = APIRouter()
router.include_router(make_record_router("lead", "/leads", "sales"))
router.include_router(make_record_router("opportunity", "/opportunities", "sales"))
router.include_router(make_record_router("pipeline_stage", "/pipeline-stages", "sales"))


@router.get(
    "/pipeline",
    response_model=PipelineSummary,
    tags=["sales"],
    summary="Open opportunities per stage: count, amounts and weighted amounts per currency",
)
def pipeline_totals(ctx: Ctx, principal: CurrentPrincipal) -> PipelineSummary:
    with ctx.db.read() as session:
        return pipeline.pipeline_summary(session, principal)
