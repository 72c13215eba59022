"""Hostile data from either side: stored, synced and searched without error, or
refused with a clear reason, the same way by the app and by the server."""

from __future__ import annotations

import pytest

from crm_desktop.services.lists import ListSpec
from crm_protocol.records import LONG_TEXT_MAX, MAX_TAGS, ValidationFailed
from crm_protocol.wire import Change, ChangeOp, ChangeStatus, PushRequest
from tests.sync.helpers import server_contacts

HOSTILE_TEXTS = [
    "Zoë 😀👩🏽‍💻 Straße",  # emoji with modifiers and a ZWJ sequence
    "مرحبا بالعالم שלום",  # right-to-left
    "\u202eevil\u202c override",  # bidi override characters
    '"quoted" * NEAR - AND OR NOT ( ) ^ :',  # FTS5 query syntax
    "100% of_the_names \\ %_",  # LIKE wildcards and the escape character
    "'; DROP TABLE contacts; --",
]


def test_hostile_text_is_stored_synced_and_searchable(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    ids = {a.records.create("contact", {"last_name": text, "notes": text * 3}): text for text in HOSTILE_TEXTS}
    assert a.sync().rejected == 0
    b.sync()
    for record_id, text in ids.items():
        assert b.records.get("contact", record_id).data["last_name"] == text.strip()
        assert b.records.get("contact", record_id).data["notes"] == text * 3
    for profile in (a, b):
        assert profile.context.db.integrity_ok()
        for query in [*HOSTILE_TEXTS, '"', "*", "NEAR", "-", "%", "_", "\\", "😀", "שלום", "(", "AND"]:
            # Never an error; the literal text finds its record.
            found = profile.context.lists.first_page(ListSpec("contact", search=query), 50)
            assert found.count >= 0
        for text in ("😀👩🏽", "مرحبا", "100%", "of_the", '"quoted"'):
            assert profile.context.lists.count(ListSpec("contact", search=text)) >= 1, text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"first_name": "Nul\x00byte"}, "control characters"),
        ({"first_name": "Lone \ud800 surrogate"}, "invalid characters"),
        ({"first_name": "Big", "notes": "n" * (10 * 1024 * 1024)}, "too long"),
        ({"first_name": "Tags", "tags": [f"tag{i}" for i in range(10_000)]}, "too many tags"),
    ],
    ids=["nul", "lone-surrogate", "10mb-note", "10k-tags"],
)
def test_unstorable_values_are_refused_with_the_same_reason_on_both_sides(cloud, make_profile, fields,
                                                                         reason) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    with pytest.raises(ValidationFailed) as local:
        a.records.create("contact", fields)
    assert reason in str(local.value).lower()
    assert a.records.pending_count() == 0
    # A client that skipped the check (an old or foreign one) gets the same
    # refusal from the server, per change, and nothing is stored.
    if "\ud800" in fields.get("first_name", ""):
        return  # not even encodable as JSON text; no client can send it
    response = a.engine.client.push(PushRequest(client_id="hostile-client", changes=[
        Change(change_id="01900000-0000-7000-8000-00000000bad1", type="contact",
               id="01900000-0000-7000-8000-00000000bad2", op=ChangeOp.CREATE, fields=fields),
    ]))
    (result,) = response.results
    assert result.status is ChangeStatus.REJECTED
    assert reason in (result.reason or "").lower() or any(reason in e.message.lower() for e in result.field_errors)
    assert server_contacts(cloud, a) == []


def test_largest_allowed_note_and_most_tags_sync_and_search(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    note = ("Long meeting notes, paragraph after paragraph. " * 25_000)[:LONG_TEXT_MAX]
    tags = [f"tag-{i}" for i in range(MAX_TAGS)]
    record_id = a.records.create("contact", {"first_name": "Verbose", "notes": note, "tags": tags})
    assert a.sync().rejected == 0
    b.sync()
    data = b.records.get("contact", record_id).data
    assert data["notes"] == note
    assert sorted(data["tags"]) == sorted(tags)
    assert b.context.lists.count(ListSpec("contact", search="Verbose")) == 1
