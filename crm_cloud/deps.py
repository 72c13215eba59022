"""Request-scoped dependencies shared by every router."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crm_cloud.auth.models import User
from crm_cloud.auth.service import OAuthService
from crm_cloud.core.config import Settings
from crm_cloud.core.db import Database
from crm_cloud.core.errors import AuthenticationError, ProtocolMismatch
from crm_cloud.core.security import KeyRing
from crm_cloud.records.access import Principal
from crm_protocol.wire import PROTOCOL_HEADER, PROTOCOL_VERSION

PROTOCOL_MIN = 1
PROTOCOL_MAX = PROTOCOL_VERSION


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keys: KeyRing
    oauth: OAuthService


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]

_bearer = HTTPBearer(
    auto_error=False,
    description="Access token from `POST /oauth/token` (authorization code + PKCE).",
)


def current_user(
    ctx: Ctx, creds: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
) -> User:
    if creds is None:
        raise AuthenticationError("Sign-in required: send 'Authorization: Bearer <access token>'")
    return ctx.oauth.user_for_access_token(creds.credentials)


CurrentUser = Annotated[User, Depends(current_user)]


def current_principal(user: CurrentUser) -> Principal:
    return Principal(user_id=user.id, admin=user.is_admin)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_protocol(
    version: Annotated[
        str | None,
        Header(
            alias=PROTOCOL_HEADER,
            description=f"Sync protocol version spoken by the client ({PROTOCOL_MIN}-{PROTOCOL_MAX}).",
        ),
    ] = None,
) -> int:
    supported = f"this server speaks versions {PROTOCOL_MIN} to {PROTOCOL_MAX}"
    if version is None:
        raise ProtocolMismatch(
            f"The request has no {PROTOCOL_HEADER} header; {supported}.",
            detail={"client": None, "min": PROTOCOL_MIN, "max": PROTOCOL_MAX},
        )
    try:
        number = int(version)
    except ValueError:
        number = -1
    if not PROTOCOL_MIN <= number <= PROTOCOL_MAX:
        raise ProtocolMismatch(
            f"The app speaks sync protocol version {version} but {supported}; "
            "update the app or the server.",
            detail={"client": version, "min": PROTOCOL_MIN, "max": PROTOCOL_MAX},
        )
    return number
