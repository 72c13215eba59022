"""Record lists for the UI: counting, ordering, searching and paging rows.

Runs on the database worker.  Lists are addressed by the integer ``rid`` of
each row: the UI first gets the count and the first page of rids (fast, via
the sort index), then the full ordered rid array in the background, and
fetches display rows by rid in pages as the user scrolls.

Search goes through each type's full-text index (``store/search_text.py``:
infix for terms of three characters or more, word prefixes and CJK characters
for shorter ones).  The first page of a search must come fast however many
rows match:

* the index is asked for its ``COUNT_CAP``-th match only: if there is none,
  the few matches are sorted and the list is complete at once;
* otherwise the search is common (an e-mail domain, one letter): the rowid of
  that match tells roughly which share of all rows match, the count is shown
  as an estimate, and the first page is found by walking the sort index and
  checking each row (``crm_match``) until it is full; when the matches
  cluster further down the order, by a walk bounded by a sample of the
  matches that checks each row against their set (``_bounded_walk``), or by
  sorting the matches; the exact list follows in the background (``all_ids``).

No user input is ever spliced into SQL.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from crm_desktop.activities.lists import ACTIVITY_LIST
from crm_desktop.marketing.lists import CAMPAIGN_LIST
from crm_desktop.sales.lists import LEAD_LIST, OPPORTUNITY_LIST
from crm_desktop.services.list_filters import FieldFilter, filters_sql
from crm_desktop.services.list_table import ListTable
from crm_desktop.store.db import Database
from crm_desktop.store.schema import RECORD_MODELS
from crm_desktop.store.search_index import searched_fields
from crm_desktop.store.search_text import SearchQuery, clean_query, is_cjk, parse_query
from crm_desktop.support.lists import CASE_LIST
from crm_protocol.records import RECORD_TYPES

log = logging.getLogger("crm.lists")

_CUSTOM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Index names in an EXPLAIN QUERY PLAN line.
_INDEX_IN_PLAN = re.compile(r"USING (?:COVERING )?INDEX (\w+)")

#: Up to this many matches a search is counted exactly and sorted whole.
COUNT_CAP = 5_000

#: A walk of the sort index costs ~2.5 us a row (the row is read to check
#: it), sorting ~0.3 us a match.  A walk is tried when the first page should
#: turn up within WALK_BUDGET / 2 rows if matches were spread evenly, and gives
#: up after twice that (matches clustered later in the order): then the
#: matches are sorted after all.
WALK_BUDGET = 4_000

#: A bounded walk (``ListService._bounded_walk``) is taken when the rows up to its
#: bound are fewer than this many times the matches: then walking them costs
#: less than looking every match up to sort them (measured at 1,000,000 rows).
BOUNDED_WALK_RATIO = 0.75
#: Below this many matches sorting them costs a few ms: no bounded walk. Looking a
#: match up for its sort key is ~0.6 us (the search index's narrow rid index), so from
#: about 8,000 matches the walk's two samples pay (session 7, 163 name and city terms
#: of 5,000-30,000 matches at 1,000,000 contacts: the sum of their times -18% against
#: a bound of 30,000, p95 32 -> 30 ms; a few first names, clustered at the start of
#: the order, lose up to 13 ms).
BOUNDED_WALK_MIN = 8_000
#: Samples that place a bounded walk: the search index's first matches, and rows.
_MATCH_SAMPLE = 2_000
_ROW_SAMPLE = 400

#: Largest number of rids bound in one ``IN (...)`` list.
_CHUNK = 500

#: A filtered list (no search) is read in one of three ways (``_filter_mode``):
#: straight from an index that serves both the filter and the order (the
#: owner's (owner_id, sort_key, rid) for "my records by name"); by walking the
#: sort index and checking each row, when the first page should turn up
#: within this many rows; otherwise through the filter's own index (or a
#: scan), sorting the matches.
FILTER_WALK_ROWS = 20_000


_CONTACT_SELECT = (
    "SELECT c.rid, c.id, c.dirty, "
    "crm_person_name(c.first_name, c.last_name), "
    "a.name, c.title, c.email, c.phone, c.city, u.name, c.updated_at "
    "FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id "
    "LEFT JOIN users u ON u.id = c.owner_id WHERE c.deleted = 0 AND c.rid IN ({marks})"
)
_ACCOUNT_SELECT = (
    "SELECT c.rid, c.id, c.dirty, c.name, c.industry, c.email, c.phone, c.city, u.name, c.updated_at "
    "FROM accounts c LEFT JOIN users u ON u.id = c.owner_id WHERE c.deleted = 0 AND c.rid IN ({marks})"
)

TABLES: dict[str, ListTable] = {
    "contact": ListTable(
        "contacts",
        "contacts_fts",
        {
            "name": ("sort_key", "ix_contacts_sort"),
            "email": ("email COLLATE NOCASE", "ix_contacts_email"),
            "updated_at": ("updated_at", "ix_contacts_updated"),
        },
        ("name", "account", "title", "email", "phone", "city", "owner", "updated_at"),
        _CONTACT_SELECT,
        {"name": "ix_contacts_rid_sort"},
    ),
    "account": ListTable(
        "accounts",
        "accounts_fts",
        {
            "name": ("sort_key", "ix_accounts_sort"),
            "updated_at": ("updated_at", "ix_accounts_updated"),
        },
        ("name", "industry", "email", "phone", "city", "owner", "updated_at"),
        _ACCOUNT_SELECT,
        {"name": "ix_accounts_rid_sort"},
    ),
    "lead": LEAD_LIST,
    "opportunity": OPPORTUNITY_LIST,
    "activity": ACTIVITY_LIST,
    "case": CASE_LIST,
    "campaign": CAMPAIGN_LIST,
}

#: A display row: (id, dirty, value of each of ``TABLES[type].columns``...).
Row = tuple[Any, ...]


def columns(record_type: str) -> tuple[str, ...]:
    return TABLES[record_type].columns


def sortable(record_type: str) -> frozenset[str]:
    return frozenset(TABLES[record_type].sorts)


def time_columns(record_type: str) -> frozenset[str]:
    return TABLES[record_type].time_columns


def date_columns(record_type: str) -> frozenset[str]:
    return TABLES[record_type].date_columns


def money_columns(record_type: str) -> frozenset[str]:
    return TABLES[record_type].money_columns


def has_list(record_type: str) -> bool:
    return record_type in TABLES


@dataclass(frozen=True)
class ListSpec:
    record_type: str
    sort: str = "name"
    descending: bool = False
    search: str = ""
    account_id: str | None = None
    #: Field filters (``services/list_filters.py``), all of which a row must pass.
    filters: tuple[FieldFilter, ...] = ()
    #: The signed-in user: what the owner filter's "me" means.
    me: str | None = None
    #: The day relative periods (overdue, this week) count from; None is today (local time).
    today: date | None = None


@dataclass(frozen=True)
class FirstPage:
    """What the UI needs to show a list at once."""

    count: int
    ids: list[int]
    #: True when ``ids`` already is the whole list (no background load needed).
    complete: bool
    #: False when ``count`` is an estimate (a common search term); the exact
    #: count is the length of ``all_ids``.
    exact: bool = True


def clean_search(text: str) -> str:
    """Drop what can never match (control characters, lone surrogates)."""
    return clean_query(text)


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression for the query made of ``terms`` (see search_text)."""
    query = parse_query(" ".join(terms))
    return "" if query is None or query.match is None else query.match


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Plan:
    """The SQL pieces of one list: filter over ``c`` plus parameters."""

    #: filter over ``c`` without the search part
    where: str
    params: tuple[Any, ...]
    query: SearchQuery | None
    #: True when ``where`` is a range of the sort index (the list is in sort order)
    prefix: bool = False
    #: True when ``where`` holds field filters (or the account's contacts)
    filtered: bool = False
    #: True when ``where`` picks a small list by an index of its own (an
    #: account's contacts): a search then checks each of its rows.
    narrow: bool = False

    @property
    def matches_nothing(self) -> bool:
        return self.query is not None and self.query.match is None

    @property
    def fts_match(self) -> str | None:
        return None if self.query is None else self.query.match

    def full_where(self, record_type: str) -> tuple[str, tuple[Any, ...]]:
        """The whole filter; the search as a check of each row (for small, pre-filtered lists)."""
        if self.query is None:
            return self.where, self.params
        check = f"crm_match(?, {searched_fields(record_type, 'c')})"
        return f"{self.where} AND {check}", (*self.params, self.query.check)


