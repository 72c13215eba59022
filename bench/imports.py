"""``import_csv_100k_rows_s``: a realistic contacts CSV imported end to end.

The file looks like an Outlook export (its headers, quoted notes with commas
and newlines, a company column naming ~2,000 accounts) with a few bad rows
(bad emails, impossible phones, no name, a row with too many cells).  It goes
through the import service exactly as the wizard drives it: read, preview
(validation, account look-up, duplicate check), commit of the good rows with
their outbox entries, search index and the accounts created by name, into a
fresh profile.  The baseline, in the same run: the same cleaned rows written
by one plain SQLAlchemy Core ``insert()`` into another fresh profile (no
validation, no outbox, no search index).
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

from sqlalchemy import insert, text

from crm_cloud.demo import CITIES, COMPANY_A, COMPANY_B, FIRST, LAST, TITLES
from crm_desktop.context import AppContext
from crm_desktop.dataio.mapping import guess_mapping
from crm_desktop.ids import new_id
from crm_desktop.services.imports import DuplicateAction, ImportMode, ImportOptions
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.records import now
from crm_desktop.store.schema import Contact, sort_key_for, spec_for

HEADERS = [
    "First Name", "Last Name", "Company", "Job Title", "E-mail Address", "Business Phone", "Mobile Phone",
    "Business Street", "Business City", "Business State", "Business Postal Code", "Business Country/Region",
    "Notes",
]
AREAS = (212, 415, 312, 617, 206, 303, 512, 404, 305, 702, 646, 718, 213, 310, 917)


def write_contacts_csv(path: Path, count: int, seed: int = 3) -> int:
    """Write the file; returns the number of deliberately bad rows."""
    rng = random.Random(seed)
    companies = [f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {i}" for i in range(2000)]
    bad = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, region, country, _ = rng.choice(CITIES)
            phone = f"({rng.choice(AREAS)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
            mobile = f"+1 {rng.choice(AREAS)} {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}" \
                if rng.random() < 0.5 else ""
            email = f"{first.lower()}.{last.lower()}.{i}@example.com"
            notes = f"Met at {city}, {rng.randrange(2015, 2026)}.\nFollow up." if rng.random() < 0.1 else ""
            row = [first, last, rng.choice(companies) if rng.random() < 0.9 else "", rng.choice(TITLES), email,
                   phone, mobile, f"{rng.randrange(1, 999)} Main St", city, region,
                   f"{rng.randrange(10000, 99999)}", country, notes]
            if i % 997 == 13:
                kind = (i // 997) % 4
                if kind == 0:
                    row[4] = "not an email"
                elif kind == 1:
                    row[5] = "12"
                elif kind == 2:
                    row[0] = row[1] = ""
                else:
                    row.append("stray cell")
                bad += 1
            writer.writerow(row)
    return bad


def bench_import(workdir: Path, count: int = 100_000) -> dict[str, float]:
    path = workdir / "contacts.csv"
    bad = write_contacts_csv(path, count)
    context = AppContext.open(workdir / "import-profile", lock=False)
    try:
        started = time.perf_counter()
        table = context.imports.read(path)
        read_s = time.perf_counter() - started
        options = ImportOptions("contact", guess_mapping(spec_for("contact"), table.headers))
        preview = context.imports.preview(table, options)
        preview_s = time.perf_counter() - started - read_s
        result = context.imports.commit(preview, ImportMode.GOOD_ROWS, duplicate_action=DuplicateAction.SKIP,
                                        likely_action=DuplicateAction.IMPORT)
        elapsed = time.perf_counter() - started
        landed = context.lists.count(ListSpec("contact"))
        searchable = context.lists.count(ListSpec("contact", search="example"))
        outbox = context.records.pending_count()
        cleaned = [dict(zip(spec_for("contact").field_names, values, strict=True)) for _l, values in preview.good]
    finally:
        context.close()

    baseline_context = AppContext.open(workdir / "baseline-profile", lock=False)
    try:
        stamp = now()
        rows = []
        for data in cleaned:
            data = {**data, "account_id": None}
            data.update(id=new_id(), server_rev=None, dirty=True, deleted=False,
                        sort_key=sort_key_for("contact", data), created_at=stamp, updated_at=stamp)
            rows.append(data)
        started = time.perf_counter()
        with baseline_context.db.session() as session:
            # Plain: the search index triggers stand aside, as in the import.
            session.execute(text("INSERT INTO fts_suspend (id) VALUES (1)"))
            session.execute(insert(Contact.__table__), rows)  # type: ignore[arg-type]
            session.execute(text("DELETE FROM fts_suspend"))
        baseline = time.perf_counter() - started
    finally:
        baseline_context.close()
    return {
        "seconds": elapsed, "rows": count, "bad_rows_written": bad, "good": preview.good_count,
        "problems": preview.problem_count, "created": result.created, "accounts_created":
        result.created_refs.get("account", 0), "landed": landed, "searchable": searchable, "outbox": outbox,
        "read_s": read_s, "preview_s": preview_s, "commit_s": elapsed - read_s - preview_s,
        "baseline_core_insert_s": baseline,
    }


def bench_duplicates(profile: Path) -> dict[str, float]:
    """The record form's duplicate check on a big profile: p95 over typical new contacts."""
    import statistics

    context = AppContext.open(profile, lock=False)
    try:
        with context.db.session() as session:
            sample = session.connection().exec_driver_sql(
                "SELECT first_name, last_name, email, phone FROM contacts WHERE deleted = 0 "
                "AND rid % 50000 = 7 LIMIT 20").all()
        typed: list[dict[str, str | None]] = []
        for first, last, email, phone in sample:
            typed.append({"first_name": first, "last_name": last, "email": email})  # exact email
            typed.append({"first_name": first, "last_name": last, "phone": phone})  # same phone
            typed.append({"first_name": (first or "")[:-1] + "x", "last_name": last})  # a typo: fuzzy
            typed.append({"first_name": "Nobody", "last_name": f"Unknown{len(typed)}"})  # no match
        timings = []
        found = 0
        for data in typed * 2:
            started = time.perf_counter()
            found += bool(context.duplicates.find("contact", data))
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        return {"p95": timings[int(len(timings) * 0.95) - 1], "median": statistics.median(timings),
                "checks": len(timings), "with_matches": found}
    finally:
        context.close()


