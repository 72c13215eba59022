"""Business rules both sides apply the same way, over plain field values.

The client applies them offline when the user saves, the server when a
record arrives by REST or sync without them, so a record looks the same
wherever it was made.  Inputs are the configuration records every user
receives by sync (pipeline stages, service levels) as plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from crm_protocol.records import FieldError, format_datetime, parse_datetime

#: The pipeline a new server starts with: (name, probability, outcome).
DEFAULT_STAGES: tuple[tuple[str, int, str], ...] = (
    ("Prospecting", 10, "open"),
    ("Qualification", 20, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Closed Won", 100, "won"),
    ("Closed Lost", 0, "lost"),
)

#: Service levels a new server starts with: (priority, first response hours, resolution hours).
DEFAULT_SERVICE_LEVELS: tuple[tuple[str, int, int], ...] = (
    ("Urgent", 1, 4),
    ("High", 4, 24),
    ("Medium", 8, 72),
    ("Low", 24, 168),
)

_STATUS_OF_OUTCOME = {"open": "Open", "won": "Won", "lost": "Lost"}


def ordered_stages(stages: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Stages in pipeline order (position, then name)."""
    return sorted(stages, key=lambda s: (int(s.get("position") or 0), str(s.get("name") or "")))


def apply_stage(
    cleaned: dict[str, Any], previous: Mapping[str, Any] | None, stages: Iterable[Mapping[str, Any]]
) -> list[FieldError]:
    """Check an opportunity's stage and follow it: probability and won / lost status.

    When the stage is new or changed, the probability takes the stage's unless
    the user set another one in the same edit, and the status follows the
    stage's outcome (a "Closed Won" stage makes the opportunity won).  With no
    stages configured any stage name is accepted.

    The other way round: marking an open opportunity Won or Lost (its status)
    moves it to the pipeline's first won / lost stage, so status and stage
    never disagree; a pipeline without such a stage refuses with a reason on
    the status instead of keeping a won opportunity in an open stage.
    """
    by_name = {str(s.get("name")): s for s in stages}
    stage_name = cleaned.get("stage")
    if not by_name or not stage_name:
        return []
    stage = by_name.get(str(stage_name))
    if stage is None:
        names = ", ".join(str(s.get("name")) for s in ordered_stages(by_name.values()))
        return [FieldError("stage", f"Stage must be one of the pipeline stages: {names}")]
    status = cleaned.get("status")
    status_changed = previous is None or previous.get("status") != status
    stage_set_now = previous is not None and previous.get("stage") != stage_name
    if status in ("Won", "Lost") and status_changed and not stage_set_now \
            and str(stage.get("outcome") or "open") == "open":
        outcome = str(status).lower()
        closing = next((s for s in ordered_stages(by_name.values()) if s.get("outcome") == outcome), None)
        if closing is None:
            return [FieldError("status", f"The pipeline has no {outcome} stage, so the opportunity cannot be "
                                         f"marked {status}. An administrator can add one; until then it "
                                         "stays open.")]
        stage_name = cleaned["stage"] = str(closing.get("name"))
        stage = closing
    changed = previous is None or previous.get("stage") != stage_name
    if not changed:
        return []
    probability_set_now = previous is not None and previous.get("probability") != cleaned.get("probability")
    if not probability_set_now and (previous is not None or cleaned.get("probability") is None):
        cleaned["probability"] = stage.get("probability")
    outcome = str(stage.get("outcome") or "open")
    cleaned["status"] = _STATUS_OF_OUTCOME.get(outcome, "Open")
    return []


def case_due_at(
    created_at: datetime, priority: str | None, levels: Iterable[Mapping[str, Any]]
) -> str | None:
    """When a case of ``priority`` opened at ``created_at`` is due, by its service level."""
    for level in levels:
        if level.get("priority") == priority and level.get("resolution_hours") is not None:
            return format_datetime(created_at + timedelta(hours=int(level["resolution_hours"])))
    return None


def apply_service_level(
    cleaned: dict[str, Any],
    previous: Mapping[str, Any] | None,
    created_at: datetime,
    levels: Iterable[Mapping[str, Any]],
) -> None:
    """Fill a case's due time from its priority's service level.

    A new case without a due time gets one; a changed priority moves a due
    time that was the computed one (a due time the user typed stays).
    """
    levels = list(levels)
    if previous is None:
        if not cleaned.get("due_at"):
            cleaned["due_at"] = case_due_at(created_at, cleaned.get("priority"), levels)
        return
    if cleaned.get("priority") == previous.get("priority"):
        return
    was_computed = previous.get("due_at") == case_due_at(created_at, previous.get("priority"), levels)
    if cleaned.get("due_at") == previous.get("due_at") and (was_computed or not previous.get("due_at")):
        cleaned["due_at"] = case_due_at(created_at, cleaned.get("priority"), levels)


def is_overdue(due_at: str | None, now: datetime) -> bool:
    moment = parse_datetime(due_at) if due_at else None
    return moment is not None and moment < now
