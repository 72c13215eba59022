"""The activity table, generated from the shared record spec."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import ACTIVITY

activity_table = register_record_table(ACTIVITY, Base.metadata)
