"""Administrative operations usable from Python (and the CLI)."""

from __future__ import annotations

from typing import Any

import uuid6
from sqlalchemy import select

from crm_cloud.auth.models import User
from crm_cloud.auth.service import add_user, normalize_email
from crm_cloud.core.db import Database
from crm_cloud.core.errors import InvalidInput, NotFound
from crm_cloud.models import metadata as _metadata  # noqa: F401  (every table and record rule)
from crm_cloud.records.access import Principal
from crm_cloud.records.service import RecordService, StoredRecord, codec_for

#: The principal configuration changes made from the command line act as:
#: an administrator that is no user (``updated_by`` stays empty).
SYSTEM = Principal(user_id="", admin=True)


def create_user(database_url: str, email: str, name: str, password: str, *, admin: bool = False) -> str:
    """Create an active user and return its id.  The database must be migrated."""
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            user = add_user(session, email, name, password)
            user.is_admin = admin
            return user.id
    finally:
        db.dispose()


def set_admin(database_url: str, email: str, admin: bool) -> None:
    """Let a user change the shared configuration (pipeline stages, service levels...), or stop that."""
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            user = session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
            if user is None:
                raise NotFound(f"No user with email {normalize_email(email)}")
            user.is_admin = admin
    finally:
        db.dispose()


def list_config(database_url: str, record_type: str) -> list[StoredRecord]:
    """Live configuration records of a type (pipeline stages, service levels)."""
    db = Database.from_url(database_url)
    try:
        with db.read() as session:
            out: list[StoredRecord] = []
            after: str | None = None
            while True:
                page, after = RecordService(session, SYSTEM).list(record_type, limit=500, after=after)
                out.extend(page)
                if after is None:
                    return out
    finally:
        db.dispose()


def find_config(database_url: str, record_type: str, field: str, value: str) -> StoredRecord:
    for record in list_config(database_url, record_type):
        if str(record.data.get(field)) == value:
            return record
    label = codec_for(record_type).spec.label.lower()
    raise NotFound(f"No {label} with {field} {value!r}")


def create_config(database_url: str, record_type: str, fields: dict[str, Any]) -> StoredRecord:
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            return RecordService(session, SYSTEM).create(record_type, fields, str(uuid6.uuid7()))
    finally:
        db.dispose()


def update_config(database_url: str, record_type: str, record_id: str, fields: dict[str, Any]) -> StoredRecord:
    if not fields:
        raise InvalidInput("Nothing to change", detail={"field_errors": []})
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            return RecordService(session, SYSTEM).update(record_type, record_id, fields, None)
    finally:
        db.dispose()


def delete_config(database_url: str, record_type: str, record_id: str) -> None:
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            RecordService(session, SYSTEM).delete(record_type, record_id, None)
    finally:
        db.dispose()
