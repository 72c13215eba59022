"""Pydantic models for a record type's REST representation, generated from its spec."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from crm_protocol.records import FieldKind, FieldSpec, RecordTypeSpec


def _py_type(spec: FieldSpec) -> Any:
    if spec.kind is FieldKind.BOOL:
        return bool
    if spec.kind is FieldKind.INT:
        return int
    if spec.kind is FieldKind.TAGS:
        return list[str]
    if spec.kind is FieldKind.CUSTOM:
        return dict[str, str | int | float]
    return str


def _describe(spec: FieldSpec) -> str:
    text = f"{spec.label} ({spec.kind.value}"
    if spec.kind in (FieldKind.TEXT, FieldKind.EMAIL, FieldKind.PHONE, FieldKind.URL):
        text += f", at most {spec.max_length} characters"
    if spec.ref_type:
        text += f", id of a {spec.ref_type}"
    if spec.derived_from:
        text += f", derived from {spec.derived_from}; computed by the server"
    if spec.required:
        text += ", required"
    return text + ")"


def _class_name(spec: RecordTypeSpec) -> str:
    return spec.label.replace(" ", "")


def _field_defs(spec: RecordTypeSpec) -> dict[str, Any]:
    return {
        f.name: (_py_type(f) | None, Field(default=None, description=_describe(f))) for f in spec.fields
    }


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def out_model(spec: RecordTypeSpec) -> type[BaseModel]:
    return create_model(
        _class_name(spec),
        id=(str, Field(description="Record id (UUID)")),
        rev=(int, Field(description="Server revision; send it back in If-Match to update safely")),
        created_at=(datetime, ...),
        updated_at=(datetime, ...),
        updated_by=(str | None, None),
        **_field_defs(spec),
    )


def create_model_for(spec: RecordTypeSpec) -> type[BaseModel]:
    return create_model(
        f"{_class_name(spec)}Create",
        __base__=_In,
        id=(str | None, Field(default=None, description="Optional client-chosen UUID; else a uuid7")),
        **_field_defs(spec),
    )


def patch_model(spec: RecordTypeSpec) -> type[BaseModel]:
    return create_model(f"{_class_name(spec)}Patch", __base__=_In, **_field_defs(spec))


def page_model(spec: RecordTypeSpec, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{_class_name(spec)}Page",
        items=(list[item], ...),  # type: ignore[valid-type]
        next_after=(
            str | None,
            Field(default=None, description="Pass as `after` for the next page; null on the last page"),
        ),
    )
