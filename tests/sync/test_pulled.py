"""A pulled page prepared column by column from its JSON (``prepare_pull_body``)
gives exactly what the wire schema and ``prepare_pull_page`` give, and declines
every page they would refuse or that is not in the usual shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_protocol.records import RECORD_TYPES, FieldKind
from crm_protocol.wire import PullResponse
from sync.errors import BadResponse
from sync.pulled import PreparedPage, prepare_pull_body, prepare_pull_page

ENVELOPE: dict[str, Any] = {
    "revoked": [], "cursor": 40, "has_more": True, "server_cursor": 90,
    "server_time": "2026-12-06T07:15:29.598087Z", "hlc": "1796531022595-0000-s",
}
TYPES = ["contact", "account", "lead", "opportunity", "activity", "case"]
#: Text that the search index and the person-name rules treat specially.
HOSTILE = ["张", "伟", "Zoë", "ÅSA", "O'Brien", "  spaced  ", "", "e\u0301", "\U0001f600", "a\x00b", "x" * 130]


TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def usual_value(f: Any) -> st.SearchStrategy[Any]:
    return {
        FieldKind.BOOL: st.booleans(), FieldKind.INT: st.integers(-5, 5),
        FieldKind.DECIMAL: st.sampled_from(["12.50", 3, 2.5]),
        FieldKind.TAGS: st.lists(st.sampled_from(["vip", "Key", "张"]), max_size=2),
        FieldKind.CUSTOM: st.dictionaries(st.sampled_from(["size", "tier"]), st.sampled_from(["L", "gold"]),
                                          max_size=2),
    }.get(f.kind, st.one_of(
        st.sampled_from([t for t in HOSTILE[:7] if len(t) <= f.max_length]),
        st.text(TEXT_CHARACTERS, max_size=min(6, f.max_length)),
    ))


ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(HOSTILE), st.integers(-(2**63), 2**63 - 1), st.booleans(), st.floats(allow_nan=False),
    st.just([1]), st.just({}),
)

def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good``, and ``bad`` one time in sixty (a page of several records is often broken somewhere).

    Chance is drawn as one interior value of a range: hypothesis favours the ends of ranges."""
    return st.integers(0, 59).flatmap(lambda n: bad if n == 37 else good)


TIMES = mostly(
    st.sampled_from(["2026-12-06T07:15:29.598087Z", "2026-01-01T00:00:00Z", "2026-03-04T05:06:07.000001Z"]),
    st.one_of(
        st.sampled_from(["2026-02-30T00:00:00.000000Z", "2026-12-06T07:15:29.598087+00:00", "2026-12-06 07:15:29Z",
                         "2026-12-06T07:15:29.5Z", "2026-12-06T25:00:00.000000Z", "1796531022", "x", ""]),
        st.integers(0, 2_000_000_000),
    ),
)
STAMPS = mostly(
    st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(["*", "first_name", "city"]),
                        st.sampled_from(["1796531022595-0000-s", "1796531022595-00a0-client1"]), max_size=3),
    ),
    st.one_of(
        st.dictionaries(st.sampled_from(["*", "city"]),
                        st.sampled_from(["1796531022595-0000-S", "179653102259-0000-s", "1796531022595-0000-s\n",
                                         "1796531022595-0000-s\n1796531022595-0000-s", "x" * 41]),
                        min_size=1, max_size=2),
        st.just(None), st.just([]),
    ),
)


