"""REST routers of the service module."""

from __future__ import annotations

from fastapi import APIRouter

from crm_cloud.records.rest import make_record_router

router = APIRouter()
router.include_router(make_record_router("case", "/cases", "service"))
router.include_router(make_record_router("service_level", "/service-levels", "service"))
