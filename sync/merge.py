"""Three-way, field-by-field merge of a local edit with the server's record.

Given the base (the server version the local edit started from), mine (the
local record) and theirs (the server's record now):

* a field only one side changed takes that side's value;
* a field both sides changed to the same value is no conflict;
* a field both sides changed differently is a conflict: the server's value
  wins for now (every replica then agrees) and the local value is returned so
  the caller can keep it in the conflicts table for the user to bring back.

Derived fields (``phone_e164``) follow their source field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_protocol.records import RECORD_TYPES


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflicts: list[FieldConflict] = field(default_factory=list)

    def differs_from(self, theirs: dict[str, Any]) -> bool:
        return any(self.merged.get(k) != theirs.get(k) for k in self.merged)


def three_way_merge(
    record_type: str, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> MergeResult:
    spec = RECORD_TYPES[record_type]
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for fspec in spec.fields:
        if fspec.derived_from is not None:
            continue
        name = fspec.name
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        if m == t or m == b:
            merged[name] = t
        elif t == b:
            merged[name] = m
        else:
            merged[name] = t
            conflicts.append(FieldConflict(name, b, m, t))
    for fspec in spec.fields:
        source = fspec.derived_from
        if source is None:
            continue
        # The derived value comes from whichever side's source value won.
        won_mine = merged.get(source) == mine.get(source) and merged.get(source) != theirs.get(source)
        merged[fspec.name] = mine.get(fspec.name) if won_mine else theirs.get(fspec.name)
    return MergeResult(merged, conflicts)
