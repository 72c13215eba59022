"""A pulled page, checked and turned into rows before the database thread applies it.

The engine prepares page N+1 in its fetching thread while the database thread
applies page N (``sync/engine.py``).  Preparing is pure Python under the
interpreter lock, so in a first sync its cost per record sets the pace:

* :func:`prepare_pull_page` takes the records as the wire schema parsed them
  (:class:`crm_protocol.wire.PullResponse`, one pydantic object per record) and
  checks and builds them one by one;
* :func:`prepare_pull_body` takes the page's JSON itself (either layout: the
  server sends the records by type and field when asked, ``layout=columns``)
  and handles each record type's records column by column: every field of the whole page is
  checked by a few loops that run in C (``set(map(type, ...))``,
  ``max(map(len, ...))``, one regular expression over all timestamps), and the
  per-record objects are made only for the few records that need them (a
  record with a local change to merge, one that overwrites a local row).  It
  checks exactly what the wire schema and :func:`check_wire_data` check, and
  declines (returns ``None``) whatever is not in the usual shape, so the caller
  parses that page with the schema, which names what is wrong.  A first sync
  of 100,000 contacts spends half the time preparing this way
  (``bench/README.md``); ``tests/sync/test_pulled.py`` holds it to giving
  exactly what the schema path gives.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter, methodcaller
from typing import Any

import orjson
from pydantic import ValidationError

from crm_desktop.store.pull_stage import PageStager
from crm_desktop.store.schema import FTS_TABLES, sort_key_function
from crm_desktop.store.search_index import (
    person_name_column,
    staged_columns_function,
    staged_positions,
    staged_values_function,
)
from crm_protocol.records import (
    PERSON_NAME_FIELDS,
    RECORD_TYPES,
    FieldKind,
    check_wire_columns,
    check_wire_data,
    check_wire_field_columns,
    person_name,
)
from crm_protocol.wire import PullResponse, RecordColumns, RecordState, record_state_at
from sync.errors import BadResponse

Item = tuple[RecordState, dict[str, Any]]


def _stamp(value: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime type reads back (``%Y-%m-%d %H:%M:%S.%f``, UTC)."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is several times faster than strftime, and this runs per pulled
    # record; cutting off the "+00:00" is cheaper than replace(tzinfo=None).
    return value.isoformat(" ", "microseconds")[:26]


@dataclass(frozen=True)
class TypeBatch:
    """The records of one type in a pulled page, in page order (a record may come twice)."""

    ids: list[str]
    deleted: list[bool]
    #: The record at a position with its checked data (:func:`check_wire_data`);
    #: :func:`prepare_pull_body` makes it only when asked.
    item: Callable[[int], Item]


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page checked and turned into rows, ready for :meth:`sync.replica.Replica.apply_pull_page`."""

    #: per record type, in order of first appearance
    batches: dict[str, TypeBatch]
    #: (type, id, the record it was merged into) of the page's tombstones of merged records, in page order
    merged: list[tuple[str, str, str]]
    #: per record type: record id -> the row :func:`crm_desktop.store.pull_stage.staged_columns`
    #: describes (live records: a record twice in one page keeps its later revision, as the
    #: apply does, and one deleted by its later revision has none), with the search-index
    #: values SQLite cannot compute alone (:func:`staged_values_function`)
    #: last, made here so that the database thread runs no Python for them
    rows: dict[str, dict[str, tuple[Any, ...]]]
    #: how many records the page holds
    count: int
    #: the stage slot holding ``rows`` already (:class:`PageStager`), if they were staged
    slot: int | None = None

    def live_ids(self) -> dict[str, set[str]]:
        """Per record type, the ids of the page's records that came not deleted."""
        return {
            record_type: {record_id for record_id, gone in zip(batch.ids, batch.deleted, strict=True) if not gone}
            for record_type, batch in self.batches.items()
        }


