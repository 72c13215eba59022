"""Sales operations on the local store: the pipeline by stage and lead conversion.

Runs on the database worker; returns plain data.  Writes go through
:class:`RecordService` so each record is queued for sync in the same
transaction as the write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crm_desktop.errors import KnownError
from crm_desktop.sales.rules import pipeline_stages
from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.records import now, row_data
from crm_desktop.store.schema import Opportunity
from crm_protocol.records import format_datetime

log = logging.getLogger("crm.sales")


@dataclass(frozen=True)
class OpportunityCard:
    id: str
    name: str
    account_id: str | None
    amount: str | None
    currency: str | None
    probability: int | None
    close_date: str | None
    owner_id: str | None
    dirty: bool


@dataclass
class StageColumn:
    """One pipeline stage with its opportunities and their totals per currency."""

    name: str
    probability: int | None
    outcome: str
    cards: list[OpportunityCard] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Conversion:
    lead_id: str
    account_id: str
    contact_id: str
    opportunity_id: str | None


class SalesService:
    def __init__(self, db: Database, records: RecordService) -> None:
        self._db = db
        self._records = records

    def opportunities_by_stage(
        self,
        *,
        owner_id: str | None = None,
        close_from: date | None = None,
        close_to: date | None = None,
        include_closed: bool = True,
    ) -> list[StageColumn]:
        """Every stage in pipeline order with its opportunities (by close date) and totals.

        Opportunities in a stage that is no longer configured come last, in a
        column of their own, so nothing disappears from the board.
        """
        t = Opportunity.__table__
        stmt = select(Opportunity).where(t.c.deleted.is_(False))
        if owner_id is not None:
            stmt = stmt.where(t.c.owner_id == owner_id)
        if close_from is not None:
            stmt = stmt.where(t.c.close_date >= close_from.isoformat())
        if close_to is not None:
            stmt = stmt.where(t.c.close_date <= close_to.isoformat())
        if not include_closed:
            stmt = stmt.where(t.c.status == "Open")
        with self._db.session() as session:
            stages = pipeline_stages(session)
            rows = session.execute(stmt.order_by(t.c.close_date, t.c.sort_key, t.c.rid)).scalars().all()
            columns = {
                s["name"]: StageColumn(s["name"], s.get("probability"), str(s.get("outcome") or "open"))
                for s in stages
            }
            for row in rows:
                data = row_data("opportunity", row)
                stage = str(data["stage"] or "")
                column = columns.get(stage)
                if column is None:
                    column = columns[stage] = StageColumn(stage, None, "open")
                column.cards.append(
                    OpportunityCard(
                        row.id, data["name"] or "", data["account_id"], data["amount"], data["currency"],
                        data["probability"], data["close_date"], data["owner_id"], bool(row.dirty),
                    )
                )
                if data["amount"] is not None:
                    currency = data["currency"] or ""
                    amount = Decimal(data["amount"])
                    column.totals[currency] = column.totals.get(currency, Decimal(0)) + amount
                    weight = Decimal(data["probability"] or 0) / 100
                    column.weighted[currency] = column.weighted.get(currency, Decimal(0)) + amount * weight
        return list(columns.values())

    def convert_lead(
        self,
        lead_id: str,
        *,
        account_id: str | None = None,
        opportunity: dict[str, Any] | None = None,
    ) -> Conversion:
        """Turn a lead into an account (or use ``account_id``), a contact and optionally an opportunity.

        One unit of work: the new records, the lead's link back to them and
        its status "Converted" are saved (and queued for sync) together or not
        at all.  ``opportunity`` holds the new opportunity's fields (at least
        a name) or is None for no opportunity.
        """
        records = self._records
        with records.unit_of_work() as session:
            lead = records.get_in(session, "lead", lead_id)
            if lead.get("status") == "Converted" or lead.get("converted_contact_id"):
                raise KnownError("This lead was already converted.")
            owner_shared = {"owner_id": lead.get("owner_id"), "shared": bool(lead.get("shared"))}
            if account_id is None:
                company = lead.get("company") or " ".join(
                    str(p) for p in (lead.get("first_name"), lead.get("last_name")) if p
                )
                account_id = records.create_in(session, "account", {
                    "name": company,
                    "website": lead.get("website"), "industry": lead.get("industry"),
                    "email": lead.get("email") if not lead.get("company") else None,
                    "phone": lead.get("phone"),
                    **{k: lead.get(k) for k in ("street", "city", "region", "postal_code", "country")},
                    **owner_shared,
                })
            contact_id = records.create_in(session, "contact", {
                "first_name": lead.get("first_name"), "last_name": lead.get("last_name") or lead.get("company"),
                "title": lead.get("title"), "account_id": account_id, "email": lead.get("email"),
                "phone": lead.get("phone"), "mobile": lead.get("mobile"),
                **{k: lead.get(k) for k in ("street", "city", "region", "postal_code", "country")},
                "notes": lead.get("notes"),
                **owner_shared,
            })
            opportunity_id: str | None = None
            if opportunity is not None:
                opportunity_id = records.create_in(session, "opportunity", {
                    "account_id": account_id, "contact_id": contact_id, "campaign_id": lead.get("campaign_id"),
                    **owner_shared,
                    **opportunity,
                })
            records.update_in(session, "lead", lead_id, {
                "status": "Converted",
                "converted_account_id": account_id,
                "converted_contact_id": contact_id,
                "converted_opportunity_id": opportunity_id,
                "converted_at": format_datetime(now()),
            })
        log.info("converted lead %s", lead_id)
        return Conversion(lead_id, account_id, contact_id, opportunity_id)
