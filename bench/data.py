"""Generated client profiles for the benchmarks, built once and reused.

Three kinds, each cached under ``bench/.cache`` in a folder named after its
size, the client migration head and the page size of a new store
(``contacts-1000000-rev0018-p16384``), so a profile built before a new
migration is rebuilt, never migrated inside a timed start-up, and the figures
are taken on the page size a new profile gets; outdated folders of the same
kind and size are removed.

* ``build_profile(n)``: ``n`` contacts and ``n / 20`` accounts (the UI,
  search, sync and duplicate figures);
* ``build_mixed_profile(n)``: ``n`` records of every searchable type in the
  proportions of a working CRM (``MIXED_SHARES``), for global search;
* ``build_lists_profile(n)``: ``n`` leads, ``n`` opportunities, ``n``
  activities and ``n`` cases (the per-type list figures).

Rows go in with plain sqlite3 ``executemany`` while the search index's
triggers stand aside (``fts_suspend``); each index is then filled by one
``INSERT ... SELECT``, as ``store/search_index.py`` does for a pulled page.
The connection registers the search functions (``crm_words``) the index
expressions call.
"""

from __future__ import annotations

import logging
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import uuid6

from crm_cloud.demo import CHINESE, CITIES, COMPANY_A, COMPANY_B, COMPANY_SUFFIX, FIRST, INDUSTRIES, LAST, TITLES
from crm_desktop.store.db import DB_FILENAME, PAGE_SIZE, Database, migration_head
from crm_desktop.store.schema import FTS_TABLES, sort_key_function, spec_for, table_of
from crm_desktop.store.search_index import fts_columns, register_functions
from crm_protocol.records import (
    ACTIVITY_PRIORITIES,
    CAMPAIGN_STATUSES,
    CAMPAIGN_TYPES,
    CASE_ORIGINS,
    CASE_PRIORITIES,
    CASE_STATUSES,
    LEAD_RATINGS,
    LEAD_SOURCES,
    LEAD_STATUSES,
    FieldKind,
)

log = logging.getLogger("bench.data")

CACHE = Path(__file__).resolve().parent / ".cache"

CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "title", "account_id", "email", "email2", "phone", "phone_e164",
    "mobile", "mobile_e164", "street", "city", "region", "postal_code", "country", "notes", "owner_id",
    "shared", "server_rev", "dirty", "deleted", "sort_key", "created_at", "updated_at",
)


def contact_rows(count: int, seed: int = 7, account_ids: list[str] | None = None) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    stamp = datetime(2026, 1, 1, tzinfo=UTC).isoformat(sep=" ")
    rows = []
    for i in range(count):
        if rng.random() < 0.03:
            family, given, family_py, given_py = rng.choice(CHINESE)
            local = f"{given_py}.{family_py}"
            if rng.random() < 0.5:
                # The whole name in one field, as many Chinese users enter it (found as 张伟).
                first, last, name = None, f"{family}{given}", f"{family}{given}"
            else:
                first, last, name = given, family, f"{given} {family}"  # as the demo data enters it
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
            local = f"{first.lower()}.{last.lower()}"
        city, region, country, _ = rng.choice(CITIES)
        digits = f"{rng.randrange(200, 999)}555{rng.randrange(1000, 9999)}"
        rows.append((
            str(uuid6.uuid7()), first, last, rng.choice(TITLES),
            rng.choice(account_ids) if account_ids and rng.random() < 0.8 else None,
            f"{local}{i}@example.com", None,
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1{digits}", None, None,
            f"{rng.randrange(1, 999)} Main St", city, region, f"{rng.randrange(10000, 99999)}", country, None,
            None, 1, None, 0, 0, name.casefold(), stamp, stamp,
        ))
    return rows


def insert_contacts(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    placeholders = ", ".join("?" for _ in CONTACT_COLUMNS)
    connection.executemany(
        f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) VALUES ({placeholders})", rows
    )


