"""Per-type record tables generated from the :mod:`crm_protocol.records` specs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from crm_protocol.records import FieldKind, FieldSpec, RecordTypeSpec

#: Columns every record table has besides its fields.
COMMON_COLUMNS = (
    "id", "rev", "deleted", "created_at", "updated_at", "updated_by", "field_stamps", "merged_into",
)

#: record type name -> its table; filled by :func:`register_record_table`.
RECORD_TABLES: dict[str, Table] = {}


def column_type(spec: FieldSpec) -> TypeEngine[Any]:
    kind = spec.kind
    if kind is FieldKind.BOOL:
        return Boolean()
    if kind is FieldKind.INT:
        return BigInteger()
    if kind is FieldKind.DECIMAL:
        return Numeric(17, 2)
    if kind is FieldKind.DATE:
        return Date()
    if kind is FieldKind.DATETIME:
        return DateTime(timezone=True)
    if kind is FieldKind.LONG_TEXT:
        return Text()
    if kind in (FieldKind.TAGS, FieldKind.CUSTOM):
        return JSON()
    if kind is FieldKind.REF:
        return String(36)
    return String(spec.max_length)


def table_name(spec: RecordTypeSpec) -> str:
    return spec.name


def record_table(spec: RecordTypeSpec, metadata: MetaData) -> Table:
    """Build the table for ``spec``: the common columns plus one column per field."""
    name = table_name(spec)
    columns: list[Column[Any]] = [
        Column("id", String(36), primary_key=True),
        Column("rev", BigInteger(), nullable=False),
        Column("deleted", Boolean(), nullable=False, default=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("updated_by", String(36), nullable=True),
        # Field name (or "*" for every other field) -> hybrid-logical-clock
        # stamp of its last edit; NULL for rows written before stamps existed.
        Column("field_stamps", JSON(), nullable=True),
        # Set on the tombstone of a record merged into another: the id it now
        # lives on (an alias every client learns from the pull feed).
        Column("merged_into", String(36), nullable=True),
    ]
    for fspec in spec.fields:
        nullable = fspec.kind is not FieldKind.BOOL
        columns.append(Column(fspec.name, column_type(fspec), nullable=nullable))
    indexes = [Index(f"ix_{name}_rev", "rev", unique=True)]
    if "owner_id" in spec.field_map:
        indexes.append(Index(f"ix_{name}_owner_id", "owner_id"))
    for fspec in spec.fields:
        if fspec.kind is FieldKind.REF and fspec.name != "owner_id":
            indexes.append(Index(f"ix_{name}_{fspec.name}", fspec.name))
    table = Table(name, metadata, *columns, *indexes)
    return table


def register_record_table(spec: RecordTypeSpec, metadata: MetaData) -> Table:
    table = record_table(spec, metadata)
    RECORD_TABLES[spec.name] = table
    return table
