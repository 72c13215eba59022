"""Faults around a push: lost responses, edits made while a push is under way."""

from __future__ import annotations

import pytest

from sync.errors import ServerUnavailable
from tests.sync.test_end_to_end import contact_count


def test_lost_push_response_is_replayed_not_applied_twice(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Once"})
    real_push = a.engine.client.push
    sent: list[str] = []

    def push_then_lose_answer(request):  # type: ignore[no-untyped-def]
        sent.extend(c.change_id for c in request.changes)
        real_push(request)  # the server commits...
        raise ServerUnavailable("connection reset")  # ...and the answer never arrives

    a.engine.client.push = push_then_lose_answer  # type: ignore[method-assign]
    with pytest.raises(ServerUnavailable):
        a.sync()
    a.engine.client.push = real_push  # type: ignore[method-assign]
    a.sync()
    b.sync()
    assert contact_count(b) == 1
    assert b.records.get("contact", contact).data["first_name"] == "Once"
    assert a.records.pending_count() == 0


def test_edit_during_push_is_not_lost(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann"})
    real_push = a.engine.client.push

    def push_while_user_edits(request):  # type: ignore[no-untyped-def]
        a.records.update("contact", contact, {"title": "Typed during the push"})
        return real_push(request)

    a.engine.client.push = push_while_user_edits  # type: ignore[method-assign]
    a.sync()
    a.engine.client.push = real_push  # type: ignore[method-assign]
    # The edit was queued on top of the acknowledged create and sent in the
    # same sync's next push round.
    assert a.records.pending_count() == 0
    b.sync()
    assert b.records.get("contact", contact).data["title"] == "Typed during the push"


def test_rejected_change_is_kept_with_reason(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    account = a.records.create("account", {"name": "Acme"})
    a.sync()
    # Another client of the same user deletes the account; A links a new
    # contact to it offline.  The contact is kept, and so is the link.
    contact = a.records.create("contact", {"first_name": "Orphan", "account_id": account})
    report = a.sync()
    assert report.rejected == 0
    assert a.records.get("contact", contact).data["account_id"] == account
