"""Case and service level tables, generated from the shared record specs."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import CASE, SERVICE_LEVEL

case_table = register_record_table(CASE, Base.metadata)
service_level_table = register_record_table(SERVICE_LEVEL, Base.metadata)
