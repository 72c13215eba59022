"""Where a pulled page's rows wait between the fetching thread and the database thread.

A first sync pulls pages of thousands of records.  The thread that fetches and
checks page N+1 (Python, holding the interpreter lock) runs while the database
thread applies page N (SQLite, which runs without the lock).  Handing SQLite
the rows by ``executemany`` on the database thread takes the interpreter lock
back for every row, and each time it waits for the fetching thread to let go
of it (up to ``sys.getswitchinterval()``, 5 ms): measured on a 2-core machine,
the two threads mostly waited on each other, and a 100,000-record first sync
used little more than one core.

So the fetching thread writes a page's rows itself, over its own connection,
into a small side database next to the profile (``pull-stage.db``, WAL, no
durability needed: it only ever holds the pages in flight), and the database
thread, which has that file attached as ``pull_stage``, moves them into the
record tables and their search indexes by one statement each.  A statement is
one call into SQLite, without the interpreter lock from start to end.  The
fetching thread itself writes a page by statements of a thousand rows each
(:func:`insert_rows`), not ``executemany``, for the same reason.

Three slots per record type, used in turn: the fetching thread fills one
while the database thread reads another and a third holds the page ready
next (WAL lets one connection read while another writes).
Only pages of ``MIN_STAGED_ROWS`` rows or more go this way.  Nothing in the
side database matters after a page is applied: rows a killed or cancelled pull
left there are deleted when the next pull's stager opens the file.

The stage tables are created when a connection attaches the file (the
``connect`` event of :class:`crm_desktop.store.db.Database`), so every
connection that reads them knows them; a layout of an older app version is
dropped and made again (``PRAGMA user_version`` holds the layout's hash).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crm_desktop.errors import StoreError
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS
from crm_desktop.store.search_index import staging_columns
from crm_protocol.records import RECORD_TYPES

log = logging.getLogger("crm.store.pull_stage")

STAGE_FILENAME = "pull-stage.db"
#: The name the stage file is attached under on the app's connections.
SCHEMA = "pull_stage"
#: The page being applied, the one asked for next, the one after (``sync/engine.py``).
SLOTS = 3
#: Smaller pages (an everyday sync) are staged by the database thread itself:
#: the interpreter lock costs them little, and no stage connection is opened.
MIN_STAGED_ROWS = 500
#: Rows per ``INSERT`` of :func:`insert_rows` (fewer if SQLite takes fewer parameters).
ROWS_PER_INSERT = 1000


def row_columns(record_type: str) -> tuple[str, ...]:
    """The record table's columns a pulled row carries, in the order rows are built."""
    fields = RECORD_TYPES[record_type].field_names
    return (*fields, "id", "server_rev", "sort_key", "updated_at")


#: The record table's columns a pulled row fills without carrying them: (column,
#: SQL over the staged row).  The same for every pulled row, so they are not
#: staged: each value staged costs the fetching thread (``staging_columns``).
FILLED_COLUMNS: tuple[tuple[str, str], ...] = (("dirty", "0"), ("deleted", "0"), ("created_at", "updated_at"))


def staged_columns(record_type: str) -> tuple[str, ...]:
    """A staged row: :func:`row_columns`, then its search-index values (if the type has an index)."""
    index = staging_columns(record_type) if record_type in FTS_TABLES else ()
    return (*row_columns(record_type), *index)


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, width: int, rows: int) -> str:
    row = f"({', '.join('?' * width)})"
    return f"INSERT INTO {table} VALUES {', '.join([row] * rows)}"


