"""A REST router for one record type, built from its spec (no ``__future__`` annotations:
FastAPI reads the generated models from the signatures at runtime)."""

from datetime import datetime
from typing import Annotated, Any

import uuid6
from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from crm_cloud.core.errors import InvalidInput, PreconditionFailed
from crm_cloud.deps import Ctx, CurrentPrincipal
from crm_cloud.http import JSONBytesResponse
from crm_cloud.records.errors import RevisionMismatch
from crm_cloud.records.schemas import create_model_for, out_model, page_model, patch_model
from crm_cloud.records.service import RecordService
from crm_protocol.records import RECORD_TYPES, FieldKind
from crm_protocol.wire import ErrorBody

MAX_LIST_LIMIT = 500

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or expired access token"},
    404: {"model": ErrorBody, "description": "No such record (or not visible to you)"},
    422: {"model": ErrorBody, "description": "Invalid fields; detail.field_errors lists them"},
}


def _parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidInput(
            "If-Match must be a record revision",
            detail={"field_errors": [{"field": "If-Match", "message": "must be a revision number"}]},
        ) from exc


def make_record_router(record_type: str, path: str, tag: str) -> APIRouter:
    spec = RECORD_TYPES[record_type]
    Out = out_model(spec)
    CreateIn = create_model_for(spec)
    PatchIn = patch_model(spec)
    Page = page_model(spec, Out)
    ref_filters = [f for f in spec.fields if f.kind is FieldKind.REF]
    label = spec.label.lower()
    router = APIRouter(prefix=path, tags=[tag], responses=_ERRORS)

    def _one(record: Any, status: int = 200) -> Response:
        return JSONBytesResponse(record.rest(), status_code=status, headers={"ETag": f'"{record.rev}"'})

    filter_params = [
        {
            "name": f.name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"Only records whose {f.label.lower()} is this id",
        }
        for f in ref_filters
    ]

    @router.get(
        "",
        response_model=Page,
        summary=f"List {spec.label_plural.lower()}",
        description=f"Live {spec.label_plural.lower()} you can see, oldest first, keyset-paged: "
        "pass the previous page's `next_after` as `after`.",
        openapi_extra={"parameters": filter_params},
    )
    def list_records(
        ctx: Ctx,
        principal: CurrentPrincipal,
        request: Request,
        limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 100,
        after: Annotated[str | None, Query(description="Cursor: the last id of the previous page")] = None,
        q: Annotated[
            str | None, Query(max_length=200, description="Name contains (case-insensitive)")
        ] = None,
        updated_since: Annotated[datetime | None, Query(description="Only records updated at/after")] = None,
    ) -> Response:
        filters = {f.name: request.query_params[f.name] for f in ref_filters if f.name in request.query_params}
        with ctx.db.read() as session:
            records, next_after = RecordService(session, principal).list(
                record_type, limit=limit, after=after, q=q, filters=filters, updated_since=updated_since
            )
        return JSONBytesResponse({"items": [r.rest() for r in records], "next_after": next_after})

    @router.post(
        "",
        status_code=201,
        response_model=Out,
        summary=f"Create a {label}",
        responses={409: {"model": ErrorBody, "description": "The id is taken"}},
    )
    def create_record(
        ctx: Ctx,
        principal: CurrentPrincipal,
        body: Annotated[CreateIn, Body()],  # type: ignore[valid-type]
    ) -> Response:
        fields = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        record_id = fields.pop("id", None) or str(uuid6.uuid7())
        with ctx.db.write() as session:
            record = RecordService(session, principal).create(record_type, fields, str(record_id))
        return _one(record, 201)

    @router.get("/{record_id}", response_model=Out, summary=f"Get a {label}")
    def get_record(ctx: Ctx, principal: CurrentPrincipal, record_id: Annotated[str, Path()]) -> Response:
        with ctx.db.read() as session:
            record = RecordService(session, principal).get(record_type, record_id)
        return _one(record)

    @router.patch(
        "/{record_id}",
        response_model=Out,
        summary=f"Change some fields of a {label}",
        responses={412: {"model": ErrorBody, "description": "If-Match does not match the current rev"}},
    )
    def patch_record(
        ctx: Ctx,
        principal: CurrentPrincipal,
        record_id: Annotated[str, Path()],
        body: Annotated[PatchIn, Body()],  # type: ignore[valid-type]
        if_match: Annotated[
            str | None, Header(description="The rev you edited; 412 if the record changed since")
        ] = None,
    ) -> Response:
        fields = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        base_rev = _parse_if_match(if_match)
        try:
            with ctx.db.write() as session:
                record = RecordService(session, principal).update(record_type, record_id, fields, base_rev)
        except RevisionMismatch as exc:
            raise PreconditionFailed(exc.message, detail={"current_rev": exc.current.rev}) from exc
        return _one(record)

    @router.delete(
        "/{record_id}",
        status_code=204,
        summary=f"Delete a {label}",
        responses={412: {"model": ErrorBody, "description": "If-Match does not match the current rev"}},
    )
    def delete_record(
        ctx: Ctx,
        principal: CurrentPrincipal,
        record_id: Annotated[str, Path()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        base_rev = _parse_if_match(if_match)
        try:
            with ctx.db.write() as session:
                RecordService(session, principal).delete(record_type, record_id, base_rev)
        except RevisionMismatch as exc:
            raise PreconditionFailed(exc.message, detail={"current_rev": exc.current.rev}) from exc
        return Response(status_code=204)

    return router
