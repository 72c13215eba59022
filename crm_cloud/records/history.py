"""The change-history horizon: purging old tombstones and exits.

The pull feed delivers deletes as tombstones and access losses as
``record_exits`` rows; without a limit both grow forever.  ``purge_history``
deletes those older than a cut-off and records the **history horizon**: the
newest revision written before it.  A client whose cursor is below the
horizon may have missed a purged delete, so the pull feed tells it
(``PullResponse.history_horizon``) and it resyncs in full (docs/SYNC.md,
section 5).  Tombstones of merged-away records stay: they are the server's
merge aliases (an offline edit or link to the old id still finds the kept
record).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from crm_cloud.records.models import RecordExit, ServerState
from crm_cloud.records.tables import RECORD_TABLES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    #: The history horizon after the purge (revisions up to it are no longer complete).
    horizon: int
    tombstones: int
    exits: int


def history_horizon(session: Session) -> int:
    return int(session.execute(select(ServerState.history_horizon).where(ServerState.id == 1)).scalar_one())


def purge_history(session: Session, older_than: timedelta, *, now: datetime) -> PurgeResult:
    """Delete tombstones and exits written more than ``older_than`` before ``now``.

    The horizon is the newest revision of any record written before the
    cut-off (revisions follow commit order, so every older change has a lower
    one); it never moves back.  Runs in the caller's write transaction.
    """
    cutoff = now - older_than
    # The counter row lock orders this with every writer (as a write does).
    session.execute(update(ServerState).where(ServerState.id == 1).values(seq=ServerState.seq))
    before = history_horizon(session)
    newest = before
    for table in RECORD_TABLES.values():
        rev = session.execute(select(func.max(table.c.rev)).where(table.c.updated_at < cutoff)).scalar()
        if rev is not None:
            newest = max(newest, int(rev))
    tombstones = 0
    for table in RECORD_TABLES.values():
        result = session.execute(
            delete(table).where(table.c.deleted.is_(True), table.c.merged_into.is_(None), table.c.rev <= newest)
        )
        tombstones += int(getattr(result, "rowcount", 0) or 0)
    exits_table = cast(Table, RecordExit.__table__)
    result = session.execute(delete(exits_table).where(exits_table.c.rev <= newest))
    exits = int(getattr(result, "rowcount", 0) or 0)
    if newest != before:
        session.execute(update(ServerState).where(ServerState.id == 1).values(history_horizon=newest))
    log.info("history purged up to revision %d: %d tombstones, %d exits", newest, tombstones, exits)
    return PurgeResult(newest, tombstones, exits)
