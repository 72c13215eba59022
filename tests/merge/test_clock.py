"""The profile's clock: server offset, first-contact correction, monotonic stamps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_desktop.clock import OFFSET_KEY, knows_server_time, load_clock, observe_server, tick
from crm_desktop.context import AppContext
from crm_desktop.store.schema import KeyValue, PendingChange
from crm_protocol import hlc
from crm_protocol.hlc import parse_stamp

HOUR_MS = 3600 * 1000


def test_first_contact_moves_offline_stamps_into_server_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = AppContext.open(tmp_path / "p", lock=False)
    try:
        real = hlc.wall_ms
        monkeypatch.setattr(hlc, "wall_ms", lambda: real() + 2 * HOUR_MS)  # this laptop runs 2 h ahead
        contact = context.records.create("contact", {"first_name": "Ann"})
        with context.db.session() as session:
            assert not knows_server_time(session)
            (stamp,) = session.execute(select(PendingChange.field_stamps)).scalar_one().values()
            server_now = datetime.fromtimestamp(real() / 1000, UTC)
            observe_server(session, server_now, None)
            (shifted,) = session.execute(
                select(PendingChange.field_stamps).where(PendingChange.record_id == contact)
            ).scalar_one().values()
            assert parse_stamp(stamp)[0] - parse_stamp(shifted)[0] == pytest.approx(2 * HOUR_MS, abs=2000)
            assert abs(session.get(KeyValue, OFFSET_KEY).value + 2 * HOUR_MS) < 2000
            later = tick(session)
            assert parse_stamp(later)[0] == pytest.approx(real(), abs=2000)  # in server time from now on
    finally:
        context.close()


def test_small_offset_jitter_is_ignored_and_stamps_never_go_back(tmp_path: Path) -> None:
    context = AppContext.open(tmp_path / "p", lock=False)
    try:
        with context.db.session() as session:
            observe_server(session, datetime.now(UTC), None)
            offset = load_clock(session).offset_ms
            first = tick(session)
            # An answer that was slower to arrive: a lower estimate, within tolerance.
            observe_server(session, datetime.fromtimestamp((hlc.wall_ms() - 500) / 1000, UTC), None)
            assert load_clock(session).offset_ms == offset
            # The server's clock is far ahead of ours: we follow, and never stamp backwards.
            observe_server(session, datetime.now(UTC), hlc.format_stamp(hlc.wall_ms() + 60_000, 7, "s"))
            assert tick(session) > first
            assert parse_stamp(tick(session))[0] >= hlc.wall_ms() + 59_000
    finally:
        context.close()
