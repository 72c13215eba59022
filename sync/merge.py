"""Three-way, field-by-field merge of a local edit with the server's record.

Given the base (the server version the local edit started from), mine (the
local record) and theirs (the server's record now):

* a field only one side changed takes that side's value, silently;
* a field both sides changed to the same value is no conflict;
* a field both sides changed differently is a conflict, decided by the
  user's rule for that field kind (:mod:`crm_desktop.conflict_policy`;
  default: the later edit by hybrid-logical-clock stamp wins).  The losing
  value is returned in :attr:`MergeResult.conflicts` so the caller keeps it
  in the conflict inbox: nothing is ever thrown away.

Derived fields (``phone_e164``) follow their source field.

The function is pure and deterministic: the same inputs give the same result
on every machine, whatever its clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crm_desktop.conflict_policy import DEFAULT_POLICY, ConflictPolicy, FieldRule
from crm_protocol.hlc import stamp_of
from crm_protocol.records import RECORD_TYPES


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    mine: Any
    theirs: Any
    #: "mine" or "theirs": whose value was applied.
    winner: str = "theirs"
    mine_stamp: str | None = None
    theirs_stamp: str | None = None
    rule: str = FieldRule.LATEST.value


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflicts: list[FieldConflict] = field(default_factory=list)
    #: Fields whose merged value is this side's (to send with its stamp).
    mine_won: set[str] = field(default_factory=set)

    def differs_from(self, theirs: dict[str, Any]) -> bool:
        return any(self.merged.get(k) != theirs.get(k) for k in self.merged)


def _mine_wins(rule: FieldRule, mine_stamp: str | None, theirs_stamp: str | None) -> bool:
    if rule is FieldRule.MINE:
        return True
    if rule is FieldRule.THEIRS:
        return False
    # Later edit wins.  A side with no stamp (an edit from before stamps
    # existed) counts as older; equal stamps cannot happen between two nodes
    # (the node id is part of the stamp), and the server keeps its value then.
    return (mine_stamp or "") > (theirs_stamp or "")


def merge_tags(base: list[str] | None, mine: list[str] | None, theirs: list[str] | None) -> list[str] | None:
    """Set merge: every addition and every removal on either side survives.

    Order: theirs' order, then my additions in my order.  Tags compare
    case-insensitively (validation already folded duplicates).
    """
    b = {t.casefold() for t in base or []}
    m = {t.casefold(): t for t in mine or []}
    t = {x.casefold(): x for x in theirs or []}
    removed = (b - set(m)) | (b - set(t))
    out = [x for k, x in t.items() if k not in removed]
    seen = {x.casefold() for x in out}
    out += [x for k, x in m.items() if k not in removed and k not in seen]
    return out or None


def three_way_merge(
    record_type: str,
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    mine_stamps: Mapping[str, str] | None = None,
    theirs_stamps: Mapping[str, str] | None = None,
    policy: ConflictPolicy = DEFAULT_POLICY,
) -> MergeResult:
    spec = RECORD_TYPES[record_type]
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    mine_won: set[str] = set()
    for fspec in spec.fields:
        if fspec.derived_from is not None:
            continue
        name = fspec.name
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        if fspec.kind.value == "tags":
            merged[name] = merge_tags(b, m, t)
            if merged[name] != t:
                mine_won.add(name)
            continue
        if m == t or m == b:
            merged[name] = t
        elif t == b:
            merged[name] = m
            mine_won.add(name)
        else:
            rule = policy.rule_for(fspec.kind)
            ms, ts = stamp_of(mine_stamps, name), stamp_of(theirs_stamps, name)
            if _mine_wins(rule, ms, ts):
                merged[name] = m
                mine_won.add(name)
                winner = "mine"
            else:
                merged[name] = t
                winner = "theirs"
            conflicts.append(FieldConflict(name, b, m, t, winner, ms, ts, rule.value))
    for fspec in spec.fields:
        source = fspec.derived_from
        if source is None:
            continue
        # The derived value comes from whichever side's source value won.
        won_mine = source in mine_won
        merged[fspec.name] = mine.get(fspec.name) if won_mine else theirs.get(fspec.name)
    return MergeResult(merged, conflicts, mine_won)

