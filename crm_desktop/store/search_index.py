"""The full-text index of each record type: its columns, SQL functions, bulk writes.

The index (FTS5, trigram tokenizer, contentless, keyed by the record's rid)
holds the searched fields of ``FTS_TABLES`` plus the ``words`` column that
makes one- and two-character terms and Chinese searchable
(``crm_desktop/store/search_text.py`` explains it).  ``words`` is computed by
the SQL function ``crm_words``, which :func:`register_functions` adds to every
connection of the app (``store/db.py``) together with ``crm_name_key`` (the
duplicate check's name index, ``store/name_keys.py``); any other program
writing records into a profile must register them too.

Single-record writes are indexed by triggers (migration 0004).  A bulk write
of many rows (a pulled sync page) runs inside :func:`bulk_indexing`: the
triggers stand aside, the rows' old tokens are removed in one statement before
the write and their new tokens added in one statement after it, which FTS5
does several times faster than row by row.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_desktop.store.name_keys import sql_name_key, tag_key
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS
from crm_desktop.store.search_text import row_matches, search_words
from crm_protocol.records import person_name

WORDS_COLUMN = "words"


def register_functions(connection: sqlite3.Connection) -> None:
    """Add the SQL functions the search index and its triggers call."""
    connection.create_function("crm_words", -1, search_words, deterministic=True)
    connection.create_function("crm_match", -1, row_matches, deterministic=True)
    connection.create_function("crm_person_name", 2, person_name, deterministic=True)
    # The duplicate check's name key, indexed as crm_name_key(sort_key) (migration 0013).
    connection.create_function("crm_name_key", 1, sql_name_key, deterministic=True)
    # The tag index's key (record_tags, migration 0015): tags match ignoring case.
    connection.create_function("crm_tag_key", 1, tag_key, deterministic=True)


def fts_columns(record_type: str) -> tuple[tuple[str, str], ...]:
    """(column, SQL expression over ``new.*``) of the record type's index, ``words`` last."""
    _, columns = FTS_TABLES[record_type]
    words = f"crm_words({', '.join(expr for _, expr in columns)})"
    return (*columns, (WORDS_COLUMN, words))


_COALESCE_RE = re.compile(r"^coalesce\(new\.(\w+), ''\)$")
_PERSON_RE = re.compile(r"^crm_person_name\(new\.(\w+), new\.(\w+)\)$")
_TRIM_PAIR_RE = re.compile(r"^trim\((.+) \|\| ' ' \|\| (.+)\)$")

TextOf = Callable[[Mapping[str, Any]], str]


def _text_of(expr: str) -> TextOf:
    """The Python twin of one search-index column expression of ``FTS_TABLES``.

    The few forms those expressions take are translated here so that a pulled
    page's index entries can be made in the fetching thread, off the database
    thread (``prepare_pull_page``).  A twin must give exactly what SQLite gives:
    the index is contentless, and removing a row's entry later recomputes it
    in SQL.  ``tests/store/test_search_index.py`` compares both on hostile text.
    """
    if match := _COALESCE_RE.match(expr):
        name = match[1]
        return lambda data: data.get(name) or ""
    if match := _PERSON_RE.match(expr):
        first, last = match[1], match[2]
        return lambda data: person_name(data.get(first), data.get(last))
    if match := _TRIM_PAIR_RE.match(expr):
        left, right = _text_of(match[1]), _text_of(match[2])
        # SQL trim() removes spaces only, not other white space.
        return lambda data: (left(data) + " " + right(data)).strip(" ")
    raise ValueError(f"no Python twin for the search index expression {expr!r}")


