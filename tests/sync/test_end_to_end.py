"""Two profiles against one real backend: the issue's "done when" scenarios."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from crm_desktop.store.schema import Contact
from sync.auth import TokenManager, sign_in
from sync.client import CloudClient
from sync.engine import SyncEngine
from sync.errors import BadResponse, Offline, SignInRequired
from tests.sync.fixtures import PASSWORD, browser_open


def contact_count(profile) -> int:  # type: ignore[no-untyped-def]
    with profile.context.db.session() as session:
        return int(session.execute(select(func.count()).select_from(Contact).where(Contact.deleted.is_(False)))
                   .scalar_one())


def test_offline_create_then_sync_reaches_other_profile(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")  # the same rep on a second laptop
    cloud.stop()
    account = a.records.create("account", {"name": "Acme Ltd", "phone": "+44 20 7946 0958"})
    first = a.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "account_id": account,
                                         "email": "ann@acme.example"})
    a.records.create("contact", {"first_name": "Bo", "last_name": "Chen", "account_id": account})
    with pytest.raises(Offline) as excinfo:
        a.sync()
    assert "offline" in excinfo.value.message.lower()
    assert a.records.pending_count() == 3  # nothing lost while the server was down
    cloud.start()
    report = a.sync()
    assert report.pushed == 3
    assert a.records.pending_count() == 0
    b.sync()
    assert b.records.get("contact", first).data["email"] == "ann@acme.example"
    assert [c.data["first_name"] for c in b.records.contacts_of_account(account)] == ["Ann", "Bo"]


def test_concurrent_edit_keeps_both_values(cloud, make_profile, skew) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann", "last_name": "Lee"})
    a.sync()
    b.sync()
    # B edits the title; A, offline, edits the title too (later) and the email.
    b.records.update("contact", contact, {"title": "CTO"})
    with skew(60_000):  # a minute later
        a.records.update("contact", contact, {"title": "Chief Technology Officer", "email": "ann@lee.example"})
    b.sync()
    a.sync()
    b.sync()
    on_a = a.records.get("contact", contact).data
    on_b = b.records.get("contact", contact).data
    assert on_a == on_b  # converged
    assert on_a["email"] == "ann@lee.example"  # a different field: merged, no question
    # Same field: the later edit wins by default (A's, made after B's)...
    assert on_a["title"] == "Chief Technology Officer"
    conflicts = a.records.open_conflicts()
    assert [(c.field, c.local_value, c.server_value, c.winner) for c in conflicts] == [
        ("title", "Chief Technology Officer", "CTO", "local")  # ...and B's value is kept and visible
    ]
    assert conflicts[0].local_edited_at is not None and conflicts[0].server_edited_at is not None
    assert conflicts[0].local_edited_at >= conflicts[0].server_edited_at
    # The user keeps B's value after all; it syncs like any edit.
    a.records.resolve_conflict(conflicts[0].id, "server")
    a.sync()
    b.sync()
    assert b.records.get("contact", contact).data["title"] == "CTO"
    assert a.records.open_conflict_count() == 0


def test_delete_travels_and_edit_against_delete_is_kept(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Ann"})
    a.sync()
    b.sync()
    a.context.settings.conflict_policy = {"delete": "delete"}  # not the default: the delete stands
    b.records.delete("contact", contact)
    a.records.update("contact", contact, {"title": "Buyer"})
    b.sync()
    a.sync()
    assert contact_count(a) == contact_count(b) == 0
    (conflict,) = a.records.open_conflicts()
    assert conflict.kind == "deleted_remotely" and conflict.local_value["title"] == "Buyer"
    assert conflict.winner == "server"


def test_interrupted_pull_resumes_without_duplicates(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    for i in range(120):
        a.records.create("contact", {"first_name": f"Person {i:03d}"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=25)
    real_pull = b.engine.client.pull_raw
    calls = {"n": 0}

    def dying_pull(cursor: int, limit: int):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise Offline("connection dropped")
        return real_pull(cursor, limit)

    b.engine.client.pull_raw = dying_pull  # type: ignore[method-assign]
    with pytest.raises(Offline):
        b.sync()
    # Two pages landed, with their cursor; the first held the 10 seeded
    # configuration records (pipeline stages, service levels) too.
    assert contact_count(b) == 40
    b.engine.client.pull_raw = real_pull  # type: ignore[method-assign]
    report = b.sync()
    assert report.pulled == 80 and not report.repaired
    assert contact_count(b) == 120


def test_wrong_password_is_refused_clearly(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    make_profile("alice")
    with httpx.Client(timeout=10) as http, pytest.raises(SignInRequired) as excinfo:
        sign_in(cloud.url, browser_open("alice@example.com", "wrong password"), http, timeout=5)
    assert "wrong email or password" in excinfo.value.message.lower()


def test_unreachable_server_is_offline_and_keeps_changes(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("account", {"name": "Kept"})
    cloud.stop()
    with pytest.raises(Offline):
        a.sync()
    assert a.records.pending_count() == 1


def test_expired_access_token_is_refreshed(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("account", {"name": "Acme"})
    # The client believes its token is valid (clock skew), the server says it
    # has expired: the client refreshes once and carries on.
    expired = jwt.encode({"sub": a.context.settings.user_id, "exp": int(time.time()) - 60,
                          "iat": int(time.time()) - 1000, "typ": "access"},
                         cloud.env["CRM_CLOUD_SECRET_KEY"], algorithm="HS256")
    a.tokens._access = expired
    a.tokens._expires_at = time.monotonic() + 3600
    report = a.sync()
    assert report.pushed == 1


def test_revoked_refresh_token_asks_to_sign_in_and_keeps_changes(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("account", {"name": "Acme"})
    refresh = a.store.load(a.tokens._account)
    # Someone replays the refresh token (stolen): the server revokes its family.
    with httpx.Client() as thief:
        thief.post(f"{cloud.url}/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh,
                                                     "client_id": "crm-desktop"})
    a.tokens._access = None
    with pytest.raises(SignInRequired):
        a.sync()
    assert a.records.pending_count() == 1
    assert a.store.load(a.tokens._account) is None
    # Signing in again sends the kept change.
    a.tokens.accept(sign_in(cloud.url, browser_open("alice@example.com", PASSWORD), a.http))
    assert a.sync().pushed == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html><body>Welcome to Airport Wi-Fi</body></html>"),
        ("application/json", b'{"records": [{"type": "contact", "id": "'),
        ("application/json", b'{"records": "nope", "cursor": 1, "has_more": false, "server_cursor": 1}'),
        ("application/json", b'{"records": [{"type": "contact", "id": "01934f6e-0000-7000-8000-000000000001",'
                             b' "rev": 50, "deleted": false, "data": {"first_name": 42},'
                             b' "updated_at": "2026-01-01T00:00:00Z"}], "cursor": 50, "has_more": false,'
                             b' "server_cursor": 50}'),
    ],
)
def test_malformed_server_answer_changes_nothing(cloud, make_profile, content_type, body) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("account", {"name": "Acme"})
    a.sync()
    cursor_before = a.replica.cursor()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/pull"):
            return httpx.Response(200, content=body, headers={"Content-Type": content_type})
        return httpx.Response(200, json={"results": [], "cursor": 0})

    with httpx.Client(transport=httpx.MockTransport(handler)) as fake:
        tokens = TokenManager(cloud.url, fake, a.store, a.tokens._account)
        tokens._access, tokens._expires_at = "x", time.monotonic() + 3600
        engine = SyncEngine(a.replica, CloudClient(fake, tokens))
        with pytest.raises(BadResponse) as excinfo:
            engine.run()
    assert excinfo.value.message
    assert a.replica.cursor() == cursor_before
    assert contact_count(a) == 0
    assert a.context.db.integrity_ok()


def test_owner_names_refresh_lists_when_the_user_directory_changes(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    """The user directory arrives after the records: lists showing owners must hear of it."""
    a = make_profile("alice")
    a.records.create("contact", {"first_name": "Ann"})
    events = []
    first = a.engine.run(on_changed=events.append)
    assert "contact" in first.changed and any("account" in e.record_types for e in events)
    events.clear()
    second = a.engine.run(on_changed=events.append)
    assert not second.changed and events == []  # nothing new: no needless refresh
