"""Fixtures for the cloud backend: a fresh migrated database per test (SQLite, and
PostgreSQL when ``CRM_TEST_POSTGRES_URL`` is set), the app, users and signed-in clients."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_cloud.admin import create_user
from crm_cloud.app import create_app
from crm_cloud.core.config import Settings
from crm_cloud.core.db import upgrade
from crm_protocol.wire import PROTOCOL_HEADER, PROTOCOL_VERSION

POSTGRES_ENV = "CRM_TEST_POSTGRES_URL"
CLIENT_ID = "crm-desktop"
PASSWORD = "correct horse battery"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cloud.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql+psycopg://crm:crm@127.0.0.1/crm_test")
    name = f"crm_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, access_token_ttl_s=900)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.form_actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.form_actions.append(a.get("action") or "")
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[str(a["name"])] = a.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    assert parser.form_actions == ["/oauth/authorize"]
    return parser.hidden


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class Flow:
    verifier: str
    challenge: str
    redirect_uri: str
    state: str


def start_flow(port: int = 53682) -> Flow:
    verifier, challenge = pkce_pair()
    return Flow(verifier, challenge, f"http://127.0.0.1:{port}/callback", secrets.token_urlsafe(8))


def authorize_params(flow: Flow, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": flow.redirect_uri,
        "code_challenge": flow.challenge,
        "code_challenge_method": "S256",
        "state": flow.state,
    }
    params.update(overrides)
    return params


def sign_in(client: TestClient, flow: Flow, email: str, password: str) -> Any:
    """Drive the sign-in page like a browser; returns the POST response (not followed)."""
    page = client.get("/oauth/authorize", params=authorize_params(flow))
    assert page.status_code == 200, page.text
    form = {**hidden_inputs(page.text), "email": email, "password": password}
    return client.post("/oauth/authorize", data=form, follow_redirects=False)


def get_code(client: TestClient, flow: Flow, email: str, password: str = PASSWORD) -> str:
    response = sign_in(client, flow, email, password)
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == flow.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == [flow.state]
    return query["code"][0]


def exchange(client: TestClient, flow: Flow, code: str, verifier: str | None = None) -> Any:
    return client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier or flow.verifier,
            "redirect_uri": flow.redirect_uri,
            "client_id": CLIENT_ID,
        },
    )


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    flow = start_flow()
    response = exchange(client, flow, get_code(client, flow, email, password))
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


@dataclass
class Account:
    """A user with a signed-in session."""

    id: str
    email: str
    headers: dict[str, str]


@pytest.fixture
def make_account(client: TestClient, database_url: str) -> Callable[[str], Account]:
    def make(email: str) -> Account:
        user_id = create_user(database_url, email, email.split("@")[0].title(), PASSWORD)
        return Account(user_id, email, bearer(login(client, email)))

    return make


@pytest.fixture
def alice(make_account: Callable[[str], Account]) -> Account:
    return make_account("alice@example.com")


@pytest.fixture
def bob(make_account: Callable[[str], Account]) -> Account:
    return make_account("bob@example.com")
