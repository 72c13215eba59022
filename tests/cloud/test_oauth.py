from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from crm_cloud.admin import create_user
from crm_cloud.app import create_app
from crm_cloud.auth import service
from crm_cloud.core import security
from crm_cloud.core.config import Settings

from .conftest import (
    CLIENT_ID,
    PASSWORD,
    authorize_params,
    bearer,
    exchange,
    get_code,
    hidden_inputs,
    login,
    sign_in,
    start_flow,
)

EMAIL = "carol@example.com"


@pytest.fixture
def user_id(database_url: str) -> str:
    return create_user(database_url, "Carol@Example.com", "Carol", PASSWORD)


def refresh(client: TestClient, token: str) -> object:
    return client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT_ID}
    )


def test_full_flow_like_a_browser(client: TestClient, user_id: str) -> None:
    flow = start_flow(port=41234)
    page = client.get("/oauth/authorize", params=authorize_params(flow))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/oauth/authorize">' in page.text
    assert 'name="email"' in page.text and 'name="password"' in page.text
    code = get_code(client, flow, EMAIL)
    response = exchange(client, flow, code)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    me = client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json() == {"id": user_id, "email": EMAIL, "name": "Carol"}
    users = client.get("/api/v1/users", headers=bearer(tokens))
    assert [u["email"] for u in users.json()] == [EMAIL]


def test_ipv6_loopback_and_any_port(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    flow.redirect_uri = "http://[::1]:61000/cb"
    code = get_code(client, flow, EMAIL)
    assert exchange(client, flow, code).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "evil-app"},
        {"redirect_uri": "https://evil.example.com/cb"},
        {"redirect_uri": "http://localhost:5000/cb"},
        {"redirect_uri": "http://127.0.0.1/cb"},
        {"redirect_uri": "http://127.0.0.1.evil.com:80/cb"},
    ],
)
def test_bad_client_or_redirect_gets_an_error_page(client: TestClient, overrides: dict[str, str]) -> None:
    response = client.get(
        "/oauth/authorize", params=authorize_params(start_flow(), **overrides), follow_redirects=False
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("overrides", "drop"),
    [({"code_challenge_method": "plain"}, None), ({}, "code_challenge"), ({}, "code_challenge_method")],
)
def test_pkce_s256_required(client: TestClient, overrides: dict[str, str], drop: str | None) -> None:
    flow = start_flow()
    params = authorize_params(flow, **overrides)
    if drop:
        del params[drop]
    response = client.get("/oauth/authorize", params=params, follow_redirects=False)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == [flow.state]


def test_page_escapes_and_signs_the_request(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    flow.state = '"><script>alert(1)</script>'
    page = client.get("/oauth/authorize", params=authorize_params(flow))
    assert "<script>alert(1)" not in page.text
    form = {**hidden_inputs(page.text), "email": EMAIL, "password": PASSWORD}
    form["request"] = form["request"][:-3] + "AAA"
    response = client.post("/oauth/authorize", data=form, follow_redirects=False)
    assert response.status_code == 400
    assert "tampered" in response.text


def test_wrong_password(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    response = sign_in(client, flow, EMAIL, "wrong password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    # the page can be submitted again with the right password
    form = {**hidden_inputs(response.text), "email": EMAIL, "password": PASSWORD}
    again = client.post("/oauth/authorize", data=form, follow_redirects=False)
    assert again.status_code == 303
    unknown = sign_in(client, start_flow(), "nobody@example.com", PASSWORD)
    assert unknown.status_code == 401


def test_repeated_failures_are_throttled(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    for _ in range(10):
        assert sign_in(client, flow, EMAIL, "nope nope").status_code == 401
    blocked = sign_in(client, flow, EMAIL, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text


def test_bad_pkce_verifier(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    code = get_code(client, flow, EMAIL)
    other_verifier = start_flow().verifier
    response = exchange(client, flow, code, verifier=other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    code = get_code(client, flow, EMAIL)
    flow.redirect_uri = "http://127.0.0.1:9/other"
    assert exchange(client, flow, code).json()["error"] == "invalid_grant"


def test_code_replay_revokes_issued_tokens(client: TestClient, user_id: str) -> None:
    flow = start_flow()
    code = get_code(client, flow, EMAIL)
    tokens = exchange(client, flow, code).json()
    assert client.get("/api/v1/me", headers=bearer(tokens)).status_code == 200
    replay = exchange(client, flow, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert client.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    assert refresh(client, tokens["refresh_token"]).status_code == 400  # type: ignore[attr-defined]


def test_refresh_rotation_and_replay_revokes_family(client: TestClient, user_id: str) -> None:
    first = login(client, EMAIL)
    second = refresh(client, first["refresh_token"]).json()  # type: ignore[attr-defined]
    assert second["refresh_token"] != first["refresh_token"]
    third = refresh(client, second["refresh_token"]).json()  # type: ignore[attr-defined]
    assert client.get("/api/v1/me", headers=bearer(third)).status_code == 200
    replay = refresh(client, first["refresh_token"])
    assert replay.status_code == 400  # type: ignore[attr-defined]
    assert replay.json()["error"] == "invalid_grant"  # type: ignore[attr-defined]
    # the whole family is gone, including the newest tokens
    assert refresh(client, third["refresh_token"]).status_code == 400  # type: ignore[attr-defined]
    assert client.get("/api/v1/me", headers=bearer(third)).status_code == 401
    # another sign-in is unaffected
    assert client.get("/api/v1/me", headers=bearer(login(client, EMAIL))).status_code == 200


def test_unknown_grant_and_client(client: TestClient, user_id: str) -> None:
    response = client.post("/oauth/token", data={"grant_type": "password", "client_id": CLIENT_ID})
    assert response.json()["error"] == "unsupported_grant_type"
    response = client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": "other"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_revoke(client: TestClient, user_id: str) -> None:
    tokens = login(client, EMAIL)
    assert client.post("/oauth/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    assert refresh(client, tokens["refresh_token"]).status_code == 400  # type: ignore[attr-defined]
    assert client.post("/oauth/revoke", data={"token": "garbage"}).status_code == 200


@pytest.fixture
def short_client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, access_token_ttl_s=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_expired_access_token(
    short_client: TestClient, user_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tokens minted by a clock running two seconds behind: expired on arrival,
    # with no waiting.  (The server checks expiry against the real clock.)
    real_time = time.time
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: real_time() - 2))
    tokens = login(short_client, EMAIL)
    monkeypatch.undo()
    assert tokens["expires_in"] == 1
    response = short_client.get("/api/v1/me", headers=bearer(tokens))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == "token_expired"
    fresh = refresh(short_client, tokens["refresh_token"]).json()  # type: ignore[attr-defined]
    assert short_client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_invalid_and_missing_token(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert client.get("/api/v1/me").status_code == 401


def test_signing_key_is_shared_through_the_database(database_url: str, user_id: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as one:
        tokens = login(one, EMAIL)
    with TestClient(create_app(Settings(database_url=database_url))) as two:
        assert two.get("/api/v1/me", headers=bearer(tokens)).status_code == 200


def test_code_expires(database_url: str, user_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=database_url, auth_code_ttl_s=1)
    with TestClient(create_app(settings)) as test_client:
        flow = start_flow()
        code = get_code(test_client, flow, EMAIL)
        # The exchange happens, by the service's clock, two seconds later.
        real_now = service.utcnow
        monkeypatch.setattr(service, "utcnow", lambda: real_now() + timedelta(seconds=2))
        response = exchange(test_client, flow, code)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        assert "expired" in response.json()["error_description"]
