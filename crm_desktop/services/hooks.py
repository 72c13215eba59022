"""Per-type rules a module adds to the record service (the client twin of
``crm_cloud.records.hooks``).

They run on every user edit after the fields are validated, inside the same
transaction, so offline the record gets what the server would give it (a
case's due time from its service level, an opportunity's probability from its
stage).  A hook changes ``cleaned`` in place or returns field errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_protocol.records import FieldError


@dataclass(frozen=True)
class EditContext:
    session: Session
    record_type: str
    #: The record's values before this edit (None for a create).
    previous: dict[str, Any] | None
    created_at: datetime


Hook = Callable[[EditContext, dict[str, Any]], list[FieldError]]

_HOOKS: dict[str, list[Hook]] = {}


def register_hook(record_type: str, hook: Hook) -> None:
    hooks = _HOOKS.setdefault(record_type, [])
    if hook not in hooks:
        hooks.append(hook)


def run_hooks(context: EditContext, cleaned: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for hook in _HOOKS.get(context.record_type, ()):
        errors.extend(hook(context, cleaned))
    return errors
