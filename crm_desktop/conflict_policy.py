"""How a conflict is decided: the rules the user sees and sets per field type.

A conflict is two edits of the same field of the same record made without
seeing each other (or an edit on one side and a delete on the other).  The
rule picks the value that is applied; the other value is **always** kept in
the conflict inbox, whatever the rule, so the user can bring it back.

The rules live in the profile settings (``Settings.conflict_policy``, a plain
``{key: value}`` map so an unknown or damaged entry falls back to the default)
and are read by the sync on every merge.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from crm_protocol.records import FieldKind

log = logging.getLogger("crm.conflict_policy")


class FieldRule(StrEnum):
    #: The edit made later wins (hybrid logical clock, survives clock skew).
    LATEST = "latest"
    #: The value already on the server (the other person's edit) wins.
    THEIRS = "theirs"
    #: The value edited on this computer wins.
    MINE = "mine"


class DeleteRule(StrEnum):
    #: An edit against a delete brings the record back (with the edit).
    EDIT_WINS = "edit"
    #: The delete stands; the edited version waits in the inbox.
    DELETE_WINS = "delete"


#: Field kinds whose rule the user may set.  Tags are not here: they merge as
#: sets (an addition or removal on either side survives), never conflict.
CONFIGURABLE_KINDS: tuple[FieldKind, ...] = tuple(k for k in FieldKind if k.value != "tags")
#: The settings key of the edit-against-delete rule.
DELETE_KEY = "delete"


@dataclass(frozen=True)
class ConflictPolicy:
    by_kind: Mapping[str, FieldRule] = field(default_factory=dict)
    delete: DeleteRule = DeleteRule.EDIT_WINS

    def rule_for(self, kind: FieldKind | str) -> FieldRule:
        return self.by_kind.get(str(kind), FieldRule.LATEST)

    @classmethod
    def from_settings(cls, raw: Mapping[str, object] | None) -> ConflictPolicy:
        """Build from the settings map; bad entries are logged and ignored."""
        by_kind: dict[str, FieldRule] = {}
        delete = DeleteRule.EDIT_WINS
        for key, value in (raw or {}).items():
            try:
                if key == DELETE_KEY:
                    delete = DeleteRule(str(value))
                elif key in {k.value for k in CONFIGURABLE_KINDS}:
                    by_kind[key] = FieldRule(str(value))
                else:
                    log.warning("unknown conflict rule key %r ignored", key)
            except ValueError:
                log.warning("conflict rule %r=%r is not valid; using the default", key, value)
        return cls(by_kind, delete)

    def to_settings(self) -> dict[str, str]:
        out = {k: v.value for k, v in self.by_kind.items() if v is not FieldRule.LATEST}
        if self.delete is not DeleteRule.EDIT_WINS:
            out[DELETE_KEY] = self.delete.value
        return out


DEFAULT_POLICY = ConflictPolicy()
