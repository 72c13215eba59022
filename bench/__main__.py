"""``python -m bench [--quick]``: print one JSON object per figure.

Figures are measured, never asserted: compare them with the targets in the
issue and with ``sqlite_raw_insert_records_per_s`` measured in the same run
(these machines are noisy, so only same-run comparisons mean much).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.data import (
    CONTACT_COLUMNS,
    LIST_TYPES,
    build_lists_profile,
    build_mixed_profile,
    build_profile,
    insert_contacts,
)
from crm_desktop.context import AppContext
from crm_desktop.keychain import MemoryTokenStore
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.db import DB_FILENAME, Database
from crm_desktop.store.search_index import fts_columns, register_functions
from sync.auth import TokenManager, complete_sign_in_form, sign_in
from sync.client import CloudClient
from sync.engine import SyncEngine
from sync.replica import Replica

log = logging.getLogger("bench")
PASSWORD = "bench-password"


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    sys.stdout.write(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}) + "\n")
    sys.stdout.flush()


class Backend:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database_url = f"sqlite:///{workdir / 'cloud.db'}"
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run([sys.executable, "-m", "crm_cloud", *args], check=True, capture_output=True,
                       input=stdin.encode() if stdin else None)

    def start(self) -> None:
        ready = self.workdir / "ready"
        ready.unlink(missing_ok=True)  # a stale one from an earlier run names a dead port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crm_cloud", "serve", "--port", "0", "--database-url", self.database_url,
             "--ready-file", str(ready), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError("backend failed to start")
            time.sleep(0.05)
        self.url = ready.read_text().strip()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def cpu_seconds(self) -> float:
        """CPU time the backend process used so far (Linux ``/proc``; 0 elsewhere)."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_in_engine(context: AppContext, backend: Backend, email: str) -> tuple[SyncEngine, httpx.Client]:
    http = httpx.Client(timeout=60)

    def open_url(url: str) -> None:
        with httpx.Client(timeout=30) as browser:
            complete_sign_in_form(browser, url, email, PASSWORD)

    tokens = TokenManager(backend.url, http, MemoryTokenStore(), "bench")
    tokens.accept(sign_in(backend.url, open_url, http))
    replica = Replica(context.db)
    replica.bind_server(backend.url)
    # The app's own page size (DEFAULT_PULL_LIMIT): the figure is the app's.
    return SyncEngine(replica, CloudClient(http, tokens)), http


#: Fresh clients per ``initial_sync_records_per_s`` (the median is the figure).
SYNC_RUNS = 3


def _initial_sync(backend: Backend, client_dir: Path, email: str) -> dict[str, float]:
    """One fresh client pulls everything: its rate, and whether it all landed and is searchable."""
    context = AppContext.open(client_dir, lock=False)
    engine, http = signed_in_engine(context, backend, email)
    server_cpu = backend.cpu_seconds()
    client_cpu = time.process_time()
    started = time.perf_counter()
    report = engine.run()
    elapsed = time.perf_counter() - started
    figures = {
        "rate": report.pulled / elapsed, "records": report.pulled, "seconds": elapsed,
        "cpu_client": time.process_time() - client_cpu, "cpu_server": backend.cpu_seconds() - server_cpu,
        "landed": context.lists.count(ListSpec("contact")),
        "searchable": context.lists.count(ListSpec("contact", search="example")),
    }
    context.close()
    http.close()
    return figures


