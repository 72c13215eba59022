"""Small helpers for the sync fault tests: what the server holds, read directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from tests.sync.test_end_to_end import contact_count

__all__ = ["contact_count", "server_contacts"]


def server_contacts(cloud, profile) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The live contacts of the profile's user, straight from the server's database."""
    engine = create_engine(cloud.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, first_name, title, notes FROM contact WHERE deleted = :f AND owner_id = :u "
                     "ORDER BY id"),
                {"f": False, "u": profile.context.settings.user_id},
            ).mappings().all()
        return [dict(r) for r in rows]
    finally:
        engine.dispose()
