"""Turning domain errors into HTTP responses (the only place that does)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_cloud.core.errors import (
    AlreadyExists,
    AuthenticationError,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    OAuthError,
    PreconditionFailed,
    ProtocolMismatch,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (AlreadyExists, 409),
    (PreconditionFailed, 412),
    (InvalidInput, 422),
    (AuthenticationError, 401),
    (Forbidden, 403),
    (ProtocolMismatch, 409),
]

_HTTP_CODES = {
    400: "bad_request",
    401: "invalid_token",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    422: "validation",
}


class JSONBytesResponse(Response):
    """JSON serialised with orjson (datetimes as UTC ISO 8601)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)


def error_response(
    status: int, code: str, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> Response:
    body = {"code": code, "message": message, "detail": detail}
    return JSONBytesResponse(body, status_code=status, headers=headers)


def _domain_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, OAuthError):
        return JSONResponse(
            {"error": exc.error, "error_description": exc.message},
            status_code=exc.status,
            headers={"Cache-Control": "no-store"},
        )
    status = next((s for cls, s in _STATUS if isinstance(exc, cls)), 400)
    headers: dict[str, str] | None = None
    if isinstance(exc, AuthenticationError):
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return error_response(status, exc.code, exc.message, exc.detail, headers)


def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    field_errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field_errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", "invalid"))})
    return error_response(
        422, "validation", "The request is not valid", {"field_errors": field_errors}
    )


def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), None, dict(exc.headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
