"""The server goes back in time (restored from a backup): the client's cursor is
ahead of it.  A full resync follows that keeps every unsynced local change and
moves what the server lost to the conflict inbox instead of dropping it."""

from __future__ import annotations

import shutil

from tests.sync.helpers import contact_count, server_contacts


def test_server_restored_from_backup_triggers_a_full_resync_that_keeps_local_changes(cloud, make_profile,
                                                                                     tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    kept = a.records.create("contact", {"first_name": "Before the backup"})
    a.sync()
    cloud.stop()
    backup = tmp_path / "backup"
    backup.mkdir()
    db_file = cloud.workdir / "cloud.db"
    for suffix in ("", "-wal", "-shm"):
        if (cloud.workdir / f"cloud.db{suffix}").exists():
            shutil.copyfile(cloud.workdir / f"cloud.db{suffix}", backup / f"cloud.db{suffix}")
    cloud.start()
    # After the backup: B adds records, A pulls them (A's cursor moves on).
    lost = [b.records.create("contact", {"first_name": f"After the backup {i}"}) for i in range(3)]
    b.sync()
    a.sync()
    assert contact_count(a) == 4
    cursor_before = a.replica.cursor()
    # The server is restored from the backup; A edits offline meanwhile.
    cloud.stop()
    for suffix in ("", "-wal", "-shm"):
        (cloud.workdir / f"cloud.db{suffix}").unlink(missing_ok=True)
        if (backup / f"cloud.db{suffix}").exists():
            shutil.copyfile(backup / f"cloud.db{suffix}", cloud.workdir / f"cloud.db{suffix}")
    assert db_file.exists()
    cloud.start()
    a.records.update("contact", kept, {"title": "Edited offline"})
    fresh = a.records.create("contact", {"first_name": "Created offline"})
    report = a.sync()
    assert a.replica.cursor() < cursor_before
    # Every unsynced local change reached the server; the replica matches it.
    names = sorted(c["first_name"] for c in server_contacts(cloud, a))
    assert names == ["Before the backup", "Created offline"]
    assert a.records.get("contact", kept).data["title"] == "Edited offline"
    assert a.records.get("contact", fresh).data["first_name"] == "Created offline"
    assert contact_count(a) == 2
    assert a.engine._consistent()
    # What the server lost is not silently gone: it waits in the inbox.
    assert report.lost_on_server == 3
    in_inbox = {c.record_id: c for c in a.records.open_conflicts()}
    assert set(lost) <= set(in_inbox)
    assert in_inbox[lost[0]].local_value["first_name"].startswith("After the backup")
    # A second sync is quiet: no repair loop.
    again = a.sync()
    assert not again.repaired and again.lost_on_server == 0
