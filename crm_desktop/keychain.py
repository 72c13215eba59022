"""The refresh token lives in the OS keychain, and only there.

:class:`KeyringTokenStore` refuses to work with a keyring backend that is not
a real, secure keychain (keyring's ``fail``, ``null`` or plain-text backends):
the app then says so and asks the user to sign in each time, instead of
writing the token to disk.  :class:`MemoryTokenStore` keeps a token for the
life of the process only (the ``--demo`` mode and tests).
"""

from __future__ import annotations

import logging
from typing import Protocol

from crm_desktop.errors import KnownError

log = logging.getLogger("crm.keychain")

SERVICE_NAME = "crm-desktop"

# Backends that would store the token unencrypted or not at all.
_INSECURE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file",
                      "keyrings.alt.Gnome", "keyrings.alt.pyfs", "keyring.backends.chainer")


class KeychainUnavailable(KnownError):
    """No secure keychain can hold the token; the user must be told plainly."""


class TokenStore(Protocol):
    def load(self, account: str) -> str | None: ...
    def save(self, account: str, token: str) -> None: ...
    def delete(self, account: str) -> None: ...


def account_key(server_url: str, profile: str) -> str:
    """The keychain entry name: one token per server and profile."""
    return f"{server_url.rstrip('/')}#{profile}"


class KeyringTokenStore:
    def __init__(self) -> None:
        import keyring
        from keyring.errors import KeyringError

        self._keyring = keyring
        self._error = KeyringError
        backend = keyring.get_keyring()
        self.backend_name = f"{type(backend).__module__}.{type(backend).__name__}"
        if self.backend_name.startswith(_INSECURE_BACKENDS) and not self._chainer_is_secure(backend):
            raise KeychainUnavailable(
                "No secure keychain is available (such as GNOME Keyring, KWallet, macOS Keychain "
                "or Windows Credential Manager), so the app cannot remember your sign-in. "
                "It will not store it in a plain file; you will be asked to sign in each time."
            )

    @staticmethod
    def _chainer_is_secure(backend: object) -> bool:
        backends = getattr(backend, "backends", None)
        if not backends:
            return False
        return all(
            not f"{type(b).__module__}".startswith(_INSECURE_BACKENDS) for b in backends
        )

    def load(self, account: str) -> str | None:
        try:
            value = self._keyring.get_password(SERVICE_NAME, account)
        except self._error as exc:
            raise KeychainUnavailable(self._describe(exc)) from exc
        return value if isinstance(value, str) else None

    def save(self, account: str, token: str) -> None:
        try:
            self._keyring.set_password(SERVICE_NAME, account, token)
        except self._error as exc:
            raise KeychainUnavailable(self._describe(exc)) from exc

    def delete(self, account: str) -> None:
        try:
            self._keyring.delete_password(SERVICE_NAME, account)
        except self._keyring.errors.PasswordDeleteError:
            pass  # already gone
        except self._error as exc:
            raise KeychainUnavailable(self._describe(exc)) from exc

    @staticmethod
    def _describe(exc: BaseException) -> str:
        text = str(exc).lower()
        if "locked" in text or "dismissed" in text or "prompt" in text:
            return "The keychain is locked. Unlock it and try again; you stay signed out until then."
        return f"The keychain refused the request ({exc}). You stay signed out until it works again."


class MemoryTokenStore:
    """Keeps tokens in memory only; nothing survives the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def load(self, account: str) -> str | None:
        return self._tokens.get(account)

    def save(self, account: str, token: str) -> None:
        self._tokens[account] = token

    def delete(self, account: str) -> None:
        self._tokens.pop(account, None)
