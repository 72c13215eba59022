"""``check_wire_data`` answers exactly as the plain field-by-field rules of the protocol,
for every record type and any value, naming the first bad field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from crm_protocol.records import (
    MAX_CUSTOM_FIELDS,
    MAX_CUSTOM_VALUE,
    MAX_TAGS,
    RECORD_TYPES,
    FieldKind,
    check_wire_columns,
    check_wire_data,
)


def reference(record_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The rules as written in the protocol, one field at a time, first bad field named."""
    out: dict[str, Any] = {}
    for f in RECORD_TYPES[record_type].fields:
        value = data.get(f.name)
        where = f"{record_type}.{f.name}"
        if value is None:
            out[f.name] = False if f.kind is FieldKind.BOOL else None
        elif f.kind is FieldKind.CUSTOM:
            ok = isinstance(value, dict) and len(value) <= MAX_CUSTOM_FIELDS and all(
                isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_CUSTOM_VALUE and "\x00" not in v
                for k, v in value.items()
            )
            if not ok:
                raise ValueError(f"{where} is not a valid object of custom values")
            out[f.name] = dict(value)
        elif f.kind is FieldKind.TAGS:
            ok = isinstance(value, list) and len(value) <= MAX_TAGS and all(
                isinstance(t, str) and len(t) <= f.max_length and "\x00" not in t for t in value
            )
            if not ok:
                raise ValueError(f"{where} is not a valid list of tags")
            out[f.name] = list(value)
        else:
            allowed = {FieldKind.BOOL: (bool,), FieldKind.INT: (int,), FieldKind.DECIMAL: (str, int, float)}.get(
                f.kind, (str,)
            )
            if not isinstance(value, allowed) or (f.kind is FieldKind.INT and isinstance(value, bool)):
                raise ValueError(f"{where} has a value of the wrong type")
            if isinstance(value, str):
                if len(value) > f.max_length:
                    raise ValueError(f"{where} is longer than {f.max_length}")
                if "\x00" in value:
                    raise ValueError(f"{where} contains a NUL character")
            out[f.name] = value
    return out


class Text(str):
    """A str subclass: not what JSON gives, but it must be judged as a str."""


def answer(record_type: str, data: dict[str, Any], check: Any) -> tuple[str, Any]:
    try:
        return "ok", check(record_type, data)
    except ValueError as exc:
        return "error", str(exc)


def text_values(limit: int) -> st.SearchStrategy[Any]:
    near = st.integers(min_value=max(limit - 2, 0), max_value=limit + 1)
    return st.one_of(
        st.none(),
        st.text(max_size=12),
        near.map(lambda n: "x" * n),
        st.text(max_size=6).map(lambda t: t + "\x00"),
        st.text(max_size=4).map(Text),
    )


OTHER_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.just(""),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.lists(st.integers(), min_size=1, max_size=2),
)


@st.composite
def record_data(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    record_type = draw(st.sampled_from(sorted(RECORD_TYPES)))
    data: dict[str, Any] = {}
    for f in RECORD_TYPES[record_type].fields:
        if draw(st.integers(0, 9)) == 0:
            continue  # missing: a field this peer does not know yet
        # Mostly values of the field's own kind, sometimes anything at all.
        mine = text_values(f.max_length) if f.kind not in (
            FieldKind.BOOL, FieldKind.INT, FieldKind.DECIMAL, FieldKind.TAGS, FieldKind.CUSTOM
        ) else OTHER_VALUES
        data[f.name] = draw(mine if draw(st.integers(0, 5)) else st.one_of(OTHER_VALUES, text_values(4)))
    if draw(st.booleans()):
        data["from_a_newer_version"] = "dropped"
    return record_type, data


@settings(max_examples=300, deadline=None)
@given(record_data())
def test_check_wire_data_answers_as_the_field_by_field_rules(case: tuple[str, dict[str, Any]]) -> None:
    record_type, data = case
    assert answer(record_type, data, check_wire_data) == answer(record_type, data, reference)


@st.composite
def pages_of_one_type(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """Data of several records of one type: mostly well-formed, sometimes not."""
    record_type = draw(st.sampled_from(sorted(RECORD_TYPES)))
    fields = RECORD_TYPES[record_type].fields
    datas: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 3)):
            # Well-formed: every field, each None or a short value of its kind.
            data: dict[str, Any] = {}
            for f in fields:
                good = {FieldKind.BOOL: st.booleans(), FieldKind.INT: st.integers(),
                        FieldKind.DECIMAL: st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5)),
                        FieldKind.TAGS: st.lists(st.text(max_size=5), max_size=3),
                        FieldKind.CUSTOM: st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
                        }.get(f.kind, st.text(max_size=8))
                data[f.name] = draw(st.one_of(st.none(), good))
            datas.append(data)
        else:
            datas.append(draw(record_data().filter(lambda case: case[0] == record_type).map(lambda case: case[1])
                              if draw(st.booleans()) else st.just({})))
    return record_type, datas


@settings(max_examples=300, deadline=None)
@given(pages_of_one_type())
def test_check_wire_columns_gives_what_check_wire_data_gives_or_declines(
    case: tuple[str, list[dict[str, Any]]]
) -> None:
    record_type, datas = case
    columns = check_wire_columns(record_type, datas)
    event("taken" if columns is not None else "declined")
    if columns is None:
        return  # declined: the caller checks record by record
    names = [f.name for f in RECORD_TYPES[record_type].fields]
    assert [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)] == [
        check_wire_data(record_type, data) for data in datas
    ]


def test_check_wire_columns_takes_usual_pages_and_declines_bad_ones() -> None:
    names = [f.name for f in RECORD_TYPES["contact"].fields]
    usual = [{**dict.fromkeys(names), "first_name": f"Ann {i}", "shared": i % 2 == 0} for i in range(3)]
    columns = check_wire_columns("contact", usual)
    assert columns is not None and columns[names.index("first_name")] == ["Ann 0", "Ann 1", "Ann 2"]
    assert check_wire_columns("contact", [*usual, {**usual[0], "city": "x" * 121}]) is None
    assert check_wire_columns("contact", [*usual, {**usual[0], "city": "Ber\x00lin"}]) is None
    assert check_wire_columns("contact", [*usual, {"first_name": "missing fields"}]) is None
    assert check_wire_columns("contact", [*usual, {**usual[0], "shared": 1}]) is None
    assert check_wire_columns("no such type", usual) is None


def test_a_usual_contact_passes_whole_and_in_field_order() -> None:
    data = {"first_name": "Jessica", "last_name": "Schmidt", "email": "j@example.org", "shared": False,
            "tags": ["vip"], "unknown": 1}
    out = check_wire_data("contact", data)
    assert list(out) == [f.name for f in RECORD_TYPES["contact"].fields]
    assert out["first_name"] == "Jessica" and out["tags"] == ["vip"] and out["title"] is None
    assert "unknown" not in out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first_name": "x" * 121}, "contact.first_name is longer than 120"),
        ({"title": 5}, "contact.title has a value of the wrong type"),
        ({"city": "Ber\x00lin"}, "contact.city contains a NUL character"),
        ({"first_name": "x" * 121, "shared": "yes"}, "contact.first_name is longer than 120"),
        ({"shared": "yes"}, "contact.shared has a value of the wrong type"),
        ({"tags": "vip"}, "contact.tags is not a valid list of tags"),
    ],
)
def test_a_bad_field_is_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_wire_data("contact", data)
