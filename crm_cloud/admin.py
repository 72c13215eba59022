"""Administrative operations usable from Python (and the CLI)."""

from __future__ import annotations

from crm_cloud.auth.service import add_user
from crm_cloud.core.db import Database


def create_user(database_url: str, email: str, name: str, password: str) -> str:
    """Create an active user and return its id.  The database must be migrated."""
    db = Database.from_url(database_url)
    try:
        with db.write() as session:
            return add_user(session, email, name, password).id
    finally:
        db.dispose()
