"""Who may see and change which record: the single permission check.

Everything that reads or writes records goes through :func:`visible` (SQL
filter) or :func:`can_access` (a loaded record).  Today a user sees and may
change the records they own and the ones marked ``shared``.  Teams and roles
slot in here later by extending :class:`Principal` (e.g. team ids, an admin
flag) and these two functions; no caller needs to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, true

from crm_protocol.records import RecordTypeSpec


@dataclass(frozen=True)
class Principal:
    """The user a request acts for."""

    user_id: str
    #: Administrators change the configuration every user receives
    #: (pipeline stages, service levels, custom fields).
    admin: bool = False


def visible(table: Table, principal: Principal) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``table`` that ``principal`` may see."""
    if "owner_id" not in table.c:
        return true()
    conditions: list[ColumnElement[bool]] = [table.c.owner_id == principal.user_id]
    if "shared" in table.c:
        conditions.append(table.c.shared.is_(True))
    return or_(*conditions)


def can_change_type(spec: RecordTypeSpec, principal: Principal) -> bool:
    """Whether ``principal`` may create, change or delete records of this type at all."""
    return principal.admin or not spec.admin_only


def can_access(data: Mapping[str, Any], principal: Principal) -> bool:
    """Whether ``principal`` may see and change a record with these field values."""
    if "owner_id" not in data:
        return True
    return data.get("owner_id") == principal.user_id or bool(data.get("shared"))


def audience_shrank(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a write may have taken the record out of someone's sight
    (a new owner, or no longer shared): they must be told (``record_exits``)."""
    if "owner_id" not in before:
        return False
    return before.get("owner_id") != after.get("owner_id") or (
        bool(before.get("shared")) and not bool(after.get("shared"))
    )


def could_see(exits: Table, principal: Principal) -> ColumnElement[bool]:
    """SQL condition: ``principal`` could see the record before the exit."""
    return or_(exits.c.owner_before == principal.user_id, exits.c.shared_before.is_(True))