@st.composite
def record(draw: st.DrawFn, ids: list[str]) -> dict[str, Any]:
    record_type = draw(mostly(st.sampled_from(TYPES), st.sampled_from(["nope", "", 5])))
    spec = RECORD_TYPES.get(record_type) if isinstance(record_type, str) else None
    data: dict[str, Any] = {}
    for f in spec.fields if spec else []:
        if draw(st.integers(0, 600)) == 37:
            continue  # a missing field
        odd = draw(st.integers(0, 600)) == 37
        data[f.name] = draw(st.none() | (ODD_VALUES if odd else usual_value(f)))
    if draw(st.integers(0, 10)) == 7:
        data["from_a_newer_server"] = 1
    # Ids from a small pool, so a record comes twice in a page now and then.
    out: dict[str, Any] = {
        "type": record_type, "id": draw(st.sampled_from(ids)), "rev": draw(st.integers(1, 10**6)),
        "data": data, "updated_at": draw(TIMES),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "deleted": mostly(st.booleans(), st.just(1)), "updated_by": mostly(st.sampled_from([None, "u1"]), st.just(3)),
        "stamps": STAMPS, "merged_into": mostly(st.sampled_from([None, ids[0]]), st.just("short")),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            out[key] = draw(values)
    if draw(st.integers(0, 100)) == 37:
        broken = draw(st.sampled_from(["rev", "id", "type", "data", "updated_at", "extra"]))
        out[broken] = draw(st.sampled_from([0, -1, "7", None, [], True, "x" * 36]))
    if draw(st.integers(0, 150)) == 37:
        del out[draw(st.sampled_from(["rev", "id", "data", "updated_at"]))]
    return out


@st.composite
def page_body(draw: st.DrawFn) -> bytes:
    ids = [f"00000000-0000-7000-8000-{n:012d}" for n in range(draw(st.sampled_from([2, 50, 1000])))]
    records = draw(st.lists(record(ids), max_size=8))
    envelope = dict(ENVELOPE)
    if draw(st.integers(0, 15)) == 7:
        envelope[draw(st.sampled_from(["cursor", "hlc", "server_time", "unknown"]))] = draw(
            st.sampled_from([-1, "x", None])
        )
    if draw(st.integers(0, 10)) == 7:
        envelope["revoked"] = [{"type": "contact", "id": ids[0], "rev": 3}]
    return orjson.dumps({"records": records, **envelope})


def schema_path(body: bytes) -> tuple[PullResponse, PreparedPage] | str:
    try:
        page = PullResponse.model_validate_json(body)
        return page, prepare_pull_page(page.all_records())
    except (ValidationError, BadResponse):
        return "refused"


def same(fast: tuple[PullResponse, PreparedPage], slow: tuple[PullResponse, PreparedPage]) -> None:
    (header, prepared), (page, expected) = fast, slow
    assert header == page.model_copy(update={"records": [], "columns": []})
    assert prepared.count == len(page.all_records())
    same_prepared(prepared, expected)


def same_prepared(prepared: PreparedPage, expected: PreparedPage) -> None:
    assert prepared.count == expected.count
    assert prepared.rows == expected.rows
    assert prepared.merged == expected.merged
    assert list(prepared.batches) == list(expected.batches)
    for record_type, batch in prepared.batches.items():
        other = expected.batches[record_type]
        assert batch.ids == other.ids and batch.deleted == other.deleted
        assert [batch.item(i) for i in range(len(batch.ids))] == [other.item(i) for i in range(len(other.ids))]
    assert prepared.live_ids() == expected.live_ids()


def holds_to_the_schema(body: bytes) -> None:
    """What the fast path takes, the schema takes, and both give the same page."""
    fast = prepare_pull_body(body)
    slow = schema_path(body)
    event("taken" if fast is not None else "declined")
    if fast is None:
        return  # the engine goes the schema path
    assert slow != "refused", "taken here, refused by the schema"
    assert not isinstance(slow, str)
    same(fast, slow)


@settings(max_examples=400, deadline=None)
@given(page_body())
def test_a_page_prepared_from_its_json_is_the_page_the_schema_gives(body: bytes) -> None:
    holds_to_the_schema(body)


def contact(n: int, **fields: Any) -> dict[str, Any]:
    data = {**dict.fromkeys(RECORD_TYPES["contact"].field_names), "first_name": f"Ann {n}", "shared": False}
    return {"type": "contact", "id": f"00000000-0000-7000-8000-{n:012d}", "rev": n + 1, "data": {**data, **fields},
            "updated_at": "2026-12-06T07:15:29.598087Z", "updated_by": "u1", "stamps": {"*": "1796531022595-0000-s"}}


def test_a_usual_page_of_several_types_is_taken_and_keeps_page_order() -> None:
    account = {"type": "account", "id": "00000000-0000-7000-8000-00000000a001", "rev": 1,
               "data": {**dict.fromkeys(RECORD_TYPES["account"].field_names), "name": "Acme", "shared": True},
               "updated_at": "2026-12-06T07:15:29Z"}
    merged = {**contact(3), "deleted": True, "merged_into": contact(1)["id"]}
    body = orjson.dumps({"records": [contact(1, tags=["vip"]), account, contact(2, city="张家口"), merged],
                         **ENVELOPE})
    fast = prepare_pull_body(body)
    assert fast is not None
    slow = schema_path(body)
    assert not isinstance(slow, str)
    same(fast, slow)
    header, prepared = fast
    assert list(prepared.batches) == ["contact", "account"]
    assert prepared.merged == [("contact", contact(3)["id"], contact(1)["id"])]
    assert set(prepared.rows["contact"]) == {contact(1)["id"], contact(2)["id"]}


def with_(key: str, value: Any) -> dict[str, Any]:
    return {**contact(2), key: value}


def with_data(key: str, value: Any) -> dict[str, Any]:
    return {**contact(2), "data": {**contact(2)["data"], key: value}}


def with_stamps(*values: Any) -> dict[str, Any]:
    return with_("stamps", {f"k{i}": value for i, value in enumerate(values)})


def without(key: str, data: bool = False) -> dict[str, Any]:
    out = {**contact(2), "data": dict(contact(2)["data"])}
    del (out["data"] if data else out)[key]
    return out


#: One fault in an otherwise usual page: the schema refuses each.
REFUSED: dict[str, dict[str, Any]] = {
    "stamp upper case": with_stamps("1796531022595-0000-S"),
    "stamp short clock": with_stamps("179653102259-0000-s"),
    "stamp line break at end": with_stamps("1796531022595-0000-s\n"),
    "two stamps in one": with_stamps("1796531022595-0000-s\n1796531022595-0000-s"),
    "stamp too long": with_stamps("1796531022595-0000-" + "s" * 17),
    "stamp not text": with_stamps(5),
    "stamps null": with_("stamps", None),
    "stamps list": with_("stamps", ["1796531022595-0000-s"]),
    "too many stamps": with_stamps(*["1796531022595-0000-s"] * 257),
    "February 30th": with_("updated_at", "2026-02-30T00:00:00.000000Z"),
    "hour 25": with_("updated_at", "2026-12-06T25:00:00.000000Z"),
    "empty time": with_("updated_at", ""),
    "rev 0": with_("rev", 0),
    "rev fraction": with_("rev", 1.5),
    "no rev": without("rev"),
    "short id": with_("id", "00000000-0000-7000-8000-00000000002"),
    "id not text": with_("id", 2),
    "no id": without("id"),
    "no type": without("type"),
    "empty type": with_("type", ""),
    "unknown type": with_("type", "nope"),
    "deleted null": with_("deleted", None),
    "updated_by number": with_("updated_by", 3),
    "merged_into short": with_("merged_into", "short"),
    "data null": with_("data", None),
    "data list": with_("data", []),
    "no data": without("data"),
    "text too long": with_data("city", "x" * 121),
    "NUL in text": with_data("city", "Ber\x00lin"),
    "number for text": with_data("city", 5),
    "1 for a bool": with_data("shared", 1),
    "tags not a list": with_data("tags", "vip"),
    "tags of numbers": with_data("tags", [1]),
    "unknown key": with_("surprise", 1),
}
#: Lax forms and rare shapes the schema takes and this path leaves to it.
UNUSUAL: dict[str, dict[str, Any]] = {
    "deleted 1": with_("deleted", 1),
    "rev true": with_("rev", True),
    "rev as text": with_("rev", "7"),
    "time not text": with_("updated_at", 1796531022),
    "a record twice": contact(1),
    "an offset time": with_("updated_at", "2026-12-06T07:15:29.598087+00:00"),
    "a missing field": without("city", data=True),
    "a one-digit fraction": with_("updated_at", "2026-12-06T07:15:29.5Z"),
    "a stamp of Arabic-Indic digits": with_stamps("١٧٩٦٥٣١٠٢٢٥٩٥-0000-s"),
}


@pytest.mark.parametrize("name", [*REFUSED, *UNUSUAL])
def test_a_page_with_any_fault_or_an_unusual_shape_is_left_to_the_schema(name: str) -> None:
    body = orjson.dumps({"records": [contact(1), {**REFUSED, **UNUSUAL}[name], contact(3)], **ENVELOPE})
    assert prepare_pull_body(body) is None
    assert (schema_path(body) == "refused") is (name in REFUSED)


def test_not_json_or_not_a_page_is_declined() -> None:
    for body in (b"", b"[]", b"{", b'{"records": {}}', orjson.dumps({"records": [], **ENVELOPE, "cursor": -1})):
        assert prepare_pull_body(body) is None
    empty = prepare_pull_body(orjson.dumps({"records": [], **ENVELOPE}))
    assert empty is not None and empty[1].count == 0 and empty[0].cursor == 40


def test_merged_tombstones_of_two_types_sharing_an_id_keep_their_page_order() -> None:
    # Found by the property test above: the fast path ordered them by id alone.
    def state(record_type: str, n: int, merged: bool) -> dict[str, Any]:
        return {"type": record_type, "id": f"00000000-0000-7000-8000-{n:012d}", "rev": 1, "deleted": merged,
                "merged_into": "00000000-0000-7000-8000-000000000000" if merged else None,
                "updated_at": "2026-12-06T07:15:29Z", "data": {f.name: None for f in RECORD_TYPES[record_type].fields}}

    # The contacts come first in the page, so the fast path groups them first.
    records = [state("contact", 2, False), state("opportunity", 1, True), state("contact", 1, True)]
    body = orjson.dumps({"records": records, **ENVELOPE})
    fast, slow = prepare_pull_body(body), schema_path(body)
    assert fast is not None and not isinstance(slow, str)
    same(fast, slow)
    assert [entry[0] for entry in fast[1].merged] == ["opportunity", "contact"]


# -- the same pages by type and field (layout=columns) ---------------------------------


def by_columns(records: list[Any]) -> list[dict[str, Any]]:
    """``records`` as the ``columns`` of a page (``crm_protocol.wire.RecordColumns``), grouped by type."""
    groups: dict[str, list[Any]] = {}
    for record in records:
        groups.setdefault(orjson.dumps(record.get("type") if isinstance(record, dict) else None).decode(),
                          []).append(record)
    out = []
    for key, group in groups.items():
        dicts: list[dict[str, Any]] = [r if isinstance(r, dict) else {} for r in group]
        datas: list[dict[str, Any]] = [r["data"] if isinstance(r.get("data"), dict) else {} for r in dicts]
        names = list(dict.fromkeys(name for data in datas for name in data))
        entry: dict[str, Any] = {
            "type": orjson.loads(key), "id": [r.get("id") for r in dicts], "rev": [r.get("rev") for r in dicts],
            "deleted": [r.get("deleted", False) for r in dicts], "updated_at": [r.get("updated_at") for r in dicts],
            "updated_by": [r.get("updated_by") for r in dicts],
            "data": {name: [data.get(name) for data in datas] for name in names},
        }
        if any("merged_into" in r for r in dicts):
            entry["merged_into"] = [r.get("merged_into") for r in dicts]
        if any("stamps" in r for r in dicts):
            entry["stamps"] = [r.get("stamps", {}) for r in dicts]
        out.append(entry)
    return out


@st.composite
def columns_body(draw: st.DrawFn) -> bytes:
    page = orjson.loads(draw(page_body()))
    columns = by_columns(page.pop("records"))
    if columns and draw(st.integers(0, 6)) == 3:
        # One column broken: a value short, not a list, an unknown key, a key missing...
        entry = draw(st.sampled_from(columns))
        key = draw(st.sampled_from(["id", "rev", "deleted", "updated_at", "data", "stamps", "type", "surprise"]))
        fault = draw(st.sampled_from(["short", "null", "text", "drop"]))
        if fault == "drop":
            entry.pop(key, None)
        elif fault == "short" and isinstance(entry.get(key), list) and entry[key]:
            entry[key] = entry[key][:-1]
        elif fault == "short" and key == "data" and entry["data"]:
            name = draw(st.sampled_from(sorted(entry["data"])))
            entry["data"][name] = entry["data"][name][:-1]
        else:
            entry[key] = None if fault == "null" else "x"
    if draw(st.integers(0, 20)) == 7 and columns:
        columns.append(dict(columns[0]))  # a type twice
    return orjson.dumps({**page, "records": [], "columns": columns})


@settings(max_examples=400, deadline=None)
@given(columns_body())
def test_a_page_by_columns_prepared_from_its_json_is_the_page_the_schema_gives(body: bytes) -> None:
    holds_to_the_schema(body)


def test_a_usual_page_by_columns_gives_what_the_same_page_by_records_gives() -> None:
    account = {"type": "account", "id": "00000000-0000-7000-8000-00000000a001", "rev": 2,
               "data": {**dict.fromkeys(RECORD_TYPES["account"].field_names), "name": "Acme", "shared": True},
               "updated_at": "2026-12-06T07:15:29Z"}
    merged_account = {**account, "id": "00000000-0000-7000-8000-00000000a002", "rev": 4, "deleted": True,
                      "merged_into": account["id"]}
    merged = {**contact(4), "deleted": True, "merged_into": contact(1)["id"]}
    # In rev order, as the server sends a page; two types, merged tombstones of both.
    records = [contact(0, tags=["vip"]), account, contact(2, city="张家口"), merged_account, merged,
               {**contact(5), "stamps": {}}]
    by_records = prepare_pull_body(orjson.dumps({"records": records, **ENVELOPE}))
    body = orjson.dumps({"records": [], "columns": by_columns(records), **ENVELOPE})
    fast = prepare_pull_body(body)
    assert fast is not None and by_records is not None
    assert fast[0] == by_records[0]
    same_prepared(fast[1], by_records[1])
    slow = schema_path(body)
    assert not isinstance(slow, str)
    same(fast, slow)
    assert fast[1].merged == [("account", merged_account["id"], account["id"]),
                              ("contact", merged["id"], contact(1)["id"])]
    assert fast[1].count == 6 and fast[0].columns == [] and fast[0].records == []


def columns_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    columns = by_columns([contact(1), contact(2), contact(3)])
    change(columns[0])
    return orjson.dumps({"records": [], "columns": columns, **ENVELOPE})


#: Faults of the columns themselves: the schema refuses each.
REFUSED_COLUMNS: dict[str, Callable[[dict[str, Any]], None]] = {
    "a column short": lambda c: c.update(rev=c["rev"][:2]),
    "a field short": lambda c: c["data"].update(city=c["data"]["city"][:2]),
    "a field this app does not know, short": lambda c: c["data"].update(newer=[1]),
    "a column not a list": lambda c: c.update(deleted=True),
    "no updated_by": lambda c: c.pop("updated_by"),
    "an unknown key": lambda c: c.update(surprise=[1, 2, 3]),
    "stamps too few": lambda c: c.update(stamps=[{}]),
    "data not an object": lambda c: c.update(data=[]),
}
#: Shapes the schema takes and this path leaves to it.
UNUSUAL_COLUMNS: dict[str, Callable[[dict[str, Any]], None]] = {
    "a field missing": lambda c: c["data"].pop("city"),
    "merged_into null": lambda c: c.update(merged_into=None),
}


@pytest.mark.parametrize("name", [*REFUSED_COLUMNS, *UNUSUAL_COLUMNS])
def test_columns_with_any_fault_or_an_unusual_shape_are_left_to_the_schema(name: str) -> None:
    body = columns_with({**REFUSED_COLUMNS, **UNUSUAL_COLUMNS}[name])
    if name == "merged_into null":
        # Taken by both: null is "no record has one".
        fast, slow = prepare_pull_body(body), schema_path(body)
        assert fast is not None and not isinstance(slow, str)
        same(fast, slow)
        return
    assert prepare_pull_body(body) is None
    assert (schema_path(body) == "refused") is (name in REFUSED_COLUMNS)


def test_a_page_with_records_and_columns_or_a_type_twice_is_left_to_the_schema() -> None:
    columns = by_columns([contact(1)])
    both = orjson.dumps({"records": [contact(2)], "columns": columns, **ENVELOPE})
    twice = orjson.dumps({"records": [], "columns": [*columns, *by_columns([contact(2)])], **ENVELOPE})
    for body in (both, twice):
        assert prepare_pull_body(body) is None
        slow = schema_path(body)
        assert not isinstance(slow, str)
        assert [r.id for r in slow[0].all_records()] == [contact(1)["id"], contact(2)["id"]]