def account_rows(count: int, seed: int = 11) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    stamp = datetime(2026, 1, 1, tzinfo=UTC).isoformat(sep=" ")
    rows = []
    for i in range(count):
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {i}"
        rows.append((str(uuid6.uuid7()), name, 1, None, 0, 0, name.casefold(), stamp, stamp))
    return rows


#: Share of each record type in the mixed profile (a sales team's store: people
#: and their activities dominate; campaigns are few).
MIXED_SHARES = {
    "contact": 0.40, "activity": 0.249, "lead": 0.12, "opportunity": 0.10, "account": 0.08, "case": 0.05,
    "campaign": 0.001,
}
#: The record types measured by the per-type list figures.
LIST_TYPES = ("lead", "opportunity", "activity", "case")

_BATCH = 100_000
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
OWNERS = [(f"00000000-0000-7000-8000-{n:012d}", f"owner{n}@example.com", name) for n, name in enumerate(
    ("Ana Souza", "Ben Carter", "Chen Jing 陈静", "Dana Weiss", "Emil Novak", "Farah Khan", "Gita Rao", "Hugo Lenz")
)]
TAGS = ("vip", "partner", "newsletter", "trade-show", "churn-risk", "enterprise", "smb", "重点客户")
CN_COMPANY = ("华信", "天成", "金桥", "新通", "宏达", "博远", "东方", "长城")
CN_CITY = ("北京", "上海", "深圳", "广州", "杭州")
CN_KIND = ("科技有限公司", "贸易有限公司", "咨询有限公司", "制造有限公司")
PRODUCTS = ("CRM licences", "Renewal", "Support plan", "Onboarding", "Expansion", "Hardware refresh",
            "Consulting days", "Pilot", "Training", "Data migration")
NEXT_STEPS = ("Send proposal", "Schedule demo", "Negotiate price", "Legal review", "Call back", "Send contract",
              "Wait for budget approval", None, None)
STAGES = (("Prospecting", 10), ("Qualification", 20), ("Proposal", 60), ("Negotiation", 80),
          ("Closed Won", 100), ("Closed Lost", 0))
CASE_SUBJECTS = (
    "Cannot log in", "Invoice {n} is wrong", "Shipment {n} delayed", "Password reset for {person}",
    "Error 500 on export", "Refund request {n}", "Order {n} from {company} damaged", "Feature request: dark mode",
    "Sync fails on laptop of {person}", "无法登录", "发票 {n} 有误", "Billing address change for {company}",
)
ACTIVITY_SUBJECTS = {
    "Call": ("Call {person}", "Follow-up call with {person}", "Call {company} about renewal", "给{cn}打电话"),
    "Meeting": ("Meeting with {company}", "Quarterly review: {company}", "Demo for {person}", "与{cn}会面"),
    "Task": ("Send proposal to {company}", "Prepare contract for {company}", "Follow up on quote {n}",
             "Update forecast"),
    "Note": ("Notes from call with {person}", "{person} prefers email", "Budget confirmed by {company}"),
}
CAMPAIGN_NAMES = ("Spring", "Summer", "Autumn", "Winter", "Launch", "Partner", "Customer", "春季")


