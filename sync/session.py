"""The signed-in state of a profile: sign in, sign out, and the sync controller.

Built by the entry point and given to the UI.  Sign-in runs the browser flow
on a background thread and resolves a Future with the user's email; sign-out
forgets the refresh token (keychain and server) and keeps every unsynced
change in the store for the next sign-in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future

import httpx
from PySide6.QtCore import QObject, Signal

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.keychain import TokenStore, account_key
from sync.auth import TokenManager, normalize_server_url, sign_in
from sync.client import CloudClient
from sync.controller import SyncController
from sync.engine import SyncEngine
from sync.qt_compat import emit
from sync.replica import Replica

log = logging.getLogger("crm.sync.session")

HttpFactory = Callable[[], httpx.Client]


def default_http() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)


class SyncSession(QObject):
    #: The new SyncController after sign-in, or None after sign-out.
    controllerChanged = Signal(object)  # noqa: N815

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
        self.replica = Replica(context.db, policy=context.conflict_policy)
        self.controller: SyncController | None = None
        self._http: httpx.Client | None = None
        self._pending_start: tuple[httpx.Client, TokenManager] | None = None

    def _tokens(self, server_url: str, http: httpx.Client) -> TokenManager:
        return TokenManager(server_url, http, self.token_store, account_key(server_url, self._profile))

    def resume(self) -> SyncController | None:
        """At start-up: build the controller if a sign-in is remembered."""
        settings = self.context.settings
        if not settings.server_url:
            return None
        http = self._http_factory()
        tokens = self._tokens(settings.server_url, http)
        try:
            remembered = tokens.has_refresh_token()
        except KnownError as exc:
            log.warning("keychain unavailable: %s", exc.message)
            http.close()
            return None
        if not remembered:
            http.close()
            return None
        return self._start(http, tokens)

    def _start(self, http: httpx.Client, tokens: TokenManager) -> SyncController:
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

    def sign_out(self) -> None:
        """Forget the sign-in. Unsynced changes stay in the store."""
        if self.controller is not None:
            self.controller.stop()
            self.controller.deleteLater()
            self.controller = None
        settings = self.context.settings
        if settings.server_url:
            http = self._http or self._http_factory()
            self._tokens(settings.server_url, http).sign_out()
        if self._http is not None:
            self._http.close()
            self._http = None
        settings.user_email = settings.user_id = ""
        self.context.save_settings()
        emit(self.controllerChanged, None)

    def shutdown(self) -> None:
        if self.controller is not None:
            self.controller.stop()
        if self._http is not None:
            self._http.close()
