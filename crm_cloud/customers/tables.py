"""Account and contact tables, generated from the shared record specs."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import ACCOUNT, CONTACT

account_table = register_record_table(ACCOUNT, Base.metadata)
contact_table = register_record_table(CONTACT, Base.metadata)
