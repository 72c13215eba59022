"""The client process that ``test_sigkill.py`` kills: edit and sync in a loop.

``python -m tests.sync.kill_worker PROFILE URL USER_ID SECRET [--final]``

Opens the profile exactly as the app does (lock, migrations), then forever:
create a contact named with a fresh token, edit the title of an earlier one,
sync.  Each create is journaled (``journal.txt``, fsynced) once its
transaction committed, so the parent knows which writes must survive.
``--final`` syncs twice and exits: the parent then checks convergence.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from crm_desktop.context import AppContext
from crm_desktop.keychain import MemoryTokenStore
from crm_protocol.wire import TokenResponse
from sync.auth import TokenManager
from sync.client import CloudClient
from sync.engine import SyncEngine
from sync.errors import SyncError
from sync.replica import Replica
from tests.sync.machine import mint_access_token


def main(argv: list[str]) -> int:
    profile, url, user_id, secret = Path(argv[0]), argv[1], argv[2], argv[3]
    final = "--final" in argv
    import httpx

    context = AppContext.open(profile)  # with the profile lock, as the app
    context.settings.user_id = user_id
    http = httpx.Client(timeout=30)
    tokens = TokenManager(url, http, MemoryTokenStore(), "kill-worker")
    tokens.accept(TokenResponse(access_token=mint_access_token(user_id, secret), token_type="bearer",
                                expires_in=86400, refresh_token="unused"))
    replica = Replica(context.db)
    replica.bind_server(f"{url}|{user_id}")
    engine = SyncEngine(replica, CloudClient(http, tokens), pull_limit=7, push_batch=5)
    if final:
        engine.run()
        engine.run()
        context.close()
        return 0
    journal = open(profile / "journal.txt", "a", encoding="utf-8")  # noqa: SIM115 - killed, never closed
    rng = random.Random()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for _ in range(rng.randint(1, 8)):
            token = f"k{time.time_ns()}-{rng.getrandbits(32):08x}"
            record_id = context.records.create("contact", {"first_name": token})
            journal.write(f"{record_id} {token}\n")
            journal.flush()
            os.fsync(journal.fileno())
        ids = [line.split()[0] for line in (profile / "journal.txt").read_text().splitlines()[-20:]]
        try:
            context.records.update("contact", rng.choice(ids), {"title": f"t{rng.getrandbits(32):08x}"})
        except Exception:  # noqa: BLE001 - deleted or not there: the point is the sync, not this edit
            pass
        try:
            engine.run()
        except SyncError:
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