def _plan(spec: ListSpec) -> _Plan:
    where = ["c.deleted = 0"]
    params: list[Any] = []
    narrow = spec.account_id is not None and not spec.filters
    if spec.account_id is not None:
        if spec.record_type != "contact":
            raise ValueError("account_id filters contacts only")
        where.append("c.account_id = ?")
        params.append(spec.account_id)
    if spec.filters:
        conditions, values = filters_sql(spec.record_type, spec.filters, me=spec.me, today=spec.today)
        where.extend(conditions)
        params.extend(values)
    filtered = spec.account_id is not None or bool(spec.filters)
    text = clean_query(spec.search)
    if len(text) == 1 and not is_cjk(text):
        # One letter: the names starting with it, a range of the sort index,
        # as a list's A-Z index would show.  (As a word prefix it would match
        # a fifth of all records: no filter, and the one search that cannot
        # be answered from the index's first entries.)
        where.append("c.sort_key >= ? AND c.sort_key < ?")
        params.extend((text.casefold(), text.casefold() + "\U0010ffff"))
        return _Plan(" AND ".join(where), tuple(params), None, prefix=True, filtered=filtered, narrow=narrow)
    return _Plan(" AND ".join(where), tuple(params), parse_query(text), filtered=filtered, narrow=narrow)


