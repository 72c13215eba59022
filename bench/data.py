"""Generated client profiles for the benchmarks, built once and reused."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uuid6

from crm_cloud.demo import CHINESE, CITIES, COMPANY_A, COMPANY_B, FIRST, LAST, TITLES
from crm_desktop.store.db import DB_FILENAME, Database
from crm_desktop.store.search_index import register_functions

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
            family, given, _, _ = rng.choice(CHINESE)
            first, last = given, family
            name = f"{family}{given}"
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
        city, region, country, _ = rng.choice(CITIES)
        digits = f"{rng.randrange(200, 999)}555{rng.randrange(1000, 9999)}"
        rows.append((
            str(uuid6.uuid7()), first, last, rng.choice(TITLES),
            rng.choice(account_ids) if account_ids and rng.random() < 0.8 else None,
            f"{first.lower()}.{last.lower()}{i}@example.com", None,
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


def build_profile(contacts: int) -> Path:
    """A migrated profile folder with ``contacts`` contacts (cached on disk)."""
    folder = CACHE / f"profile-{contacts}"
    marker = folder / "complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DB_FILENAME).unlink(missing_ok=True)
    Database.open(folder, lock=False).close()  # the real schema, by migration
    started = time.perf_counter()
    connection = sqlite3.connect(folder / DB_FILENAME)
    register_functions(connection)  # the search index's triggers call them
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    accounts = account_rows(max(contacts // 20, 10))
    connection.executemany(
        "INSERT INTO accounts (id, name, shared, server_rev, dirty, deleted, sort_key, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", accounts,
    )
    account_ids = [a[0] for a in accounts]
    batch = 100_000
    for start in range(0, contacts, batch):
        insert_contacts(connection, contact_rows(min(batch, contacts - start), seed=start,
                                                 account_ids=account_ids))
        connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    log.info("built a %d-contact profile in %.1f s", contacts, time.perf_counter() - started)
    marker.write_text("ok")
    return folder
