"""Record lists for the UI: counting, ordering, searching and paging rows.

Runs on the database worker.  Lists are addressed by the integer ``rid`` of
each row: the UI first gets the count and the first page of rids (fast, via
the sort index), then the full ordered rid array in the background, and
fetches display rows by rid in pages as the user scrolls.

Search uses the trigram full-text index for terms of three characters or
more (each quoted as an FTS5 string and AND-ed); shorter queries use a prefix
range on ``sort_key``.  No user input is ever spliced into SQL.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from crm_desktop.activities.lists import ACTIVITY_LIST
from crm_desktop.marketing.lists import CAMPAIGN_LIST
from crm_desktop.sales.lists import LEAD_LIST, OPPORTUNITY_LIST
from crm_desktop.services.list_table import ListTable
from crm_desktop.store.db import Database
from crm_desktop.support.lists import CASE_LIST

log = logging.getLogger("crm.lists")

#: Above this many full-text matches the first page is taken by walking the
#: sort index instead of sorting every match.
FEW_MATCHES = 20_000

#: Between SORT_MATCHES and FEW_MATCHES matches, first try the first
#: WALK_BUDGET entries of the sort index: matches spread evenly through the
#: order fill a page long before that; clustered ones fall back to sorting.
SORT_MATCHES = 2_000
WALK_BUDGET = 50_000

#: Largest number of rids bound in one ``IN (...)`` list.
_CHUNK = 500


_CONTACT_SELECT = (
    "SELECT c.rid, c.id, c.dirty, "
    "trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), "
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
            "email": ("email", "ix_contacts_email"),
            "updated_at": ("updated_at", "ix_contacts_updated"),
        },
        ("name", "account", "title", "email", "phone", "city", "owner", "updated_at"),
        _CONTACT_SELECT,
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


def has_list(record_type: str) -> bool:
    return record_type in TABLES


@dataclass(frozen=True)
class ListSpec:
    record_type: str
    sort: str = "name"
    descending: bool = False
    search: str = ""
    account_id: str | None = None


@dataclass(frozen=True)
class FirstPage:
    """What the UI needs to show a list at once."""

    count: int
    ids: list[int]
    #: True when ``ids`` already is the whole list (no background load needed).
    complete: bool


_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean_search(text: str) -> str:
    """Drop what can never match (control characters, lone surrogates)."""
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = _CONTROL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every term as a quoted string, AND-ed."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Plan:
    """The SQL pieces of one list: filter over ``c`` plus parameters."""

    #: filter over ``c`` without the full-text part
    where: str
    params: tuple[Any, ...]
    fts_match: str | None

    @property
    def fts_only(self) -> bool:
        """The full-text match is the whole filter (so its count is the answer)."""
        return self.fts_match is not None and not self.params

    def full_where(self, fts: str) -> tuple[str, tuple[Any, ...]]:
        if self.fts_match is None:
            return self.where, self.params
        return (
            f"c.rid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?) AND {self.where}",
            (self.fts_match, *self.params),
        )


def _plan(spec: ListSpec) -> _Plan:
    where = ["c.deleted = 0"]
    params: list[Any] = []
    if spec.account_id is not None:
        if spec.record_type != "contact":
            raise ValueError("account_id filters contacts only")
        where.append("c.account_id = ?")
        params.append(spec.account_id)
    text = clean_search(spec.search)
    match: str | None = None
    if text:
        terms = text.split(" ")
        long_terms = [t for t in terms if len(t) >= 3]
        short_terms = [t for t in terms if len(t) < 3]
        if long_terms:
            match = fts_query(long_terms)
            for term in short_terms:
                where.append("c.sort_key LIKE ? ESCAPE '\\'")
                params.append("%" + escape_like(term.casefold()) + "%")
        else:
            prefix = text.casefold()
            where.append("c.sort_key >= ? AND c.sort_key < ?")
            params.extend((prefix, prefix + "\uffff"))
    return _Plan(" AND ".join(where), tuple(params), match)


class ListService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._docsize: dict[str, bool] = {}

    # -- queries -----------------------------------------------------------

    def count(self, spec: ListSpec) -> int:
        with self._db.session() as session:
            return self._count(session.connection(), spec, _plan(spec))

    def first_ids(self, spec: ListSpec, n: int) -> list[int]:
        with self._db.session() as session:
            conn = session.connection()
            plan = _plan(spec)
            total = self._count(conn, spec, plan) if plan.fts_match is not None else 0
            return self._first_ids(conn, spec, plan, n, total)

    def first_page(self, spec: ListSpec, n: int) -> FirstPage:
        """Count and first ``n`` rids in one go (what a list shows first)."""
        with self._db.session() as session:
            conn = session.connection()
            plan = _plan(spec)
            total = self._count(conn, spec, plan)
            if total <= n:
                ids = self._ids(conn, spec, plan, limit=None, few=True)
                return FirstPage(len(ids), ids, True)
            return FirstPage(total, self._first_ids(conn, spec, plan, n, total), False)

    def all_ids(self, spec: ListSpec) -> array[int]:
        """Every matching rid, in list order."""
        with self._db.session() as session:
            conn = session.connection()
            plan = _plan(spec)
            sql, params = self._ids_sql(spec, plan, limit=None, few=plan.fts_match is not None)
            # One string crossing into Python is much faster than a million
            # row tuples (see tests/test_lists.py for the comparison).
            joined = conn.exec_driver_sql(
                f"SELECT group_concat(rid) FROM ({sql})", params
            ).scalar()
            if not joined:
                return array("q")
            return array("q", map(int, joined.split(",")))

    def rows(self, record_type: str, rids: Sequence[int]) -> dict[int, Row]:
        """Display values of the given rows; deleted or missing rids are left out."""
        table = TABLES[record_type]
        out: dict[int, Row] = {}
        with self._db.session() as session:
            conn = session.connection()
            for start in range(0, len(rids), _CHUNK):
                chunk = [int(r) for r in rids[start:start + _CHUNK]]
                sql = table.select.format(marks=",".join("?" * len(chunk)))
                for row in conn.exec_driver_sql(sql, tuple(chunk)):
                    out[row[0]] = (row[1], bool(row[2]), *row[3:])
        return out

    def position(self, spec: ListSpec, rid: int) -> int | None:
        """Index of ``rid`` in the list (to select a row after creating it)."""
        ids = self.all_ids(spec)
        try:
            return ids.index(rid)
        except ValueError:
            return None

    def rid_of(self, record_type: str, record_id: str) -> int | None:
        with self._db.session() as session:
            value = session.connection().exec_driver_sql(
                f"SELECT rid FROM {TABLES[record_type].table} WHERE id = ? AND deleted = 0", (record_id,)
            ).scalar()
            return None if value is None else int(value)

    # -- helpers -----------------------------------------------------------

    def _count(self, conn: Connection, spec: ListSpec, plan: _Plan) -> int:
        table = TABLES[spec.record_type]
        if plan.fts_match is None and not plan.params and self._has_docsize(conn, table.fts):
            # The whole list: the full-text index holds exactly the live rows,
            # one per row of its docsize table, which SQLite counts without
            # reading a million index entries (0.1 ms instead of 150 ms).
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table.fts}_docsize").scalar_one())
        if plan.fts_only:
            # Tombstones are not indexed, so the match count is the answer.
            sql = f"SELECT count(*) FROM {table.fts} WHERE {table.fts} MATCH ?"
            return int(conn.exec_driver_sql(sql, (plan.fts_match,)).scalar_one())
        where, params = plan.full_where(table.fts)
        sql = f"SELECT count(*) FROM {table.table} c WHERE {where}"
        return int(conn.exec_driver_sql(sql, params).scalar_one())

    def _has_docsize(self, conn: Connection, fts: str) -> bool:
        if fts not in self._docsize:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"{fts}_docsize",)
            ).scalar()
            self._docsize[fts] = found is not None
        return self._docsize[fts]

    def _ids_sql(
        self, spec: ListSpec, plan: _Plan, *, limit: int | None, few: bool
    ) -> tuple[str, tuple[Any, ...]]:
        table = TABLES[spec.record_type]
        try:
            column, index = table.sorts[spec.sort]
        except KeyError:
            raise ValueError(f"cannot sort {spec.record_type} by {spec.sort!r}") from None
        direction = "DESC" if spec.descending else "ASC"
        order = f"c.{column} {direction}, c.rid {direction}"
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        if plan.fts_match is not None and few:
            # Few matches: look each one up by rid and sort them.  CROSS JOIN
            # keeps SQLite from walking the whole sort index instead.
            sql = (
                f"SELECT c.rid FROM (SELECT rowid AS r FROM {table.fts} WHERE {table.fts} MATCH ?) m "
                f"CROSS JOIN {table.table} c ON c.rid = m.r WHERE {plan.where} ORDER BY {order}{tail}"
            )
            return sql, (plan.fts_match, *plan.params)
        where, params = plan.full_where(table.fts)
        # Many rows: walk the sort index and stop at the limit.
        hint = "" if spec.account_id is not None else f" INDEXED BY {index}"
        return f"SELECT c.rid FROM {table.table} c{hint} WHERE {where} ORDER BY {order}{tail}", params

    def _first_ids(self, conn: Connection, spec: ListSpec, plan: _Plan, n: int, total: int) -> list[int]:
        if plan.fts_match is None:
            return self._ids(conn, spec, plan, limit=n, few=False)
        if total >= SORT_MATCHES and spec.account_id is None:
            ids = self._budget_walk(conn, spec, plan, n)
            if len(ids) == n:
                return ids
        return self._ids(conn, spec, plan, limit=n, few=total < FEW_MATCHES)

    def _budget_walk(self, conn: Connection, spec: ListSpec, plan: _Plan, n: int) -> list[int]:
        table = TABLES[spec.record_type]
        column, index = table.sorts[spec.sort]
        direction = "DESC" if spec.descending else "ASC"
        sql = (
            f"SELECT rid FROM (SELECT c.rid AS rid FROM {table.table} c INDEXED BY {index} "
            f"WHERE {plan.where} ORDER BY c.{column} {direction}, c.rid {direction} LIMIT {WALK_BUDGET}) "
            f"WHERE rid IN (SELECT rowid FROM {table.fts} WHERE {table.fts} MATCH ?) LIMIT {int(n)}"
        )
        return [r[0] for r in conn.exec_driver_sql(sql, (*plan.params, plan.fts_match))]

    def _ids(
        self, conn: Connection, spec: ListSpec, plan: _Plan, *, limit: int | None, few: bool
    ) -> list[int]:
        sql, params = self._ids_sql(spec, plan, limit=limit, few=few)
        return [r[0] for r in conn.exec_driver_sql(sql, params)]
