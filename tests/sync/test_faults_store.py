"""Faults of the local store: old versions, read-only or full disks, a second
instance, a lost or damaged WAL, a crash at any step of a sync.  Each ends
with a clear message and no damage; where data went missing locally, the
next sync brings it back from the server."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError, ProfileLocked, StoreError
from crm_desktop.store.db import DB_FILENAME, Database
from tests.sync.helpers import contact_count, server_contacts
from tests.sync.machine import Backend, SimClient

STORES = Path(__file__).parent / "stores"


@pytest.mark.parametrize("version", ["0001", "0002"])
def test_store_of_an_older_app_version_is_migrated_and_its_changes_sync(cloud, make_profile, tmp_path,
                                                                       version) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.context.close()
    # The profile's store is replaced by one an older app version left behind.
    db_path = a.context.data_dir / DB_FILENAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(STORES / f"store_{version}.db", db_path)
    reopened = AppContext.open(a.context.data_dir, lock=False)
    reopened.settings = a.context.settings  # the fixture's sign-in, kept in memory
    a.context = reopened
    a.replica._db = reopened.db  # the engine's store side follows the reopened store
    assert reopened.db.integrity_ok()
    assert reopened.records.get("contact", "01900000-0000-7000-8000-00000000c001").data["notes"] == (
        "Met at the fair; مرحبا")
    assert reopened.records.pending_count() == 2
    report = a.sync()
    assert report.pushed == 2 and report.rejected == 0
    assert [c["first_name"] for c in server_contacts(cloud, a)] == ["Zoë"]


def test_second_instance_on_the_same_profile_is_refused_clearly(tmp_path: Path) -> None:
    first = AppContext.open(tmp_path / "profile")
    try:
        with pytest.raises(ProfileLocked) as excinfo:
            AppContext.open(tmp_path / "profile")
        assert "already open" in excinfo.value.message
        # The first instance is unharmed and keeps working.
        first.records.create("contact", {"first_name": "Still here"})
        assert first.db.integrity_ok()
    finally:
        first.close()
    AppContext.open(tmp_path / "profile").close()  # free again once the first closed


def test_full_disk_refuses_the_edit_clearly_and_loses_nothing(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    kept = a.records.create("contact", {"first_name": "Before the disk filled"})
    db = a.context.db
    pages = sqlite3.connect(db.path).execute("PRAGMA page_count").fetchone()[0]

    def disk_full(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    event.listen(db.engine, "connect", disk_full)
    db.engine.dispose()
    with pytest.raises(StoreError) as excinfo:
        a.records.create("contact", {"first_name": "Too big", "notes": "x" * 500_000})
    assert "disk is full" in excinfo.value.message.lower()
    event.remove(db.engine, "connect", disk_full)
    db.engine.dispose()
    assert db.integrity_ok()
    assert a.records.pending_count() == 1
    assert a.records.get("contact", kept).data["first_name"] == "Before the disk filled"
    assert a.sync().pushed == 1


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Files made immutable (chattr +i: read-only even for root), made writable again after the test."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_read_only_store_refuses_edits_clearly_and_loses_nothing(tmp_path: Path, immutable: list[Path]) -> None:
    context = AppContext.open(tmp_path / "profile", lock=False)
    kept = context.records.create("contact", {"first_name": "Kept"})
    context.close()
    folder = tmp_path / "profile"
    for name in os.listdir(folder):
        path = folder / name
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("this file system cannot make a file read-only for root (chattr +i)")
        immutable.append(path)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        immutable.append(folder)
    with pytest.raises(KnownError) as excinfo:
        reopened = AppContext.open(folder, lock=False)
        try:
            reopened.records.create("contact", {"first_name": "Cannot be saved"})
        finally:
            reopened.close()
    assert "read-only" in excinfo.value.message.lower() or "cannot be opened" in excinfo.value.message.lower()
    for path in reversed(immutable):
        subprocess.run(["chattr", "-i", str(path)], check=True)
    immutable.clear()
    context = AppContext.open(folder, lock=False)
    try:
        assert context.db.integrity_ok()
        assert context.records.get("contact", kept).data["first_name"] == "Kept"
    finally:
        context.close()


def test_damaged_store_file_is_reported_not_crashed(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / DB_FILENAME).write_bytes(b"this is not a database, it is a text file" * 200)
    with pytest.raises(StoreError) as excinfo:
        Database.open(folder, lock=False)
    assert "damaged" in excinfo.value.message.lower()


def _crash_copy(context: AppContext, target: Path) -> None:
    """The profile folder as a power cut would leave it: the store and its WAL, not checkpointed."""
    target.mkdir()
    for suffix in ("", "-wal"):
        source = Path(f"{context.db.path}{suffix}")
        if source.exists():
            shutil.copyfile(source, target / f"{DB_FILENAME}{suffix}")


@pytest.mark.parametrize("damage", ["deleted", "corrupt"])
def test_lost_or_damaged_wal_is_recovered_by_resync(cloud, make_profile, tmp_path, damage) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    for i in range(30):
        a.records.create("contact", {"first_name": f"Synced {i:02d}"})
    a.sync()
    # Keep the WAL from being folded into the database on close.
    with a.context.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    b.context.db.engine.dispose()
    with sqlite3.connect(b.context.db.path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    with b.context.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    b.sync()  # the pulled pages and their cursor sit in b's WAL
    assert contact_count(b) == 30
    crashed = tmp_path / "crashed"
    _crash_copy(b.context, crashed)
    wal = crashed / f"{DB_FILENAME}-wal"
    assert wal.exists() and wal.stat().st_size > 0
    if damage == "deleted":
        wal.unlink()
    else:
        data = bytearray(wal.read_bytes())
        for i in range(64, len(data), 997):
            data[i] ^= 0xFF
        wal.write_bytes(bytes(data))
    b.context.close()
    target = b.context.data_dir
    shutil.rmtree(target)
    shutil.copytree(crashed, target)
    reopened = AppContext.open(target, lock=False)
    reopened.settings = b.context.settings
    b.context = reopened
    b.replica._db = reopened.db
    assert reopened.db.integrity_ok()
    # What the WAL held is gone locally, the cursor with it: the next sync
    # brings it back, and the replica check agrees with the server.
    b.sync()
    assert contact_count(b) == 30
    assert b.engine._consistent()


@pytest.fixture(scope="module")
def crash_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = Backend(Path(tmp_path_factory.mktemp("crash")))
    yield backend
    backend.close()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("after", [False, True], ids=["before-commit", "after-commit"])
def test_crash_at_every_step_of_a_sync_resumes_cleanly(crash_backend: Backend, tmp_path: Path, after: bool) -> None:
    """Kill the client at store call k of a sync with a push and several pull pages, for every k."""
    k = 0
    while True:
        crash_backend.reset()
        office = SimClient(crash_backend, "office", tmp_path / f"office{k}")
        laptop = SimClient(crash_backend, "laptop", tmp_path / f"laptop{k}")
        try:
            for i in range(7):
                office.context.records.create("contact", {"first_name": f"From the office {i}"})
            office.sync()
            for i in range(4):
                laptop.context.records.create("contact", {"first_name": f"Offline {i}"})
            outcome = laptop.sync(crash_at=k, crash_after=after)
            # After the crash the store reopened and passed integrity_check
            # (SimClient.restart); the next sync resumes and converges.
            assert laptop.sync() == "ok"
            assert laptop.outbox() == []
            server = crash_backend.server_records()
            assert laptop.live_records() == server
            names = [data["first_name"] for data in server.values() if data["type"] == "contact"]
            assert len(names) == len(set(names)) == 11, f"crash at store call {k}: {sorted(names)}"
        finally:
            office.close()
            laptop.close()
        if outcome == "ok":
            break  # k is past the last store call of the sync: every step was covered
        k += 1
    assert k > 10
