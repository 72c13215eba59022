"""The protocol client: typed calls to the server, every answer validated.

Transport problems become :mod:`sync.errors` with a sentence for the user;
an answer that is not what the protocol promises (HTML from a captive portal,
cut-off JSON, a wrong shape) is a :class:`BadResponse` and nothing of it is
used.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from crm_protocol.wire import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerInfo,
    SyncStatus,
    UserOut,
)
from sync.auth import TokenManager
from sync.errors import BadResponse, Offline, ProtocolMismatch, ServerUnavailable, SignInRequired

log = logging.getLogger("crm.sync.client")

M = TypeVar("M", bound=BaseModel)
#: Longest wait a Retry-After header can impose.
MAX_RETRY_AFTER_S = 3600.0


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait: delta-seconds or an HTTP date (RFC 9110), capped at an hour."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER_S))


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "ssl" in str(seen).lower() or "certificate" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class RawPage:
    """A pulled page's body, not yet parsed, and the next page's cursor if the server named it."""

    body: bytes
    next_cursor: int | None


def _next_cursor(response: httpx.Response, cursor: int) -> int | None:
    """The ``cursor`` of the ``Link: <...>; rel="next"`` header, if any (a hint only:
    the parsed page's own cursor decides)."""
    link = response.links.get("next")
    if not link:
        return None
    try:
        values = httpx.URL(link.get("url", "")).params.get_list("cursor")
        value = int(values[0]) if len(values) == 1 else None
    except (ValueError, TypeError, httpx.InvalidURL):
        return None
    return value if value is not None and value > cursor else None


class CloudClient:
    def __init__(self, http: httpx.Client, tokens: TokenManager) -> None:
        self._http = http
        self._tokens = tokens
        self.base_url = tokens.server_url

    def info(self) -> ServerInfo:
        return self._call("GET", "/api/v1/info", ServerInfo, auth=False)

    def me(self) -> UserOut:
        return self._call("GET", "/api/v1/me", UserOut)

    def users(self) -> list[UserOut]:
        data = self._request("GET", "/api/v1/users")
        if not isinstance(data, list):
            raise BadResponse("The server's user list was not understood.")
        try:
            return [UserOut.model_validate(u) for u in data]
        except ValidationError as exc:
            raise BadResponse("The server's user list was not understood.", detail=str(exc)) from exc

    def push(self, request: PushRequest) -> PushResponse:
        return self._call("POST", "/api/v1/sync/push", PushResponse, json=request.model_dump(mode="json"))

    def pull(self, cursor: int, limit: int) -> PullResponse:
        return self.parse_pull(self.pull_raw(cursor, limit).body)

    def pull_raw(self, cursor: int, limit: int) -> RawPage:
        """A pulled page as it arrived (:meth:`parse_pull` checks it), with the
        cursor of the next page when the server names it (``Link: rel="next"``),
        so the next page can be asked for before this one is parsed."""
        # horizon=1: this client understands ``history_horizon`` (docs/SYNC.md, section 5).
        # layout=columns: the records by type and field, which parse and check in a
        # fraction of the time (``sync/pulled.py``); a server that predates it sends
        # ``records``, and either is taken.
        response = self._exchange("GET", "/api/v1/sync/pull",
                                  params={"cursor": cursor, "limit": limit, "horizon": 1, "layout": "columns"})
        body = self._body(response)
        return RawPage(body, _next_cursor(response, cursor))

    def parse_pull(self, body: bytes) -> PullResponse:
        """A pulled page checked by the schema, its records in ``records`` whichever layout it came in."""
        page = self._parse(body, PullResponse)
        if not page.columns:
            return page
        try:
            records = page.all_records()
        except ValidationError as exc:
            raise BadResponse(
                "The server's answer was not understood; nothing from it was used.", detail=str(exc)[:2000]
            ) from exc
        return page.model_copy(update={"records": records, "columns": []})

    def status(self) -> SyncStatus:
        return self._call("GET", "/api/v1/sync/status", SyncStatus)

    # -- plumbing --------------------------------------------------------------

    def _call(self, method: str, path: str, model: type[M], **kwargs: Any) -> M:
        return self._parse(self._request_raw(method, path, **kwargs), model)

    def _parse(self, raw: bytes, model: type[M]) -> M:
        try:
            # Parsed and validated in one pass by pydantic-core: for a pulled
            # page of 5,000 records a third of the cost of orjson + validate.
            return model.model_validate_json(raw)
        except ValidationError as exc:
            if any(error["type"] == "json_invalid" for error in exc.errors()):
                raise BadResponse("The server's answer was cut off or damaged. Nothing was changed; will retry.",
                                  detail=str(exc)[:2000]) from exc
            raise BadResponse(
                "The server's answer was not understood; nothing from it was used.", detail=str(exc)[:2000]
            ) from exc

    def _request(self, method: str, path: str, *, auth: bool = True, json: Any = None,
                 params: dict[str, Any] | None = None) -> Any:
        raw = self._request_raw(method, path, auth=auth, json=json, params=params)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadResponse("The server's answer was cut off or damaged. Nothing was changed; will retry.",
                              detail=str(exc)) from exc

    def _request_raw(self, method: str, path: str, *, auth: bool = True, json: Any = None,
                     params: dict[str, Any] | None = None) -> bytes:
        """The body of a successful JSON answer (every error status raised as its sync error)."""
        return self._body(self._exchange(method, path, auth=auth, json=json, params=params))

    def _exchange(self, method: str, path: str, *, auth: bool = True, json: Any = None,
                  params: dict[str, Any] | None = None) -> httpx.Response:
        """The server's answer (after one token refresh on 401); transport failures raised."""
        url = f"{self.base_url}{path}"
        body = orjson.dumps(json) if json is not None else None
        for attempt in (1, 2):
            headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if auth:
                headers["Authorization"] = f"Bearer {self._tokens.access_token(force_refresh=attempt == 2)}"
            try:
                response = self._http.request(method, url, content=body, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                raise ServerUnavailable("The server is taking too long to answer. Will retry.",
                                        detail=str(exc)) from exc
            except httpx.TransportError as exc:
                if _is_tls_failure(exc):
                    raise Offline(
                        "Can't make a secure connection to the server (its certificate was not accepted, or "
                        "something on this network intercepts it). Changes are kept and will sync later.",
                        detail=str(exc),
                    ) from exc
                raise Offline("Can't reach the server. Working offline; changes are kept and will sync later.",
                              detail=str(exc)) from exc
            if response.status_code == 401 and auth and attempt == 1:
                # Expired (or clock-skewed) access token: refresh once and retry.
                continue
            return response
        raise SignInRequired("The server no longer accepts your sign-in. Please sign in again.")

    def _body(self, response: httpx.Response) -> bytes:
        status = response.status_code
        if status == 401:
            raise SignInRequired("The server no longer accepts your sign-in. Please sign in again.")
        if status == 429:
            raise ServerUnavailable("The server is busy. Will retry shortly.", retry_after=_retry_after(response))
        if status >= 500:
            raise ServerUnavailable(
                f"The server had a problem ({status}). Your changes are kept; will retry.",
                retry_after=_retry_after(response),
            )
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            raise BadResponse(
                "Something between you and the server answered instead of it (a hotel or airport "
                "Wi-Fi sign-in page?). Nothing was changed; will retry.",
                detail=response.text[:200],
            )
        if status < 400:
            return response.content
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise BadResponse("The server's answer was cut off or damaged. Nothing was changed; will retry.",
                              detail=str(exc)) from exc
        if status == 409 and isinstance(data, dict) and data.get("code") == "protocol_mismatch":
            raise ProtocolMismatch(
                "This app and the server speak different versions of the sync protocol. "
                "Update the app (or ask your administrator about the server). Nothing was changed.",
                detail=str(data.get("message")),
            )
        message = data.get("message") if isinstance(data, dict) else None
        raise BadResponse(f"The server refused the request ({status}): {message or 'no reason given'}")