def prepare_pull_page(records: Sequence[RecordState], stager: PageStager | None = None) -> PreparedPage:
    """Check a pulled page and build its rows: pure Python, no database of the app's.

    With a ``stager`` the rows are also written to the stage file here
    (``crm_desktop/store/pull_stage.py`` explains why).  Raises
    :class:`BadResponse` when any record does not fit the store: then nothing
    of the page is applied.
    """
    items: dict[str, list[Item]] = {}
    rows: dict[str, dict[str, tuple[Any, ...]]] = {}
    merged: list[tuple[str, str, str]] = []
    for record in records:
        try:
            data = check_wire_data(record.type, record.data)
        except ValueError as exc:
            raise BadResponse(
                "The server sent data this app cannot store; nothing from it was applied.",
                detail=str(exc),
            ) from exc
        items.setdefault(record.type, []).append((record, data))
        if not record.deleted:
            builder = _row_builder(record.type)
            rows.setdefault(record.type, {})[record.id] = builder(record, data)
        else:
            if record.type in rows:
                rows[record.type].pop(record.id, None)
            if record.merged_into:
                merged.append((record.type, record.id, record.merged_into))
    batches = {
        record_type: TypeBatch([r.id for r, _ in pairs], [r.deleted for r, _ in pairs], pairs.__getitem__)
        for record_type, pairs in items.items()
    }
    slot = stager.stage(rows) if stager is not None else None
    return PreparedPage(batches, merged, rows, len(records), slot)


@functools.cache
def _row_builder(record_type: str) -> Callable[[RecordState, dict[str, Any]], tuple[Any, ...]]:
    """A function making the staged row of a record (``pull_stage.staged_columns``): tuples, not ORM
    objects or Core parameter dicts, which cost more than SQLite's own work."""
    fields = RECORD_TYPES[record_type].field_names
    # List-valued fields (tags) go in as the JSON text SQLAlchemy's JSON type reads back.
    json_fields = _json_fields(record_type)
    values_of: Callable[[dict[str, Any]], tuple[Any, ...]] = (
        itemgetter(*fields) if len(fields) > 1 else lambda data: (data[fields[0]],)
    )
    sort_key = sort_key_function(record_type)
    index_values: Callable[[dict[str, Any]], tuple[str, ...]] = (
        staged_values_function(record_type) if record_type in FTS_TABLES else lambda data: ()
    )

    def build(record: RecordState, data: dict[str, Any]) -> tuple[Any, ...]:
        indexed = index_values(data)
        if json_fields:
            data = {**data, **{f: _json_text(data[f]) for f in json_fields if data[f] is not None}}
        return (*values_of(data), record.id, record.rev, sort_key(data), _stamp(record.updated_at), *indexed)

    return build


@functools.cache
def _field_positions(record_type: str) -> dict[str, int]:
    return {name: i for i, name in enumerate(RECORD_TYPES[record_type].field_names)}


@functools.cache
def _json_fields(record_type: str) -> tuple[str, ...]:
    return tuple(
        f.name for f in RECORD_TYPES[record_type].fields if f.kind in (FieldKind.TAGS, FieldKind.CUSTOM)
    )


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- the page's JSON, column by column -------------------------------------------

_RECORD_KEYS = frozenset(RecordState.model_fields)
_REQUIRED_KEYS = frozenset(name for name, f in RecordState.model_fields.items() if f.is_required())
_NONE_TYPE = type(None)
#: Joins a page's timestamps (or stamps) for one regular expression over all of
#: them; a character none of them may hold, so no value can pass split in two.
_SEP = "\n"
#: ``updated_at`` as the server writes it (``crm_cloud``: UTC, microseconds,
#: left out when 0): the only form taken here; any other goes through the schema.
_UPDATED_AT_RE = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?Z\n)*")
#: The wire schema's ``Stamp`` (``crm_protocol.hlc.STAMP_RE``, ASCII digits only), one per line.
_STAMPS_RE = re.compile(r"(?:[0-9]{13}-[0-9a-f]{4}-[0-9a-z]{1,16}\n)*")
#: The wire schema's limit on stamps per record (``crm_protocol.wire.Stamps``).
_MAX_STAMPS = 256
_get_deleted = methodcaller("get", "deleted", False)
_get_updated_by = methodcaller("get", "updated_by")
_get_merged_into = methodcaller("get", "merged_into")
_get_stamps = methodcaller("get", "stamps", {})


