"""The refresh token lives in the OS keychain, and only there.

:class:`KeyringTokenStore` refuses to work with a keyring backend that is not
a real, secure keychain (keyring's ``fail``, ``null`` or plain-text backends):
the app then says so and asks the user to sign in each time, instead of
writing the token to disk.  :class:`MemoryTokenStore` keeps a token for the
life of the process only (the ``--demo`` mode and tests);
:class:`KeychainOrMemoryTokenStore` is what the app uses: the keychain, or memory
for this run where the system has no secure keychain at all.

The keychain backend is found on first use, not at start-up: keyring's detection
reads every installed package's entry points and asks D-Bus (0.1 s or more, and a
locked keychain may prompt), so it runs on the thread that needs a token.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from crm_desktop.errors import KnownError

log = logging.getLogger("crm.keychain")

SERVICE_NAME = "crm-desktop"

# Backends that would store the token unencrypted or not at all.
_INSECURE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file",
                      "keyrings.alt.Gnome", "keyrings.alt.pyfs", "keyring.backends.chainer")


class KeychainUnavailable(KnownError):
    """No secure keychain can hold the token; the user must be told plainly."""


class NoSecureKeychain(KeychainUnavailable):
    """The system has no secure keychain at all (as opposed to one that is locked or refuses)."""


class TokenStore(Protocol):
    def load(self, account: str) -> str | None: ...
    def save(self, account: str, token: str) -> None: ...
    def delete(self, account: str) -> None: ...

    def problem(self) -> str | None:
        """What the user should be told if tokens are not kept safely across runs, else None."""
        ...


def account_key(server_url: str, profile: str) -> str:
    """The keychain entry name: one token per server and profile."""
    return f"{server_url.rstrip('/')}#{profile}"


class KeyringTokenStore:
    """Tokens in the OS keychain through ``keyring``; the backend is found on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backend: Any = None

    def _keychain(self) -> Any:
        with self._lock:
            if self._backend is None:
                import keyring

                backend = keyring.get_keyring()
                name = f"{type(backend).__module__}.{type(backend).__name__}"
                if name.startswith(_INSECURE_BACKENDS) and not self._chainer_is_secure(backend):
                    raise NoSecureKeychain(
                        "No secure keychain is available (such as GNOME Keyring, KWallet, macOS Keychain "
                        "or Windows Credential Manager), so the app cannot remember your sign-in. "
                        "It will not store it in a plain file; you will be asked to sign in each time."
                    )
                self._backend = backend
            return self._backend

    @property
    def backend_name(self) -> str:
        """The keyring backend in use (finding it if need be); raises :class:`KeychainUnavailable`."""
        backend = self._keychain()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def check(self) -> None:
        """Find the backend now; raises :class:`KeychainUnavailable` if there is no secure one."""
        self._keychain()

    def problem(self) -> str | None:
        try:
            self._keychain()
        except KeychainUnavailable as exc:
            return exc.message
        return None

    @staticmethod
    def _chainer_is_secure(backend: object) -> bool:
        backends = getattr(backend, "backends", None)
        if not backends:
            return False
        return all(
            not f"{type(b).__module__}".startswith(_INSECURE_BACKENDS) for b in backends
        )

    def load(self, account: str) -> str | None:
        from keyring.errors import KeyringError

        backend = self._keychain()
        try:
            value = backend.get_password(SERVICE_NAME, account)
        except KeyringError as exc:
            raise KeychainUnavailable(self._describe(exc)) from exc
        return value if isinstance(value, str) else None

    def save(self, account: str, token: str) -> None:
        from keyring.errors import KeyringError

        backend = self._keychain()
        try:
            backend.set_password(SERVICE_NAME, account, token)
        except KeyringError as exc:
            raise KeychainUnavailable(self._describe(exc)) from exc

    def delete(self, account: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        backend = self._keychain()
        try:
            backend.delete_password(SERVICE_NAME, account)
        except PasswordDeleteError:
            pass  # already gone
        except KeyringError as exc:
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

    def problem(self) -> str | None:
        return None  # chosen on purpose (demo, tests): nothing to warn about


class KeychainOrMemoryTokenStore:
    """The app's token store: the OS keychain; where the system has no secure keychain
    at all, memory for this run only (never a file), and :meth:`problem` says so.

    A keychain that exists but is locked or refuses is not replaced: its error reaches
    the user, who can unlock it and try again.
    """

    def __init__(self, keychain: KeyringTokenStore | None = None) -> None:
        self._keychain = keychain or KeyringTokenStore()
        self._lock = threading.Lock()
        self._active: TokenStore | None = None
        self._problem: str | None = None

    def _store(self) -> TokenStore:
        with self._lock:
            if self._active is None:
                try:
                    self._keychain.check()
                    self._active = self._keychain
                except NoSecureKeychain as exc:
                    log.warning("no secure keychain; the sign-in is kept in memory for this run only")
                    self._problem = exc.message
                    self._active = MemoryTokenStore()
            return self._active

    def load(self, account: str) -> str | None:
        return self._store().load(account)

    def save(self, account: str, token: str) -> None:
        self._store().save(account, token)

    def delete(self, account: str) -> None:
        self._store().delete(account)

    def problem(self) -> str | None:
        self._store()
        return self._problem