def _raw_insert(client_dir: Path, raw_dir: Path) -> float:
    """The limit to compare with: the client's contact rows, plain sqlite3, one transaction,
    same schema (columns, keys, indexes, full-text index and its triggers); rows per second."""
    source = sqlite3.connect(client_dir / DB_FILENAME)
    rows = source.execute(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM contacts").fetchall()
    source.close()
    # SQLite's default page size, not the app's (PAGE_SIZE): inserting row by row
    # into ten live indexes, plain sqlite3 is 25-30% faster on 4 KB pages (measured
    # in session 10), and the limit to compare with is the fastest plain sqlite3.
    raw_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(raw_dir / DB_FILENAME)) as new_file:
        new_file.execute("PRAGMA page_size=4096")
        new_file.execute("PRAGMA journal_mode=WAL")  # writes the header: the page size is fixed
    Database.open(raw_dir, lock=False).close()
    connection = sqlite3.connect(raw_dir / DB_FILENAME, isolation_level=None)
    register_functions(connection)
    # The app's connection settings (crm_desktop/store/db.py): a fair limit.
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536", "temp_store=MEMORY",
                   "mmap_size=268435456", "wal_autocheckpoint=16384"):
        connection.execute(f"PRAGMA {pragma}")
    # The fastest plain sqlite3 can do it: one transaction, executemany,
    # and the full-text index filled by one INSERT ... SELECT.
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.execute("INSERT INTO fts_suspend (id) VALUES (1)")
    insert_contacts(connection, rows)
    columns = fts_columns("contact")
    connection.execute(
        f"INSERT INTO contacts_fts(rowid, {', '.join(name for name, _ in columns)}) SELECT rid, "
        f"{', '.join(expr.replace('new.', '') for _, expr in columns)} FROM contacts"
    )
    connection.execute("DELETE FROM fts_suspend")
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def bench_sync(workdir: Path, contacts: int, big_profile: Path) -> None:
    backend = Backend(workdir)
    email = "bench@example.com"
    backend.cli("db", "upgrade", "--database-url", backend.database_url)
    backend.cli("user", "add", email, "--name", "Bench", "--password-stdin", "--database-url",
                backend.database_url, stdin=PASSWORD + "\n")
    backend.cli("demo", "seed", "--email", email, "--accounts", "0", "--contacts", str(contacts),
                "--database-url", backend.database_url)
    backend.start()
    try:
        # SYNC_RUNS fresh clients, each followed by the plain sqlite3 limit on its rows:
        # interleaved, so that a slow spell of this noisy machine hits both figures.
        syncs: list[dict[str, float]] = []
        raws: list[float] = []
        for run in range(SYNC_RUNS):
            client_dir = workdir / f"fresh-client-{run}"
            syncs.append(_initial_sync(backend, client_dir, email))
            raws.append(_raw_insert(client_dir, workdir / f"raw-{run}"))
        middle = sorted(syncs, key=lambda figures: figures["rate"])[len(syncs) // 2]
        # CPU seconds of the app and of the backend: on these 2 cores both share
        # the machine, so their sum, not the wall time alone, shows the work done.
        emit("initial_sync_records_per_s", middle["rate"], "records/s",
             records=int(middle["records"]), seconds=round(middle["seconds"], 2), landed=int(middle["landed"]),
             searchable=int(middle["searchable"]), cpu_client_s=round(middle["cpu_client"], 2),
             cpu_server_s=round(middle["cpu_server"], 2), runs=[round(f["rate"]) for f in syncs])
        emit("sqlite_raw_insert_records_per_s", statistics.median(raws), "records/s",
             records=int(middle["landed"]), runs=[round(r) for r in raws])

        # The same first sync as a user gets it: in the window, through the sync controller.
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        for line in subprocess.run([sys.executable, "-m", "bench.app_sync", backend.url, email, str(workdir),
                                    str(SYNC_RUNS)], env=env, check=True, capture_output=True,
                                   text=True).stdout.splitlines():
            sys.stdout.write(line + "\n")

        # No-op sync on (a copy of) the big profile, caught up with this backend.
        import shutil

        copy = workdir / "big-copy"
        shutil.copytree(big_profile, copy)
        context = AppContext.open(copy, lock=False)
        engine, http = signed_in_engine(context, backend, email)
        engine.run()  # pulls the backend's contacts once, then it is caught up
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            report = engine.run()
            timings.append((time.perf_counter() - started) * 1000)
            assert report.pulled == 0 and report.pushed == 0
        emit("noop_sync_ms", statistics.median(timings), "ms", profile_contacts=context.lists.count(
            ListSpec("contact")))
        context.close()
        http.close()
    finally:
        backend.stop()


def bench_sync_edits(workdir: Path, contacts: int = 10_000) -> None:
    """Offline edits pushed, and the latency of one edit from laptop A to laptop B."""
    backend = Backend(workdir)
    email = "edits@example.com"
    backend.cli("db", "upgrade", "--database-url", backend.database_url)
    backend.cli("user", "add", email, "--name", "Edits", "--password-stdin", "--database-url",
                backend.database_url, stdin=PASSWORD + "\n")
    backend.cli("demo", "seed", "--email", email, "--accounts", "0", "--contacts", str(contacts),
                "--database-url", backend.database_url)
    backend.start()
    opened: list[tuple[AppContext, httpx.Client]] = []
    try:
        a = AppContext.open(workdir / "laptop-a", lock=False)
        b = AppContext.open(workdir / "laptop-b", lock=False)
        engine_a, http_a = signed_in_engine(a, backend, email)
        engine_b, http_b = signed_in_engine(b, backend, email)
        opened += [(a, http_a), (b, http_b)]
        engine_a.run()
        engine_b.run()
        # A field rep edits every contact while offline (not timed), then syncs.
        from sqlalchemy import select

        from crm_desktop.store.schema import Contact

        with a.db.session() as session:
            ids = list(session.execute(select(Contact.id).order_by(Contact.rid)).scalars())
        for n, record_id in enumerate(ids):
            a.records.update("contact", record_id, {"title": f"Visited on trip {n}"})
        started = time.perf_counter()
        report = engine_a.run()
        elapsed = time.perf_counter() - started
        emit("sync_push_10k_offline_edits_s", elapsed, "s", edits=len(ids), pushed=report.pushed,
             edits_per_s=round(len(ids) / elapsed))
        engine_b.run()

        timings = []
        for n in range(21):
            record_id = ids[n]
            a.records.update("contact", record_id, {"city": f"Roundtrip {n}"})
            started = time.perf_counter()
            engine_a.run()
            engine_b.run()
            timings.append((time.perf_counter() - started) * 1000)
            assert b.records.get("contact", record_id).data["city"] == f"Roundtrip {n}"
        emit("incremental_sync_roundtrip_ms", statistics.median(timings), "ms", runs=len(timings),
             p90=round(sorted(timings)[int(len(timings) * 0.9)], 1))
    finally:
        for context, http in opened:
            context.close()
            http.close()
        backend.stop()


def bench_startup(profile: Path, launches: int = 5) -> None:
    """``startup_to_window_s``: ``crm-desktop --check-startup`` on the profile, from the
    process being spawned to the main window painted with the contacts list's first rows
    (the app writes that moment); the median of ``launches``.

    The packages are byte-compiled first, as pip does when it installs the app: a
    source tree run with PYTHONDONTWRITEBYTECODE (as on these machines) would
    otherwise compile every module at every start.
    """
    root = Path(__file__).resolve().parent.parent
    packages = [str(root / name) for name in ("crm_desktop", "crm_protocol", "sync", "ui")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True, capture_output=True)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    timings: list[float] = []
    rows = 0
    for _ in range(launches + 1):
        spawned = time.time()
        done = subprocess.run([sys.executable, "-m", "crm_desktop.main", "--data-dir", str(profile),
                               "--check-startup", "--log-level", "WARNING"],
                              env=env, check=True, capture_output=True, text=True)
        ready = json.loads(done.stdout.strip().splitlines()[-1])
        timings.append(ready["ready_at"] - spawned)
        rows = ready["rows"]
    timings = timings[1:]  # the first launch reads the files from disk into the page cache
    emit("startup_to_window_s", statistics.median(timings), "s", rows=rows, launches=launches,
         min=round(min(timings), 3), max=round(max(timings), 3))


def bench_search(profile: Path) -> None:
    context = AppContext.open(profile, lock=False)
    try:
        typed = ["j", "jo", "joh", "john", "johns", "johnso", "johnson", "m", "mü", "mül", "müll", "müller",
                 "s", "sm", "smi", "smit", "smith", "555", "5551", "exa", "example", "chicago", "张", "张伟",
                 "ann", "anna", "lee", "garcia", "\"*", "a%_"]
        timings = []
        cpu = []
        for _ in range(3):
            for query in typed:
                spec = ListSpec("contact", search=query)
                started, started_cpu = time.perf_counter(), time.thread_time()
                context.lists.first_page(spec, 100)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
        # cpu_p95: the same queries in CPU time of this thread (SQLite runs in it), which
        # other processes competing for the two cores do not inflate.
        emit("search_p95_ms", p95(timings), "ms", queries=len(timings), median=round(statistics.median(timings), 2),
             cpu_p95=round(p95(cpu), 2), cpu_median=round(statistics.median(cpu), 2))
    finally:
        context.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(len(ordered) * 0.95) - 1]


