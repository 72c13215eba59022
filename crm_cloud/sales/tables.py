"""Lead, opportunity and pipeline stage tables, generated from the shared record specs."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import LEAD, OPPORTUNITY, PIPELINE_STAGE

lead_table = register_record_table(LEAD, Base.metadata)
opportunity_table = register_record_table(OPPORTUNITY, Base.metadata)
pipeline_stage_table = register_record_table(PIPELINE_STAGE, Base.metadata)
