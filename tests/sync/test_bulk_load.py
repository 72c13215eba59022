"""A first sync of many records defers the record tables' secondary indexes
(``crm_desktop/store/bulk_load.py``) and always builds them again."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from crm_desktop.services.lists import ListService, ListSpec
from crm_desktop.store.bulk_load import BULK_FTS_SETTINGS, DEFAULT_FTS_SETTINGS, DEFERRED_INDEXES_KEY, SEARCH_TIDY_KEY
from crm_desktop.store.db import DB_FILENAME, Database
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS
from sync.errors import Offline

RECORD_TABLES = [model.__tablename__ for model in RECORD_MODELS.values()]
FTS = [fts_table for fts_table, _ in FTS_TABLES.values()]


def fts_settings(db: Database, fts_table: str = "contacts_fts") -> dict[str, int]:
    """The search index's merge settings (FTS5 keeps them in its config table; its defaults when unset)."""
    with db.engine.connect() as connection:
        rows = dict(connection.exec_driver_sql(f"SELECT k, v FROM {fts_table}_config").all())
    return {option: int(rows.get(option, default)) for option, default in DEFAULT_FTS_SETTINGS.items()}


#: The search index's settings after a bulk load, until it is tidied (merged into one segment).
UNTIDY_FTS_SETTINGS = {**DEFAULT_FTS_SETTINGS, "crisismerge": BULK_FTS_SETTINGS["crisismerge"]}


def loading(db: Database, fts_table: str = "contacts_fts") -> bool:
    """Whether the search index has the bulk load's settings (else FTS5's defaults, or
    those of an index waiting to be tidied: anything else is an error)."""
    settings = fts_settings(db, fts_table)
    if settings == BULK_FTS_SETTINGS:
        return True
    assert settings in (DEFAULT_FTS_SETTINGS, UNTIDY_FTS_SETTINGS)
    return False


def untidy(db: Database) -> object:
    with db.engine.connect() as connection:
        value = connection.exec_driver_sql("SELECT value FROM kv WHERE key = ?", (SEARCH_TIDY_KEY,)).scalar()
    return value


def index_sql(db: Database) -> dict[str, str]:
    """Every explicitly created index of the profile: name -> SQL."""
    with db.engine.connect() as connection:
        return dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
        )


def saved_indexes(db: Database) -> object:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT value FROM kv WHERE key = ?", (DEFERRED_INDEXES_KEY,)).first()


