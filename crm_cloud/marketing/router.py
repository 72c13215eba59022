"""REST routers of the marketing module."""

from __future__ import annotations

from fastapi import APIRouter

from crm_cloud.records.rest import make_record_router

router = APIRouter()
router.include_router(make_record_router("campaign", "/campaigns", "marketing"))
router.include_router(make_record_router("campaign_member", "/campaign-members", "marketing"))
