"""``/api/v1/me`` and ``/api/v1/users``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crm_cloud.auth.service import list_users
from crm_cloud.deps import Ctx, CurrentUser
from crm_protocol.wire import ErrorBody, UserOut

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or expired access token"},
}

router = APIRouter(tags=["users"], responses=_ERRORS)


@router.get("/me", response_model=UserOut, summary="The signed-in user")
def me(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name)


@router.get("/users", response_model=list[UserOut], summary="Active users (e.g. to pick an owner)")
def users(ctx: Ctx, _user: CurrentUser) -> list[UserOut]:
    with ctx.db.read() as session:
        return [UserOut(id=u.id, email=u.email, name=u.name) for u in list_users(session)]
