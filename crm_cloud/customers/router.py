"""REST routers for accounts and contacts."""

from __future__ import annotations

from fastapi import APIRouter

from crm_cloud.customers import tables as _tables  # noqa: F401  (registers the record tables)
from crm_cloud.records.rest import make_record_router

router = APIRouter()
router.include_router(make_record_router("account", "/accounts", "accounts"))
router.include_router(make_record_router("contact", "/contacts", "contacts"))
