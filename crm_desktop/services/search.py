"""Global search: every record type at once, as the user types (Ctrl+K).

Generic over the record types that have a full-text index (``FTS_TABLES``):
a new type joins by having its spec, model and index entry.  Runs on the
database worker, offline, on the same index and query rules as the list pages
(``store/search_text.py``: infix for three characters or more, word starts
for shorter terms, CJK characters as words).

Per type at most ``per_type`` hits, best first:

1. records whose title starts with the query (a range of the sort index,
   in name order): what a user typing a name expects on top;
2. then the other matches, most recently created first (FTS5 gives matches
   in rowid order and walks it backwards as cheaply).

With a count of all matches up to ``COUNT_CAP`` (above it the group says
"N+"): one short walk of the index however common the term.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection

from crm_desktop.store.db import Database
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS, spec_for, table_of
from crm_desktop.store.search_index import searched_fields
from crm_desktop.store.search_text import SearchQuery, parse_query

log = logging.getLogger("crm.search")

#: Matches are counted up to this many per type; beyond, the group says "N+".
COUNT_CAP = 1_000

#: Hits per record type.
PER_TYPE = 5


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: str
    title: str
    #: A second line: the record's other searched fields (e-mail, phone, city...).
    detail: str


@dataclass(frozen=True)
class SearchGroup:
    record_type: str
    hits: tuple[SearchHit, ...]
    #: Matches of this type; a lower bound when ``more`` is true.
    total: int
    more: bool


@dataclass(frozen=True)
class SearchResult:
    text: str
    groups: tuple[SearchGroup, ...]

    @property
    def empty(self) -> bool:
        return not self.groups


def searchable_types() -> list[str]:
    """Record types global search covers, in the order they are shown."""
    return [name for name in RECORD_MODELS if name in FTS_TABLES]


class GlobalSearch:
    def __init__(self, db: Database) -> None:
        self._db = db

    def search(self, text: str, per_type: int = PER_TYPE) -> SearchResult:
        query = parse_query(text)
        if query is None or query.match is None:
            return SearchResult(text, ())
        groups: list[SearchGroup] = []
        with self._db.session() as session:
            conn = session.connection()
            for record_type in searchable_types():
                group = self._search_type(conn, record_type, query, per_type)
                if group is not None:
                    groups.append(group)
        return SearchResult(text, tuple(groups))

    def _search_type(
        self, conn: Connection, record_type: str, query: SearchQuery, per_type: int
    ) -> SearchGroup | None:
        fts, _ = FTS_TABLES[record_type]
        table = table_of(record_type)
        total = int(
            conn.exec_driver_sql(
                f"SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT {COUNT_CAP + 1})",
                (query.match,),
            ).scalar_one()
        )
        if total == 0:
            return None
        rids: list[int] = []
        # 1. Titles starting with the query, in name order.
        prefix = query.text.casefold()
        check, check_params = query.sql_check("f")
        for (rid,) in conn.exec_driver_sql(
            f"SELECT rid FROM (SELECT c.rid AS rid, {searched_fields(record_type, 'c')} AS f FROM {table} c "
            f"WHERE c.deleted = 0 AND c.sort_key >= ? AND c.sort_key < ? "
            f"ORDER BY c.sort_key, c.rid LIMIT {per_type * 4}) WHERE {check} LIMIT {per_type}",
            (prefix, prefix + "\U0010ffff", *check_params),
        ):
            rids.append(rid)
        # 2. The other matches, newest first.
        if len(rids) < per_type:
            for (rid,) in conn.exec_driver_sql(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT {per_type * 2}",
                (query.match,),
            ):
                if rid not in rids:
                    rids.append(rid)
                if len(rids) == per_type:
                    break
        hits = self._hits(conn, record_type, rids)
        return SearchGroup(record_type, tuple(hits), max(total, len(hits)), total > COUNT_CAP)

    def _hits(self, conn: Connection, record_type: str, rids: list[int]) -> list[SearchHit]:
        if not rids:
            return []
        spec = spec_for(record_type)
        _, columns = FTS_TABLES[record_type]
        title_names = tuple(dict.fromkeys((*spec.title_fields, *spec.title_fallback)))
        title_columns = ", ".join(f"c.{name}" for name in title_names)
        detail_exprs = ", ".join(expr.replace("new.", "c.") for _, expr in columns[1:]) or "''"
        marks = ",".join("?" * len(rids))
        rows = conn.exec_driver_sql(
            f"SELECT c.rid, c.id, {title_columns}, {detail_exprs} FROM {table_of(record_type)} c "
            f"WHERE c.deleted = 0 AND c.rid IN ({marks})",
            tuple(rids),
        ).all()
        by_rid = {row[0]: row for row in rows}
        n_title = len(title_names)
        hits = []
        for rid in rids:
            row = by_rid.get(rid)
            if row is None:
                continue
            title = spec.title(dict(zip(title_names, row[2:2 + n_title], strict=True)))
            detail = " · ".join(str(v) for v in row[2 + n_title:] if v)
            hits.append(SearchHit(record_type, str(row[1]), title or str(row[1]), detail))
        return hits
