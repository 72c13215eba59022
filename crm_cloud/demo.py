"""Realistic demo data, inserted in bulk (``crm-cloud demo seed``)."""

from __future__ import annotations

import logging
import random
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import uuid6
from sqlalchemy import insert, select, update

from crm_cloud.auth.models import User
from crm_cloud.auth.service import normalize_email
from crm_cloud.core.db import Database
from crm_cloud.core.errors import NotFound
from crm_cloud.customers.tables import account_table, contact_table
from crm_cloud.records.models import ServerState

log = logging.getLogger(__name__)

FIRST = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Sophie", "Lukas",
    "Emma", "Noah", "Mia", "Léa", "Jürgen", "Zoë", "Mateo", "Lucía", "Hiroshi", "Aiko", "Olga", "Pavel",
    "Priya", "Arjun", "Fatima", "Omar", "Chloé", "Björn", "Ingrid", "Siobhán",
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee",
    "Müller", "Schmidt", "Dubois", "Rossi", "Novak", "Kowalski", "Nakamura", "Sato", "Patel", "Singh",
    "O'Brien", "García", "Fernández", "Nilsson", "Andersson", "Ivanova", "Haddad", "Kim", "Nguyen", "Costa",
]
#: (family name, given name, pinyin family, pinyin given)
CHINESE = [
    ("张", "伟", "zhang", "wei"), ("王", "芳", "wang", "fang"), ("李", "娜", "li", "na"),
    ("刘", "洋", "liu", "yang"), ("陈", "静", "chen", "jing"), ("杨", "磊", "yang", "lei"),
    ("赵", "敏", "zhao", "min"), ("黄", "强", "huang", "qiang"),
]
TITLES = [
    "CEO", "CTO", "CFO", "Head of Sales", "Account Executive", "Purchasing Manager", "Office Manager",
    "Marketing Director", "Software Engineer", "Operations Lead", "Consultant", "Project Manager", None,
]
COMPANY_A = [
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Cyberdyne",
    "Soylent", "Tyrell", "Aperture", "Pied Piper", "Blue Harbor", "Northwind", "Contoso", "Fabrikam",
    "Litware", "Tailspin", "Nordlicht", "Sonnenberg", "Lumière", "Sakura", "Golden Gate", "Red Rock",
    "Silverline", "Greenfield", "Ironbridge", "Oakwood",
]
COMPANY_B = [
    "Industries", "Systems", "Labs", "Logistics", "Foods", "Consulting", "Trading", "Robotics", "Energy",
    "Media", "Health", "Capital", "Software", "Manufacturing", "Design",
]
COMPANY_SUFFIX = ["Inc.", "LLC", "GmbH", "Ltd.", "Corp.", "S.A.", "AG", ""]
INDUSTRIES = [
    "Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Logistics", "Education", "Energy",
    "Food & Beverage", "Media", "Construction", "Consulting", "Automotive", "Telecommunications",
]
STREETS = ["Main St", "Oak Ave", "Market St", "Elm St", "Park Rd", "Broadway", "Hauptstraße", "High Street"]
#: (city, region, country, phone style)
CITIES = [
    ("New York", "NY", "United States", "us:212"), ("San Francisco", "CA", "United States", "us:415"),
    ("Chicago", "IL", "United States", "us:312"), ("Boston", "MA", "United States", "us:617"),
    ("Seattle", "WA", "United States", "us:206"), ("Austin", "TX", "United States", "us:512"),
    ("Denver", "CO", "United States", "us:303"), ("Atlanta", "GA", "United States", "us:404"),
    ("Berlin", "Berlin", "Germany", "de"), ("London", "England", "United Kingdom", "gb"),
    ("Shanghai", "Shanghai", "China", "cn"), ("Beijing", "Beijing", "China", "cn"),
]
DOMAINS = ["example.com", "example.org", "example.net"]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower()) or "info"