#: Global search query mix: two-character Chinese names, one- and two-letter
#: prefixes, common and rare terms, a name typed on, no match; and terms of
#: each record type's own records (deals, activities, cases, campaigns).
GLOBAL_QUERIES = [
    "张伟", "李娜", "王芳", "陈", "j", "jo", "m", "mü", "sm", "example", "555", "john", "chicago", "smith",
    "garcia", "johnson5", "berlin", "acme", "zürich", "lee 55", "zzzq", "qqqq x",
    "renewal", "pilot", "follow up", "给张伟", "invoice", "无法登录", "webinar", "北京", "prop", "quote 12",
]


def bench_global_search(profile: Path) -> None:
    """``global_search_p95_ms`` on the mixed profile (every searchable record type,
    ``bench.data.MIXED_SHARES``).

    Baseline, same run: the same queries answered the way a search box without
    an index would, ``LIKE '%q%'`` over each type's titles, first five hits
    (over a fifth of the queries: a full scan costs ~0.2 s each).
    """
    from crm_desktop.services.search import searchable_types
    from crm_desktop.store.schema import spec_for, table_of

    context = AppContext.open(profile, lock=False)
    try:
        with context.db.session() as session:
            conn = session.connection()
            per_type = {
                t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {table_of(t)} WHERE deleted = 0").scalar_one())
                for t in searchable_types()
            }
            records = sum(per_type.values())
        timings, cpu = [], []
        worst: dict[str, float] = {}
        for _ in range(3):
            for query in GLOBAL_QUERIES:
                started, started_cpu = time.perf_counter(), time.thread_time()
                context.search.search(query)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                worst[query] = max(worst.get(query, 0.0), cpu[-1])
        baseline = []
        with context.db.session() as session:
            conn = session.connection()
            for query in GLOBAL_QUERIES[::5]:
                started = time.perf_counter()
                for record_type in searchable_types():
                    title = " || ' ' || ".join(
                        f"coalesce({name}, '')" for name in spec_for(record_type).title_fields
                    )
                    conn.exec_driver_sql(
                        f"SELECT id FROM {table_of(record_type)} WHERE deleted = 0 AND {title} LIKE ? LIMIT 5",
                        (f"%{query}%",),
                    ).all()
                baseline.append((time.perf_counter() - started) * 1000)
        emit("global_search_p95_ms", p95(timings), "ms", records=records, queries=len(timings),
             median=round(statistics.median(timings), 2), cpu_p95=round(p95(cpu), 2),
             cpu_median=round(statistics.median(cpu), 2), types=per_type,
             slowest_cpu={q: round(v, 1) for q, v in sorted(worst.items(), key=lambda item: -item[1])[:3]})
        emit("global_search_baseline_like_scan_ms", statistics.median(baseline), "ms",
             queries=len(baseline), max=round(max(baseline), 2))
    finally:
        context.close()


