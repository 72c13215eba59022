"""This profile's hybrid logical clock, kept in the store.

Every local edit stamps the fields it changes with :func:`tick`; every sync
answer moves the clock past the server's (:func:`observe_server`) and keeps
the offset between the server's wall clock and ours, so stamps made offline
days later are still in server time even if this laptop's clock is hours off.
Both run inside the caller's transaction on the database worker, so the clock
is never read and written by two threads at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.ids import new_id
from crm_desktop.store.schema import KeyValue, PendingChange
from crm_protocol import hlc
from crm_protocol.hlc import HybridClock, format_stamp, is_stamp, node_id, parse_stamp

CLIENT_ID_KEY = "sync.client_id"
HLC_KEY = "sync.hlc"
OFFSET_KEY = "sync.clock_offset_ms"
#: A lower offset is only taken when it moved by more than this: each sample
#: is low by the network delay, and stamps should not jitter back and forth
#: with it.  Clocks that are minutes or hours off are corrected at once.
OFFSET_TOLERANCE_MS = 2000


def _get(session: Session, key: str) -> Any:
    row = session.get(KeyValue, key)
    return None if row is None else row.value


def _set(session: Session, key: str, value: Any) -> None:
    row = session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    else:
        row.value = value


def client_id(session: Session) -> str:
    value = _get(session, CLIENT_ID_KEY)
    if not value:
        value = new_id()
        _set(session, CLIENT_ID_KEY, value)
    return str(value)


def load_clock(session: Session) -> HybridClock:
    offset = _get(session, OFFSET_KEY)
    return HybridClock.restore(
        node_id(client_id(session)), _get(session, HLC_KEY), int(offset) if isinstance(offset, int) else 0
    )


def save_clock(session: Session, clock: HybridClock) -> None:
    _set(session, HLC_KEY, clock.last)


def tick(session: Session) -> str:
    """A fresh stamp for a local edit, later than any seen so far."""
    clock = load_clock(session)
    stamp = clock.now()
    save_clock(session, clock)
    return stamp


def knows_server_time(session: Session) -> bool:
    return _get(session, OFFSET_KEY) is not None


def observe_server(session: Session, server_time: datetime, server_hlc: str | None) -> None:
    """Learn the server's clock from a sync answer."""
    clock = load_clock(session)
    offset = int(server_time.timestamp() * 1000) - hlc.wall_ms()
    if not knows_server_time(session):
        # First contact: edits made offline so far were stamped with this
        # machine's own clock; move them into server time too, so a laptop
        # whose clock was hours off before its first sync is judged fairly.
        _shift_pending_stamps(session, clock.node, offset)
        _set(session, OFFSET_KEY, offset)
        clock.offset_ms = offset
        clock.last_ms = 0 if clock.last_ms == 0 else clock.last_ms + offset
    elif abs(offset - clock.offset_ms) > OFFSET_TOLERANCE_MS or offset > clock.offset_ms:
        # Every sample is low by the answer's network delay, so the highest
        # recent one is the best; a jump beyond the tolerance is a clock change.
        _set(session, OFFSET_KEY, offset)
        clock.offset_ms = offset
    clock.observe(server_hlc)
    save_clock(session, clock)


def _shift_pending_stamps(session: Session, node: str, delta_ms: int) -> None:
    if delta_ms == 0:
        return
    for entry in session.execute(select(PendingChange).where(PendingChange.in_flight.is_(None))).scalars():
        if not entry.field_stamps:
            continue
        shifted: dict[str, str] = {}
        for key, stamp in entry.field_stamps.items():
            if is_stamp(stamp) and stamp.endswith(f"-{node}"):
                ms, counter, _ = parse_stamp(stamp)
                stamp = format_stamp(max(ms + delta_ms, 0), counter, node)
            shifted[key] = stamp
        entry.field_stamps = shifted


def now_bound(session: Session) -> int:
    """This machine's idea of the server's time now, in milliseconds."""
    return load_clock(session).physical_ms()