def _phone(rng: random.Random, style: str) -> tuple[str, str]:
    """A valid phone number as (display form, E.164)."""
    if style.startswith("us:"):
        area = style[3:]
        exchange = rng.randint(200, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = rng.randint(200, 999)
        line = rng.randint(0, 9999)
        return f"({area}) {exchange}-{line:04d}", f"+1{area}{exchange}{line:04d}"
    if style == "de":
        number = rng.randint(2000000, 9999999)
        return f"+49 30 {number}", f"+4930{number}"
    if style == "gb":
        number = rng.randint(0, 9999)
        return f"+44 20 7946 {number:04d}", f"+44207946{number:04d}"
    prefix = rng.choice(["138", "139", "136", "186", "150"])
    a, b = rng.randint(0, 9999), rng.randint(0, 9999)
    return f"+86 {prefix} {a:04d} {b:04d}", f"+86{prefix}{a:04d}{b:04d}"


def _base(rev: int, now: datetime, owner_id: str) -> dict[str, Any]:
    return {
        "id": str(uuid6.uuid7()),
        "rev": rev,
        "deleted": False,
        "created_at": now,
        "updated_at": now,
        "updated_by": owner_id,
        "owner_id": owner_id,
        "shared": False,
        "notes": None,
    }


def seed(database_url: str, owner_email: str, accounts: int, contacts: int, modules: int = 0) -> None:
    """Insert ``accounts`` accounts and ``contacts`` contacts owned by the user ``owner_email``.

    About 20 % of the contacts have no account.  Revisions come from the
    global counter, so clients pull the demo data like any other change.
    """
    rng = random.Random(20240601)
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            email = normalize_email(owner_email)
            owner_id = session.execute(select(User.id).where(User.email == email)).scalar()
            if owner_id is None:
                raise NotFound(f"No user with email {email}; create one with 'crm-cloud user add'")
            total = accounts + contacts
            last = int(
                session.execute(
                    update(ServerState)
                    .where(ServerState.id == 1)
                    .values(seq=ServerState.seq + total)
                    .returning(ServerState.seq)
                ).scalar_one()
            )
            rev = last - total
            now = datetime.now(UTC)
            account_rows: list[dict[str, Any]] = []
            used_names: set[str] = set()
            for i in range(accounts):
                rev += 1
                name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_SUFFIX)}".strip()
                if name in used_names:
                    name = f"{name} {i}"
                used_names.add(name)
                city, region, country, style = rng.choice(CITIES)
                phone, e164 = _phone(rng, style)
                domain = f"{_slug(name)[:40]}.{rng.choice(DOMAINS)}"
                row = _base(rev, now, owner_id)
                row.update(
                    name=name, website=f"https://www.{domain}", industry=rng.choice(INDUSTRIES),
                    email=f"info@{domain}", phone=phone, phone_e164=e164,
                    street=f"{rng.randint(1, 999)} {rng.choice(STREETS)}", city=city, region=region,
                    postal_code=f"{rng.randint(10000, 99999)}", country=country,
                )
                account_rows.append(row)
            for start in range(0, len(account_rows), 5000):
                session.execute(insert(account_table), account_rows[start : start + 5000])

            batch: list[dict[str, Any]] = []
            for i in range(contacts):
                rev += 1
                if rng.random() < 0.04:
                    family, given, py_family, py_given = rng.choice(CHINESE)
                    first, last_name, local = given, family, f"{py_given}.{py_family}"
                else:
                    first, last_name = rng.choice(FIRST), rng.choice(LAST)
                    local = f"{_slug(first)}.{_slug(last_name)}"
                account = rng.choice(account_rows) if account_rows and rng.random() >= 0.2 else None
                if account is not None:
                    domain = str(account["email"]).split("@", 1)[1]
                    city, region, country = account["city"], account["region"], account["country"]
                    style = next(c[3] for c in CITIES if c[0] == city)
                else:
                    domain = rng.choice(DOMAINS)
                    city, region, country, style = rng.choice(CITIES)
                phone, e164 = _phone(rng, style)
                mobile, mobile_e164 = _phone(rng, style) if rng.random() < 0.6 else (None, None)
                row = _base(rev, now, owner_id)
                row.update(
                    first_name=first, last_name=last_name, title=rng.choice(TITLES),
                    account_id=account["id"] if account else None,
                    email=f"{local}{i}@{domain}", email2=None,
                    phone=phone, phone_e164=e164, mobile=mobile, mobile_e164=mobile_e164,
                    street=f"{rng.randint(1, 999)} {rng.choice(STREETS)}", city=city, region=region,
                    postal_code=f"{rng.randint(10000, 99999)}", country=country,
                )
                batch.append(row)
                if len(batch) >= 5000:
                    session.execute(insert(contact_table), batch)
                    batch = []
            if batch:
                session.execute(insert(contact_table), batch)
            assert rev == last
            if modules:
                # Opportunities, leads, cases and activities on top (crm_cloud/demo_modules.py).
                from crm_cloud.demo_modules import seed_modules

                seed_modules(session, rng, owner_id, modules, now)
        log.info("seeded %d accounts and %d contacts for %s", accounts, contacts, email)
    finally:
        db.dispose()