def bulk_loading(make_profile, contacts: int, pull_limit: int):  # type: ignore[no-untyped-def]
    """Alice shares ``contacts`` contacts with the server; Bob's first sync of them will be a bulk load."""
    a = make_profile("alice")
    for i in range(contacts):
        a.records.create("contact", {"first_name": f"Person {i:03d}", "email": f"p{i}@example.com"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=pull_limit)
    b.engine.bulk_load_min = 1
    return b


def test_defer_and_restore_keep_unique_indexes_and_bring_back_the_rest(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    before = index_sql(db)
    db.defer_indexes(RECORD_TABLES, FTS)
    after = index_sql(db)
    assert loading(db) and loading(db, "leads_fts")
    dropped = set(before) - set(after)
    assert "ix_contacts_sort" in dropped and "ix_contacts_name_key" in dropped
    assert dropped == db.deferred_indexes
    # Unique indexes are constraints: never dropped.
    assert all(not sql.upper().startswith("CREATE UNIQUE") for name, sql in before.items() if name in dropped)
    assert all(name in after for name, sql in before.items() if sql.upper().startswith("CREATE UNIQUE"))
    assert saved_indexes(db) is not None
    assert db.restore_deferred_indexes() == len(dropped)
    assert index_sql(db) == before
    assert db.deferred_indexes == frozenset() and saved_indexes(db) is None
    assert not loading(db) and not loading(db, "leads_fts")
    assert db.restore_deferred_indexes() == 0  # nothing left to do
    db.close()


def test_profile_killed_during_a_bulk_load_gets_its_indexes_back_on_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database.open(tmp_path, lock=False)
    before = index_sql(db)
    db.defer_indexes(RECORD_TABLES, FTS)
    db.engine.dispose()  # the process "dies": no restore
    # A half-finished rebuild (one index made before the kill) must not fail the next one.
    raw = sqlite3.connect(tmp_path / DB_FILENAME)
    raw.execute(before["ix_contacts_sort"])
    raw.commit()
    raw.close()
    with caplog.at_level(logging.WARNING, logger="crm.store"):
        reopened = Database.open(tmp_path, lock=False)
    assert index_sql(reopened) == before
    assert reopened.deferred_indexes == frozenset() and saved_indexes(reopened) is None
    assert not loading(reopened)
    assert "interrupted first sync" in caplog.text
    assert reopened.integrity_ok()
    reopened.close()


def test_first_sync_of_many_records_defers_indexes_and_lists_work_meanwhile(
    cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    a = make_profile("alice")
    account = a.records.create("account", {"name": "Acme Corp"})
    for i in range(60):
        a.records.create("contact", {"first_name": f"Person {i:03d}", "last_name": "Zed",
                                     "email": f"p{i}@example.com", "account_id": account if i % 2 else None})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=20)
    b.engine.bulk_load_min = 1
    expected = index_sql(b.context.db)
    lists = ListService(b.context.db)
    seen: list[tuple[frozenset[str], int, list[str]]] = []
    real_apply = b.replica.apply_pull_page

    def apply_then_list(*args: object) -> object:
        event = real_apply(*args)
        # The lists, as a window would query them between two pages (the sync tells the
        # views only after the load, but a user may scroll or search meanwhile).
        spec = ListSpec("contact", search="person")
        ids = lists.all_ids(spec)
        titles = [row[2] for row in lists.rows("contact", ids).values()]
        seen.append((b.context.db.deferred_indexes, lists.count(ListSpec("contact")), titles))
        return event

    b.replica.apply_pull_page = apply_then_list  # type: ignore[method-assign]
    told: list[tuple[frozenset[str], object]] = []
    report = b.engine.run(on_changed=lambda event: told.append((b.context.db.deferred_indexes, event)))
    assert report.pulled >= 61
    assert any(deferred and count > 0 for deferred, count, _ in seen), "the pull ran with its indexes deferred"
    assert all(len(titles) == count for _, count, titles in seen)
    # The pages' changes are told once, when the lists have their indexes back: a view
    # told after each page would query the tables without them, on the DB thread.
    # (The other change a sync tells is the user directory's, at its end.)
    assert len(told) == 2 and {"account", "contact"} <= told[0][1].record_types  # type: ignore[attr-defined]
    assert all(deferred == frozenset() for deferred, _ in told)
    assert index_sql(b.context.db) == expected
    assert b.context.db.deferred_indexes == frozenset() and not loading(b.context.db)
    assert lists.count(ListSpec("contact")) == 60
    assert lists.count(ListSpec("contact", search="p42@example")) == 1
    assert lists.count(ListSpec("contact", search="person 01")) == 10
    assert b.context.db.integrity_ok()


def test_a_bulk_load_cut_off_midway_still_rebuilds_its_indexes(
    cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    a = make_profile("alice")
    for i in range(80):
        a.records.create("contact", {"first_name": f"Person {i:03d}"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=20)
    b.engine.bulk_load_min = 1
    expected = index_sql(b.context.db)
    real_pull = b.engine.client.pull_raw
    calls = {"n": 0}

    def dying_pull(cursor: int, limit: int):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise Offline("connection dropped")
        return real_pull(cursor, limit)

    b.engine.client.pull_raw = dying_pull  # type: ignore[method-assign]
    with pytest.raises(Offline):
        b.sync()
    assert index_sql(b.context.db) == expected
    b.engine.client.pull_raw = real_pull  # type: ignore[method-assign]
    b.sync()
    assert ListService(b.context.db).count(ListSpec("contact")) == 80
    assert index_sql(b.context.db) == expected


def test_a_store_holding_records_is_not_bulk_loaded(
    cloud, make_profile, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    import sync.engine as engine_module

    b = bulk_loading(make_profile, 30, pull_limit=10)
    monkeypatch.setattr(engine_module, "BULK_LOAD_MAX_LOCAL", 5)
    for i in range(6):  # made offline before the first sync
        b.records.create("contact", {"first_name": f"Offline {i}"})
    began: list[bool] = []
    real_begin = b.replica.begin_bulk_load
    b.replica.begin_bulk_load = lambda: (began.append(True), real_begin())[1]  # type: ignore[method-assign]
    b.sync()
    assert began == []
    assert ListService(b.context.db).count(ListSpec("contact")) == 36


def test_a_bulk_load_keeps_the_link_indexes_that_pulled_merges_use(
    cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    a = make_profile("alice")
    kept = a.records.create("account", {"name": "Acme Corp"})
    gone = a.records.create("account", {"name": "ACME Corporation"})
    for i in range(30):
        a.records.create("contact", {"first_name": f"Person {i:03d}", "account_id": gone if i % 2 else kept})
    a.sync()
    a.records.merge_records("account", kept, gone, {"name": "Acme Corp"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=10)
    b.engine.bulk_load_min = 1
    deferred: list[frozenset[str]] = []
    real_apply = b.replica.apply_pull_page
    b.replica.apply_pull_page = (  # type: ignore[method-assign]
        lambda *args: (deferred.append(b.context.db.deferred_indexes), real_apply(*args))[1]
    )
    b.engine.run()
    assert any("ix_contacts_sort" in names for names in deferred)
    assert not any("ix_contacts_account" in names for names in deferred)
    lists = ListService(b.context.db)
    assert lists.count(ListSpec("contact")) == 30
    with b.context.db.engine.connect() as connection:
        links = {row[0] for row in connection.exec_driver_sql("SELECT DISTINCT account_id FROM contacts")}
    assert links == {kept}


def test_a_bulk_load_leaves_its_search_indexes_to_be_tidied_step_by_step(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    db.defer_indexes(RECORD_TABLES, FTS)
    # Pages as a first sync writes them: each its own transaction, so its own segment.
    for page in range(20):
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO contacts_fts(rowid, name, email, phone, city, words) "
                "SELECT value, 'Person ' || value, 'p' || value || '@example.com', '', 'Bern', '' "
                "FROM json_each(?)", (str([page * 50 + i for i in range(1, 51)]),),
            )
    db.restore_deferred_indexes()
    # Defaults again, but FTS5 must not merge the 20 segments at the next write: tidying does.
    assert fts_settings(db) == UNTIDY_FTS_SETTINGS and fts_settings(db, "leads_fts") == UNTIDY_FTS_SETTINGS
    assert untidy(db) is not None
    with db.engine.connect() as connection:
        segments_before = connection.exec_driver_sql("SELECT count(*) FROM contacts_fts_data").scalar_one()
    steps = 0
    while db.tidy_search_index_step():
        steps += 1
        assert steps < 200
    assert steps >= len(FTS)  # every search index, and contacts' in more than one step
    assert untidy(db) is None
    assert all(fts_settings(db, fts_table) == DEFAULT_FTS_SETTINGS for fts_table in FTS)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM contacts_fts_data").scalar_one() < segments_before
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH '\"p999@example\"'").scalar_one()
    assert found == 1
    assert db.tidy_search_index_step() is False  # nothing left: a no-op
    assert db.integrity_ok()
    db.close()


def test_the_search_indexes_are_tidied_after_a_first_sync_and_a_sync_stops_the_tidying(
    cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    b = bulk_loading(make_profile, 60, pull_limit=10)
    b.engine.run()
    assert untidy(b.context.db) is not None
    stop = threading.Event()
    stop.set()
    assert b.engine.tidy(stop) == 0  # a sync wants the thread: not one step
    assert b.engine.tidy() >= 2
    assert untidy(b.context.db) is None and fts_settings(b.context.db) == DEFAULT_FTS_SETTINGS
    assert b.engine.tidy() == 1  # one look, nothing to do
    with b.context.db.engine.connect() as connection:
        contact = connection.exec_driver_sql("SELECT id FROM contacts WHERE email = 'p7@example.com'").scalar_one()
    b.records.update("contact", contact, {"city": "Zug"})
    assert ListService(b.context.db).count(ListSpec("contact", search="zug")) == 1
    assert ListService(b.context.db).count(ListSpec("contact", search="p42@example")) == 1


def test_the_sync_controller_tidies_the_search_indexes_after_a_sync(
    qtbot, cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    from sync.controller import SyncController
    from sync.report import SyncReport

    b = bulk_loading(make_profile, 40, pull_limit=10)
    controller = SyncController(b.engine, interval_minutes=0, watch_network=False)
    try:
        with qtbot.waitSignal(controller.syncFinished, timeout=30_000) as finished:
            controller.sync_now()
        assert isinstance(finished.args[0], SyncReport) and finished.args[0].pulled >= 40
        # Then, on the sync thread between syncs: the search index in one piece, defaults back.
        qtbot.waitUntil(lambda: untidy(b.context.db) is None, timeout=30_000)
        assert fts_settings(b.context.db) == DEFAULT_FTS_SETTINGS
        # A later sync is not held up by it.
        with qtbot.waitSignal(controller.syncFinished, timeout=30_000) as again:
            controller.sync_now()
        assert isinstance(again.args[0], SyncReport)
    finally:
        controller.stop()