class _Gen:
    """Random parts of realistic rows, reproducible from a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def stamp(self) -> str:
        moment = _EPOCH + timedelta(seconds=self.rng.randrange(3 * 365 * 86400))
        return moment.isoformat(sep=" ")

    def person(self, chinese_share: float = 0.05) -> tuple[str | None, str, str, str]:
        """(first name, last name, display name, e-mail local part)."""
        if self.rng.random() < chinese_share:
            family, given, family_py, given_py = self.rng.choice(CHINESE)
            if self.rng.random() < 0.5:
                # The whole name in one field, as many Chinese users enter it.
                return None, f"{family}{given}", f"{family}{given}", f"{given_py}.{family_py}"
            # In two fields: shown family name first too (crm_protocol.records.person_name).
            return given, family, f"{family}{given}", f"{given_py}.{family_py}"
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
        return first, last, f"{first} {last}", local

    def company(self, chinese_share: float = 0.05) -> str:
        if self.rng.random() < chinese_share:
            return f"{self.rng.choice(CN_CITY)}{self.rng.choice(CN_COMPANY)}{self.rng.choice(CN_KIND)}"
        return f"{self.rng.choice(COMPANY_A)} {self.rng.choice(COMPANY_B)} {self.rng.choice(COMPANY_SUFFIX)}".strip()

    def phone(self) -> tuple[str, str]:
        digits = f"{self.rng.randrange(200, 999)}555{self.rng.randrange(1000, 9999)}"
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1{digits}"

    def tags(self) -> str | None:
        count = self.rng.choice((0, 0, 1, 1, 2))
        return orjson.dumps(self.rng.sample(TAGS, count)).decode() if count else None

    def owner(self) -> str:
        return self.rng.choice(OWNERS)[0]

    def day(self, spread_days: int = 720) -> str:
        return (date(2025, 1, 1) + timedelta(days=self.rng.randrange(spread_days))).isoformat()

    def moment(self) -> str:
        moment = _EPOCH + timedelta(days=365 + self.rng.randrange(720), minutes=15 * self.rng.randrange(96))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Refs:
    """Ids of records written so far that later rows link to (a sample per type)."""

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = {}

    def keep(self, record_type: str, record_id: str, limit: int = 200_000) -> None:
        kept = self.ids.setdefault(record_type, [])
        if len(kept) < limit:
            kept.append(record_id)

    def pick(self, rng: random.Random, record_type: str) -> str | None:
        kept = self.ids.get(record_type)
        return rng.choice(kept) if kept else None


def _record(g: _Gen, display: str, **fields: Any) -> dict[str, Any]:
    """A row of synced columns and ``fields`` (``display``: what the list's name column shows)."""
    stamp = g.stamp()
    return {"id": str(uuid6.uuid7()), "server_rev": 1, "dirty": 0, "deleted": 0, "_display": display,
            "created_at": stamp, "updated_at": stamp, "owner_id": g.owner(), "shared": 1, "tags": g.tags(),
            **fields}


def _account(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    name = g.company()
    city, region, country, _ = g.rng.choice(CITIES)
    display, e164 = g.phone()
    return _record(g, name, name=name, industry=g.rng.choice(INDUSTRIES), website=f"https://www.example{i}.com",
                   email=f"info{i}@example.com", phone=display, phone_e164=e164, city=city, region=region,
                   country=country, street=f"{g.rng.randrange(1, 999)} Market St")


def _contact(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    first, last, name, local = g.person(0.03)
    city, region, country, _ = g.rng.choice(CITIES)
    display, e164 = g.phone()
    return _record(g, name, first_name=first, last_name=last, title=g.rng.choice(TITLES),
                   account_id=refs.pick(g.rng, "account"), email=f"{local}{i}@example.com", phone=display,
                   phone_e164=e164, city=city, region=region, country=country)


def _campaign(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    kind = g.rng.choice(CAMPAIGN_TYPES)
    start = g.day()
    name = f"{g.rng.choice(CAMPAIGN_NAMES)} {kind} {start[:4]} #{i}"
    return _record(g, name, name=name, type=kind, status=g.rng.choice(CAMPAIGN_STATUSES), start_date=start,
                   end_date=(date.fromisoformat(start) + timedelta(days=30)).isoformat(),
                   budget=f"{g.rng.randrange(1, 500) * 100}.00", currency="USD")


def _lead(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    first, last, name, local = g.person()
    company = g.company()
    city, region, country, _ = g.rng.choice(CITIES)
    display, e164 = g.phone()
    return _record(g, name, first_name=first, last_name=last, company=company, title=g.rng.choice(TITLES),
                   status=g.rng.choice(LEAD_STATUSES), source=g.rng.choice(LEAD_SOURCES),
                   rating=g.rng.choice(LEAD_RATINGS), email=f"{local}{i}@example.org", phone=display,
                   phone_e164=e164, city=city, region=region, country=country,
                   campaign_id=refs.pick(g.rng, "campaign") if g.rng.random() < 0.3 else None)


def _opportunity(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    stage, probability = g.rng.choice(STAGES)
    name = f"{g.company()} – {g.rng.choice(PRODUCTS)}"
    status = "Won" if stage == "Closed Won" else "Lost" if stage == "Closed Lost" else "Open"
    return _record(g, name, name=name, account_id=refs.pick(g.rng, "account"),
                   contact_id=refs.pick(g.rng, "contact"), amount=f"{g.rng.randrange(5, 2000) * 100}.00",
                   currency=g.rng.choice(("USD", "USD", "EUR", "CNY")), stage=stage, probability=probability,
                   close_date=g.day(), next_step=g.rng.choice(NEXT_STEPS), status=status)


def _case(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    _, _, person, _ = g.person()
    subject = g.rng.choice(CASE_SUBJECTS).format(n=g.rng.randrange(10000, 99999), person=person,
                                                 company=g.company(0))
    return _record(g, subject, subject=subject, account_id=refs.pick(g.rng, "account"),
                   contact_id=refs.pick(g.rng, "contact"), priority=g.rng.choice(CASE_PRIORITIES),
                   status=g.rng.choice(CASE_STATUSES), origin=g.rng.choice(CASE_ORIGINS), due_at=g.moment())


def _activity(g: _Gen, i: int, refs: _Refs) -> dict[str, Any]:
    kind = g.rng.choice(tuple(ACTIVITY_SUBJECTS))
    _, _, person, _ = g.person(0)
    family, given, _, _ = g.rng.choice(CHINESE)
    cn = f"{family}{given}"
    subject = g.rng.choice(ACTIVITY_SUBJECTS[kind]).format(
        person=person, cn=cn, company=g.company(0), n=g.rng.randrange(1000, 9999))
    related_type = g.rng.choice(("account", "contact", "contact", "lead", "opportunity", "case"))
    related_id = refs.pick(g.rng, related_type)
    return _record(g, subject, kind=kind, subject=subject, due_date=g.day() if kind == "Task" else None,
                   start_at=g.moment() if kind in ("Call", "Meeting") else None, done=int(g.rng.random() < 0.6),
                   priority=g.rng.choice(ACTIVITY_PRIORITIES), related_type=related_type if related_id else None,
                   related_id=related_id)


_MAKERS: dict[str, Callable[[_Gen, int, _Refs], dict[str, Any]]] = {
    "account": _account, "contact": _contact, "campaign": _campaign, "lead": _lead,
    "opportunity": _opportunity, "case": _case, "activity": _activity,
}
#: Written parents first, so links point at records that exist.
_ORDER = ("account", "contact", "campaign", "lead", "opportunity", "case", "activity")
_SYNCED = ("id", "server_rev", "dirty", "deleted", "sort_key", "created_at", "updated_at")


def _columns(record_type: str) -> tuple[str, ...]:
    return (*_SYNCED, *spec_for(record_type).field_names)


def _rows(record_type: str, count: int, seed: int, refs: _Refs) -> Iterator[tuple[Any, ...]]:
    g = _Gen(seed + 10_000_019 * _ORDER.index(record_type))
    make = _MAKERS[record_type]
    names = _columns(record_type)
    booleans = {f.name for f in spec_for(record_type).fields if f.kind is FieldKind.BOOL}
    sort_key = sort_key_function(record_type)  # the app's own rule (CJK names, title fallbacks)
    for i in range(count):
        row = make(g, seed + i, refs)
        row["sort_key"] = sort_key(row)
        if row["sort_key"] != row["_display"].casefold():
            raise AssertionError(f"{record_type} name {row['_display']!r} is not what the app shows")
        refs.keep(record_type, row["id"])
        yield tuple(row.get(name, 0 if name in booleans else None) for name in names)


def _cached(kind: str, size: int, fill: Callable[[sqlite3.Connection], None], cache: Path) -> Path:
    """A migrated profile folder filled by ``fill`` once, cached per kind, size, schema revision
    and page size."""
    cache.mkdir(parents=True, exist_ok=True)
    folder = cache / f"{kind}-{size}-rev{migration_head()}-p{PAGE_SIZE}"
    marker = folder / "complete"
    if marker.exists():
        return folder
    # A profile of an older schema (or the unkeyed folders of before): rebuilt, not kept.
    for stale in [*cache.glob(f"{kind}-{size}-rev*"), *cache.glob(f"profile-{size}")]:
        if stale != folder:
            log.warning("removing outdated benchmark profile %s", stale)
            shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    Database.open(folder, lock=False).close()  # the real schema, by migration
    started = time.perf_counter()
    connection = sqlite3.connect(folder / DB_FILENAME, isolation_level=None)
    register_functions(connection)  # the search index's expressions call them
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-400000")  # ~400 MB: the sort indexes take random inserts
    connection.execute("INSERT INTO fts_suspend (id) VALUES (1)")  # triggers stand aside
    connection.executemany("INSERT OR IGNORE INTO users (id, email, name) VALUES (?, ?, ?)", OWNERS)
    fill(connection)
    for record_type in FTS_TABLES:
        fts_table, _ = FTS_TABLES[record_type]
        columns = fts_columns(record_type)
        connection.execute(
            f"INSERT INTO {fts_table}(rowid, {', '.join(name for name, _ in columns)}) SELECT rid, "
            f"{', '.join(expr.replace('new.', '') for _, expr in columns)} FROM {table_of(record_type)} "
            f"WHERE deleted = 0"
        )
    connection.execute("DELETE FROM fts_suspend")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    log.info("built the %s-%d profile in %.1f s", kind, size, time.perf_counter() - started)
    marker.write_text("ok")
    return folder


def _insert(connection: sqlite3.Connection, record_type: str, count: int, refs: _Refs) -> None:
    names = _columns(record_type)
    sql = (f"INSERT INTO {table_of(record_type)} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    for start in range(0, count, _BATCH):
        connection.execute("BEGIN")
        connection.executemany(sql, _rows(record_type, min(_BATCH, count - start), start, refs))
        connection.execute("COMMIT")


def build_profile(contacts: int, cache: Path = CACHE) -> Path:
    """A migrated profile folder with ``contacts`` contacts (cached on disk)."""

    def fill(connection: sqlite3.Connection) -> None:
        accounts = account_rows(max(contacts // 20, 10))
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO accounts (id, name, shared, server_rev, dirty, deleted, sort_key, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", accounts,
        )
        connection.execute("COMMIT")
        account_ids = [a[0] for a in accounts]
        for start in range(0, contacts, _BATCH):
            connection.execute("BEGIN")
            insert_contacts(connection, contact_rows(min(_BATCH, contacts - start), seed=start,
                                                     account_ids=account_ids))
            connection.execute("COMMIT")

    return _cached("contacts", contacts, fill, cache)


def mixed_counts(total: int) -> dict[str, int]:
    """Rows per record type of a ``total``-record mixed profile (they add up to ``total``)."""
    counts = {record_type: int(total * share) for record_type, share in MIXED_SHARES.items()}
    counts["contact"] += total - sum(counts.values())
    return counts


def build_mixed_profile(total: int, cache: Path = CACHE) -> Path:
    """``total`` records of every searchable type, in ``MIXED_SHARES`` proportions (cached)."""
    counts = mixed_counts(total)

    def fill(connection: sqlite3.Connection) -> None:
        refs = _Refs()
        for record_type in _ORDER:
            _insert(connection, record_type, counts[record_type], refs)

    return _cached("mixed", total, fill, cache)


def build_lists_profile(rows: int, cache: Path = CACHE) -> Path:
    """``rows`` leads, opportunities, cases and activities each (and the accounts, contacts
    and campaigns they link to), for the per-type list figures (cached)."""

    def fill(connection: sqlite3.Connection) -> None:
        refs = _Refs()
        linked = {"account": max(rows // 20, 10), "contact": max(rows // 20, 10), "campaign": max(rows // 5000, 2)}
        for record_type in _ORDER:
            _insert(connection, record_type, linked.get(record_type, rows), refs)

    return _cached("lists", rows, fill, cache)
