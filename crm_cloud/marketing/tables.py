"""Campaign and campaign member tables, generated from the shared record specs."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import CAMPAIGN, CAMPAIGN_MEMBER

campaign_table = register_record_table(CAMPAIGN, Base.metadata)
campaign_member_table = register_record_table(CAMPAIGN_MEMBER, Base.metadata)
