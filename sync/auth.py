"""OAuth 2.0 for a native app: authorization code with PKCE over a loopback redirect.

RFC 8252 and RFC 9700: the app never sees the password.  It opens the
server's own sign-in page in the system browser, listens on
``http://127.0.0.1:<random port>/callback`` for the redirect carrying the
code, and exchanges the code (with the PKCE verifier) for tokens.  The access
token stays in memory; the rotating refresh token goes to the keychain only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
from pydantic import ValidationError

from crm_desktop.keychain import TokenStore
from crm_protocol.wire import TokenResponse
from sync.errors import BadResponse, Offline, ServerUnavailable, SignInRequired, SyncError

log = logging.getLogger("crm.sync.auth")

CLIENT_ID = "crm-desktop"
SIGN_IN_TIMEOUT_S = 300.0
_EXPIRY_MARGIN_S = 20.0


def pkce_pair() -> tuple[str, str]:
    """A (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def normalize_server_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError("The server address must start with https:// (or http:// for a local server).")
    return url


class _CallbackServer(HTTPServer):
    result: dict[str, str] | None
    expected_state: str
    done: threading.Event


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self.send_error(404)
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        ok = query.get("state") == self.server.expected_state and ("code" in query or "error" in query)
        if ok and self.server.result is None:
            self.server.result = query
            self.server.done.set()
        message = (
            "You are signed in. You can close this tab and return to the CRM."
            if ok and "code" in query
            else "Sign-in did not complete. Return to the CRM and try again."
        )
        body = (
            "<!doctype html><meta charset=utf-8><title>CRM sign-in</title>"
            f"<body style='font-family:sans-serif;margin:3em'><h2>{html.escape(message)}</h2></body>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("loopback: " + format, *args)


class LoopbackReceiver:
    """Listens once on 127.0.0.1 for the authorization redirect."""

    def __init__(self, state: str) -> None:
        self._server = _CallbackServer(("127.0.0.1", 0), _CallbackHandler)
        self._server.result = None
        self._server.expected_state = state
        self._server.done = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, name="crm-oauth-loopback",
                                        daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/callback"

    def wait(self, timeout: float, cancelled: threading.Event | None = None) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while not self._server.done.wait(0.2):
            if cancelled is not None and cancelled.is_set():
                raise SyncError("Sign-in cancelled.")
            if time.monotonic() > deadline:
                raise SyncError("Sign-in timed out. Try again, and finish signing in within five minutes.")
        assert self._server.result is not None
        return self._server.result

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class SignInResult:
    email: str
    user_id: str
    tokens: TokenResponse


def _token_request(http: httpx.Client, server_url: str, form: dict[str, str]) -> TokenResponse:
    try:
        response = http.post(f"{server_url}/oauth/token", data=form, timeout=30.0)
    except httpx.TransportError as exc:
        raise Offline(f"Cannot reach the server at {server_url}. Check the address and your connection.",
                      detail=str(exc)) from exc
    if response.status_code >= 500:
        raise ServerUnavailable(f"The server had a problem ({response.status_code}). Try again later.")
    try:
        body = response.json()
    except ValueError as exc:
        raise BadResponse("The server's answer to sign-in was not understood.",
                          detail=response.text[:200]) from exc
    if response.status_code != 200:
        error = body.get("error") if isinstance(body, dict) else None
        if error in ("invalid_grant", "invalid_client", "unauthorized_client"):
            raise SignInRequired("Your sign-in has expired or was revoked. Please sign in again.")
        raise BadResponse(f"The server refused sign-in ({error or response.status_code}).")
    try:
        return TokenResponse.model_validate(body)
    except ValidationError as exc:
        raise BadResponse("The server's answer to sign-in was not understood.", detail=str(exc)) from exc


def sign_in(
    server_url: str,
    open_url: Callable[[str], None],
    http: httpx.Client,
    *,
    cancelled: threading.Event | None = None,
    timeout: float = SIGN_IN_TIMEOUT_S,
) -> TokenResponse:
    """Run the browser flow and return the tokens (the caller stores them)."""
    server_url = normalize_server_url(server_url)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    receiver = LoopbackReceiver(state)
    try:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": receiver.redirect_uri,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": state,
            }
        )
        open_url(f"{server_url}/oauth/authorize?{query}")
        result = receiver.wait(timeout, cancelled)
    finally:
        receiver.close()
    if "error" in result:
        raise SyncError(f"Sign-in was refused by the server ({result['error']}).")
    return _token_request(
        http,
        server_url,
        {
            "grant_type": "authorization_code",
            "code": result["code"],
            "code_verifier": verifier,
            "redirect_uri": receiver.redirect_uri,
            "client_id": CLIENT_ID,
        },
    )


