"""Tables of the record layer: the global change counter and applied change ids."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_cloud.core.db import Base


class ServerState(Base):
    """One row (id=1) holding the global change counter ``seq``.

    Every write bumps it with ``UPDATE ... SET seq = seq + 1 RETURNING seq``
    inside the write transaction; the row lock serialises writers so record
    revisions become visible in commit order.
    """

    __tablename__ = "server_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    #: The server's hybrid logical clock (crm_protocol.hlc): the latest stamp
    #: it made or accepted.  Updated under the same row lock as ``seq``.
    hlc: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: The history horizon: tombstones and exits up to this revision may have
    #: been purged (``crm-cloud history purge``), so a client whose cursor is
    #: below it must resync in full.  0: nothing was ever purged.
    history_horizon: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")


class AppliedChange(Base):
    """The result of every applied sync change, so a replayed change id answers the same."""

    __tablename__ = "applied_changes"

    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    result: Mapped[str] = mapped_column(Text, nullable=False)


class RecordExit(Base):
    """A write that took a record out of some users' sight (reassigned to
    another owner, or no longer shared).  The pull feed tells those users, so
    their replicas drop the record instead of keeping a stale copy forever."""

    __tablename__ = "record_exits"

    #: The revision of the write (unique: one write, one exit).
    rev: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    #: Who could see it before: its owner, and everyone if it was shared.
    owner_before: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    shared_before: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
