"""Per-type rules a module adds to the generic record service.

The record service (REST and sync alike) calls the hooks registered for a
type after the fields are validated and before the write, inside the same
transaction.  A hook may fill in computed fields (a case's due time from its
service level) or refuse the record with :class:`InvalidInput` naming the
field.  This is how a module adds behaviour without the generic layer
knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_cloud.records.access import Principal


@dataclass(frozen=True)
class WriteContext:
    session: Session
    principal: Principal
    record_type: str
    record_id: str
    #: The record's values before this write (None for a create).
    previous: dict[str, Any] | None
    created_at: datetime


#: Changes ``cleaned`` in place or raises InvalidInput.
Hook = Callable[[WriteContext, dict[str, Any]], None]

_HOOKS: dict[str, list[Hook]] = {}


def register_hook(record_type: str, hook: Hook) -> None:
    hooks = _HOOKS.setdefault(record_type, [])
    if hook not in hooks:
        hooks.append(hook)


def run_hooks(context: WriteContext, cleaned: dict[str, Any]) -> None:
    for hook in _HOOKS.get(context.record_type, ()):
        hook(context, cleaned)


#: ``session.info`` key of what hooks read of configuration records (custom field
#: definitions...) in the current transaction: read once per transaction, not once
#: per record, and dropped by the record service on any write of a configuration
#: record (``admin_only`` types), so a later write in the same transaction sees it.
_CONFIG_CACHE = "crm.config_cache"


def config_cache(session: Session) -> dict[str, Any]:
    cache: dict[str, Any] = session.info.setdefault(_CONFIG_CACHE, {})
    return cache


def forget_config(session: Session) -> None:
    session.info.pop(_CONFIG_CACHE, None)
