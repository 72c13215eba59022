"""A real client process syncing against the backend, killed with SIGKILL at random moments.

After every kill the store passes ``PRAGMA integrity_check`` and the next
process opens it (lock released, migrations fine) and carries on; at the end
the client and the server hold the same contacts, each journaled create once.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crm_cloud.admin import create_user
from crm_desktop.store.db import DB_FILENAME
from crm_desktop.store.search_index import register_functions

KILLS = int(os.environ.get("CRM_SIGKILL_ROUNDS", "50"))


def worker(profile: Path, cloud, user_id: str, *extra: str) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    with open(profile.parent / "worker.log", "a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.sync.kill_worker", str(profile), cloud.url, user_id,
             cloud.env["CRM_CLOUD_SECRET_KEY"], *extra],
            stdout=subprocess.PIPE, stderr=log, text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )


@pytest.mark.timeout(900)
def test_sigkill_at_random_moments_never_damages_the_store(cloud, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user_id = create_user(cloud.database_url, "killed@example.com", "Killed", "kill password 123")
    profile = tmp_path / "profile"
    profile.mkdir()
    rng = random.Random(int(os.environ.get("CRM_SIGKILL_SEED", "0")) or None)
    for round_ in range(KILLS):
        process = worker(profile, cloud, user_id)
        assert process.stdout is not None
        line = process.stdout.readline()  # started: store open, lock held
        assert line.strip() == "ready", (process.wait(), (tmp_path / "worker.log").read_text()[-3000:])
        # Somewhere in the edit/sync loop: a push, a pull page, a commit...
        try:
            process.wait(timeout=rng.uniform(0.0, 0.6))
            raise AssertionError(f"worker ended by itself: {(tmp_path / 'worker.log').read_text()[-3000:]}")
        except subprocess.TimeoutExpired:
            pass
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        with sqlite3.connect(profile / DB_FILENAME) as connection:
            register_functions(connection)  # indexes on crm_name_key(...) need it to be checked
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"after kill {round_}"
    final = worker(profile, cloud, user_id, "--final")
    assert final.wait(timeout=120) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert final.stdout is not None
    final.stdout.close()

    journal = [line.split() for line in (profile / "journal.txt").read_text().splitlines() if line.strip()]
    with sqlite3.connect(profile / DB_FILENAME) as connection:
        register_functions(connection)
        local = dict(connection.execute("SELECT id, first_name FROM contacts WHERE deleted = 0").fetchall())
        assert connection.execute("SELECT count(*) FROM pending_changes").fetchone()[0] == 0
    engine = create_engine(cloud.database_url)
    try:
        with engine.connect() as connection:
            server = dict(connection.execute(
                text("SELECT id, first_name FROM contact WHERE deleted = :f AND owner_id = :u"),
                {"f": False, "u": user_id},
            ).all())
    finally:
        engine.dispose()
    assert local == server
    assert len(set(server.values())) == len(server), "a create reached the server twice"
    missing = [(record_id, token) for record_id, token in journal if server.get(record_id) != token]
    assert not missing, f"journaled creates missing on the server: {missing[:5]}"
    assert len(journal) > KILLS
