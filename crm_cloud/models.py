"""Import every table so ``metadata`` is complete (for Alembic)."""

from __future__ import annotations

from crm_cloud.auth import models as auth_models
from crm_cloud.core.db import Base
from crm_cloud.customers import tables as customer_tables
from crm_cloud.records import models as record_models

metadata = Base.metadata

__all__ = ["auth_models", "customer_tables", "metadata", "record_models"]
