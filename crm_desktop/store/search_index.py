"""Keeping the full-text index in step with bulk writes.

Single-record writes are indexed by triggers (migration 0002).  A bulk write
of many rows (a pulled sync page) runs inside :func:`bulk_indexing`: the
triggers stand aside, the rows' old tokens are removed in one statement before
the write and their new tokens added in one statement after it, which FTS5
does several times faster than row by row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_desktop.store.schema import FTS_TABLES, table_of


@contextlib.contextmanager
def bulk_indexing(session: Session, record_type: str, ids: Sequence[str]) -> Iterator[None]:
    """Write rows ``ids`` of ``record_type`` inside this block; they are indexed at its end."""
    if record_type not in FTS_TABLES:
        # Configuration types (pipeline stages...) have no search index.
        yield
        return
    fts_table, columns = FTS_TABLES[record_type]
    table = table_of(record_type)
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(expr.replace("new.", "") for _, expr in columns)
    id_list = {"ids": orjson.dumps(list(ids)).decode()}
    selected = f"FROM {table} WHERE id IN (SELECT value FROM json_each(:ids)) AND deleted = 0"
    session.execute(text("INSERT OR IGNORE INTO fts_suspend (id) VALUES (1)"))
    session.execute(
        text(f"INSERT INTO {fts_table}({fts_table}, rowid, {names}) SELECT 'delete', rid, {values} {selected}"),
        id_list,
    )
    yield
    session.execute(text(f"INSERT INTO {fts_table}(rowid, {names}) SELECT rid, {values} {selected}"), id_list)
    session.execute(text("DELETE FROM fts_suspend"))
