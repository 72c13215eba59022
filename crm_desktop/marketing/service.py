"""Campaign members on the local store: listing and adding them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.schema import CampaignMember, Contact, Lead, SyncedRecord
from crm_protocol.records import CONTACT, LEAD


@dataclass(frozen=True)
class MemberView:
    id: str
    member_type: str
    member_id: str
    name: str
    response: str
    responded_on: str | None
    dirty: bool


class MarketingService:
    def __init__(self, db: Database, records: RecordService) -> None:
        self._db = db
        self._records = records

    def members_of(self, campaign_id: str) -> list[MemberView]:
        m = CampaignMember.__table__
        out: list[MemberView] = []
        with self._db.session() as session:
            rows = session.execute(
                select(m.c.id, m.c.lead_id, m.c.contact_id, m.c.response, m.c.responded_on, m.c.dirty)
                .where(m.c.campaign_id == campaign_id, m.c.deleted.is_(False))
            ).all()
            for row in rows:
                kind = "lead" if row.lead_id else "contact"
                member_id = row.lead_id or row.contact_id
                model: type[SyncedRecord] = Lead if kind == "lead" else Contact
                spec = LEAD if kind == "lead" else CONTACT
                target = session.execute(select(model).where(model.id == member_id)).scalar_one_or_none()
                name = spec.title({f: getattr(target, f) for f in spec.field_names}) if target else ""
                out.append(MemberView(row.id, kind, member_id, name or "(not here)", row.response,
                                      row.responded_on, bool(row.dirty)))
        out.sort(key=lambda v: v.name.casefold())
        return out

    def add_members(self, campaign_id: str, *, lead_ids: Sequence[str] = (),
                    contact_ids: Sequence[str] = (), response: str = "Planned") -> list[str]:
        """Add leads and contacts to a campaign in one unit of work; existing members are skipped."""
        m = CampaignMember.__table__
        created: list[str] = []
        with self._records.unit_of_work() as session:
            existing = session.execute(
                select(m.c.lead_id, m.c.contact_id).where(m.c.campaign_id == campaign_id, m.c.deleted.is_(False))
            ).all()
            have = {r.lead_id for r in existing} | {r.contact_id for r in existing}
            for field_name, ids in (("lead_id", lead_ids), ("contact_id", contact_ids)):
                for member_id in ids:
                    if member_id in have:
                        continue
                    have.add(member_id)
                    created.append(self._records.create_in(
                        session, "campaign_member",
                        {"campaign_id": campaign_id, field_name: member_id, "response": response},
                    ))
        return created
