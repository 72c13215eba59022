"""A new store gets ``PAGE_SIZE``; a store made before keeps its own and works as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crm_desktop.context import AppContext
from crm_desktop.store.db import DB_FILENAME, PAGE_SIZE, Database


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return int(raw.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_store_has_the_large_page_size(tmp_path: Path) -> None:
    Database.open(tmp_path, lock=False).close()
    assert PAGE_SIZE != 4096
    assert _page_size(tmp_path / DB_FILENAME) == PAGE_SIZE


def test_a_store_with_the_old_page_size_keeps_it_and_works(tmp_path: Path) -> None:
    # An earlier release made its stores with SQLite's default page size, in WAL mode.
    with sqlite3.connect(tmp_path / DB_FILENAME) as raw:
        raw.execute("PRAGMA page_size=4096")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE marker (id INTEGER)")
    context = AppContext.open(tmp_path, lock=False)
    try:
        account_id = context.records.create("account", {"name": "Old Page Size Ltd"})
        assert context.records.get("account", account_id).data["name"] == "Old Page Size Ltd"
    finally:
        context.close()
    assert _page_size(tmp_path / DB_FILENAME) == 4096