def _all_match(pattern: re.Pattern[str], values: Sequence[str]) -> bool:
    """Every one of ``values`` (all str) matches ``pattern``'s line, and none holds a line break."""
    if not values:
        return True
    joined = _SEP.join(values) + _SEP
    return joined.count(_SEP) == len(values) and pattern.fullmatch(joined) is not None


_COLUMNS_KEYS = frozenset(RecordColumns.model_fields)
_REQUIRED_COLUMNS_KEYS = frozenset(name for name, f in RecordColumns.model_fields.items() if f.is_required())


def prepare_pull_body(body: bytes, stager: PageStager | None = None) -> tuple[PullResponse, PreparedPage] | None:
    """A pulled page's JSON checked and turned into rows column by column (see the module's text).

    Takes either layout of a page: records one object each (``records``) or
    by type and field (``columns``, :class:`crm_protocol.wire.RecordColumns`).
    Returns the page without its records (``records`` and ``columns`` are
    empty: they are in the :class:`PreparedPage`) and the prepared page, or
    ``None`` when the page is not in the usual shape: then parse it with
    :class:`PullResponse` and use :func:`prepare_pull_page` on
    :meth:`PullResponse.all_records`, which accept or refuse it with the reason.
    """
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(document) is not dict or type(document.get("records")) is not list:
        return None
    records: list[Any] = document["records"]
    by_columns: Any = document.get("columns", [])
    if type(by_columns) is not list or (records and by_columns):
        return None
    try:
        header = PullResponse.model_validate({**document, "records": [], "columns": []})
    except ValidationError:
        return None
    groups = _columns_of_records(records) if records else _columns_of_types(by_columns)
    if groups is None:
        return None
    if not groups:
        return header, PreparedPage({}, [], {}, 0)
    batches: dict[str, TypeBatch] = {}
    rows: dict[str, dict[str, tuple[Any, ...]]] = {}
    merged: list[tuple[str, str, str]] = []
    for record_type, columns in groups.items():
        prepared = _prepare_type(record_type, columns)
        if prepared is None:
            return None
        batches[record_type], type_rows, type_merged = prepared
        if type_rows:
            rows[record_type] = type_rows
        merged += type_merged
    if not records:
        # By columns the page's order is the revisions' order, as the server
        # sends them: each type's rising, no two the same.  Anything else is
        # left to the schema path (which sorts by revision).
        revs = [columns.revs for columns in groups.values()]
        if any(values != sorted(values) for values in revs) or len(set().union(*revs)) != sum(map(len, revs)):
            return None
        if len(groups) > 1:
            # Types in order of their first record, as the records come in page order.
            batches = dict(sorted(batches.items(), key=lambda item: groups[item[0]].revs[0]))
    if len(groups) > 1 and merged:
        # Page order across types (the merged tombstones' re-pointing follows it):
        # the records' positions in ``records``, or their revisions (commit order)
        # in ``columns``.  By type and id: two types may hold the same id.
        order = {
            (record_type, record_id): place
            for record_type, columns in groups.items()
            for record_id, place in zip(columns.ids, columns.order, strict=True)
        }
        merged.sort(key=lambda entry: order[entry[0], entry[1]])
    slot = stager.stage(rows) if stager is not None else None
    count = sum(len(columns.ids) for columns in groups.values())
    return header, PreparedPage(batches, merged, rows, count, slot)


