"""Record and change ids, made on the client so offline creates never collide."""

from __future__ import annotations

import uuid6


def new_id() -> str:
    """A time-ordered UUID (version 7) as a lower-case string."""
    return str(uuid6.uuid7())
