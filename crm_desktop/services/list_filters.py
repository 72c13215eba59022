"""Field filters of record lists, built from the record specs.

A list page offers a filter for each field the spec says can be filtered:
the owner ("me" or a given user), the account, tags, every choice field
(status, stage, priority, rating, source, ...), yes/no fields (done),
dates and date-times (overdue, today, this week, this month, a custom
range), numbers (a range) and the record type's custom fields (choice and
text equal a value, numbers and dates in a range).  No code per record type:
a new spec field of one of these kinds is filterable as it is.

A :class:`FieldFilter` is plain data (it is kept in the settings, per list)
and becomes SQL here: fixed column names from the spec, every value a bound
parameter, never pasted into the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from crm_desktop.store.name_keys import tag_key
from crm_desktop.store.schema import RECORD_MODELS
from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import RECORD_TYPES, FieldKind, FieldSpec, format_datetime

log = logging.getLogger("crm.lists.filters")

#: The owner filter's value meaning "the signed-in user".
ME = "@me"
#: Prefix of a custom field's filter name (``custom.region``).
CUSTOM_PREFIX = "custom."

_CUSTOM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class FilterKind(StrEnum):
    """What editor a filter needs and which SQL it becomes."""

    OWNER = "owner"
    #: A reference to a record of another type (the account).
    RECORD = "record"
    TAGS = "tags"
    CHOICE = "choice"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    NUMBER = "number"
    TEXT = "text"


class FilterOp(StrEnum):
    #: The field is one of ``values`` ("" stands for "not set": the store keeps
    #: an empty value as NULL, a custom one not at all).
    IS = "is"
    #: The record carries the tag ``values[0]`` (ignoring case).
    HAS_TAG = "has_tag"
    #: ``values`` are (lowest, highest), both included; "" leaves an end open.
    BETWEEN = "between"
    #: ``values[0]`` is one of :class:`Period`, relative to today.
    PERIOD = "period"


class Period(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    NEXT_30_DAYS = "next_30_days"


@dataclass(frozen=True)
class FieldFilter:
    """One filter of a list: ``field`` (a spec field or ``custom.<name>``), ``op`` and its values."""

    field: str
    op: FilterOp
    values: tuple[str, ...]
    #: What the UI shows for values that are ids (an account's name); not used in SQL.
    labels: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op.value, "values": list(self.values), "labels": list(self.labels)}

    @classmethod
    def from_json(cls, raw: Any) -> FieldFilter | None:
        """A filter read back from the settings, or None if it is malformed."""
        if not isinstance(raw, dict):
            return None
        field, op, values = raw.get("field"), raw.get("op"), raw.get("values")
        labels = raw.get("labels") or []
        if not isinstance(field, str) or op not in set(FilterOp) or not isinstance(values, list):
            return None
        if not all(isinstance(v, str) for v in values) or not isinstance(labels, list):
            return None
        return cls(field, FilterOp(op), tuple(values), tuple(str(x) for x in labels))


@dataclass(frozen=True)
class FilterField:
    """A field a list can be filtered by, as the filter editor offers it."""

    name: str
    label: str
    kind: FilterKind
    choices: tuple[str, ...] = ()
    #: RECORD: the record type the field points to.
    ref_type: str | None = None


def filter_fields(
    record_type: str,
    custom: Iterable[CustomFieldDef] = (),
    named_choices: Mapping[str, Sequence[str]] | None = None,
) -> list[FilterField]:
    """The filters a list of ``record_type`` offers, in the spec's field order, custom fields last.

    ``named_choices`` gives, per field whose values name configuration records
    (``FieldSpec.choices_from``: the stage), those records' names
    (``ListService.filter_choices``).
    """
    out: list[FilterField] = []
    for fspec in RECORD_TYPES[record_type].fields:
        field = _filter_field(fspec, (named_choices or {}).get(fspec.name, ()))
        if field is not None:
            out.append(field)
    for definition in custom:
        if not _CUSTOM_NAME_RE.match(definition.name):
            continue
        kind = {"choice": FilterKind.CHOICE, "number": FilterKind.NUMBER, "date": FilterKind.DATE}.get(
            definition.kind, FilterKind.TEXT
        )
        out.append(FilterField(CUSTOM_PREFIX + definition.name, definition.label, kind, definition.choices))
    return out


def _filter_field(fspec: FieldSpec, names: Sequence[str]) -> FilterField | None:
    if fspec.derived_from is not None:
        return None
    kind = fspec.kind
    if kind is FieldKind.REF:
        if fspec.ref_type == "user":
            return FilterField(fspec.name, fspec.label, FilterKind.OWNER)
        if fspec.ref_type == "account":
            return FilterField(fspec.name, fspec.label, FilterKind.RECORD, ref_type="account")
        return None
    if kind is FieldKind.CHOICE:
        return FilterField(fspec.name, fspec.label, FilterKind.CHOICE, fspec.choices)
    if fspec.choices_from is not None:
        # A text field whose values are the names of configuration records (the stage).
        return FilterField(fspec.name, fspec.label, FilterKind.CHOICE, tuple(names))
    simple = {
        FieldKind.TAGS: FilterKind.TAGS,
        FieldKind.BOOL: FilterKind.BOOL,
        FieldKind.DATE: FilterKind.DATE,
        FieldKind.DATETIME: FilterKind.DATETIME,
        FieldKind.INT: FilterKind.NUMBER,
        FieldKind.DECIMAL: FilterKind.NUMBER,
    }
    found = simple.get(kind)
    return None if found is None else FilterField(fspec.name, fspec.label, found)


class FilterError(ValueError):
    """A filter that does not fit its field (unknown field, bad value)."""


def period_days(period: Period, today: date) -> tuple[date | None, date | None]:
    """The days ``period`` covers (half-open: start included, end excluded; None is open)."""
    if period is Period.OVERDUE:
        return None, today
    if period is Period.TODAY:
        return today, today + timedelta(days=1)
    if period is Period.THIS_WEEK:
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    if period is Period.THIS_MONTH:
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following
    return today, today + timedelta(days=31)


def _local_start(day: date, zone: tzinfo | None) -> str:
    start = datetime.combine(day, time(0), tzinfo=zone) if zone else datetime.combine(day, time(0)).astimezone()
    return format_datetime(start)


def filter_sql(
    record_type: str,
    flt: FieldFilter,
    *,
    me: str | None,
    today: date,
    zone: tzinfo | None = None,
    alias: str = "c",
    now: datetime | None = None,
) -> tuple[str, list[Any]]:
    """The SQL condition over ``alias`` for one filter and its parameters.

    Periods count in local days from ``today``; "overdue" on a date-time (a
    case's due time) means before ``now`` (default: the current moment).

    Raises :class:`FilterError` when the filter does not fit the record type.
    """
    spec = RECORD_TYPES[record_type]
    if flt.field.startswith(CUSTOM_PREFIX):
        name = flt.field[len(CUSTOM_PREFIX):]
        if not _CUSTOM_NAME_RE.match(name) or "custom" not in spec.field_map:
            raise FilterError(f"{record_type} has no custom field {name!r}")
        column = f"json_extract({alias}.custom, ?)"
        path = f'$."{name}"'
        return _condition(column, [path], FieldKind.TEXT, flt, me=me, today=today, zone=zone, custom=True, now=now)
    fspec = spec.field_map.get(flt.field)
    if fspec is None or _filter_field(fspec, ()) is None:
        raise FilterError(f"{record_type} cannot be filtered by {flt.field!r}")
    column = f"{alias}.{fspec.name}"
    # The record tables' "tags" column is indexed in record_tags (by the table's name).
    indexed = fspec.name == "tags" and record_type in RECORD_MODELS
    tag_table = RECORD_MODELS[record_type].__tablename__ if indexed else None
    return _condition(column, [], fspec.kind, flt, me=me, today=today, zone=zone, custom=False, now=now,
                      tag_table=tag_table)


def _condition(
    column: str,
    column_params: list[Any],
    kind: FieldKind,
    flt: FieldFilter,
    *,
    me: str | None,
    today: date,
    zone: tzinfo | None,
    custom: bool,
    now: datetime | None,
    tag_table: str | None = None,
) -> tuple[str, list[Any]]:
    def col() -> tuple[str, list[Any]]:
        # A custom value's column is an expression with its own parameter (the JSON path).
        return column, list(column_params)

    values = flt.values
    if flt.op is FilterOp.IS:
        if not values:
            raise FilterError("a filter needs at least one value")
        if kind is FieldKind.BOOL:
            if values[0] not in ("yes", "no"):
                raise FilterError("a yes/no filter takes yes or no")
            expr, params = col()
            return f"{expr} = ?", [*params, 1 if values[0] == "yes" else 0]
        wanted = [me if v == ME else v for v in values]
        if any(v is None for v in wanted):
            # "Me" before the first sign-in: records have no owner yet, so they are all mine.
            wanted = [v for v in wanted if v is not None]
            wanted.append("")
        given = [v for v in wanted if v]
        parts: list[str] = []
        out: list[Any] = []
        if given:
            expr, extra = col()
            marks = ",".join("?" * len(given))
            if custom:
                # Custom text values compare ignoring case (as a user types them).
                parts.append(f"{expr} COLLATE NOCASE IN ({marks})")
            else:
                parts.append(f"{expr} IN ({marks})")
            out.extend([*extra, *given])
        if len(given) < len(wanted):
            # One IS NULL (no "= ''"): an index on the column then serves it in its order.
            expr, extra = col()
            parts.append(f"{expr} IS NULL")
            out.extend(extra)
        return ("(" + " OR ".join(parts) + ")" if len(parts) > 1 else parts[0]), out
    if flt.op is FilterOp.HAS_TAG:
        if kind is not FieldKind.TAGS or len(values) != 1 or not values[0].strip():
            raise FilterError("a tag filter takes one tag")
        tag = values[0].strip()
        if tag_table is not None:
            # The tag index (record_tags, kept by triggers; migration 0015).
            return f"{column.rsplit('.', 1)[0]}.rid IN (SELECT rid FROM record_tags WHERE tbl = ? AND tag = ?)", [
                tag_table, tag_key(tag)]
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) t WHERE t.value = ? COLLATE NOCASE)"
        if tag.isascii():
            # A cheap necessary condition first (no JSON parsed for most rows): an ASCII
            # tag is in the stored JSON text as it is, ignoring case.
            return f"{column} IS NOT NULL AND instr(lower({column}), ?) > 0 AND {sql}", [tag.lower(), tag]
        return f"{column} IS NOT NULL AND {sql}", [tag]
    if flt.op is FilterOp.PERIOD:
        if len(values) != 1 or values[0] not in set(Period):
            raise FilterError("unknown period")
        start_day, end_day = period_days(Period(values[0]), today)
        if kind is FieldKind.DATETIME:
            low = None if start_day is None else _local_start(start_day, zone)
            high = None if end_day is None else _local_start(end_day, zone)
            if flt.values[0] == Period.OVERDUE:
                high = format_datetime(now or datetime.now(UTC))
        elif kind is FieldKind.DATE or custom:
            low = None if start_day is None else start_day.isoformat()
            high = None if end_day is None else end_day.isoformat()
        else:
            raise FilterError("a period filters dates only")
        return _range(col, low, high, high_open=True)
    if flt.op is FilterOp.BETWEEN:
        if len(values) != 2 or not any(values):
            raise FilterError("a range takes a lowest and a highest value")
        low, high = (v.strip() or None for v in values)
        if kind in (FieldKind.INT, FieldKind.DECIMAL) or (custom and _numeric(low, high)):
            return _range(col, _number(low), _number(high), numeric=True)
        if kind is FieldKind.DATETIME:
            # Whole local days: "to" includes its day.
            first = None if low is None else _local_start(_day(low), zone)
            last = None if high is None else _local_start(_day(high) + timedelta(days=1), zone)
            return _range(col, first, last, high_open=True)
        if kind is FieldKind.DATE or custom:
            first_day = None if low is None else _day(low).isoformat()
            last_day = None if high is None else _day(high).isoformat()
            return _range(col, first_day, last_day)
        raise FilterError("this field has no range")
    raise FilterError(f"unknown filter {flt.op!r}")


def _numeric(*texts: str | None) -> bool:
    try:
        for text in texts:
            if text is not None:
                float(text)
    except ValueError:
        return False
    return True


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise FilterError(f"{text!r} is not a number") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _range(
    col: Any, low: Any, high: Any, *, high_open: bool = False, numeric: bool = False
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for bound, op in ((low, ">="), (high, "<" if high_open else "<=")):
        if bound is None:
            continue
        expr, extra = col()
        if numeric:
            # Decimals are stored as their exact text: compare as numbers.
            expr = f"CAST({expr} AS REAL)"
        parts.append(f"{expr} {op} ?")
        params.extend([*extra, bound])
    if not parts:
        raise FilterError("a range needs a lowest or a highest value")
    if numeric:
        # An empty value is no number (CAST would make it 0).
        expr, extra = col()
        parts.append(f"{expr} <> ''")
        params.extend(extra)
    return " AND ".join(parts), params


def filters_sql(
    record_type: str,
    filters: Sequence[FieldFilter],
    *,
    me: str | None,
    today: date | None = None,
    zone: tzinfo | None = None,
) -> tuple[list[str], list[Any]]:
    """Conditions (to AND together) and their parameters for every filter of a list."""
    day = today or datetime.now().astimezone(zone).date()
    where: list[str] = []
    params: list[Any] = []
    for flt in filters:
        sql, extra = filter_sql(record_type, flt, me=me, today=day, zone=zone)
        where.append(sql)
        params.extend(extra)
    return where, params


def valid_filters(record_type: str, filters: Iterable[FieldFilter]) -> tuple[FieldFilter, ...]:
    """The filters that fit ``record_type`` (a filter kept in the settings may name a
    field a newer version dropped): the others are left out, with a log line."""
    out: list[FieldFilter] = []
    for flt in filters:
        try:
            filter_sql(record_type, flt, me=None, today=date.today())
        except FilterError as exc:
            log.warning("dropping a saved %s filter on %s: %s", record_type, flt.field, exc)
            continue
        out.append(flt)
    return tuple(out)