class TokenManager:
    """Hands out a valid access token, refreshing (and rotating) as needed."""

    def __init__(self, server_url: str, http: httpx.Client, store: TokenStore, account: str) -> None:
        self.server_url = normalize_server_url(server_url)
        self._http = http
        self._store = store
        self._account = account
        self._access: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def accept(self, tokens: TokenResponse) -> None:
        """Keep a fresh token pair: refresh token to the keychain first."""
        self._store.save(self._account, tokens.refresh_token)
        self._access = tokens.access_token
        self._expires_at = time.monotonic() + tokens.expires_in

    def access_token(self, *, force_refresh: bool = False) -> str:
        with self._lock:
            if (
                not force_refresh
                and self._access is not None
                and time.monotonic() < self._expires_at - _EXPIRY_MARGIN_S
            ):
                return self._access
            refresh = self._store.load(self._account)
            if refresh is None:
                raise SignInRequired("You are signed out. Sign in to sync your changes.")
            try:
                tokens = _token_request(
                    self._http,
                    self.server_url,
                    {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": CLIENT_ID},
                )
            except SignInRequired:
                # The refresh token is dead (expired, revoked, or replayed):
                # forget it and ask the user; unsynced changes stay queued.
                self._store.delete(self._account)
                self._access = None
                raise
            self._store.save(self._account, tokens.refresh_token)
            self._access = tokens.access_token
            self._expires_at = time.monotonic() + tokens.expires_in
            return self._access

    def forget_access(self) -> None:
        with self._lock:
            self._access = None

    def sign_out(self) -> None:
        refresh = self._store.load(self._account)
        self._store.delete(self._account)
        self._access = None
        if refresh is not None:
            try:
                self._http.post(f"{self.server_url}/oauth/revoke", data={"token": refresh,
                                                                        "client_id": CLIENT_ID}, timeout=5.0)
            except httpx.HTTPError:
                log.info("could not tell the server about the sign-out; the token was forgotten locally")


_HIDDEN_INPUT = re.compile(r"<input[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def complete_sign_in_form(http: httpx.Client, authorize_url: str, email: str, password: str) -> None:
    """Do what a person does in the browser: fill in the sign-in page, follow the redirect.

    Used by ``--demo`` (a demo user is signed in without typing) and by tests
    that drive the whole OAuth flow over HTTP.  Raises :class:`SignInRequired`
    when the server refuses the credentials.
    """
    page = http.get(authorize_url)
    if page.status_code != 200:
        raise BadResponse(f"The sign-in page could not be loaded ({page.status_code}).")
    form: dict[str, str] = {}
    for tag in _HIDDEN_INPUT.findall(page.text):
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type", "").lower() == "hidden" and "name" in attrs:
            form[attrs["name"]] = attrs.get("value", "")
    form["email"] = email
    form["password"] = password
    action = urljoin(authorize_url, "/oauth/authorize")
    answer = http.post(action, data=form, follow_redirects=False)
    if answer.status_code in (301, 302, 303, 307):
        http.get(answer.headers["Location"])
        return
    if answer.status_code in (400, 401, 403, 429):
        raise SignInRequired("Wrong email or password.")
    raise BadResponse(f"The sign-in page answered unexpectedly ({answer.status_code}).")
