"""``/api/v1/sync``: push a batch of changes, pull changes after a cursor, check the replica."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from crm_cloud.deps import Ctx, CurrentPrincipal, require_protocol
from crm_cloud.http import dumps
from crm_cloud.records.service import RecordService
from crm_protocol.wire import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    ErrorBody,
    PullLayout,
    PullResponse,
    PushRequest,
    PushResponse,
    SyncStatus,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or expired access token"},
    409: {"model": ErrorBody, "description": "protocol_mismatch: unsupported X-CRM-Protocol version"},
}

router = APIRouter(
    prefix="/sync", tags=["sync"], dependencies=[Depends(require_protocol)], responses=_ERRORS
)


@router.post("/push", response_model=PushResponse, summary="Apply a batch of changes, in order")
def push(ctx: Ctx, principal: CurrentPrincipal, body: PushRequest) -> Response:
    with ctx.db.write() as session:
        answer = RecordService(session, principal).push(body)
    # Built and validated by the schema already: serialised once, not validated again.
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get(
    "/pull",
    response_model=PullResponse,
    summary="Records changed after a cursor, in server commit order",
)
def pull(
    request: Request,
    ctx: Ctx,
    principal: CurrentPrincipal,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
    horizon: Annotated[
        bool, Query(description="The client understands history_horizon (sent only to clients that ask)")
    ] = False,
    layout: Annotated[
        PullLayout,
        Query(description="columns: the records by type and field in `columns` instead of one object each "
                          "in `records` (sent only to clients that ask)"),
    ] = "records",
) -> Response:
    with ctx.db.read(snapshot=True) as session:
        body = RecordService(session, principal).pull(cursor, limit, horizon=horizon, layout=layout)
    headers = {}
    if body["has_more"]:
        # The next page's address (RFC 8288), so a client can ask for it
        # while it still parses this one.
        headers["Link"] = f'<{request.url.include_query_params(cursor=body["cursor"])}>; rel="next"'
    return Response(dumps(body), media_type="application/json", headers=headers)


@router.get("/status", response_model=SyncStatus, summary="Counts and revision sums of your live records")
def status(ctx: Ctx, principal: CurrentPrincipal) -> SyncStatus:
    with ctx.db.read(snapshot=True) as session:
        return RecordService(session, principal).status()
