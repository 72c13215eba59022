"""The signed-in state of a profile: sign in, sign out, and the sync controller.

Built by the entry point and given to the UI.  Sign-in runs the browser flow
on a background thread and resolves a Future with the user's email; sign-out
forgets the refresh token (keychain and server) and keeps every unsynced
change in the store for the next sign-in.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.keychain import TokenStore, account_key
from sync.qt_compat import ThreadGate, emit

if TYPE_CHECKING:
    import httpx

    from sync.auth import TokenManager
    from sync.controller import SyncController
    from sync.replica import Replica

log = logging.getLogger("crm.sync.session")

HttpFactory = Callable[[], "httpx.Client"]

#: The network stack a running sync needs (httpx, the pydantic wire models, the
#: engine): 0.1-0.2 s of imports that the first window does not need, so this module
#: imports them only when a sync is started or a sign-in begins.
NETWORK_MODULES = ("httpx", "sync.auth", "sync.client", "sync.engine", "sync.controller", "sync.replica")


def default_http() -> httpx.Client:
    import httpx

    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)


class SyncSession(QObject):
    #: The new SyncController after sign-in, or None after sign-out.
    controllerChanged = Signal(object)  # noqa: N815
    #: The token store cannot keep the sign-in safely (a message for the user).
    keychainProblem = Signal(str)  # noqa: N815
    #: The network stack is loaded (from the loading thread, to the GUI thread).
    _networkLoaded = Signal()  # noqa: N815

    def __init__(
        self,
        context: AppContext,
        token_store: TokenStore,
        *,
        http_factory: HttpFactory = default_http,
        profile: str = "default",
        watch_network: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.token_store = token_store
        self._http_factory = http_factory
        self._profile = profile
        self._watch_network = watch_network
        self._replica: Replica | None = None
        self.controller: SyncController | None = None
        self._http: httpx.Client | None = None
        self._pending_start: tuple[httpx.Client, TokenManager] | None = None
        #: The last sign-out's thread, forgetting its token (keychain, server).
        self._forgetting: threading.Thread | None = None
        #: The background threads emit through it; :meth:`shutdown` closes it.
        self._gate = ThreadGate()

    @property
    def replica(self) -> Replica:
        if self._replica is None:
            from sync.replica import Replica

            self._replica = Replica(self.context.db, policy=self.context.conflict_policy)
        return self._replica

    def _tokens(self, server_url: str, http: httpx.Client) -> TokenManager:
        from sync.auth import TokenManager

        return TokenManager(server_url, http, self.token_store, account_key(server_url, self._profile))

    def remembers_sign_in(self) -> bool:
        """The profile was signed in when last used (the token itself is in the keychain)."""
        settings = self.context.settings
        return bool(settings.server_url and settings.user_id)

    def resume_later(self) -> None:
        """At start-up, once the window is up: :meth:`resume` and start syncing, with the
        network stack loaded on a thread first so that the window stays responsive;
        then :meth:`check_keychain`."""
        if not self.remembers_sign_in():
            self.check_keychain()
            return

        def load() -> None:
            try:
                for name in NETWORK_MODULES:
                    importlib.import_module(name)
            except Exception:  # a bug: resume() imports them again and reports it on the GUI thread
                log.exception("loading the network stack failed")
            finally:
                self._gate.emit(self._networkLoaded)

        self._networkLoaded.connect(self._resume_loaded)
        threading.Thread(target=load, name="crm-load-network", daemon=True).start()

    def _resume_loaded(self) -> None:
        self._networkLoaded.disconnect(self._resume_loaded)
        if self.controller is None and (controller := self.resume()) is not None:
            controller.start()
        self.check_keychain()

    def resume(self) -> SyncController | None:
        """At start-up: build the controller if the profile was signed in when last used.

        The keychain is not read here (on the GUI thread, where a locked keychain's
        prompt would freeze the window): the first sync reads the token on the network
        thread, and a missing or refused one ends as "sign in again" with the reason.
        """
        settings = self.context.settings
        if not self.remembers_sign_in():
            return None
        http = self._http_factory()
        return self._start(http, self._tokens(settings.server_url, http))

    def check_keychain(self) -> threading.Thread:
        """Find out, off the GUI thread, whether the token store keeps the sign-in
        safely; :attr:`keychainProblem` tells the UI if it does not."""

        def work() -> None:
            try:
                problem = self.token_store.problem()
            except KnownError as exc:
                problem = exc.message
            except Exception:  # a bug in a keyring backend: the first sync will report it
                log.exception("checking the keychain failed")
                return
            if problem:
                self._gate.emit(self.keychainProblem, problem)

        thread = threading.Thread(target=work, name="keychain-check", daemon=True)
        thread.start()
        return thread

    def _start(self, http: httpx.Client, tokens: TokenManager) -> SyncController:
        from sync.client import CloudClient
        from sync.controller import SyncController
        from sync.engine import SyncEngine

        self._http = http
        engine = SyncEngine(self.replica, CloudClient(http, tokens), run_db=self.context.worker.run)
        self.controller = SyncController(
            engine,
            interval_minutes=self.context.settings.sync_interval_minutes,
            watch_network=self._watch_network,
            parent=self,
        )
        emit(self.controllerChanged, self.controller)
        return self.controller

    def sign_in(
        self, server_url: str, open_url: Callable[[str], None], cancelled: threading.Event | None = None
    ) -> Future[str]:
        """Run the browser sign-in off the GUI thread; resolves with the email."""
        future: Future[str] = Future()

        def work() -> None:
            from sync.auth import normalize_server_url, sign_in
            from sync.client import CloudClient

            if self._forgetting is not None:
                # The last sign-out's token must leave the keychain before this one lands there.
                self._forgetting.join()
            http = self._http_factory()
            try:
                url = normalize_server_url(server_url)
                token_response = sign_in(url, open_url, http, cancelled=cancelled)
                tokens = self._tokens(url, http)
                tokens.accept(token_response)
                me = CloudClient(http, tokens).me()
                settings = self.context.settings
                settings.server_url, settings.user_email, settings.user_id = url, me.email, me.id
                self.context.save_settings()
                self.context.worker.run(self.replica.bind_server, f"{url}|{me.id}")
            except BaseException as exc:
                http.close()
                future.set_exception(exc)
                return
            future.set_result(me.email)
            self._pending_start = (http, tokens)

        threading.Thread(target=work, name="crm-sign-in", daemon=True).start()
        return future

    def finish_sign_in(self) -> SyncController | None:
        """On the GUI thread, after :meth:`sign_in` resolved: start syncing."""
        pending = self._pending_start
        if pending is None:
            return self.controller
        self._pending_start = None
        if self.controller is not None:
            self.controller.stop()
        controller = self._start(*pending)
        controller.start()
        return controller

    def sign_out(self) -> threading.Thread | None:
        """Forget the sign-in. Unsynced changes stay in the store.

        The profile is signed out at once; the refresh token leaves the keychain and
        is revoked on the server on a thread (returned), since a locked keychain or an
        unreachable server must not freeze the window. If the keychain refuses,
        :attr:`keychainProblem` says so; a sign-in meanwhile waits for that thread.
        """
        if self.controller is not None:
            self.controller.stop()
            self.controller.deleteLater()
            self.controller = None
        settings = self.context.settings
        http, self._http = self._http, None
        forget: threading.Thread | None = None
        if settings.server_url:
            server_url = settings.server_url

            def work() -> None:
                client = http or self._http_factory()
                try:
                    self._tokens(server_url, client).sign_out()
                except KnownError as exc:
                    log.warning("the keychain did not forget the sign-in: %s", exc.message)
                    self._gate.emit(
                        self.keychainProblem, f"Signed out. The keychain could not forget the sign-in: {exc.message}"
                    )
                finally:
                    client.close()

            forget = threading.Thread(target=work, name="crm-sign-out", daemon=True)
            self._forgetting = forget
            forget.start()
        elif http is not None:
            http.close()
        settings.user_email = settings.user_id = ""
        self.context.save_settings()
        emit(self.controllerChanged, None)
        return forget

    def shutdown(self) -> None:
        if self.controller is not None:
            self.controller.stop()
        if self._http is not None:
            self._http.close()
        if self._forgetting is not None:
            # A sign-out just before quitting: its token still leaves the keychain.
            self._forgetting.join(timeout=15)
        # From now on no thread of this session emits on it: it may be deleted.
        self._gate.close()