class ListService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._docsize: dict[str, bool] = {}
        self._nullable_columns: dict[tuple[str, str], bool] = {}

    # -- queries -----------------------------------------------------------

    def count(self, spec: ListSpec) -> int:
        with self._db.session() as session:
            return self._count(session.connection(), spec, _plan(spec))

    def first_ids(self, spec: ListSpec, n: int) -> list[int]:
        return self.first_page(spec, n).ids[:n]

    def first_page(self, spec: ListSpec, n: int) -> FirstPage:
        """Count (or an estimate) and the first ``n`` rids or more (what a list shows first)."""
        with self._db.session() as session:
            conn = session.connection()
            plan = _plan(spec)
            if plan.matches_nothing:
                return FirstPage(0, [], True)
            if plan.query is None:
                # No search (or one letter, a range of the sort index): exact
                # count, then the page.
                total = self._count(conn, spec, plan)
                if total == 0:
                    return FirstPage(0, [], True)
                if total <= n:
                    ids = self._ids(conn, spec, plan, limit=None, matches=total)
                    return FirstPage(len(ids), ids, True)
                return FirstPage(total, self._ids(conn, spec, plan, limit=n, matches=total), False)
            if plan.filtered:
                # A search within filters: the matches that pass them, sorted whole.
                ids = self._ids(conn, spec, plan, limit=None)
                return FirstPage(len(ids), ids, True)
            return self._first_search_page(conn, spec, plan, n)

    def all_ids(self, spec: ListSpec) -> array[int]:
        """Every matching rid, in list order."""
        with self._db.session() as session:
            conn = session.connection()
            plan = _plan(spec)
            if plan.matches_nothing:
                return array("q")
            mode = "walk"
            if plan.filtered and plan.query is None and not plan.narrow:
                mode = self._filter_mode(conn, spec, plan, None, None)
            sql, params = self._ids_sql(spec, plan, limit=None, mode=mode)
            # One string crossing into Python is much faster than a million
            # row tuples (see tests/test_lists.py for the comparison).
            joined = conn.exec_driver_sql(
                f"SELECT group_concat(rid) FROM ({sql})", params
            ).scalar()
            if not joined:
                return array("q")
            return array("q", map(int, joined.split(",")))

    def rows(self, record_type: str, rids: Sequence[int], custom: Sequence[str] = ()) -> dict[int, Row]:
        """Display values of the given rows; deleted or missing rids are left out.

        ``custom`` names custom fields whose values follow the table's columns
        (the list's optional columns).
        """
        table = TABLES[record_type]
        out: dict[int, Row] = {}
        paths = tuple(f'$."{name}"' for name in custom if _CUSTOM_NAME_RE.match(name))
        with self._db.session() as session:
            conn = session.connection()
            for start in range(0, len(rids), _CHUNK):
                chunk = [int(r) for r in rids[start:start + _CHUNK]]
                marks = ",".join("?" * len(chunk))
                sql = table.select.format(marks=marks)
                for row in conn.exec_driver_sql(sql, tuple(chunk)):
                    out[row[0]] = (row[1], bool(row[2]), *row[3:])
                if paths:
                    extracts = ", ".join("json_extract(custom, ?)" for _ in paths)
                    values = conn.exec_driver_sql(
                        f"SELECT rid, {extracts} FROM {table.table} WHERE rid IN ({marks})", (*paths, *chunk)
                    )
                    for rid, *extra in values:
                        if rid in out:
                            out[rid] = (*out[rid], *extra)
        return out

    def position(self, spec: ListSpec, rid: int) -> int | None:
        """Index of ``rid`` in the list (to select a row after creating it)."""
        ids = self.all_ids(spec)
        try:
            return ids.index(rid)
        except ValueError:
            return None

    def filter_choices(self, record_type: str) -> dict[str, tuple[str, ...]]:
        """Choices of fields whose values name configuration records (an opportunity's
        stage: the pipeline stages' names, in pipeline order)."""
        from crm_desktop.store.schema import RECORD_MODELS

        out: dict[str, tuple[str, ...]] = {}
        with self._db.session() as session:
            conn = session.connection()
            for fspec in RECORD_TYPES[record_type].fields:
                if fspec.choices_from is None or fspec.choices_from not in RECORD_MODELS:
                    continue
                source = RECORD_TYPES[fspec.choices_from]
                table = RECORD_MODELS[fspec.choices_from].__tablename__
                order = "position, sort_key" if "position" in source.field_map else "sort_key"
                names = conn.exec_driver_sql(
                    f"SELECT DISTINCT name FROM {table} WHERE deleted = 0 AND name IS NOT NULL ORDER BY {order}"
                ).scalars()
                out[fspec.name] = tuple(dict.fromkeys(str(n) for n in names))
        return out

    def rid_of(self, record_type: str, record_id: str) -> int | None:
        with self._db.session() as session:
            value = session.connection().exec_driver_sql(
                f"SELECT rid FROM {TABLES[record_type].table} WHERE id = ? AND deleted = 0", (record_id,)
            ).scalar()
            return None if value is None else int(value)

    # -- helpers -----------------------------------------------------------

    def _first_search_page(self, conn: Connection, spec: ListSpec, plan: _Plan, n: int) -> FirstPage:
        table = TABLES[spec.record_type]
        match = plan.fts_match
        # Rowids come out of FTS5 in ascending order, so asking for one match
        # past the cap stops after COUNT_CAP entries of the index (~1 ms).
        probe = conn.exec_driver_sql(
            f"SELECT rowid FROM {table.fts} WHERE {table.fts} MATCH ? LIMIT 1 OFFSET {COUNT_CAP}", (match,)
        ).scalar()
        if probe is None:
            every = self._ids(conn, spec, plan, limit=None)
            return FirstPage(len(every), every, True)
        # rids are handed out in insertion order, so the share of matches
        # among rids up to the probe is a fair estimate of the share overall.
        top = int(conn.exec_driver_sql(f"SELECT max(rid) FROM {table.table}").scalar() or probe)
        share = (COUNT_CAP + 1) / max(int(probe), 1)
        estimate = max(COUNT_CAP + 1, round(share * top))
        # Walking the sort index pays when matches are dense: spread evenly,
        # n of them turn up within n / share rows.  Clustered ones (a last
        # name in a list sorted by first name) exhaust the budget; then a
        # bounded walk, or the matches are sorted after all.
        ids: list[int] = []
        expected = n / share
        if expected <= WALK_BUDGET / 2:
            ids = self._walk(conn, spec, plan, n, budget=round(expected * 2))
        if len(ids) < n and estimate >= BOUNDED_WALK_MIN:
            # Many clustered matches (a subject typed in a list sorted by
            # subject): walk up to a bound, checking rows against the matches.
            ids = self._bounded_walk(conn, spec, plan, n, matches=estimate, top=top)
        if len(ids) < n:
            ids = self._ids(conn, spec, plan, limit=n)
        return FirstPage(estimate, ids, False, exact=False)

    def _count(self, conn: Connection, spec: ListSpec, plan: _Plan) -> int:
        table = TABLES[spec.record_type]
        if plan.matches_nothing:
            return 0
        if plan.query is None and not plan.params and not plan.filtered and self._has_docsize(conn, table.fts):
            # The whole list: the full-text index holds exactly the live rows,
            # one per row of its docsize table, which SQLite counts without
            # reading a million index entries (0.1 ms instead of 150 ms).
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table.fts}_docsize").scalar_one())
        if plan.query is not None and not plan.filtered:
            # Tombstones are not indexed, so the match count is the answer.
            sql = f"SELECT count(*) FROM {table.fts} WHERE {table.fts} MATCH ?"
            return int(conn.exec_driver_sql(sql, (plan.fts_match,)).scalar_one())
        if plan.query is not None and not plan.narrow:
            sql = (
                f"SELECT count(*) FROM (SELECT rowid AS r FROM {table.fts} WHERE {table.fts} MATCH ?) m "
                f"CROSS JOIN {table.table} c ON c.rid = m.r WHERE {plan.where}"
            )
            return int(conn.exec_driver_sql(sql, (plan.fts_match, *plan.params)).scalar_one())
        where, params = plan.full_where(spec.record_type)
        sql = f"SELECT count(*) FROM {table.table} c WHERE {where}"
        return int(conn.exec_driver_sql(sql, params).scalar_one())

    def _has_docsize(self, conn: Connection, fts: str) -> bool:
        if fts not in self._docsize:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"{fts}_docsize",)
            ).scalar()
            self._docsize[fts] = found is not None
        return self._docsize[fts]

    def _hint(self, index: str | None) -> str:
        """`` INDEXED BY index``, or nothing while a first sync's bulk load has dropped it."""
        if index is None or index in self._db.deferred_indexes:
            return ""
        return f" INDEXED BY {index}"

    def _order(self, spec: ListSpec) -> tuple[str, str, str]:
        """(column, index, direction) of the list's order."""
        table = TABLES[spec.record_type]
        try:
            column, index = table.sorts[spec.sort]
        except KeyError:
            raise ValueError(f"cannot sort {spec.record_type} by {spec.sort!r}") from None
        return column, index, "DESC" if spec.descending else "ASC"

    def _ids_sql(
        self, spec: ListSpec, plan: _Plan, *, limit: int | None, mode: str = "walk"
    ) -> tuple[str, tuple[Any, ...]]:
        """The list's rids in order.  ``mode`` of a filtered list without search: see ``_filter_mode``."""
        table = TABLES[spec.record_type]
        column, index, direction = self._order(spec)
        order = f"c.{column} {direction}, c.rid {direction}"
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        if plan.query is not None and not plan.narrow:
            # Look each match up by rid and sort them.  CROSS JOIN keeps
            # SQLite from walking the whole sort index instead.
            lookup = table.by_rid.get(spec.sort)
            hint = self._hint(lookup)
            sql = (
                f"SELECT c.rid FROM (SELECT rowid AS r FROM {table.fts} WHERE {table.fts} MATCH ?) m "
                f"CROSS JOIN {table.table} c{hint} ON c.rid = m.r WHERE {plan.where} ORDER BY {order}{tail}"
            )
            return sql, (plan.fts_match, *plan.params)
        where, params = plan.full_where(spec.record_type)
        if plan.narrow or mode == "planner":
            # The account's rows, or an index serving filter and order: SQLite's own plan.
            return f"SELECT c.rid FROM {table.table} c WHERE {where} ORDER BY {order}{tail}", params
        if plan.filtered and mode == "sort":
            # "+" keeps SQLite from walking an index for the order: it finds the
            # matches by the filter's index (or a scan) and sorts them.
            unordered = f"+c.{column} {direction}, c.rid {direction}"
            return f"SELECT c.rid FROM {table.table} c WHERE {where} ORDER BY {unordered}{tail}", params
        # Walk the sort index and stop at the limit.
        return f"SELECT c.rid FROM {table.table} c{self._hint(index)} WHERE {where} ORDER BY {order}{tail}", params

    def _walk(self, conn: Connection, spec: ListSpec, plan: _Plan, n: int, *, budget: int | None) -> list[int]:
        """The first ``n`` rids in list order by walking the sort index, checking each row.

        With a ``budget``, at most that many rows are looked at (fewer ids
        come back when the matches lie further down the order).
        """
        if budget is None:
            return self._ids(conn, spec, plan, limit=n)
        table = TABLES[spec.record_type]
        column, index, direction = self._order(spec)
        assert plan.query is not None
        check, check_params = plan.query.sql_check("fields")
        sql = (
            f"SELECT rid FROM (SELECT c.rid AS rid, {searched_fields(spec.record_type, 'c')} AS fields "
            f"FROM {table.table} c{self._hint(index)} WHERE {plan.where} "
            f"ORDER BY c.{column} {direction}, c.rid {direction} LIMIT {int(budget)}) "
            f"WHERE {check} LIMIT {int(n)}"
        )
        return [r[0] for r in conn.exec_driver_sql(sql, (*plan.params, *check_params))]

    def _bounded_walk(
        self, conn: Connection, spec: ListSpec, plan: _Plan, n: int, *, matches: int, top: int
    ) -> list[int]:
        """The first ``n`` matches in list order, or [] when sorting the matches is cheaper.

        Sorting many matches looks each one up in the sort's index (~0.35 us a
        match).  Instead, the sort index is walked in list order and each row
        checked against the set of matches, which SQLite builds once from the
        search index (~0.15 us a match, ~0.2 us a row walked): cheaper while
        the n-th match lies within ``BOUNDED_WALK_RATIO`` times ``matches``
        rows of the start.  Where it lies is estimated from samples: the
        search index's first matches (rids are in insertion order, unrelated
        to the list order) and evenly spread rows, both placed in the list
        order.  The n-th of the sampled matches bounds the walk, so a wrong
        estimate costs at most the rows up to it; the result is exact.
        """
        table = TABLES[spec.record_type]
        column, index, direction = self._order(spec)
        if self._nullable(spec.record_type, column):
            return []  # NULLs fall outside a row-value bound: only NOT NULL sorts qualify
        match = plan.fts_match
        lookup = table.by_rid.get(spec.sort)
        hint = self._hint(lookup)
        order = f"c.{column} {direction}, c.rid {direction}"
        sampled = conn.exec_driver_sql(
            f"SELECT c.{column}, c.rid FROM (SELECT rowid AS r FROM {table.fts} WHERE {table.fts} MATCH ? "
            f"LIMIT {_MATCH_SAMPLE}) m CROSS JOIN {table.table} c{hint} ON c.rid = m.r WHERE {plan.where} "
            f"ORDER BY {order} LIMIT {int(n)}",
            (match, *plan.params),
        ).all()
        if len(sampled) < n:
            return []
        # Among the sample, the n-th match overall is expected at this rank.
        guess = sampled[min(n, max(1, round(n * _MATCH_SAMPLE / max(matches, 1)))) - 1]
        bound = sampled[-1]
        within = f"(c.{column}, c.rid) {'<=' if direction == 'ASC' else '>='} (?, ?)"
        rids = [round(top * (i + 0.5) / _ROW_SAMPLE) for i in range(_ROW_SAMPLE)]
        found, before = conn.exec_driver_sql(
            f"SELECT count(*), count(CASE WHEN {within} THEN 1 END) FROM {table.table} c{hint} "
            f"WHERE {plan.where} AND c.rid IN ({','.join('?' * len(rids))})",
            (guess[0], guess[1], *plan.params, *rids),
        ).one()
        rows = top * found / _ROW_SAMPLE  # live rows, roughly
        if not found or rows * before / found >= BOUNDED_WALK_RATIO * matches:
            return []
        sql = (
            f"SELECT c.rid FROM {table.table} c{self._hint(index)} WHERE {plan.where} AND {within} "
            f"AND c.rid IN (SELECT rowid FROM {table.fts} WHERE {table.fts} MATCH ?) ORDER BY {order} LIMIT {int(n)}"
        )
        return [r[0] for r in conn.exec_driver_sql(sql, (*plan.params, bound[0], bound[1], match))]

    def _nullable(self, record_type: str, column: str) -> bool:
        key = (record_type, column)
        if key not in self._nullable_columns:
            table = RECORD_MODELS[record_type].__table__
            # A sort column may carry a collation ("email COLLATE NOCASE").
            self._nullable_columns[key] = bool(table.c[column.split()[0]].nullable)
        return self._nullable_columns[key]

    def _ids(
        self, conn: Connection, spec: ListSpec, plan: _Plan, *, limit: int | None, matches: int | None = None
    ) -> list[int]:
        mode = "walk"
        if plan.filtered and plan.query is None and not plan.narrow:
            mode = self._filter_mode(conn, spec, plan, limit, matches)
        sql, params = self._ids_sql(spec, plan, limit=limit, mode=mode)
        return [r[0] for r in conn.exec_driver_sql(sql, params)]

    def _filter_mode(
        self, conn: Connection, spec: ListSpec, plan: _Plan, limit: int | None, matches: int | None
    ) -> str:
        """How to read a filtered list (no search): "planner", "walk" or "sort".

        * "planner": SQLite's own plan delivers the rows in order from an
          index other than the plain sort index: the filter's index holds the
          order too (owner or status, then name).
        * "walk": the first ``limit`` rows by walking the sort index and
          checking each row; spread evenly, they turn up within
          ``limit * rows / matches`` rows.
        * "sort": the matches through the filter's own index or a scan, sorted
          (few matches; the whole list unless most rows pass).
        """
        sql, params = self._ids_sql(spec, plan, limit=limit, mode="planner")
        steps = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
        _column, index, _direction = self._order(spec)
        used = set(_INDEX_IN_PLAN.findall(steps))
        if "TEMP B-TREE" not in steps and used and index not in used:
            return "planner"
        if matches is None:
            matches = self._count(conn, spec, plan)
        if matches == 0:
            return "sort"
        rows = self._count(conn, ListSpec(spec.record_type), _plan(ListSpec(spec.record_type)))
        if limit is None:
            # The whole list: a walk reads every row once in sort order, sorting reads the
            # matches (in another order) and sorts them; the walk wins when most rows pass.
            return "walk" if matches * 2 >= rows else "sort"
        return "walk" if min(limit, matches) * rows / matches <= FILTER_WALK_ROWS else "sort"
