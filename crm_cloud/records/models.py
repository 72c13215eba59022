"""Tables of the record layer: the global change counter and applied change ids."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
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


class AppliedChange(Base):
    """The result of every applied sync change, so a replayed change id answers the same."""

    __tablename__ = "applied_changes"

    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    result: Mapped[str] = mapped_column(Text, nullable=False)
