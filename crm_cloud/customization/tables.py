"""The custom field definition table, generated from the shared record spec."""

from __future__ import annotations

from crm_cloud.core.db import Base
from crm_cloud.records.tables import register_record_table
from crm_protocol.records import CUSTOM_FIELD_DEFINITION

custom_field_table = register_record_table(CUSTOM_FIELD_DEFINITION, Base.metadata)
