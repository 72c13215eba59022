"""SyncSession at start-up: nothing on the GUI thread waits for the keychain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_desktop.context import AppContext
from crm_desktop.keychain import KeychainOrMemoryTokenStore, KeychainUnavailable, KeyringTokenStore, NoSecureKeychain
from sync.session import SyncSession


class RecordingStore:
    """A token store that notes the thread of every call."""

    def __init__(self, problem: str | None = None, fail: KeychainUnavailable | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self._problem = problem
        self._fail = fail

    def _note(self, name: str) -> None:
        self.calls.append((name, threading.current_thread().name))
        if self._fail is not None:
            raise self._fail

    def load(self, account: str) -> str | None:
        self._note("load")
        return None

    def save(self, account: str, token: str) -> None:
        self._note("save")

    def delete(self, account: str) -> None:
        self._note("delete")

    def problem(self) -> str | None:
        self._note("problem")
        return self._problem


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    context = AppContext.open(tmp_path / "profile", lock=False)
    yield context
    context.close()


def signed_in(context: AppContext, server_url: str = "http://127.0.0.1:9") -> None:
    context.settings.server_url = server_url
    context.settings.user_id = "u-1"
    context.settings.user_email = "rep@example.com"
    context.save_settings()


def test_resume_without_a_remembered_sign_in_builds_nothing(qtbot: Any, context: AppContext) -> None:
    store = RecordingStore()
    session = SyncSession(context, store, watch_network=False)
    assert session.resume() is None
    context.settings.server_url = "http://127.0.0.1:9"  # signed out since: the server is remembered, not the user
    assert session.resume() is None
    assert store.calls == []


def test_resume_never_reads_the_keychain_on_the_gui_thread(qtbot: Any, context: AppContext, cloud: Any) -> None:
    signed_in(context, cloud.url)
    store = RecordingStore()
    session = SyncSession(context, store, watch_network=False)
    controller = session.resume()
    assert controller is not None
    assert store.calls == []
    # The first sync reads the token, on the network thread; none is there: sign in again.
    with qtbot.waitSignal(controller.signInRequired, timeout=10_000) as blocker:
        controller.start()
    assert "Sign in" in blocker.args[0]
    assert store.calls and all(thread != threading.main_thread().name for _name, thread in store.calls)
    session.shutdown()


def test_a_locked_keychain_at_the_first_sync_is_reported_not_hidden(
    qtbot: Any, context: AppContext, cloud: Any,
) -> None:
    signed_in(context, cloud.url)
    locked = KeychainUnavailable("The keychain is locked. Unlock it and try again; you stay signed out until then.")
    session = SyncSession(context, RecordingStore(fail=locked), watch_network=False)
    controller = session.resume()
    assert controller is not None
    with qtbot.waitSignal(controller.stateChanged, timeout=10_000,
                          check_params_cb=lambda state, _message: state == "error") as blocker:
        controller.start()
    assert "locked" in blocker.args[1]
    session.shutdown()


def test_check_keychain_tells_the_ui_off_the_gui_thread(qtbot: Any, context: AppContext) -> None:
    store = RecordingStore(problem="No secure keychain is available")
    session = SyncSession(context, store, watch_network=False)
    with qtbot.waitSignal(session.keychainProblem, timeout=10_000) as blocker:
        session.check_keychain()
    assert blocker.args == ["No secure keychain is available"]
    assert store.calls == [("problem", "keychain-check")]
    session.shutdown()


def test_no_problem_no_signal(qtbot: Any, context: AppContext) -> None:
    session = SyncSession(context, RecordingStore(), watch_network=False)
    with qtbot.assertNotEmitted(session.keychainProblem, wait=100):
        session.check_keychain().join(10)
    session.shutdown()


def test_no_secure_keychain_falls_back_to_memory_for_this_run_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keychain = KeyringTokenStore()

    def no_secure_keychain() -> None:
        raise NoSecureKeychain("No secure keychain is available")

    monkeypatch.setattr(keychain, "check", no_secure_keychain)
    store = KeychainOrMemoryTokenStore(keychain)
    store.save("acct", "token")
    assert store.load("acct") == "token"
    assert store.problem() == "No secure keychain is available"
    store.delete("acct")
    assert store.load("acct") is None


def test_a_locked_keychain_is_not_replaced_by_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    keychain = KeyringTokenStore()
    monkeypatch.setattr(keychain, "check", lambda: None)

    def locked(*_args: object) -> None:
        raise KeychainUnavailable("The keychain is locked.")

    monkeypatch.setattr(keychain, "save", locked)
    store = KeychainOrMemoryTokenStore(keychain)
    with pytest.raises(KeychainUnavailable):
        store.save("acct", "token")
    assert store.problem() is None


def test_resume_later_loads_the_network_stack_on_a_thread_then_starts_syncing(
    qtbot: Any, context: AppContext, cloud: Any,
) -> None:
    signed_in(context, cloud.url)
    store = RecordingStore()
    session = SyncSession(context, store, watch_network=False)
    with qtbot.waitSignal(session.controllerChanged, timeout=20_000) as blocker:
        session.resume_later()
    controller = blocker.args[0]
    assert controller is session.controller
    # Started: its first sync asks the keychain for the token (none: sign in again).
    qtbot.waitUntil(lambda: any(n == "load" for n, _t in store.calls), timeout=20_000)
    qtbot.waitUntil(lambda: any(n == "problem" for n, _t in store.calls), timeout=20_000)
    session.shutdown()


def test_resume_later_without_a_sign_in_only_looks_at_the_keychain(qtbot: Any, context: AppContext) -> None:
    store = RecordingStore(problem="No secure keychain is available")
    session = SyncSession(context, store, watch_network=False)
    with qtbot.waitSignal(session.keychainProblem, timeout=10_000):
        session.resume_later()
    assert session.controller is None
    assert [name for name, _thread in store.calls] == ["problem"]
    session.shutdown()


class BlockingStore(RecordingStore):
    """The keychain answers only when ``release`` is set (a prompt nobody answered yet)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.tokens = {"key": "refresh"}

    def load(self, account: str) -> str | None:
        self._note("load")
        self.release.wait(10)
        return self.tokens.get(account)

    def delete(self, account: str) -> None:
        self._note("delete")
        self.release.wait(10)
        self.tokens.pop(account, None)


