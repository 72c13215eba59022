"""End-to-end sync fixtures: the real backend served by uvicorn on loopback.

Each test gets a fresh backend (its own SQLite file, or PostgreSQL when
``CRM_TEST_POSTGRES_URL`` is set and the test asks for it) and as many client
profiles as it wants, each with its own local store.  Sign-in is driven over
HTTP exactly as the browser would do it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from crm_cloud.admin import create_user
from crm_desktop.context import AppContext
from crm_desktop.keychain import MemoryTokenStore, account_key
from sync.auth import TokenManager, complete_sign_in_form, sign_in
from sync.client import CloudClient
from sync.engine import SyncEngine
from sync.replica import Replica

PASSWORD = "correct horse battery"


class CloudServer:
    def __init__(self, workdir: Path, database_url: str, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.port = 0

    def start(self) -> None:
        ready = self.workdir / f"ready-{secrets.token_hex(4)}"
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crm_cloud", "serve", "--port", str(self.port),
             "--database-url", self.database_url, "--ready-file", str(ready), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env},
        )
        log.close()
        deadline = time.monotonic() + 30
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError((self.workdir / "server.log").read_text())
            if time.monotonic() > deadline:
                raise RuntimeError("backend did not start")
            time.sleep(0.05)
        self.url = ready.read_text().strip()
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[CloudServer]:
    workdir = tmp_path / "cloud"
    workdir.mkdir()
    database_url = f"sqlite:///{workdir / 'cloud.db'}"
    server = CloudServer(workdir, database_url, {"CRM_CLOUD_SECRET_KEY": "test-secret-" + "x" * 32})
    server.start()
    yield server
    server.stop()


@dataclass
class Profile:
    name: str
    context: AppContext
    http: httpx.Client
    tokens: TokenManager
    store: MemoryTokenStore
    engine: SyncEngine
    replica: Replica
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def records(self):  # type: ignore[no-untyped-def]
        return self.context.records

    def sync(self):  # type: ignore[no-untyped-def]
        return self.engine.run()


def browser_open(email: str, password: str):  # type: ignore[no-untyped-def]
    def open_url(url: str) -> None:
        with httpx.Client(timeout=10) as browser:
            complete_sign_in_form(browser, url, email, password)
    return open_url


@pytest.fixture
def make_profile(tmp_path: Path, cloud: CloudServer) -> Iterator:  # type: ignore[type-arg]
    profiles: list[Profile] = []
    users: dict[str, str] = {}

    def make(name: str, email: str | None = None, *, pull_limit: int = 2000) -> Profile:
        email = email or f"{name}@example.com"
        if email not in users:
            users[email] = create_user(cloud.database_url, email, name.title(), PASSWORD)
        context = AppContext.open(tmp_path / f"profile-{name}", lock=False)
        http = httpx.Client(timeout=10)
        store = MemoryTokenStore()
        tokens = TokenManager(cloud.url, http, store, account_key(cloud.url, name))
        tokens.accept(sign_in(cloud.url, browser_open(email, PASSWORD), http))
        context.settings.server_url = cloud.url
        context.settings.user_id = users[email]
        context.settings.user_email = email
        replica = Replica(context.db, policy=context.conflict_policy)
        replica.bind_server(f"{cloud.url}|{users[email]}")
        engine = SyncEngine(replica, CloudClient(http, tokens), pull_limit=pull_limit)
        profile = Profile(name, context, http, tokens, store, engine, replica)
        profiles.append(profile)
        return profile

    yield make
    for profile in profiles:
        profile.http.close()
        profile.context.close()
