"""Campaign members: one membership per lead or contact and campaign."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_cloud.core.errors import InvalidInput
from crm_cloud.marketing.tables import campaign_member_table
from crm_cloud.records.hooks import WriteContext, register_hook


def _once_per_campaign(context: WriteContext, cleaned: dict[str, Any]) -> None:
    t = campaign_member_table
    for name in ("lead_id", "contact_id"):
        value = cleaned.get(name)
        if not value:
            continue
        clash = context.session.execute(
            select(t.c.id).where(
                t.c.campaign_id == cleaned.get("campaign_id"), t.c[name] == value, t.c.deleted.is_(False),
                t.c.id != context.record_id,
            )
        ).first()
        if clash is not None:
            what = "lead" if name == "lead_id" else "contact"
            raise InvalidInput(
                f"This {what} is already a member of the campaign",
                detail={"field_errors": [{"field": name, "message": f"This {what} is already a member"}]},
            )


register_hook("campaign_member", _once_per_campaign)
