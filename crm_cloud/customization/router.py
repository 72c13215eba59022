"""REST router of custom field definitions (everyone reads them; administrators change them)."""

from __future__ import annotations

from fastapi import APIRouter

from crm_cloud.records.rest import make_record_router

router = APIRouter()
router.include_router(make_record_router("custom_field", "/custom-fields", "customization"))
