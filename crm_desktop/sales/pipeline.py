"""The pipeline board: opportunities by stage, column totals, moving a card.

Stages come from the synced ``pipeline_stages`` (ordered by position).  Each
column is queried on its own with a limit (the board shows the first cards of
every column and loads more on request), so a pipeline of many thousands of
opportunities stays quick.  Totals are per currency: amounts in different
currencies are never added together.  Amounts are summed as integer cents in
SQL (the column holds exact decimal text), so totals are exact.  Next to each
plain total is the *weighted* one: the sum of amount x probability (the
expected value of the column), per currency too, exact to the cent.
Moving a card is an ordinary edit through :class:`RecordService` (queued for
sync, kept in the history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, and_, cast, func, not_, or_, select

from crm_desktop.errors import KnownError
from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.schema import Account, Opportunity, PipelineStage, User

Opportunity_t = Opportunity.__table__
Opportunity_ = Opportunity_t.c
PipelineStage_t = PipelineStage.__table__
PipelineStage_ = PipelineStage_t.c
Account_t = Account.__table__
Account_ = Account_t.c

#: Cards fetched per column at first and per "show more".
COLUMN_PAGE = 50
#: The column of opportunities whose stage is not (or no longer) a pipeline stage.
OTHER_STAGE = ""


@dataclass(frozen=True)
class Stage:
    name: str
    position: int
    probability: int | None
    #: open / won / lost
    outcome: str


@dataclass(frozen=True)
class BoardFilter:
    owner_id: str | None = None
    #: Only opportunities expected to close in this range (inclusive; either end open).
    close_from: date | None = None
    close_to: date | None = None
    #: Only opportunities with no owner (when ``owner_id`` is None).
    unowned: bool = False


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    account: str
    amount: Decimal | None
    currency: str
    close_date: str
    owner: str
    stage: str
    dirty: bool


@dataclass(frozen=True)
class ColumnTotals:
    count: int
    #: currency -> total (an empty currency key for amounts without one)
    amounts: dict[str, Decimal]
    #: currency -> sum of amount x probability (an opportunity without a
    #: probability counts 0)
    weighted: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnPage:
    stage: str
    totals: ColumnTotals
    cards: list[Card]


def _filters(flt: BoardFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Opportunity_.deleted.is_(False)]
    if flt.owner_id:
        where.append(Opportunity_.owner_id == flt.owner_id)
    elif flt.unowned:
        where.append(Opportunity_.owner_id.is_(None))
    if flt.close_from is not None:
        where.append(Opportunity_.close_date >= flt.close_from.isoformat())
    if flt.close_to is not None:
        where.append(Opportunity_.close_date <= flt.close_to.isoformat())
    return where


def cents(column: Any) -> Any:
    """The exact amount in integer cents (the column holds text like ``1234.50``)."""
    return cast(func.round(cast(column, Float) * 100), Integer)


def weighted_cents(amount: Any, probability: Any) -> Any:
    """amount x probability in cent-percents (integers, exact): the weighted amount x 10,000."""
    return cents(amount) * func.coalesce(probability, 0)


def _sum_totals(rows: list[Any]) -> tuple[ColumnTotals, int]:
    """(currency, count, dated count, cents, weighted cent-percents) rows -> the totals and how
    many have a close date."""
    count = dated = 0
    cents_by_currency: dict[str, int] = {}
    weighted_by_currency: dict[str, int] = {}
    for currency, n, with_date, total, weighted in rows:
        count += int(n)
        dated += int(with_date)
        if total is not None:
            key = currency or ""
            cents_by_currency[key] = cents_by_currency.get(key, 0) + int(total)
            weighted_by_currency[key] = weighted_by_currency.get(key, 0) + int(weighted or 0)
    cent = Decimal("0.01")
    amounts = {c: (Decimal(v) / 100).quantize(cent) for c, v in cents_by_currency.items()}
    weighted_amounts = {c: (Decimal(v) / 10_000).quantize(cent, rounding=ROUND_HALF_UP)
                        for c, v in weighted_by_currency.items()}
    return ColumnTotals(count, amounts, weighted_amounts), dated


class PipelineService:
    def __init__(self, db: Database, records: RecordService) -> None:
        self._db = db
        self._records = records

    def stages(self) -> list[Stage]:
        with self._db.session() as session:
            rows = session.execute(
                select(PipelineStage_.name, PipelineStage_.position, PipelineStage_.probability,
                       PipelineStage_.outcome)
                .where(PipelineStage_.deleted.is_(False))
                .order_by(PipelineStage_.position, PipelineStage_.sort_key)
            ).all()
        seen: set[str] = set()
        stages = []
        for name, position, probability, outcome in rows:
            if not name or name in seen:
                continue
            seen.add(name)
            stages.append(Stage(name, int(position or 0), probability, outcome or "open"))
        return stages

    def _closed_stages(self) -> set[str]:
        return {s.name for s in self.stages() if s.outcome != "open"}

    def _stage_condition(self, stage: str, names: list[str]) -> ColumnElement[bool]:
        if stage == OTHER_STAGE:
            return or_(Opportunity_.stage.is_(None), not_(Opportunity_.stage.in_(names)))
        return Opportunity_.stage == stage

    def column(self, stage: str, flt: BoardFilter, offset: int = 0, limit: int = COLUMN_PAGE,
               stage_names: list[str] | None = None) -> ColumnPage:
        """One column: its totals and the cards ``offset``..``offset+limit`` (by close date; closed
        stages latest first)."""
        names = stage_names if stage_names is not None else [s.name for s in self.stages()]
        where = [*_filters(flt), self._stage_condition(stage, names)]
        closed = self._closed_stages()
        with self._db.session() as session:
            totals, dated = self._totals(session, where)
            cards = self._page(session, where, dated, offset, limit, stage in closed)
        return ColumnPage(stage, totals, cards)

    def totals(self, stage: str, flt: BoardFilter, stage_names: list[str]) -> ColumnTotals:
        """Only the totals of one column (the dashboard)."""
        with self._db.session() as session:
            return self._totals(session, [*_filters(flt), self._stage_condition(stage, stage_names)])[0]

    def board(self, flt: BoardFilter, limit: int = COLUMN_PAGE) -> tuple[list[Stage], list[ColumnPage]]:
        """Every stage with its first cards, plus a trailing "other" column when it has any."""
        stages = self.stages()
        names = [s.name for s in stages]
        # Closed columns show the latest closed first; open ones the soonest to close.
        closed = {s.name for s in stages if s.outcome != "open"}
        where = _filters(flt)
        with self._db.session() as session:
            # Every column's totals in one scan of the covering index.
            grouped = session.execute(
                select(Opportunity_.stage, Opportunity_.currency, func.count(), func.count(Opportunity_.close_date),
                       func.sum(cents(Opportunity_.amount)),
                       func.sum(weighted_cents(Opportunity_.amount, Opportunity_.probability)))
                .where(*where).group_by(Opportunity_.stage, Opportunity_.currency)
            ).all()
            per_stage: dict[str, list[Any]] = {}
            for stage, currency, n, with_date, total, weighted in grouped:
                key = stage if stage in names else OTHER_STAGE
                per_stage.setdefault(key, []).append((currency, n, with_date, total, weighted))
            columns = []
            for name in [*names, OTHER_STAGE]:
                totals, dated = _sum_totals(per_stage.get(name, []))
                if name == OTHER_STAGE and not totals.count:
                    continue
                cards = self._page(session, [*where, self._stage_condition(name, names)], dated, 0, limit,
                                   name in closed) if totals.count else []
                columns.append(ColumnPage(name, totals, cards))
        return stages, columns

    def _page(self, session: Any, where: list[ColumnElement[bool]], dated: int, offset: int,
              limit: int, latest_first: bool = False) -> list[Card]:
        # Soonest close first, undated last.  Two queries rather than one
        # ORDER BY over an expression, so each walks the (stage, close_date,
        # rid) index and stops after ``limit`` rows instead of sorting the stage.
        rows: list[Any] = []
        if offset < dated:
            rows = self._cards(session, [*where, Opportunity_.close_date.is_not(None)], offset, limit,
                               latest_first)
        if len(rows) < limit and offset + len(rows) >= dated:
            rows += self._cards(session, [*where, Opportunity_.close_date.is_(None)], max(0, offset - dated),
                                limit - len(rows), latest_first)
        return [
            Card(r[0], r[1] or "", r[2] or "", Decimal(r[3]) if r[3] else None, r[4] or "", r[5] or "",
                 r[6] or "", r[7] or "", bool(r[8]))
            for r in rows
        ]

    @staticmethod
    def _cards(session: Any, where: list[ColumnElement[bool]], offset: int, limit: int,
               latest_first: bool) -> list[Any]:
        order = (Opportunity_.close_date.desc(), Opportunity_.rid.desc()) if latest_first \
            else (Opportunity_.close_date, Opportunity_.rid)
        return list(session.execute(
            select(Opportunity_.id, Opportunity_.name, Account_.name, Opportunity_.amount, Opportunity_.currency,
                   Opportunity_.close_date, User.name, Opportunity_.stage, Opportunity_.dirty)
            .outerjoin(Account, and_(Account_.id == Opportunity_.account_id, Account_.deleted.is_(False)))
            .outerjoin(User, User.id == Opportunity_.owner_id)
            .where(*where)
            .order_by(*order)
            .offset(offset).limit(limit)
        ).all())

    @staticmethod
    def _totals(session: Any, where: list[ColumnElement[bool]]) -> tuple[ColumnTotals, int]:
        """The column's totals, and how many of its opportunities have a close date."""
        rows = session.execute(
            select(Opportunity_.currency, func.count(), func.count(Opportunity_.close_date),
                   func.sum(cents(Opportunity_.amount)),
                   func.sum(weighted_cents(Opportunity_.amount, Opportunity_.probability)))
            .where(*where).group_by(Opportunity_.currency)
        ).all()
        return _sum_totals(rows)

    def move(self, opportunity_id: str, stage: str, reason: str | None = None, *,
             now: date | None = None) -> dict[str, Any]:
        """Put an opportunity in ``stage``: status and probability follow the stage.

        Won and lost stages need a reason (kept in ``close_reason``).  Returns
        the fields written.
        """
        stages = {s.name: s for s in self.stages()}
        target = stages.get(stage)
        if target is None:
            raise KnownError(f"The stage “{stage}” no longer exists. The board was refreshed.")
        # Probability and status follow the stage by the sales rules (crm_desktop.sales.rules).
        fields: dict[str, Any] = {"stage": stage}
        if target.outcome in ("won", "lost"):
            if not (reason or "").strip():
                raise KnownError("Say why the opportunity was won or lost.")
            fields["close_reason"] = reason.strip() if reason else None
            # The close date of a closed deal is the day it closed (won-this-month counts by it).
            current = self._records.get("opportunity", opportunity_id).data.get("close_date")
            today = (now or date.today()).isoformat()
            if not current or current > today:
                fields["close_date"] = today
        else:
            fields["close_reason"] = None
        self._records.update("opportunity", opportunity_id, fields)
        return fields

    def owners(self) -> list[tuple[str, str]]:
        """(id, name) of users who own at least one opportunity, plus every known user."""
        with self._db.session() as session:
            return [(u.id, u.name) for u in session.execute(select(User).order_by(User.name)).scalars()]