def test_sign_out_does_not_wait_for_the_keychain_or_the_server(qtbot: Any, context: AppContext) -> None:
    signed_in(context)  # a server nobody answers at: the revoke fails quietly
    store = BlockingStore()
    session = SyncSession(context, store, watch_network=False)
    with qtbot.waitSignal(session.controllerChanged, timeout=5_000) as blocker:
        forgetting = session.sign_out()
    assert blocker.args == [None]
    assert context.settings.user_id == "" and context.settings.user_email == ""
    assert forgetting is not None and forgetting.is_alive()  # still at the keychain
    store.release.set()
    forgetting.join(10)
    assert not forgetting.is_alive()
    assert [name for name, thread in store.calls] == ["load", "delete"]
    assert all(thread == "crm-sign-out" for _name, thread in store.calls)
    session.shutdown()


def test_a_keychain_that_refuses_at_sign_out_is_reported(qtbot: Any, context: AppContext) -> None:
    signed_in(context)
    locked = KeychainUnavailable("The keychain is locked. Unlock it and try again; you stay signed out until then.")
    session = SyncSession(context, RecordingStore(fail=locked), watch_network=False)
    with qtbot.waitSignal(session.keychainProblem, timeout=10_000) as blocker:
        session.sign_out()
    assert "could not forget" in blocker.args[0] and "locked" in blocker.args[0]
    assert context.settings.user_id == ""
    session.shutdown()


def test_a_sign_in_waits_until_the_last_sign_out_forgot_its_token(qtbot: Any, context: AppContext) -> None:
    signed_in(context)
    store = BlockingStore()
    session = SyncSession(context, store, watch_network=False)
    session.sign_out()
    opened: list[str] = []
    cancelled = threading.Event()
    future = session.sign_in("http://127.0.0.1:9", opened.append, cancelled)
    qtbot.wait(300)
    assert opened == [] and not future.done()  # held back: the old token is still being deleted
    store.release.set()
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)  # then the browser is asked to sign in
    cancelled.set()
    with pytest.raises(Exception):  # noqa: B017 - the user gave up in the browser
        future.result(timeout=30)
    session.shutdown()
