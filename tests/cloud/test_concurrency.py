"""Revisions become visible in commit order: a client pulling while others write never skips one."""

from __future__ import annotations

import threading
import uuid

from crm_cloud.admin import create_user
from crm_cloud.core.db import Database
from crm_cloud.records.access import Principal
from crm_cloud.records.service import RecordService

WRITERS = 4
WRITES = 15


def test_concurrent_writers_and_puller_never_skip(database_url: str) -> None:
    user = Principal(create_user(database_url, "w@example.com", "W", "password123"))
    db = Database.from_url(database_url)
    errors: list[BaseException] = []
    done = threading.Event()
    seen: dict[str, int] = {}

    def writer() -> None:
        try:
            for _ in range(WRITES):
                with db.write() as session:
                    RecordService(session, user).create("account", {"name": "N"}, str(uuid.uuid4()))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def puller() -> None:
        cursor = 0
        try:
            while True:
                finished = done.is_set()
                with db.read(snapshot=True) as session:
                    body = RecordService(session, user).pull(cursor, 7)
                for rec in body["records"]:
                    if rec["type"] == "account":  # not the seeded configuration records
                        seen[rec["id"]] = rec["rev"]
                cursor = body["cursor"]
                if finished and not body["has_more"]:
                    return
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    try:
        threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
        pull_thread = threading.Thread(target=puller)
        pull_thread.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        pull_thread.join(timeout=60)
        assert not errors, errors
        assert len(seen) == WRITERS * WRITES
        first = min(seen.values())
        assert sorted(seen.values()) == list(range(first, first + WRITERS * WRITES))
    finally:
        db.dispose()
