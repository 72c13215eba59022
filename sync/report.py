"""What a sync did, for the UI: kept apart from the engine so that the window can
know the type without loading the network stack at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["SyncReport"]


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    rejected: int = 0
    changed: set[str] = field(default_factory=set)
    finished_at: datetime | None = None
    repaired: bool = False
    #: Synced records the server no longer had after a full resync (kept in the inbox).
    lost_on_server: int = 0
    #: Records that left this user's sight with unsynced local edits (kept in the inbox).
    access_lost: int = 0
    #: Records that left the replica because this user may no longer see them.
    revoked: int = 0
    #: The server no longer had the change history since our last sync (we were
    #: offline longer than it keeps it), so everything was downloaded again.
    history_expired: bool = False