def bench_import_csv() -> None:
    from bench.imports import bench_import

    with tempfile.TemporaryDirectory(prefix="crm-bench-import-") as tmp:
        figures = bench_import(Path(tmp))
    seconds = figures.pop("seconds")
    baseline = figures.pop("baseline_core_insert_s")
    emit("import_csv_100k_rows_s", seconds, "s", **{k: round(v, 2) for k, v in figures.items()})
    emit("import_baseline_core_insert_100k_s", baseline, "s", rows=int(figures["good"]))


GROUPS = "ui,search,sync,import,boards,edits,lists"


def warm_page_cache(profile: Path) -> None:
    """Read a profile's files once, untimed, so the figures measure the app on a page cache in
    the state an app in use has, not the disk: whatever ran before (a test run, building another
    profile) may have pushed a 1 GB profile out of it.  ``startup_to_window_s`` discards a first
    launch for the same reason."""
    started = time.perf_counter()
    total = 0
    for path in sorted(profile.rglob("*")):
        if path.is_file():
            with path.open("rb", buffering=0) as file:
                while chunk := file.read(1 << 20):
                    total += len(chunk)
    log.warning("read %s (%.0f MB) into the page cache in %.1f s", profile.name, total / 1e6,
                time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true",
                        help="profiles of 100,000 records (rows per list) instead of 1,000,000")
    parser.add_argument("--only", help=f"comma-separated groups: {GROUPS}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    size = 100_000 if args.quick else 1_000_000
    groups = set((args.only or GROUPS).split(","))
    unknown = groups - set(GROUPS.split(","))
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}; choose from {GROUPS}")
    if "edits" in groups:
        with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
            bench_sync_edits(Path(tmp))
    if "import" in groups:
        bench_import_csv()
    if "boards" in groups:
        from bench.boards import bench_boards

        bench_boards(emit, 10_000 if args.quick else 100_000)
    if not groups & {"ui", "search", "sync", "import", "lists"}:
        return 0
    started = time.perf_counter()
    profile = build_profile(size)
    log.warning("profile of %d contacts ready (%.1f s)", size, time.perf_counter() - started)
    if groups & {"ui", "search", "lists", "import"}:
        warm_page_cache(profile)
    if "ui" in groups:
        bench_startup(profile)
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        for line in subprocess.run([sys.executable, "-m", "bench.ui", str(profile)], env=env,
                                   check=True, capture_output=True, text=True).stdout.splitlines():
            sys.stdout.write(line + "\n")
    if "search" in groups:
        bench_search(profile)
        started = time.perf_counter()
        mixed = build_mixed_profile(size)
        log.warning("mixed profile of %d records ready (%.1f s)", size, time.perf_counter() - started)
        warm_page_cache(mixed)
        bench_global_search(mixed)
    if "lists" in groups:
        from bench.lists import bench_lists

        started = time.perf_counter()
        lists_profile = build_lists_profile(size)
        log.warning("lists profile of %d rows per type ready (%.1f s)", size, time.perf_counter() - started)
        warm_page_cache(lists_profile)
        bench_lists(profile, lists_profile, emit, LIST_TYPES)
    if "import" in groups:
        from bench.imports import bench_duplicates

        figures = bench_duplicates(profile)
        emit("duplicate_check_p95_ms", figures.pop("p95"), "ms", profile_contacts=size,
             **{k: round(v, 2) for k, v in figures.items()})
        from bench.imports import bench_import_duplicates

        with tempfile.TemporaryDirectory(prefix="crm-bench-import-") as tmp:
            figures = bench_import_duplicates(profile, Path(tmp))
        emit("import_duplicate_check_100k_rows_s", figures.pop("seconds"), "s", profile_contacts=size,
             **{k: round(v, 2) for k, v in figures.items()})
    if "sync" in groups:
        with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
            bench_sync(Path(tmp), 100_000, profile)
    random.seed(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