def bench_import_duplicates(profile: Path, workdir: Path, count: int = 100_000) -> dict[str, float]:
    """The import preview's duplicate check of the 100,000-row file against the big profile.

    Files over 5,000 rows used to skip the fuzzy name check; it now runs by
    name blocks (``services/duplicates.py``).  The preview writes nothing, so
    the cached profile is used as it is.  ``seconds`` is the duplicate phase
    alone (exact keys and fuzzy names), timed from the preview's progress.
    """
    from crm_desktop.dataio.progress import Progress

    class Phases(Progress):
        def __init__(self) -> None:
            super().__init__()
            self.started: dict[str, float] = {}

        def update(self, done: int, total: int | None = None, phase: str | None = None) -> None:
            if phase is not None:
                self.started.setdefault(phase, time.perf_counter())
            super().update(done, total, phase)

    path = workdir / "contacts.csv"
    write_contacts_csv(path, count)
    context = AppContext.open(profile, lock=False)
    try:
        table = context.imports.read(path)
        progress = Phases()
        started = time.perf_counter()
        options = ImportOptions("contact", guess_mapping(spec_for("contact"), table.headers))
        preview = context.imports.preview(table, options, progress=progress)
        ended = time.perf_counter()
    finally:
        context.close()
    fuzzy = sum(1 for d in preview.duplicates if any(m.reasons[0].startswith("similar") for m in d.matches))
    return {"seconds": ended - progress.started["duplicates"], "preview_s": ended - started,
            "rows": count, "with_duplicates": len(preview.duplicates), "with_similar_names": fuzzy}
