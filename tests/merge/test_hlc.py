"""Hybrid logical clock stamps."""

from __future__ import annotations

import pytest

from crm_protocol.hlc import (
    MAX_FUTURE_MS,
    HybridClock,
    cap_stamp,
    format_stamp,
    node_id,
    parse_stamp,
    stamp_of,
)


def test_stamps_compare_as_strings_like_clocks() -> None:
    assert format_stamp(999, 0, "a") < format_stamp(1000, 0, "a")
    assert format_stamp(1000, 0xF, "z") < format_stamp(1000, 0x10, "a")
    assert parse_stamp(format_stamp(1234, 5, "ab12")) == (1234, 5, "ab12")
    with pytest.raises(ValueError):
        parse_stamp("2026-11-25T04:00")


def test_clock_never_goes_backwards() -> None:
    clock = HybridClock("n")
    first = clock.now(wall=5_000)
    second = clock.now(wall=4_000)  # the wall clock was set back
    third = clock.now(wall=4_000)
    assert first < second < third


def test_an_edit_after_seeing_another_is_later_whatever_the_local_clock() -> None:
    office = HybridClock("office")
    seen = office.now(wall=10 * 3600 * 1000)
    laptop = HybridClock("laptop")  # three hours behind
    laptop.observe(seen)
    assert laptop.now(wall=7 * 3600 * 1000) > seen


def test_offset_puts_stamps_in_server_time() -> None:
    laptop = HybridClock("laptop", offset_ms=3 * 3600 * 1000)  # its clock is 3 h behind the server
    assert parse_stamp(laptop.now(wall=1_000))[0] == 3 * 3600 * 1000 + 1_000


def test_future_stamps_are_capped() -> None:
    far = format_stamp(10 * MAX_FUTURE_MS, 3, "x")
    assert parse_stamp(cap_stamp(far, 1_000))[0] == 1_000
    near = format_stamp(1_000 + MAX_FUTURE_MS, 3, "x")
    assert cap_stamp(near, 1_000) == near


def test_compact_stamp_maps_and_node_names() -> None:
    stamps = {"*": format_stamp(1, 0, "a"), "title": format_stamp(2, 0, "a")}
    assert stamp_of(stamps, "title") == stamps["title"]
    assert stamp_of(stamps, "email") == stamps["*"]
    assert stamp_of(None, "email") is None
    assert node_id("01a210ff-27e8-7ac4-b14a-2f64d94972bd") == "2f64d94972bd"
