"""Hybrid logical clock stamps: which of two edits of a field came later.

A stamp is a fixed-width string ``MMMMMMMMMMMMM-CCCC-NODE``: milliseconds since
the epoch (13 digits), a counter (4 hex digits) that orders events within one
millisecond, and the id of the node that made it.  Because the width is fixed,
comparing two stamps as strings compares them as clocks, on both sides and in
SQL, with the node as a deterministic tie-break.

Why a hybrid clock and not the wall clock: laptops drift by minutes and are
sometimes set hours wrong.  The physical part follows the *server's* time (the
client keeps the offset the server reports with every sync answer), and the
logical part never goes backwards: a node that has seen a stamp always stamps
its next edit later than it, so an edit made after seeing another edit wins
against it even if the machine's own clock is behind.  The server caps stamps
that claim to come from the future (:data:`MAX_FUTURE_MS`), so one laptop set
a day ahead cannot win every conflict for a day.

Per-field stamps travel with records as a compact map: ``"*"`` is the stamp of
every field not listed by name (usually the creation stamp), see
:func:`stamp_of`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

#: Stamps more than this far ahead of the server's clock are capped to it.
MAX_FUTURE_MS = 5 * 60 * 1000
#: Key of the default stamp in a per-field stamp map.
DEFAULT_KEY = "*"
STAMP_RE = re.compile(r"^\d{13}-[0-9a-f]{4}-[0-9a-z]{1,16}$")
_MAX_COUNTER = 0xFFFF


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def format_stamp(ms: int, counter: int, node: str) -> str:
    return f"{ms:013d}-{counter:04x}-{node}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """(milliseconds, counter, node) of a stamp; ``ValueError`` if malformed."""
    if not STAMP_RE.match(stamp):
        raise ValueError(f"not a clock stamp: {stamp[:40]!r}")
    ms, counter, node = stamp.split("-", 2)
    return int(ms), int(counter, 16), node


def is_stamp(value: object) -> bool:
    return isinstance(value, str) and bool(STAMP_RE.match(value))


def stamp_ms(stamp: str | None) -> int | None:
    """Milliseconds of a stamp (for showing *when*), or None."""
    if not stamp or not is_stamp(stamp):
        return None
    return int(stamp[:13])


def node_id(long_id: str) -> str:
    """A short node name from a client id (the random tail of its UUID)."""
    tail = "".join(ch for ch in long_id.lower() if ch in "0123456789abcdef")[-12:]
    return tail or "0"


def stamp_of(stamps: Mapping[str, str] | None, name: str) -> str | None:
    """The stamp of field ``name`` in a compact per-field map."""
    if not stamps:
        return None
    return stamps.get(name) or stamps.get(DEFAULT_KEY)


def cap_stamp(stamp: str, now_ms: int) -> str:
    """``stamp``, or ``now_ms`` if it claims a time further ahead than :data:`MAX_FUTURE_MS`."""
    ms, counter, node = parse_stamp(stamp)
    if ms > now_ms + MAX_FUTURE_MS:
        return format_stamp(now_ms, counter, node)
    return stamp


@dataclass
class HybridClock:
    """One node's clock.  Not thread-safe: each side keeps it in its store and
    uses it inside one write transaction."""

    node: str
    last_ms: int = 0
    counter: int = 0
    #: The server's clock minus this machine's, in milliseconds.
    offset_ms: int = 0

    @classmethod
    def restore(cls, node: str, last: str | None, offset_ms: int = 0) -> HybridClock:
        clock = cls(node, offset_ms=offset_ms)
        if last and is_stamp(last):
            clock.last_ms, clock.counter, _ = parse_stamp(last)
        return clock

    @property
    def last(self) -> str:
        return format_stamp(self.last_ms, self.counter, self.node)

    def physical_ms(self, wall: int | None = None) -> int:
        return (wall_ms() if wall is None else wall) + self.offset_ms

    def now(self, wall: int | None = None) -> str:
        """A stamp later than every stamp this clock made or observed."""
        physical = self.physical_ms(wall)
        if physical > self.last_ms:
            self.last_ms, self.counter = physical, 0
        elif self.counter < _MAX_COUNTER:
            self.counter += 1
        else:
            # 65,536 events in one millisecond: borrow the next millisecond.
            self.last_ms, self.counter = self.last_ms + 1, 0
        return self.last

    def observe(self, stamp: str | None) -> None:
        """Move the clock past a stamp received from another node."""
        if not stamp or not is_stamp(stamp):
            return
        ms, counter, _node = parse_stamp(stamp)
        if (ms, counter) > (self.last_ms, self.counter):
            self.last_ms, self.counter = ms, counter
