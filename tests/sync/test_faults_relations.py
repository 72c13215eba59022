"""Links that the state machine found could strand a change in the outbox."""

from __future__ import annotations

from tests.sync.helpers import server_contacts


def test_deleting_an_unsynced_account_unlinks_its_offline_contacts(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    account = a.records.create("account", {"name": "Never sent"})
    contact = a.records.create("contact", {"first_name": "Ann", "account_id": account})
    # The account never reached the server, so it is forgotten; the contact
    # must not point at it, or the server refuses the contact for good.
    a.records.delete("account", account)
    assert a.records.get("contact", contact).data["account_id"] is None
    report = a.sync()
    assert report.rejected == 0 and a.records.pending_count() == 0
    assert [c["first_name"] for c in server_contacts(cloud, a)] == ["Ann"]


def test_contact_of_an_account_deleted_elsewhere_stays_editable(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    account = a.records.create("account", {"name": "Acme"})
    contact = a.records.create("contact", {"first_name": "Ann", "account_id": account})
    a.sync()
    b.sync()
    b.records.delete("account", account)
    b.sync()
    a.sync()
    # The link is kept (the server keeps it too); editing another field of
    # the contact must not be refused because of it.
    a.records.update("contact", contact, {"title": "Buyer"})
    assert a.sync().rejected == 0
    b.sync()
    assert b.records.get("contact", contact).data["title"] == "Buyer"


def test_parent_restore_queued_after_its_children_is_not_starved(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    # Found by the state machine: with more stuck children than one push
    # batch, the account restore the server asks for was never picked.
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    account = a.records.create("account", {"name": "Acme"})
    a.sync()
    b.sync()
    b.engine.push_batch = 2
    for i in range(3):
        b.records.create("contact", {"first_name": f"Under Acme {i}", "account_id": account})
    a.records.delete("account", account)
    a.sync()
    b.sync()
    assert b.records.pending_count() == 0
    a.sync()
    assert len(server_contacts(cloud, a)) == 3
