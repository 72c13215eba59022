"""Demo data for the sales, service and activities modules (``crm-cloud demo seed --modules N``).

Opportunities over the pipeline stages the server has (with amounts in two
currencies and close dates around today), leads from several sources, support
cases with due times from the service levels, and calls, meetings and tasks due
around today, all owned by the demo user and linked to the seeded accounts.
Rows are written like the account seed: one revision each from the global
counter, so clients pull them like any other change.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import uuid6
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crm_cloud.activities.tables import activity_table
from crm_cloud.customers.tables import account_table, contact_table
from crm_cloud.demo import CITIES, COMPANY_A, COMPANY_B, COMPANY_SUFFIX, FIRST, INDUSTRIES, LAST, TITLES, _phone, _slug
from crm_cloud.records.models import ServerState
from crm_cloud.sales.tables import lead_table, opportunity_table, pipeline_stage_table
from crm_cloud.service.tables import case_table, service_level_table
from crm_protocol.records import CASE_PRIORITIES, LEAD_RATINGS, LEAD_SOURCES

DEALS = ["Fleet renewal", "CRM rollout", "Support contract", "Hardware refresh", "Pilot project", "Expansion",
         "Annual licence", "Training package", "Data migration", "Managed service"]
CASE_SUBJECTS = ["Cannot sign in to the portal", "Invoice shows the wrong address", "Printer driver crashes",
                 "Delivery arrived damaged", "Export to Excel fails", "Password reset e-mail not received",
                 "Sync is slow on the laptop", "Wrong price on the quote"]
TASKS = [("Call", "Call about the renewal"), ("Meeting", "Quarterly business review"), ("Task", "Send the proposal"),
         ("Task", "Update the forecast"), ("Call", "Follow up on the demo"), ("Meeting", "Kick-off workshop"),
         ("Task", "Prepare the contract")]
LEAD_NOTES = [None, None, "Met at the trade fair booth.", "Asked for a price list.", "Downloaded the white paper.",
              "Referred by an existing customer.", "Wants a call back next quarter."]


def module_rows_count(opportunities: int) -> int:
    """How many records :func:`seed_modules` writes for ``opportunities`` opportunities."""
    return opportunities + _leads(opportunities) + _cases(opportunities) + _activities(opportunities)


def _leads(n: int) -> int:
    return n // 2


def _cases(n: int) -> int:
    return n // 3


def _activities(n: int) -> int:
    return n // 2


def seed_modules(session: Session, rng: random.Random, owner_id: str, opportunities: int, now: datetime) -> None:
    total = module_rows_count(opportunities)
    if not total:
        return
    last = int(session.execute(
        update(ServerState).where(ServerState.id == 1).values(seq=ServerState.seq + total).returning(ServerState.seq)
    ).scalar_one())
    revs = iter(range(last - total + 1, last + 1))
    accounts = [r[0] for r in session.execute(select(account_table.c.id).where(account_table.c.deleted.is_(False))
                                              .limit(2000))]
    contacts = [r[0] for r in session.execute(select(contact_table.c.id).where(contact_table.c.deleted.is_(False))
                                              .limit(2000))]
    st = pipeline_stage_table
    stages = [(r.name, r.probability, r.outcome) for r in session.execute(
        select(st.c.name, st.c.probability, st.c.outcome).where(st.c.deleted.is_(False)).order_by(st.c.position))]
    levels = {r.priority: r.resolution_hours for r in session.execute(
        select(service_level_table.c.priority, service_level_table.c.resolution_hours)
        .where(service_level_table.c.deleted.is_(False)))}
    today = now.date()

    def base() -> dict[str, Any]:
        return {"id": str(uuid6.uuid7()), "rev": next(revs), "deleted": False, "created_at": now, "updated_at": now,
                "updated_by": owner_id, "owner_id": owner_id, "shared": False}

    def pick(items: list[str]) -> str | None:
        return rng.choice(items) if items else None

    opp_rows: list[dict[str, Any]] = []
    for i in range(opportunities):
        name, probability, outcome = rng.choice(stages) if stages else ("Prospecting", 10, "open")
        open_deal = outcome == "open"
        close = today + timedelta(days=rng.randint(-20, 120) if open_deal else -rng.randint(0, 80))
        opp_rows.append({**base(), "name": f"{rng.choice(DEALS)} {i + 1}", "account_id": pick(accounts),
                         "contact_id": None, "amount": Decimal(rng.randint(20, 900) * 100),
                         "currency": "EUR" if rng.random() < 0.7 else "USD", "stage": name,
                         "probability": probability, "close_date": close,
                         "next_step": None if not open_deal else rng.choice(["Send quote", "Demo", "Call back", None]),
                         "status": {"won": "Won", "lost": "Lost"}.get(outcome, "Open"),
                         "close_reason": None if open_deal else rng.choice(["Price", "Fit", "Timing", "Competitor"]),
                         "campaign_id": None, "description": None})
    lead_rows = []
    for _i in range(_leads(opportunities)):
        first, last_name = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_SUFFIX)}".strip()
        city, region, country, style = rng.choice(CITIES)
        phone, e164 = _phone(rng, style)
        lead_rows.append({**base(), "first_name": first, "last_name": last_name, "company": company,
                          "title": rng.choice(TITLES), "status": rng.choice(["New", "New", "Contacted", "Qualified"]),
                          "source": rng.choice(LEAD_SOURCES), "rating": rng.choice(LEAD_RATINGS),
                          "email": f"{_slug(first)}.{_slug(last_name)}@{_slug(company)}.example",
                          "phone": phone, "phone_e164": e164, "industry": rng.choice(INDUSTRIES),
                          "city": city, "region": region, "country": country, "notes": rng.choice(LEAD_NOTES)})
    case_rows = []
    for _i in range(_cases(opportunities)):
        priority = rng.choice(CASE_PRIORITIES)
        opened = now - timedelta(hours=rng.randint(0, 200))
        hours = levels.get(priority)
        case_rows.append({**base(), "created_at": opened, "subject": rng.choice(CASE_SUBJECTS),
                          "account_id": pick(accounts), "contact_id": pick(contacts), "priority": priority,
                          "status": rng.choice(["New", "Open", "Open", "Pending", "Resolved"]),
                          "origin": rng.choice(["Email", "Phone", "Web"]),
                          "due_at": opened + timedelta(hours=hours) if hours else None,
                          "description": None, "resolution": None})
    activity_rows = []
    for _i in range(_activities(opportunities)):
        kind, subject = rng.choice(TASKS)
        day = today + timedelta(days=rng.randint(-5, 10))
        start = None
        if kind != "Task":
            start = datetime.combine(day, time(rng.randint(8, 16), rng.choice([0, 30])), tzinfo=UTC)
        related = rng.choice(opp_rows) if opp_rows and rng.random() < 0.5 else None
        activity_rows.append({**base(), "kind": kind, "subject": subject,
                              "due_date": day if start is None else None, "start_at": start,
                              "end_at": start + timedelta(minutes=30) if start else None,
                              "done": day < today and rng.random() < 0.6, "priority": rng.choice(["Normal", "High"]),
                              "related_type": "opportunity" if related else ("account" if accounts else None),
                              "related_id": related["id"] if related else pick(accounts), "description": None})
    for table, rows in ((opportunity_table, opp_rows), (lead_table, lead_rows), (case_table, case_rows),
                        (activity_table, activity_rows)):
        names = set(table.c.keys())
        for offset in range(0, len(rows), 2000):
            chunk = [{k: v for k, v in row.items() if k in names} for row in rows[offset:offset + 2000]]
            if chunk:
                session.execute(insert(table), chunk)



