"""Merge outcomes end to end: real backend on loopback, two or three profiles.

One test per outcome documented in docs/SYNC.md, section 8.
"""

from __future__ import annotations

from crm_desktop.store.schema import KeyValue
from crm_protocol.wire import ChangeOp, PushRequest
from tests.sync.clocks import HOUR_MS
from tests.sync.test_end_to_end import contact_count


def test_same_field_later_edit_wins_despite_hours_of_clock_skew(cloud, make_profile, skew) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")  # this laptop's clock is three hours behind
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann"})
    with skew(-3 * HOUR_MS):
        a.sync()  # learns the server's time
    b.sync()
    b.records.update("contact", contact, {"title": "Buyer"})
    with skew(-3 * HOUR_MS + 60_000):
        a.records.update("contact", contact, {"title": "Head of buying"})  # a minute later, in real time
    b.sync()
    with skew(-3 * HOUR_MS):
        a.sync()
    b.sync()
    assert a.records.get("contact", contact).data["title"] == "Head of buying"
    assert b.records.get("contact", contact).data["title"] == "Head of buying"
    (conflict,) = a.records.open_conflicts()
    assert (conflict.server_value, conflict.winner) == ("Buyer", "local")


def test_clock_ahead_before_first_sync_does_not_win(cloud, make_profile, skew) -> None:  # type: ignore[no-untyped-def]
    office = make_profile("office", "alice@example.com")
    contact = office.records.create("contact", {"first_name": "Ann"})
    office.sync()
    laptop = make_profile("laptop", "alice@example.com")
    with skew(5 * HOUR_MS):
        laptop.sync()
    office.sync()
    # The laptop's clock runs five hours ahead and it has not learnt the
    # server's time yet (as on a new laptop): its edit comes first in reality.
    with laptop.context.db.session() as session:
        session.delete(session.get(KeyValue, "sync.clock_offset_ms"))
    with skew(5 * HOUR_MS):
        laptop.records.update("contact", contact, {"title": "Early edit"})
    with skew(60_000):  # a minute later (the office's clock is right)
        office.records.update("contact", contact, {"title": "Later edit"})
    office.sync()
    with skew(5 * HOUR_MS):
        laptop.sync()  # learns the offset first, and moves its offline stamps into server time
    office.sync()
    assert office.records.get("contact", contact).data["title"] == "Later edit"
    (conflict,) = laptop.records.open_conflicts()
    assert (conflict.local_value, conflict.winner) == ("Early edit", "server")


def test_conflict_rule_per_field_kind_from_settings(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann"})
    a.sync()
    b.sync()
    a.context.settings.conflict_policy = {"text": "theirs"}
    b.records.update("contact", contact, {"title": "Theirs", "notes": "their notes"})
    a.records.update("contact", contact, {"title": "Mine", "notes": "my notes"})  # both later
    b.sync()
    a.sync()
    data = a.records.get("contact", contact).data
    assert data["title"] == "Theirs"  # text: the server's value, by the user's rule
    assert data["notes"] == "my notes"  # long text: still the later edit
    assert {(c.field, c.winner) for c in a.records.open_conflicts()} == {("title", "server"), ("notes", "local")}


def test_several_offline_edits_are_pushed_as_one_change(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    contact = a.records.create("contact", {"first_name": "Ann"})
    a.sync()
    sent: list[PushRequest] = []
    real_push = a.engine.client.push

    def recording_push(request: PushRequest):  # type: ignore[no-untyped-def]
        sent.append(request)
        return real_push(request)

    a.engine.client.push = recording_push  # type: ignore[method-assign]
    base_rev = a.records.get("contact", contact).server_rev
    a.records.update("contact", contact, {"title": "One"})
    a.records.update("contact", contact, {"title": "Two", "city": "Oslo"})
    a.records.update("contact", contact, {"email": "ann@example.com"})
    assert a.records.pending_count() == 1
    a.sync()
    (request,) = sent
    (change,) = request.changes
    assert change.op is ChangeOp.UPDATE and change.base_rev == base_rev
    assert change.fields == {"title": "Two", "city": "Oslo", "email": "ann@example.com"}
    assert set(change.stamps) == {"title", "city", "email"}
    assert change.stamps["email"] > change.stamps["city"]  # each field its own latest edit


def test_offline_create_then_edits_is_one_create(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann"})
    a.records.update("contact", contact, {"last_name": "Lee"})
    requests = a.replica.take_outbox(10)
    assert [c.op for c in requests] == [ChangeOp.CREATE]
    assert requests[0].fields["last_name"] == "Lee"
    a.sync()
    b.sync()
    assert b.records.get("contact", contact).data["last_name"] == "Lee"


def test_create_pushed_twice_exists_once_everywhere(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Once"})
    # The app froze and sent the change, the server committed it, and the
    # app died before it saw the answer; on restart it sends it again.
    changes = a.replica.take_outbox(10)
    client_id = a.replica.client_id()
    a.engine.client.push(PushRequest(client_id=client_id, changes=changes))
    again = a.replica.take_outbox(10)
    assert [c.change_id for c in again] == [c.change_id for c in changes]  # exactly the same change
    a.sync()
    a.sync()
    b.sync()
    assert contact_count(a) == contact_count(b) == 1
    assert b.records.get("contact", contact).server_rev == a.records.get("contact", contact).server_rev
