"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, FastAPI

from crm_cloud import __version__
from crm_cloud.activities.router import router as activities_router
from crm_cloud.auth.router import router as oauth_router
from crm_cloud.auth.service import OAuthService
from crm_cloud.auth.users_router import router as users_router
from crm_cloud.core.config import Settings
from crm_cloud.core.db import Database
from crm_cloud.core.security import KeyRing
from crm_cloud.customers.router import router as customers_router
from crm_cloud.customization.router import router as customization_router
from crm_cloud.deps import PROTOCOL_MAX, PROTOCOL_MIN, AppContext
from crm_cloud.http import install_error_handlers
from crm_cloud.marketing.router import router as marketing_router
from crm_cloud.models import metadata as _metadata  # noqa: F401  (registers every table)
from crm_cloud.records.history import purge_history
from crm_cloud.sales.router import router as sales_router
from crm_cloud.service.router import router as service_router
from crm_cloud.sync.router import router as sync_router
from crm_protocol.wire import ServerInfo

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
#: How often a server with ``history_days`` set purges older history.
PURGE_INTERVAL_S = 24 * 3600


async def _purge_daily(db: Database, days: int) -> None:
    """Keep ``days`` of change history (``CRM_CLOUD_HISTORY_DAYS``): purge at start, then daily."""

    def purge() -> None:
        with db.write() as session:
            purge_history(session, timedelta(days=days), now=datetime.now(UTC))

    while True:
        try:
            await asyncio.to_thread(purge)
        except Exception:  # noqa: BLE001 - a failed purge is retried tomorrow; serving goes on
            log.exception("history purge failed")
        await asyncio.sleep(PURGE_INTERVAL_S)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database must already be migrated (``crm_cloud.core.db.upgrade``)."""
    settings = settings or Settings()
    db = Database.from_url(settings.database_url)
    keys = KeyRing(db, settings.secret_key)
    ctx = AppContext(settings=settings, db=db, keys=keys, oauth=OAuthService(db, keys, settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        purging = asyncio.create_task(_purge_daily(db, settings.history_days)) if settings.history_days else None
        yield
        if purging is not None:
            purging.cancel()
        db.dispose()

    app = FastAPI(
        title=settings.server_name,
        version=__version__,
        description="Cloud backend of the offline-first CRM: OAuth 2 sign-in, REST API and sync.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX)

    @api.get("/info", response_model=ServerInfo, tags=["server"], summary="Server name and protocol range")
    def info() -> ServerInfo:
        return ServerInfo(
            name=settings.server_name,
            protocol_min=PROTOCOL_MIN,
            protocol_max=PROTOCOL_MAX,
            server_version=__version__,
            server_time=datetime.now(UTC),
        )

    api.include_router(users_router)
    api.include_router(customers_router)
    api.include_router(sales_router)
    api.include_router(marketing_router)
    api.include_router(service_router)
    api.include_router(activities_router)
    api.include_router(customization_router)
    api.include_router(sync_router)
    app.include_router(oauth_router)
    app.include_router(api)
    return app
