"""Faults between the app and the server: each ends with a clear error, nothing
applied from a bad answer, and the next sync carries on from the last cursor."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from crm_cloud.deps import PROTOCOL_MAX, PROTOCOL_MIN
from crm_protocol.wire import PROTOCOL_HEADER
from sync.client import CloudClient, _retry_after
from sync.errors import BadResponse, Offline, ProtocolMismatch, ServerUnavailable
from tests.sync.helpers import contact_count, server_contacts
from tests.sync.machine import FaultyTransport

_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def faulty(profile, fault: str | None = None, at: int = 0, path: str = "") -> FaultyTransport:  # type: ignore[no-untyped-def]
    """Route the profile's sync requests (not its token refreshes) through a fault injector."""
    transport = FaultyTransport()
    transport.arm(fault, at, path)
    http = httpx.Client(transport=transport, timeout=10)
    _OPEN.append(http)
    profile.engine.client = CloudClient(http, profile.tokens)
    return transport


class Rewriting(httpx.BaseTransport):
    """Real HTTP with a hook that may rewrite each request or answer."""

    def __init__(self, on_request: Callable[[httpx.Request], httpx.Request | httpx.Response]) -> None:
        self._inner = httpx.HTTPTransport()
        self._on_request = on_request
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        changed = self._on_request(request)
        if isinstance(changed, httpx.Response):
            return changed
        return self._inner.handle_request(changed)

    def close(self) -> None:
        self._inner.close()


def rewriting(profile, hook) -> Rewriting:  # type: ignore[no-untyped-def]
    transport = Rewriting(hook)
    http = httpx.Client(transport=transport, timeout=10)
    _OPEN.append(http)
    profile.engine.client = CloudClient(http, profile.tokens)
    return transport


def test_lost_push_request_is_sent_again_and_applied_once(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("contact", {"first_name": "Once"})
    transport = faulty(a, "lost_request", at=0, path="/sync/push")  # the push (first request) never arrives
    with pytest.raises(Offline):
        a.sync()
    assert a.records.pending_count() == 1
    transport.arm(None)
    assert a.sync().pushed == 1
    assert [c["first_name"] for c in server_contacts(cloud, a)] == ["Once"]


@pytest.mark.parametrize("fault", ["lost_response", "timeout", "truncated"])
def test_push_answer_lost_after_commit_is_replayed_by_change_id(cloud, make_profile, fault) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    contact = a.records.create("contact", {"first_name": "Once"})
    transport = faulty(a, fault, at=0, path="/sync/push")
    with pytest.raises((Offline, ServerUnavailable, BadResponse)):
        a.sync()
    # The server committed the create; the client does not know.  Editing
    # before the retry must neither duplicate the record nor lose the edit.
    a.records.update("contact", contact, {"title": "Edited before the retry"})
    transport.arm(None)
    a.sync()
    b.sync()
    assert contact_count(b) == 1
    assert b.records.get("contact", contact).data["title"] == "Edited before the retry"
    assert len(server_contacts(cloud, a)) == 1
    assert a.records.pending_count() == 0


@pytest.mark.parametrize("fault", ["lost_response", "timeout", "truncated", "captive_portal", "server_error"])
def test_bad_pull_page_applies_nothing_and_the_next_sync_resumes(cloud, make_profile, fault) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    for i in range(12):
        a.records.create("contact", {"first_name": f"Person {i:02d}"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=5)
    first_page = b.engine.client.pull(0, 5)
    transport = faulty(b, fault, at=1, path="/sync/pull")  # page 2
    with pytest.raises((Offline, ServerUnavailable, BadResponse)) as excinfo:
        b.sync()
    assert excinfo.value.message and excinfo.value.transient
    # Page 1 landed with its cursor; nothing of the bad page 2 did.
    assert b.replica.cursor() == first_page.cursor
    assert b.context.db.integrity_ok()
    transport.arm(None)
    report = b.sync()
    assert not report.repaired
    assert report.pulled + len(first_page.records) == len(b.engine.client.pull(0, 5000).records)
    assert contact_count(b) == 12


def test_server_errors_carry_retry_after(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")

    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "120"}, json={"code": "busy", "message": "slow down"})

    rewriting(a, busy)
    with pytest.raises(ServerUnavailable) as excinfo:
        a.sync()
    assert excinfo.value.retry_after == 120
    assert "busy" in excinfo.value.message.lower()


def test_retry_after_as_http_date_is_understood() -> None:
    when = time.time() + 90
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
    delay = _retry_after(httpx.Response(503, headers={"Retry-After": stamp}))
    assert delay is not None and 80 <= delay <= 91
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "99999999"})) == 3600


def test_tls_failure_says_so_and_keeps_changes(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("account", {"name": "Kept"})

    def bad_certificate(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate", request=request
        )

    rewriting(a, bad_certificate)
    with pytest.raises(Offline) as excinfo:
        a.sync()
    assert "secure connection" in excinfo.value.message.lower()
    assert a.records.pending_count() == 1


@pytest.mark.parametrize("version", [PROTOCOL_MAX + 1, PROTOCOL_MIN - 1])
def test_other_protocol_version_is_refused_clearly_and_changes_nothing(cloud, make_profile, version) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    b.records.create("contact", {"first_name": "On the server"})
    b.sync()
    a.records.create("contact", {"first_name": "Waiting"})

    def other_version(request: httpx.Request) -> httpx.Request:
        request.headers[PROTOCOL_HEADER] = str(version)
        return request

    rewriting(a, other_version)
    with pytest.raises(ProtocolMismatch) as excinfo:
        a.sync()
    assert "version" in excinfo.value.message.lower()
    assert not excinfo.value.transient
    assert a.records.pending_count() == 1
    assert contact_count(a) == 1
    assert a.replica.cursor() == 0
    assert len(server_contacts(cloud, b)) == 1


def test_access_token_expiring_mid_sync_is_refreshed(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com", pull_limit=2)
    for i in range(5):
        b.records.create("contact", {"first_name": f"P{i}"})
    b.sync()
    a.records.create("contact", {"first_name": "Mine"})
    seen = {"pulls": 0}

    def expire_after_push(request: httpx.Request) -> httpx.Request | httpx.Response:
        # The push goes through; the first pull finds the token expired (the
        # server answers 401 as it does for an expired token).
        if request.url.path.endswith("/sync/pull"):
            seen["pulls"] += 1
            if seen["pulls"] == 1:
                return httpx.Response(401, json={"code": "token_expired", "message": "The access token has expired"})
        return request

    transport = rewriting(a, expire_after_push)
    report = a.sync()
    assert report.pushed == 1 and report.pulled >= 5
    assert contact_count(a) == 6
    assert transport.requests > 3


def test_an_outbox_bigger_than_the_round_cap_goes_in_one_sync(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    from sync.engine import MAX_PUSH_ROUNDS

    a = make_profile("alice")
    a.engine.push_batch = 2
    for i in range(2 * MAX_PUSH_ROUNDS + 3):
        a.records.create("contact", {"first_name": f"Backlog {i}"})
    report = a.sync()
    assert report.pushed == 2 * MAX_PUSH_ROUNDS + 3
    assert a.records.pending_count() == 0
