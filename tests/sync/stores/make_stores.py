"""How store_0001.db and store_0002.db were made (kept for the record; run from the repo root).

Each is a local store exactly as app version 0001 / 0002 left it: the schema of
that migration, one account and one contact created offline, both unsynced.
"""

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from crm_desktop.store.db import _alembic_config

ACCOUNT = "01900000-0000-7000-8000-00000000a001"
CONTACT = "01900000-0000-7000-8000-00000000c001"
STAMP = "2026-03-02 09:15:00.000000"

for rev in ("0001", "0002"):
    path = Path(f"/tmp/fix-{rev}.db")
    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, rev)
    engine.dispose()
    c = sqlite3.connect(path)
    c.execute(
        "INSERT INTO accounts (id, server_rev, dirty, deleted, sort_key, created_at, updated_at, name, shared)"
        " VALUES (?, NULL, 1, 0, 'offline ltd', ?, ?, 'Offline Ltd', 0)", (ACCOUNT, STAMP, STAMP))
    c.execute(
        "INSERT INTO contacts (id, server_rev, dirty, deleted, sort_key, created_at, updated_at, first_name,"
        " last_name, account_id, email, notes, shared) VALUES (?, NULL, 1, 0, 'zoë ölçer', ?, ?, 'Zoë', 'Ölçer',"
        " ?, 'zoe@example.com', 'Met at the fair; مرحبا', 0)", (CONTACT, STAMP, STAMP, ACCOUNT))
    for record_type, record_id, change_id in (
        ("account", ACCOUNT, "01900000-0000-7000-8000-0000000ca001"),
        ("contact", CONTACT, "01900000-0000-7000-8000-0000000cc001"),
    ):
        c.execute(
            "INSERT INTO pending_changes (record_type, record_id, change_id, op, base_rev, base_values, local_seq,"
            " status, created_at, updated_at) VALUES (?, ?, ?, 'create', NULL, '{}', 1, 'pending', ?, ?)",
            (record_type, record_id, change_id, STAMP, STAMP))
    c.execute("INSERT INTO kv (key, value) VALUES ('sync.client_id', '\"01900000-0000-7000-8000-0000000000c1\"')")
    c.commit()
    c.execute("PRAGMA journal_mode=DELETE")
    c.execute("VACUUM")
    c.close()
    path.replace(f"tests/sync/stores/store_{rev}.db")