def insert_rows(
    execute: Callable[[str, Sequence[Any]], object], table: str, width: int,
    rows: Sequence[Sequence[Any]], max_parameters: int,
) -> None:
    """Insert ``rows`` (``width`` values each) into ``table`` by statements of many rows
    each (``VALUES (...), (...), ...``), through ``execute(sql, parameters)``.

    Not ``executemany``: sqlite3 lets go of the interpreter lock for every row it
    steps and must take it back after, so while another thread runs Python (the
    next page being parsed, the GUI) each row waits for that thread's turn to end.
    Measured with a second thread running Python: 100,000 staged rows took 17 s
    by ``executemany`` (0.37 s alone), 0.45 s in statements of a thousand rows.
    ``max_parameters``: the connection's ``SQLITE_LIMIT_VARIABLE_NUMBER``.
    """
    per = max(1, min(max_parameters // max(width, 1), ROWS_PER_INSERT))
    flatten = itertools.chain.from_iterable
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        execute(_insert_sql(table, width, len(part)), tuple(flatten(part)))


def parameter_limit(connection: sqlite3.Connection) -> int:
    """How many ``?`` one statement of ``connection`` may hold."""
    return connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def table_name(record_type: str, slot: int) -> str:
    """A stage table, unqualified (``pull_stage.<it>`` on the app's connections)."""
    return f"stage_{RECORD_MODELS[record_type].__tablename__}_{slot}"


@functools.cache
def _layout() -> tuple[int, tuple[tuple[str, str], ...]]:
    """(hash of the layout for ``user_version``, (table, CREATE statement) for every stage table)."""
    tables = tuple(
        (table_name(record_type, slot),
         f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{table_name(record_type, slot)} "
         f"({', '.join(staged_columns(record_type))})")
        for record_type in RECORD_MODELS
        for slot in range(SLOTS)
    )
    digest = hashlib.sha256(repr(tables).encode()).digest()
    # user_version is a signed 32-bit integer; 0 means "never set up".
    return (int.from_bytes(digest[:4], "big") & 0x7FFFFFFF) or 1, tables


def attach(connection: sqlite3.Connection, data_dir: Path) -> None:
    """Attach the profile's stage file as ``pull_stage``, creating its tables if needed.

    Called on every new connection, outside any transaction.  A damaged stage
    file is deleted and made again: it never holds anything a sync still needs.
    """
    path = data_dir / STAGE_FILENAME
    try:
        _attach(connection, path)
    except sqlite3.DatabaseError as exc:
        log.warning("the pull stage file %s is unusable (%s); making it again", path, exc)
        with contextlib.suppress(sqlite3.Error):
            connection.execute(f"DETACH DATABASE {SCHEMA}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        _attach(connection, path)


def _attach(connection: sqlite3.Connection, path: Path) -> None:
    connection.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
    version, tables = _layout()
    if connection.execute(f"PRAGMA {SCHEMA}.user_version").fetchone()[0] == version:
        return
    connection.execute(f"PRAGMA {SCHEMA}.journal_mode=WAL")
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute(f"PRAGMA {SCHEMA}.user_version").fetchone()[0] != version:
            # Another version's layout (or a new file): start clean.
            old = [row[0] for row in connection.execute(
                f"SELECT name FROM {SCHEMA}.sqlite_master WHERE type = 'table'")]
            for name in old:
                connection.execute(f'DROP TABLE {SCHEMA}."{name}"')
            for _name, create in tables:
                connection.execute(create)
            connection.execute(f"PRAGMA {SCHEMA}.user_version = {version}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


class PageStager:
    """The fetching thread's writer of pulled pages into the stage file.

    Use it from one thread at a time (the engine's fetching thread); the
    connection opens on first use.  :meth:`stage` fills the next slot and
    returns its number, for :meth:`sync.replica.Replica.apply_pull_page`.
    """

    def __init__(self, data_dir: Path, *, min_rows: int | None = None) -> None:
        self.path = data_dir / STAGE_FILENAME
        self.min_rows = MIN_STAGED_ROWS if min_rows is None else min_rows
        self._connection: sqlite3.Connection | None = None
        self._next_slot = 0

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                # The stage holds only pages in flight: nothing to make durable.
                connection.execute("PRAGMA synchronous=OFF")
                connection.execute("PRAGMA busy_timeout=5000")
                connection.execute("PRAGMA cache_size=-16384")
                # Rows an earlier pull left behind (it was killed, or staged a
                # page it never applied) must never be taken for this pull's.
                connection.execute("BEGIN")
                for name, _create in _layout()[1]:
                    connection.execute(f'DELETE FROM "{name}"')
                connection.execute("COMMIT")
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def stage(self, rows: Mapping[str, Mapping[str, Sequence[Any]]]) -> int | None:
        """Write a page's rows (per record type: id -> :func:`staged_columns` row) to the next
        slot and return it; ``None`` for a page of fewer than ``min_rows`` rows: the
        database thread stages those itself, as quickly as this would."""
        if sum(len(by_id) for by_id in rows.values()) < max(self.min_rows, 1):
            return None
        slot = self._next_slot
        self._next_slot = (slot + 1) % SLOTS
        try:
            connection = self._connect()
            connection.execute("BEGIN")
            try:
                for record_type, by_id in rows.items():
                    if not by_id:
                        continue
                    # The slot's table may hold the page before last: this page only.
                    name = table_name(record_type, slot)
                    columns = staged_columns(record_type)
                    connection.execute(f'DELETE FROM "{name}"')
                    insert_rows(connection.execute, f'"{name}"', len(columns), list(by_id.values()),
                                parameter_limit(connection))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            from crm_desktop.store.db import describe_sqlite_error

            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc
        return slot

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
