"""Deferring the record tables' secondary indexes while a first sync fills an empty store.

Every row inserted into a record table updates each of its secondary indexes
(ten on contacts: sort orders, owner, emails, phones, the duplicate check's
name key...), one B-tree descent and page write per index per row, with keys
in random order.  Building the same index once the table is full sorts the
keys once: for 100,000 contacts, 0.5 s of inserts plus 0.65 s of index builds
instead of 1.9 s of inserts (``bench/README.md``).  So when a first sync
brings many records into an (almost) empty store, the sync engine drops the
record tables' secondary indexes, applies the pulled pages as always (each
with its cursor in one transaction), and builds the indexes again at the end,
whether the pull finished or failed.

The dropped indexes' SQL is saved in the ``kv`` table in the transaction that
drops them, so a process killed in between builds them again when the profile
is next opened (:meth:`crm_desktop.store.db.Database.open`, before the
migrations, which may expect them).  Unique indexes are never dropped: they
are constraints, not speed.  The search indexes (FTS5) stay, but are tuned for
the load meanwhile (``BULK_FTS_SETTINGS``): each page's tokens are written as
one segment of their own (a larger in-memory hash, no incremental merging, and
segments merged only once 64 pile up, where FTS5 merges at 16), which halves
what indexing a pulled page costs (``bench/README.md``).  A search probes
every segment, but a few dozen cost well under a millisecond more, and they
are merged after the load (below).  While indexes are deferred the lists leave out
their ``INDEXED BY`` hints (``Database.deferred_indexes``): queries stay
correct, only slower, on a store that is still filling.

A load leaves up to 63 segments on a level.  With FTS5's default
``crisismerge`` (16) back, the next write to the index (a user's first edit
after the sync) would merge them all first: 0.7-1 s for 100,000 contacts,
several seconds for a few hundred thousand.  So the search indexes keep
``crisismerge`` 64 after the load and are listed as untidy
(``SEARCH_TIDY_KEY``); :func:`tidy_step` merges them into one segment a few
hundred pages at a time (the sync controller runs the steps after a sync, on
the database thread, so a user's action waits for one step at most), then
gives back the default.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, text

log = logging.getLogger("crm.store.bulk_load")

#: The ``kv`` key holding ``{"indexes": [[name, sql], ...], "fts": [table, ...]}``: the
#: indexes dropped for a bulk load and the search indexes merging less meanwhile.
DEFERRED_INDEXES_KEY = "store.deferred_indexes"
#: FTS5's configuration during a bulk load (https://sqlite.org/fts5.html#fts5_configuration_options),
#: and its defaults, restored after.
BULK_FTS_SETTINGS = {"automerge": 0, "crisismerge": 64, "hashsize": 8 << 20}
DEFAULT_FTS_SETTINGS = {"automerge": 4, "crisismerge": 16, "hashsize": 1 << 20}
#: The ``kv`` key listing the search indexes a bulk load left in many segments, to merge.
SEARCH_TIDY_KEY = "store.search_index_tidy"
#: Pages of merged index one :func:`tidy_step` writes at most (about 2 MB, 0.03-0.14 s).
TIDY_STEP_PAGES = 500


def _kv_get(connection: Connection, key: str) -> Any:
    """The JSON value saved under ``key`` in ``kv``, or ``None`` (also before the
    migrations made ``kv``: ``Database.open`` restores indexes before it migrates)."""
    has_kv = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kv'"
    ).first()
    if has_kv is None:
        return None
    row = connection.execute(text("SELECT value FROM kv WHERE key = :key"), {"key": key}).first()
    if row is None or row[0] is None:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]


def _kv_put(connection: Connection, key: str, value: Any) -> None:
    """Save ``value`` (JSON) under ``key`` in ``kv``; ``None`` deletes the key."""
    if value is None:
        connection.execute(text("DELETE FROM kv WHERE key = :key"), {"key": key})
        return
    connection.execute(
        text("INSERT INTO kv (key, value) VALUES (:key, :value) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
        {"key": key, "value": json.dumps(value)},
    )


def _saved(connection: Connection) -> tuple[list[tuple[str, str]], list[str]]:
    value = _kv_get(connection, DEFERRED_INDEXES_KEY)
    if value is None:
        return [], []
    return [(str(name), str(sql)) for name, sql in value["indexes"]], [str(name) for name in value["fts"]]


def _configure(connection: Connection, fts_table: str, settings: dict[str, int]) -> None:
    for option, value in settings.items():
        connection.exec_driver_sql(f"INSERT INTO {fts_table}({fts_table}, rank) VALUES (?, ?)", (option, value))


def defer_indexes(
    connection: Connection, tables: list[str], fts_tables: list[str],
    keep_leading: dict[str, set[str]] | None = None,
) -> frozenset[str]:
    """Drop the non-unique indexes of ``tables``, saving their SQL, and let the
    search indexes ``fts_tables`` take pages as segments of their own; the names of the indexes dropped.

    ``keep_leading``: per table, columns whose indexes (those that lead with
    one) stay: the links a pulled merge re-points (``repoint_refs``) are found
    by them, row by row, during the load.  Call inside a transaction: the drop
    and the saved SQL commit together.  Indexes already deferred stay deferred
    (and saved).
    """
    keep_leading = keep_leading or {}
    indexes, merging = _saved(connection)
    saved = dict(indexes)
    placeholders = ", ".join(f":t{i}" for i in range(len(tables)))
    rows = connection.execute(
        text(
            f"SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({placeholders}) ORDER BY name"
        ),
        {f"t{i}": name for i, name in enumerate(tables)},
    ).all()
    for name, sql, table in rows:
        if sql.lstrip().upper().startswith("CREATE UNIQUE"):
            continue
        leading = connection.exec_driver_sql(f'PRAGMA index_info("{name}")').first()
        if leading is not None and leading[2] in keep_leading.get(table, set()):
            continue
        saved[name] = sql
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for fts_table in fts_tables:
        _configure(connection, fts_table, BULK_FTS_SETTINGS)
    _kv_put(connection, DEFERRED_INDEXES_KEY,
            {"indexes": sorted(saved.items()), "fts": sorted(set(merging) | set(fts_tables))})
    log.info("deferred %d indexes for a bulk load", len(saved))
    return frozenset(saved)


def _untidy(connection: Connection) -> list[str]:
    return [str(name) for name in _kv_get(connection, SEARCH_TIDY_KEY) or []]


def _set_untidy(connection: Connection, tables: list[str]) -> None:
    _kv_put(connection, SEARCH_TIDY_KEY, sorted(tables) or None)


def restore_indexes(connection: Connection) -> int:
    """Build every deferred index again and forget the saved SQL; how many were built.

    The search indexes get their defaults back except ``crisismerge``, and
    are listed for :func:`tidy_step`.  Call inside a transaction.
    Idempotent: an index that exists already (a build committed before a
    crash that lost nothing else) is left as it is.
    """
    saved, merging = _saved(connection)
    for fts_table in merging:
        _configure(connection, fts_table, {**DEFAULT_FTS_SETTINGS, "crisismerge": BULK_FTS_SETTINGS["crisismerge"]})
    if merging:
        _set_untidy(connection, sorted(set(_untidy(connection)) | set(merging)))
    for name, sql in saved:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).first()
        if exists is None:
            connection.exec_driver_sql(sql)
    if saved or merging:
        _kv_put(connection, DEFERRED_INDEXES_KEY, None)
        log.info("built %d deferred indexes again", len(saved))
    return len(saved)


def tidy_step(connection: Connection, pages: int = TIDY_STEP_PAGES) -> bool:
    """Merge up to ``pages`` pages of a search index a bulk load left in many
    segments; whether any is left to tidy.  Call inside a transaction.

    FTS5's ``merge`` command with a negative page count merges every
    segment of the index, as few as two (https://sqlite.org/fts5.html#the_merge_command);
    when it finds nothing left to merge (``total_changes()`` grows by less
    than 2), the index is in one segment and gets its default
    ``crisismerge`` back.
    """
    untidy = _untidy(connection)
    if not untidy:
        return False
    fts_table = untidy[0]
    before = connection.exec_driver_sql("SELECT total_changes()").scalar_one()
    connection.exec_driver_sql(f"INSERT INTO {fts_table}({fts_table}, rank) VALUES ('merge', ?)", (-pages,))
    if connection.exec_driver_sql("SELECT total_changes()").scalar_one() - before < 2:
        _configure(connection, fts_table, {"crisismerge": DEFAULT_FTS_SETTINGS["crisismerge"]})
        untidy.pop(0)
        _set_untidy(connection, untidy)
        log.info("search index %s merged after a bulk load", fts_table)
    return bool(untidy)
