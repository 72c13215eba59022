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
