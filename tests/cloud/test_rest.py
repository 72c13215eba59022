from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .conftest import Account

API = "/api/v1"


def create(client: TestClient, who: Account, kind: str, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{API}/{kind}", json=fields, headers=who.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_info_needs_no_auth(client: TestClient) -> None:
    info = client.get(f"{API}/info").json()
    assert info["protocol_min"] == 1 and info["protocol_max"] >= 1
    assert info["name"]


def test_account_crud(client: TestClient, alice: Account) -> None:
    acc = create(client, alice, "accounts", name="  Acme Corp ", phone="(415) 555-2671", website="acme.com")
    assert acc["name"] == "Acme Corp"
    assert acc["phone_e164"] == "+14155552671"
    assert acc["owner_id"] == alice.id
    assert acc["shared"] is False
    assert acc["id"][14] == "7"  # uuid7
    got = client.get(f"{API}/accounts/{acc['id']}", headers=alice.headers)
    assert got.status_code == 200
    assert got.headers["etag"] == f'"{acc["rev"]}"'
    patched = client.patch(
        f"{API}/accounts/{acc['id']}", json={"industry": "Software"}, headers=alice.headers
    ).json()
    assert patched["industry"] == "Software" and patched["name"] == "Acme Corp"
    assert patched["rev"] > acc["rev"]
    assert client.delete(f"{API}/accounts/{acc['id']}", headers=alice.headers).status_code == 204
    gone = client.get(f"{API}/accounts/{acc['id']}", headers=alice.headers)
    assert gone.status_code == 404
    assert gone.json()["code"] == "deleted"


def test_client_chosen_id_and_duplicate(client: TestClient, alice: Account) -> None:
    rid = "0190a3c2-5b1e-7c3a-9f00-000000000001"
    assert create(client, alice, "accounts", id=rid, name="X")["id"] == rid
    again = client.post(f"{API}/accounts", json={"id": rid, "name": "Y"}, headers=alice.headers)
    assert again.status_code == 409


def test_validation_errors(client: TestClient, alice: Account) -> None:
    response = client.post(
        f"{API}/contacts", json={"email": "not-an-email", "phone": "12"}, headers=alice.headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation"
    fields = {e["field"] for e in body["detail"]["field_errors"]}
    assert {"email", "phone", "first_name"} <= fields
    unknown = client.post(f"{API}/accounts", json={"name": "A", "colour": "red"}, headers=alice.headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["field_errors"][0]["field"] == "colour"
    missing_ref = client.post(
        f"{API}/contacts",
        json={"first_name": "A", "account_id": "0190a3c2-5b1e-7c3a-9f00-00000000dead"},
        headers=alice.headers,
    )
    assert missing_ref.status_code == 422
    assert missing_ref.json()["detail"]["field_errors"][0]["field"] == "account_id"


def test_if_match(client: TestClient, alice: Account) -> None:
    acc = create(client, alice, "accounts", name="Acme")
    url = f"{API}/accounts/{acc['id']}"
    ok = client.patch(url, json={"city": "Berlin"}, headers={**alice.headers, "If-Match": str(acc["rev"])})
    assert ok.status_code == 200
    stale = client.patch(url, json={"city": "Paris"}, headers={**alice.headers, "If-Match": str(acc["rev"])})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    etag = ok.headers["etag"]
    assert client.patch(url, json={"city": "Rome"}, headers={**alice.headers, "If-Match": etag}).status_code == 200
    assert client.delete(url, headers={**alice.headers, "If-Match": etag}).status_code == 412


def test_list_filters_and_keyset_paging(client: TestClient, alice: Account, bob: Account) -> None:
    acme = create(client, alice, "accounts", name="Acme")
    create(client, alice, "accounts", name="100%_Pure")
    create(client, alice, "accounts", name="1000 Pure")
    ids = [create(client, alice, "contacts", first_name=f"C{i}", account_id=acme["id"])["id"] for i in range(7)]
    create(client, alice, "contacts", first_name="Loner", last_name="Wolf")
    create(client, bob, "contacts", first_name="Bob's", shared=True)
    create(client, bob, "contacts", first_name="Bob's private")

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "account_id": acme["id"]}
        if after:
            params["after"] = after
        page = client.get(f"{API}/contacts", params=params, headers=alice.headers).json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        after = page["next_after"]
        if after is None:
            break
    assert seen == ids
    assert pages == 3

    def names(**params: Any) -> list[str]:
        items = client.get(f"{API}/accounts", params=params, headers=alice.headers).json()["items"]
        return [a["name"] for a in items]

    assert names(q="acm") == ["Acme"]
    assert names(q="%_") == ["100%_Pure"]
    assert names(q="pure") == ["100%_Pure", "1000 Pure"]
    assert names(owner_id=bob.id) == []
    contacts = client.get(f"{API}/contacts", params={"q": "loner wo"}, headers=alice.headers).json()
    assert [c["first_name"] for c in contacts["items"]] == ["Loner"]
    visible = client.get(f"{API}/contacts", params={"limit": 500}, headers=alice.headers).json()["items"]
    assert "Bob's" in {c["first_name"] for c in visible}
    assert "Bob's private" not in {c["first_name"] for c in visible}
    since = client.get(
        f"{API}/accounts", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=alice.headers
    ).json()["items"]
    assert len(since) == 3
    future = client.get(
        f"{API}/accounts", params={"updated_since": "2100-01-01T00:00:00Z"}, headers=alice.headers
    ).json()["items"]
    assert future == []
    too_many = client.get(f"{API}/accounts", params={"limit": 501}, headers=alice.headers)
    assert too_many.status_code == 422


def test_private_records_of_others_are_not_found(client: TestClient, alice: Account, bob: Account) -> None:
    private = create(client, alice, "accounts", name="Secret")
    shared = create(client, alice, "accounts", name="Open", shared=True)
    url = f"{API}/accounts/{private['id']}"
    assert client.get(url, headers=bob.headers).status_code == 404
    assert client.patch(url, json={"name": "Mine"}, headers=bob.headers).status_code == 404
    assert client.delete(url, headers=bob.headers).status_code == 404
    assert client.get(f"{API}/accounts/{shared['id']}", headers=bob.headers).status_code == 200
    edited = client.patch(f"{API}/accounts/{shared['id']}", json={"city": "Oslo"}, headers=bob.headers)
    assert edited.status_code == 200
    assert edited.json()["updated_by"] == bob.id


def test_requires_auth(client: TestClient) -> None:
    response = client.get(f"{API}/accounts")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/v1/accounts", "/api/v1/contacts/{record_id}", "/api/v1/sync/pull", "/oauth/token"):
        assert path in schema["paths"]
    components = schema["components"]["schemas"]
    assert "phone_e164" in components["Contact"]["properties"]
    assert {"ErrorBody", "PushRequest", "PullResponse"} <= set(components)
    params = {p["name"] for p in schema["paths"]["/api/v1/contacts"]["get"]["parameters"]}
    assert {"limit", "after", "q", "updated_since", "owner_id", "account_id"} <= params
