"""The client was offline longer than the server keeps its change history.

``crm-cloud history purge`` deleted the tombstones of records deleted while
the client was away, so the pull feed can no longer tell it about them: the
server answers its cursor with ``history_horizon`` and the client resyncs in
full.  Every unsynced local change survives (an edit of a record deleted and
purged meanwhile brings it back, as an edit against a delete does), the
deleted records leave the replica (kept in the inbox, as after a server
restore), and the sync report says what happened.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text, update

from crm_cloud.cli import main as cloud_cli
from crm_cloud.models import metadata as _cloud_metadata  # noqa: F401 - registers every record table
from crm_cloud.records.tables import RECORD_TABLES
from tests.sync.helpers import contact_count, server_contacts


def _age_history(cloud, days: int) -> None:  # type: ignore[no-untyped-def]
    """Make every change the server has look ``days`` old (time passing, without waiting)."""
    engine = create_engine(cloud.database_url)
    try:
        with engine.begin() as connection:
            for record_type in ("account", "contact"):
                table = RECORD_TABLES[record_type]
                connection.execute(update(table).values(updated_at=datetime.now(UTC) - timedelta(days=days)))
    finally:
        engine.dispose()


def _purge(cloud, days: int, capsys) -> str:  # type: ignore[no-untyped-def]
    assert cloud_cli(["history", "purge", "--older-than", str(days), "--database-url", cloud.database_url]) == 0
    return str(capsys.readouterr().out)


def _tombstones(cloud) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(cloud.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM contact WHERE deleted = :t"),
                                          {"t": True}).scalar_one())
    finally:
        engine.dispose()


def test_client_behind_the_history_horizon_resyncs_in_full_and_keeps_its_changes(
        cloud, make_profile, capsys) -> None:  # type: ignore[no-untyped-def]
    # Small pages: the full resync's later pages are below the horizon too, and must not restart it.
    a = make_profile("alice", pull_limit=2)
    b = make_profile("bob", "alice@example.com")
    ids = {name: a.records.create("contact", {"first_name": name})
           for name in ("Edited", "Edited and purged", "Deleted twice", "Purged", "Untouched")}
    a.sync()
    b.sync()
    # Alice goes offline for a long time and works on.
    a.records.update("contact", ids["Edited"], {"title": "Offline edit"})
    a.records.update("contact", ids["Edited and purged"], {"title": "Edit of a purged record"})
    a.records.delete("contact", ids["Deleted twice"])
    created = a.records.create("contact", {"first_name": "Created offline"})
    # Meanwhile Bob deletes three of them; the server's history of that is purged.
    for name in ("Edited and purged", "Deleted twice", "Purged"):
        b.records.delete("contact", ids[name])
    b.sync()
    assert _tombstones(cloud) == 3
    _age_history(cloud, 40)
    out = _purge(cloud, 30, capsys)
    assert "Purged 3 deleted records" in out
    assert _tombstones(cloud) == 0

    report = a.sync()

    assert report.history_expired
    # Every unsynced change reached the server.
    on_server = {c["first_name"]: c for c in server_contacts(cloud, a)}
    assert sorted(on_server) == ["Created offline", "Edited", "Edited and purged", "Untouched"]
    assert on_server["Edited"]["title"] == "Offline edit"
    # The edit of a record deleted (and purged) meanwhile brought it back, same id.
    assert on_server["Edited and purged"]["id"] == ids["Edited and purged"]
    assert on_server["Edited and purged"]["title"] == "Edit of a purged record"
    assert a.records.get("contact", created).data["first_name"] == "Created offline"
    # The deleted record left the replica; the replica matches the server.
    assert contact_count(a) == 4
    assert a.replica.pending_count() == 0
    assert a.engine._consistent()
    # The user is told: the report counts what left, the inbox keeps it and the comeback.
    assert report.lost_on_server == 1
    inbox = {c.record_id: c for c in a.records.open_conflicts()}
    assert inbox[ids["Purged"]].kind == "deleted_remotely"
    assert inbox[ids["Purged"]].local_value["first_name"] == "Purged"
    assert inbox[ids["Edited and purged"]].kind == "deleted_remotely"
    assert ids["Deleted twice"] not in inbox
    # A second sync is quiet, and Bob (who synced after the purge's horizon) just pulls.
    again = a.sync()
    assert not again.history_expired and not again.repaired and again.lost_on_server == 0
    bob = b.sync()
    assert not bob.history_expired
    assert contact_count(b) == 4


def test_with_the_delete_rule_a_purged_record_stays_deleted_and_the_edit_waits_in_the_inbox(
        cloud, make_profile, capsys) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    a.context.settings.conflict_policy = {"delete": "delete"}
    record = a.records.create("contact", {"first_name": "Doomed"})
    a.sync()
    b.sync()
    a.records.update("contact", record, {"title": "Offline edit"})
    b.records.delete("contact", record)
    b.sync()
    _age_history(cloud, 10)
    _purge(cloud, 7, capsys)

    report = a.sync()

    assert report.history_expired
    assert server_contacts(cloud, a) == []
    assert contact_count(a) == 0
    assert a.replica.pending_count() == 0
    (conflict,) = a.records.open_conflicts()
    assert conflict.kind == "deleted_remotely" and conflict.local_value["title"] == "Offline edit"


def test_a_client_above_the_horizon_and_a_new_client_sync_as_usual(cloud, make_profile, capsys) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    gone = a.records.create("contact", {"first_name": "Gone"})
    a.records.create("contact", {"first_name": "Stays"})
    a.sync()
    a.records.delete("contact", gone)
    a.sync()
    _age_history(cloud, 10)
    _purge(cloud, 7, capsys)
    report = a.sync()
    assert not report.history_expired and report.lost_on_server == 0
    fresh = make_profile("carol", "alice@example.com")
    first = fresh.sync()
    assert not first.history_expired
    assert contact_count(fresh) == 1
    assert fresh.engine._consistent()


def test_a_merge_into_a_record_then_deleted_here_and_purged_there_still_merges(
        cloud, make_profile, capsys) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    keep = a.records.create("contact", {"first_name": "Kept"})
    dupe = a.records.create("contact", {"first_name": "Dupe"})
    a.sync()
    b.sync()
    # A merges offline, then deletes the kept record; B deletes it too, and its history is purged.
    a.records.merge_records("contact", keep, dupe, {})
    a.records.delete("contact", keep)
    b.records.delete("contact", keep)
    b.sync()
    _age_history(cloud, 10)
    _purge(cloud, 7, capsys)

    a.sync()
    b.sync()

    # The merge is in effect (the duplicate is gone, an alias of the kept record), the delete too.
    assert server_contacts(cloud, a) == []
    assert contact_count(a) == contact_count(b) == 0
    assert a.replica.pending_count() == 0
    with b.context.db.session() as session:
        from crm_desktop.store.records import resolve_alias

        assert resolve_alias(session, "contact", dupe) == keep


def test_a_link_to_a_record_merged_into_one_deleted_and_purged_meanwhile(
        cloud, make_profile, capsys) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    dupe = a.records.create("account", {"name": "Dupe"})
    keep = a.records.create("account", {"name": "Kept"})
    a.sync()
    b.sync()
    a.records.merge_records("account", keep, dupe, {})
    a.records.delete("account", keep)
    a.sync()
    _age_history(cloud, 10)
    _purge(cloud, 7, capsys)
    # B, offline all along, adds a contact under the merged-away account.
    contact = b.records.create("contact", {"first_name": "Linked", "account_id": dupe})
    b.sync()
    a.sync()
    assert b.replica.pending_count() == 0
    for profile in (a, b):
        assert profile.records.get("contact", contact).data["first_name"] == "Linked"
