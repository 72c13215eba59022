"""Import every table so ``metadata`` is complete (for Alembic), and every module's
record rules (hooks) so they apply to every way in: REST, sync and the CLI."""

from __future__ import annotations

from crm_cloud.activities import tables as activity_tables
from crm_cloud.auth import models as auth_models
from crm_cloud.core.db import Base
from crm_cloud.customers import tables as customer_tables
from crm_cloud.customization import rules as customization_rules
from crm_cloud.customization import tables as customization_tables
from crm_cloud.marketing import members as marketing_rules
from crm_cloud.marketing import tables as marketing_tables
from crm_cloud.records import models as record_models
from crm_cloud.sales import pipeline as sales_rules
from crm_cloud.sales import tables as sales_tables
from crm_cloud.service import levels as service_rules
from crm_cloud.service import tables as service_tables

metadata = Base.metadata

__all__ = [
    "activity_tables",
    "auth_models",
    "customer_tables",
    "customization_rules",
    "customization_tables",
    "marketing_rules",
    "marketing_tables",
    "metadata",
    "record_models",
    "sales_rules",
    "sales_tables",
    "service_rules",
    "service_tables",
]