@dataclass(frozen=True)
class _TypeColumns:
    """One record type's records of a page, field by field, not checked yet."""

    ids: list[Any]
    revs: list[Any]
    deleted: list[Any]
    updated_at: list[Any]
    updated_by: list[Any]
    merged_into: list[Any]
    stamps: list[Any]
    #: the record data's fields checked already (:func:`check_wire_columns`), in spec order
    fields: list[list[Any]]
    #: the page order of each record (its position, or its revision)
    order: Sequence[int]
    #: the record at a position as the schema takes it (a :class:`RecordState` dict)
    record: Callable[[int], dict[str, Any]]


def _columns_of_records(records: list[Any]) -> dict[str, _TypeColumns] | None:
    """``records`` (layout ``records``) by type and field, or ``None`` (declined)."""
    if set(map(type, records)) != {dict}:
        return None
    for keys in set(map(frozenset, records)):
        if not _REQUIRED_KEYS <= keys <= _RECORD_KEYS:
            return None
    types = list(map(itemgetter("type"), records))  # a required key, present in every record
    if set(map(type, types)) != {str}:
        return None
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    if len(set(types)) == 1:
        groups[types[0]] = list(enumerate(records))
    else:
        for position, (record_type, record) in enumerate(zip(types, records, strict=True)):
            groups.setdefault(record_type, []).append((position, record))
    out: dict[str, _TypeColumns] = {}
    for record_type, placed in groups.items():
        group = [record for _position, record in placed]
        datas = list(map(itemgetter("data"), group))
        if set(map(type, datas)) != {dict}:
            return None
        fields = check_wire_columns(record_type, datas)
        if fields is None:
            return None
        out[record_type] = _TypeColumns(
            ids=list(map(itemgetter("id"), group)), revs=list(map(itemgetter("rev"), group)),
            deleted=list(map(_get_deleted, group)), updated_at=list(map(itemgetter("updated_at"), group)),
            updated_by=list(map(_get_updated_by, group)), merged_into=list(map(_get_merged_into, group)),
            stamps=list(map(_get_stamps, group)), fields=fields,
            order=[position for position, _record in placed], record=group.__getitem__,
        )
    return out


def _columns_of_types(by_columns: list[Any]) -> dict[str, _TypeColumns] | None:
    """``columns`` (layout ``columns``) checked for shape, or ``None`` (declined)."""
    out: dict[str, _TypeColumns] = {}
    for entry in by_columns:
        if type(entry) is not dict or not _REQUIRED_COLUMNS_KEYS <= entry.keys() <= _COLUMNS_KEYS:
            return None
        record_type, ids, data = entry["type"], entry["id"], entry["data"]
        if type(record_type) is not str or record_type in out or type(ids) is not list or type(data) is not dict:
            return None
        count = len(ids)
        lists: dict[str, Any] = {key: entry[key] for key in ("rev", "deleted", "updated_at", "updated_by")}
        # Left out (or null) when no record of the page has one.
        merged_into, stamps = entry.get("merged_into"), entry.get("stamps")
        lists["merged_into"] = [None] * count if merged_into is None else merged_into
        lists["stamps"] = [{}] * count if stamps is None else stamps
        if any(type(values) is not list or len(values) != count for values in lists.values()):
            return None
        fields = check_wire_field_columns(record_type, data, count)
        if fields is None:
            return None
        out[record_type] = _TypeColumns(
            ids=ids, revs=lists["rev"], deleted=lists["deleted"], updated_at=lists["updated_at"],
            updated_by=lists["updated_by"], merged_into=lists["merged_into"], stamps=lists["stamps"],
            fields=fields, order=lists["rev"], record=functools.partial(record_state_at, entry),
        )
    return out


