"""The refresh token lives in the real OS keychain (Secret Service), nowhere else.

Run inside ``dbus-run-session`` with an unlocked ``gnome-keyring-daemon``
(scripts/test.sh does this).  Without one the tests skip, unless
``CRM_TEST_REQUIRE_KEYCHAIN`` is set (CI), where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backends import fail

from crm_desktop.context import AppContext
from crm_desktop.keychain import KeychainUnavailable, KeyringTokenStore, NoSecureKeychain, account_key
from sync.auth import TokenManager, sign_in
from sync.replica import Replica
from tests.sync.fixtures import PASSWORD, browser_open


def _secret_service_available() -> bool:
    try:
        KeyringTokenStore().check()
    except KeychainUnavailable:
        return False
    return True


requires_keychain = pytest.mark.skipif(
    not _secret_service_available() and not os.environ.get("CRM_TEST_REQUIRE_KEYCHAIN"),
    reason="no Secret Service in this session (run via scripts/test.sh)",
)


@pytest.mark.keychain
@requires_keychain
def test_token_round_trip_in_real_keychain() -> None:
    store = KeyringTokenStore()
    assert "SecretService" in store.backend_name
    key = account_key("http://127.0.0.1:1", "roundtrip")
    store.save(key, "secret-value")
    assert store.load(key) == "secret-value"
    store.delete(key)
    assert store.load(key) is None
    store.delete(key)  # deleting twice is fine


@pytest.mark.keychain
@requires_keychain
def test_no_token_in_the_data_directory_after_sign_in(tmp_path: Path, cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    make_profile("alice")  # creates the user on the backend
    data_dir = tmp_path / "keychain-profile"
    context = AppContext.open(data_dir, lock=False)
    store = KeyringTokenStore()
    key = account_key(cloud.url, "default")
    with httpx.Client(timeout=10) as http:
        tokens = TokenManager(cloud.url, http, store, key)
        response = sign_in(cloud.url, browser_open("alice@example.com", PASSWORD), http)
        tokens.accept(response)
        context.settings.server_url = cloud.url
        context.save_settings()
        Replica(context.db).bind_server(cloud.url)
        context.records.create("account", {"name": "Acme"})
        assert store.load(key) == response.refresh_token
        secrets = [response.refresh_token.encode(), response.access_token.encode()]
        context.close()
        for path in data_dir.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                for secret in secrets:
                    assert secret not in content, f"a token leaked into {path}"
        tokens.sign_out()
    assert store.load(key) is None


def test_insecure_backend_is_refused_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    store = KeyringTokenStore()  # cheap: the backend is found on first use
    with pytest.raises(NoSecureKeychain) as excinfo:
        store.load("acct")
    assert "plain file" in excinfo.value.message
    assert store.problem() == excinfo.value.message