@functools.cache
def fts_values_function(record_type: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    """A record's search-index values (the columns of :func:`fts_columns`) from its data, in Python."""
    _, columns = FTS_TABLES[record_type]
    parts = [_text_of(expr) for _, expr in columns]

    def values(data: Mapping[str, Any]) -> tuple[str, ...]:
        texts = [part(data) for part in parts]
        return (*texts, search_words(*texts))

    return values


Column = Sequence[Any]
ColumnsOf = Callable[[Callable[[str], Column]], list[str]]


def _column_text_of(expr: str) -> ColumnsOf:
    """:func:`_text_of` for many records at once: the expression's text for each record,
    from the records' field values given column by column (``column(name)``)."""
    if match := _COALESCE_RE.match(expr):
        name = match[1]
        return lambda column: [value or "" for value in column(name)]
    if match := _PERSON_RE.match(expr):
        first, last = match[1], match[2]
        return lambda column: list(map(person_name, column(first), column(last)))
    if match := _TRIM_PAIR_RE.match(expr):
        left, right = _column_text_of(match[1]), _column_text_of(match[2])
        return lambda column: [
            (a + " " + b).strip(" ") for a, b in zip(left(column), right(column), strict=True)
        ]
    raise ValueError(f"no Python twin for the search index expression {expr!r}")


@functools.cache
def staged_values_function(record_type: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    """A record's staged index values (:func:`staged_positions` of :func:`fts_values_function`)."""
    all_values = fts_values_function(record_type)
    staged = staged_positions(record_type)
    return lambda data: tuple(map(all_values(data).__getitem__, staged))


def _fields_of(expr: str) -> list[str]:
    """The fields an index expression of plain SQL (``coalesce``, ``trim`` of a pair) joins, in order."""
    if match := _COALESCE_RE.match(expr):
        return [match[1]]
    if match := _TRIM_PAIR_RE.match(expr):
        return [*_fields_of(match[1]), *_fields_of(match[2])]
    raise ValueError(f"the search index expression {expr!r} is not plain SQL over fields")


@functools.cache
def staged_columns_function(record_type: str) -> Callable[[Callable[[str], Column]], list[list[str]]]:
    """The staged index values (:func:`staged_positions`, in order) of many records at once,
    from the records' fields given column by column (``column(name)``): what
    :func:`fts_values_function` gives at those positions.

    ``words`` is made from the fields themselves where an index column is plain
    SQL: ``crm_words`` joins its texts with spaces and only looks at the words
    in them, which the spaces ``coalesce``/``trim`` add or remove never change
    (``tests/sync/test_pulled.py`` holds both paths to the same rows), and the
    texts of those columns are never built here.
    """
    _, columns = FTS_TABLES[record_type]
    staged = staged_positions(record_type)
    texts_of = {position: _column_text_of(expr) for position, (_, expr) in enumerate(columns) if position in staged}
    fields_of = {position: _fields_of(expr) for position, (_, expr) in enumerate(columns) if position not in staged}

    def values(column: Callable[[str], Column]) -> list[list[str]]:
        texts = {position: text_of(column) for position, text_of in texts_of.items()}
        pieces: list[Column] = []
        for position in range(len(columns)):
            if position in texts:
                pieces.append(texts[position])
            else:
                pieces += map(column, fields_of[position])
        return [*texts.values(), list(map(search_words, *pieces))]

    return values


@functools.cache
def person_name_column(record_type: str) -> int | None:
    """Which index column (of :func:`fts_columns`) is the person's name,
    ``crm_person_name(first_name, last_name)``, if one is."""
    _, columns = FTS_TABLES[record_type]
    for position, (_, expr) in enumerate(columns):
        match = _PERSON_RE.match(expr)
        if match and (match[1], match[2]) == ("first_name", "last_name"):
            return position
    return None


@functools.cache
def staged_positions(record_type: str) -> tuple[int, ...]:
    """Which index columns (positions in :func:`fts_columns`) a staged row carries.

    Those whose expression calls a function of the app's (``crm_person_name``,
    ``crm_words``: Python, which the database thread must not run for a page);
    the others (``coalesce``, ``trim``, ``||`` over the row's fields) SQLite
    computes from the staged fields themselves.  Every value bound into the
    stage costs the fetching thread, which sets a first sync's pace, about
    0.2 us under the interpreter lock.
    """
    return tuple(position for position, (_, expr) in enumerate(fts_columns(record_type)) if "crm_" in expr)


def staging_columns(record_type: str) -> tuple[str, ...]:
    """Columns holding a staged row's index values (``staged`` of :func:`bulk_indexing`), in order."""
    columns = fts_columns(record_type)
    return tuple(f"fts_{columns[position][0]}" for position in staged_positions(record_type))


def _staged_index_sql(record_type: str, alias: str) -> str:
    """SQL: the index values of the staged rows ``alias``, in :func:`fts_columns` order."""
    staged = set(staged_positions(record_type))
    return ", ".join(
        f"{alias}.fts_{name}" if position in staged else expr.replace("new.", f"{alias}.")
        for position, (name, expr) in enumerate(fts_columns(record_type))
    )


def searched_fields(record_type: str, alias: str) -> str:
    """SQL: the searched fields of a row of the table ``alias``, joined as ``crm_match`` takes them."""
    _, columns = FTS_TABLES[record_type]
    exprs = [expr.replace("new.", f"{alias}.") for _, expr in columns]
    return " || char(31) || ".join(exprs)


@contextlib.contextmanager
def bulk_indexing(
    session: Session, record_type: str, ids: Sequence[str], staged: str | None = None,
    existing: Sequence[str] | None = None,
) -> Iterator[None]:
    """Write rows ``ids`` of ``record_type`` inside this block; they are indexed at its end.

    Rows the table already had lose their old tokens first; rows the block
    adds get rids above the largest before it (rids only grow), so they are
    indexed by a range of the table instead of a lookup per id: an initial
    sync adds nothing but new rows.

    ``staged`` names a table holding, for each row the block writes, its ``id``,
    the fields the index expressions read, and the index values SQLite cannot
    compute alone (``fts_<column>``, see :func:`staging_columns`) made by
    :func:`fts_values_function` before: then the block must add rows only
    from it, and they are indexed in one statement that calls no Python, so
    SQLite works without the interpreter lock while other threads run.
    ``existing``: which of ``ids`` the table holds already, when the caller knows.
    """
    if record_type not in FTS_TABLES:
        # Configuration types (pipeline stages...) have no search index.
        yield
        return
    fts_table, _ = FTS_TABLES[record_type]
    columns = fts_columns(record_type)
    table = RECORD_MODELS[record_type].__tablename__
    names = ", ".join(name for name, _ in columns)
    exprs = ", ".join(expr.replace("new.", "") for _, expr in columns)
    id_list = {"ids": orjson.dumps(list(ids)).decode()}
    top = session.execute(text(f"SELECT rid, id FROM {table} ORDER BY rid DESC LIMIT 1")).first()
    before, top_id = (int(top[0]), top[1]) if top is not None else (0, None)
    if existing is None:
        existing = [
            row[0] for row in session.execute(
                text(f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(:ids))"), id_list
            )
        ]
    known = {"ids": orjson.dumps(existing).decode()}
    session.execute(text("INSERT OR IGNORE INTO fts_suspend (id) VALUES (1)"))
    if existing:
        session.execute(
            text(
                f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) SELECT 'delete', rid, {exprs} "
                f"FROM {table} WHERE id IN (SELECT value FROM json_each(:ids)) AND deleted = 0"
            ),
            known,
        )
    yield
    if staged is None:
        session.execute(
            text(f"INSERT INTO {fts_table}(rowid, {names}) SELECT rid, {exprs} FROM {table} "
                 f"WHERE rid > :before AND deleted = 0"),
            {"before": before},
        )
    else:
        prepared = _staged_index_sql(record_type, "s")
        session.connection().exec_driver_sql(
            f"INSERT INTO {fts_table}(rowid, {names}) SELECT c.rid, {prepared} FROM {staged} s "
            f"CROSS JOIN {table} c ON c.id = s.id WHERE c.rid > ? AND c.deleted = 0",
            (before,),
        )
    if top_id is not None and session.execute(
        text(f"SELECT id FROM {table} WHERE rid = :before"), {"before": before}
    ).scalar() != top_id:
        # The block deleted the newest row, so SQLite may have handed its rid
        # (or lower ones) to a new row: find those by id instead.
        existing = list(ids)
        known = {"ids": orjson.dumps(existing).decode()}
    if existing:
        session.execute(
            text(f"INSERT INTO {fts_table}(rowid, {names}) SELECT rid, {exprs} FROM {table} "
                 f"WHERE id IN (SELECT value FROM json_each(:ids)) AND rid <= :before AND deleted = 0"),
            {**known, "before": before},
        )
    session.execute(text("DELETE FROM fts_suspend"))