def _prepare_type(
    record_type: str, columns: _TypeColumns
) -> tuple[TypeBatch, dict[str, tuple[Any, ...]], list[tuple[str, str, str]]] | None:
    """The batch, live rows and merged tombstones of one type's records, or ``None`` (declined)."""
    if record_type not in RECORD_TYPES:
        return None
    ids = columns.ids
    if set(map(type, ids)) != {str} or set(map(len, ids)) != {36} or len(set(ids)) != len(ids):
        # A record twice in a page (possible, rare) goes through the schema path.
        return None
    revs = columns.revs
    if set(map(type, revs)) != {int} or min(revs) < 1:
        return None
    deleted = columns.deleted
    if not set(map(type, deleted)) <= {bool}:
        return None
    updated_at = columns.updated_at
    if set(map(type, updated_at)) != {str} or not _all_match(_UPDATED_AT_RE, updated_at):
        return None
    try:
        # The pattern leaves out impossible dates and times (February 30th, hour 25).
        for text in set(updated_at):
            datetime.fromisoformat(text)
    except ValueError:
        return None
    if not set(map(type, columns.updated_by)) <= {str, _NONE_TYPE}:
        return None
    merged_into = columns.merged_into
    kinds = set(map(type, merged_into))
    if not kinds <= {str, _NONE_TYPE} or (str in kinds and {len(m) for m in merged_into if m is not None} != {36}):
        return None
    stamps = columns.stamps
    if set(map(type, stamps)) != {dict} or max(map(len, stamps)) > _MAX_STAMPS:
        return None
    if any(stamps):
        keys = [key for entry in stamps for key in entry]
        values = [value for entry in stamps for value in entry.values()]
        if not set(map(type, keys)) <= {str} or not set(map(type, values)) <= {str}:
            return None
        if not _all_match(_STAMPS_RE, values):
            return None
    fields = columns.fields

    def item(position: int) -> Item:
        # Checked already: the schema and check_wire_data accept it (the
        # fast path only takes what they take), so this cannot fail.
        record = RecordState.model_validate(columns.record(position))
        return record, check_wire_data(record_type, record.data)

    batch = TypeBatch(ids, deleted, item)
    merged = [
        (record_type, record_id, target)
        for record_id, gone, target in zip(ids, deleted, merged_into, strict=True)
        if gone and target
    ]
    live = [i for i, gone in enumerate(deleted) if not gone]
    if not live:
        return batch, {}, merged
    if len(live) != len(ids):
        pick = itemgetter(*live) if len(live) > 1 else (lambda values: (values[live[0]],))
        fields = [list(pick(values)) for values in fields]
        ids, revs, updated_at = (list(pick(values)) for values in (ids, revs, updated_at))
    spec = RECORD_TYPES[record_type]
    positions = _field_positions(record_type)

    def column(name: str) -> Sequence[Any]:
        return fields[positions[name]]

    staged: list[list[str]] = staged_columns_function(record_type)(column) if record_type in FTS_TABLES else []
    if spec.title_fields == PERSON_NAME_FIELDS and not spec.title_fallback:
        # The title is the person's name, which the search index holds already.
        named = person_name_column(record_type) if staged else None
        names = (
            staged[staged_positions(record_type).index(named)] if named is not None
            else map(person_name, column("first_name"), column("last_name"))
        )
        sort_keys = [name.casefold() for name in names]
    else:
        function = sort_key_function(record_type)
        titled = tuple(dict.fromkeys((*spec.title_fields, *spec.title_fallback)))
        sort_keys = [
            function(dict(zip(titled, values, strict=True)))
            for values in zip(*map(column, titled), strict=True)
        ]
    for name in _json_fields(record_type):
        fields[positions[name]] = [None if value is None else _json_text(value) for value in column(name)]
    # "2026-12-06T07:15:29.598087Z" -> "2026-12-06 07:15:29.598087", as _stamp gives.
    stamp_texts = [
        text[:10] + " " + (text[11:26] if len(text) == 27 else text[11:19] + ".000000") for text in updated_at
    ]
    built = zip(*fields, ids, revs, sort_keys, stamp_texts, *staged, strict=True)
    return batch, dict(zip(ids, built, strict=True)), merged
