"""OAuth 2 endpoints for native apps (RFC 6749, RFC 7636, RFC 8252, RFC 9700)."""

from __future__ import annotations

import logging
import time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from crm_cloud.auth.page import SECURITY_HEADERS, error_page, signin_page
from crm_cloud.auth.service import (
    CodeRequest,
    TooManyFailures,
    check_client,
    check_code_request,
)
from crm_cloud.core.errors import OAuthError
from crm_cloud.deps import AppContext, Ctx
from crm_protocol.wire import TokenResponse

log = logging.getLogger(__name__)

router = APIRouter(prefix="/oauth", tags=["oauth"])

def _redirect(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + sep + urlencode(params), status_code=303, headers=SECURITY_HEADERS)

def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=SECURITY_HEADERS)

def _form_state(ctx: AppContext, req: CodeRequest, state: str | None) -> dict[str, str]:
    blob = ctx.keys.sign(
        {
            "client_id": req.client_id,
            "redirect_uri": req.redirect_uri,
            "code_challenge": req.code_challenge,
            "scope": req.scope,
            "state": state,
            "exp": int(time.time()) + ctx.settings.signin_form_ttl_s,
        }
    )
    return {"request": blob}

@router.get(
    "/authorize",
    response_class=HTMLResponse,
    summary="Authorization endpoint: renders the sign-in page",
    responses={303: {"description": "Error redirect to the client's loopback redirect_uri"}},
)
def authorize_page(
    ctx: Ctx,
    response_type: str | None = None,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
    state: str | None = None,
    scope: str | None = None,
) -> Response:
    name = ctx.settings.server_name
    reason = check_client(client_id, redirect_uri)
    if reason is not None:
        return _html(error_page(name, reason), 400)
    assert client_id is not None and redirect_uri is not None
    refused = check_code_request(response_type, code_challenge, code_challenge_method)
    if refused is not None:
        params = {"error": refused[0], "error_description": refused[1]}
        if state is not None:
            params["state"] = state
        return _redirect(redirect_uri, params)
    assert code_challenge is not None
    req = CodeRequest(client_id, redirect_uri, code_challenge, scope)
    return _html(signin_page(name, _form_state(ctx, req, state)))

@router.post(
    "/authorize",
    response_class=HTMLResponse,
    summary="Sign-in form submission",
    responses={
        303: {"description": "Signed in: redirect to redirect_uri with code and state"},
        401: {"description": "Wrong email or password: the page again"},
        429: {"description": "Too many failed attempts"},
    },
)
def authorize_submit(
    ctx: Ctx,
    request: Annotated[str, Form(description="Signed authorization request from the page")],
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    name = ctx.settings.server_name
    data = ctx.keys.unsign(request)
    if data is None or not isinstance(data.get("exp"), int):
        return _html(error_page(name, "The sign-in form was tampered with. Start again from the app."), 400)
    if data["exp"] < time.time():
        return _html(error_page(name, "The sign-in form has expired. Start again from the app."), 400)
    req = CodeRequest(
        client_id=str(data["client_id"]),
        redirect_uri=str(data["redirect_uri"]),
        code_challenge=str(data["code_challenge"]),
        scope=data.get("scope"),
    )
    state = data.get("state")
    hidden = {"request": request}
    try:
        user = ctx.oauth.authenticate(email, password)
    except TooManyFailures as exc:
        minutes = max(1, (exc.retry_after_s + 59) // 60)
        message = (
            "Too many failed sign-in attempts for this account. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        return _html(signin_page(name, hidden, email=email, error=message), 429)
    if user is None:
        return _html(signin_page(name, hidden, email=email, error="Wrong email or password."), 401)
    code = ctx.oauth.issue_code(user, req)
    log.info("issued authorization code for user %s", user.id)
    params = {"code": code}
    if state is not None:
        params["state"] = str(state)
    return _redirect(req.redirect_uri, params)

@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Token endpoint: authorization_code (with PKCE) and refresh_token grants",
    responses={400: {"description": "RFC 6749 error: {error, error_description}"}},
)
def token(
    ctx: Ctx,
    grant_type: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    code: Annotated[str | None, Form()] = None,
    code_verifier: Annotated[str | None, Form()] = None,
    redirect_uri: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
) -> Response:
    if grant_type == "authorization_code":
        if not code or not code_verifier or not redirect_uri:
            raise OAuthError("invalid_request", "code, code_verifier and redirect_uri are required")
        result = ctx.oauth.exchange_code(code, code_verifier, redirect_uri, client_id)
    elif grant_type == "refresh_token":
        if not refresh_token:
            raise OAuthError("invalid_request", "refresh_token is required")
        result = ctx.oauth.refresh(refresh_token, client_id)
    else:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    return JSONResponse(
        result.model_dump(exclude_none=True), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )

@router.post("/revoke", summary="Revoke a refresh or access token and its whole family (RFC 7009)")
def revoke(
    ctx: Ctx,
    token: Annotated[str, Form()],
    token_type_hint: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
) -> Response:
    ctx.oauth.revoke(token)
    return Response(status_code=200)
