"""REST of the sales, service, marketing and activities modules (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crm_cloud.admin import set_admin
from crm_protocol.wire import PullResponse

from .conftest import Account

API = "/api/v1"


def post(client: TestClient, who: Account, path: str, **fields: Any) -> Any:
    return client.post(f"{API}/{path}", json=fields, headers=who.headers)


def create(client: TestClient, who: Account, path: str, **fields: Any) -> dict[str, Any]:
    response = post(client, who, path, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def field_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["message"] for e in response.json()["detail"]["field_errors"]}


def test_lead_defaults_and_validation(client: TestClient, alice: Account) -> None:
    lead = create(client, alice, "leads", company="Initech", email="PETER@initech.com", source="Web",
                  rating="Hot", phone="+1 415 555 2671")
    assert lead["status"] == "New" and lead["owner_id"] == alice.id
    assert lead["email"] == "PETER@initech.com" and lead["phone_e164"] == "+14155552671"
    errors = field_errors(post(client, alice, "leads", first_name="Only", rating="Lukewarm"))
    assert errors["last_name"] == "Last name or Company is required"
    assert errors["rating"].startswith("Rating must be one of Hot, Warm, Cold")


def test_opportunity_follows_its_stage(client: TestClient, alice: Account) -> None:
    account = create(client, alice, "accounts", name="Acme")
    opp = create(client, alice, "opportunities", name="Acme rollout", account_id=account["id"],
                 amount="12000.5", currency="eur", close_date="2026-12-31")
    assert opp["stage"] == "Prospecting" and opp["probability"] == 10 and opp["status"] == "Open"
    assert opp["amount"] == "12000.50" and opp["currency"] == "EUR"
    won = client.patch(f"{API}/opportunities/{opp['id']}", json={"stage": "Closed Won", "close_reason": "Price"},
                       headers=alice.headers).json()
    assert won["status"] == "Won" and won["probability"] == 100
    # Marking an open opportunity won moves it to the won stage (status and stage agree).
    other = create(client, alice, "opportunities", name="Other", stage="Proposal")
    marked = client.patch(f"{API}/opportunities/{other['id']}", json={"status": "Won"},
                          headers=alice.headers).json()
    assert (marked["stage"], marked["status"], marked["probability"]) == ("Closed Won", "Won", 100)
    # A probability set in the same edit as the stage wins over the stage's.
    moved = client.patch(f"{API}/opportunities/{opp['id']}", json={"stage": "Proposal", "probability": 35},
                         headers=alice.headers).json()
    assert moved["probability"] == 35 and moved["status"] == "Open"
    errors = field_errors(post(client, alice, "opportunities", name="X", stage="Dreaming", probability=101,
                               currency="euro"))
    assert errors["probability"] == "Probability (%) must be at most 100"
    assert "three-letter currency code" in errors["currency"]
    errors = field_errors(post(client, alice, "opportunities", name="X", stage="Dreaming"))
    assert errors["stage"].startswith("Stage must be one of the pipeline stages: Prospecting, Qualification")
    summary = client.get(f"{API}/pipeline", headers=alice.headers).json()["stages"]
    proposal = next(s for s in summary if s["stage"] == "Proposal")
    assert proposal["count"] == 1 and proposal["amounts"] == {"EUR": "12000.50"}
    assert proposal["weighted"] == {"EUR": "4200.18"}
    assert [s["stage"] for s in summary][:2] == ["Prospecting", "Qualification"]


def test_pipeline_stages_are_admin_configuration(
    client: TestClient, alice: Account, bob: Account, database_url: str
) -> None:
    stages = client.get(f"{API}/pipeline-stages", headers=alice.headers).json()["items"]
    assert {s["name"] for s in stages} >= {"Prospecting", "Closed Won", "Closed Lost"}
    refused = post(client, alice, "pipeline-stages", name="Demo", position=25, probability=30)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    set_admin(database_url, alice.email, True)
    stage = create(client, alice, "pipeline-stages", name="Demo", position=25, probability=30)
    assert stage["outcome"] == "open"
    assert "already used" in field_errors(post(client, alice, "pipeline-stages", name="Demo", position=1))["name"]
    # Every user sees (and can use) the new stage; nobody but admins can change it.
    assert create(client, bob, "opportunities", name="B", stage="Demo")["probability"] == 30
    assert client.delete(f"{API}/pipeline-stages/{stage['id']}", headers=bob.headers).status_code == 403


def test_activity_links_to_any_record(client: TestClient, alice: Account, bob: Account) -> None:
    case = create(client, alice, "cases", subject="Printer on fire")
    call = create(client, alice, "activities", kind="Call", subject="Call back", related_type="case",
                  related_id=case["id"], start_at="2026-12-01T09:30:00+01:00", end_at="2026-12-01 09:45Z")
    assert call["start_at"] == "2026-12-01T08:30:00Z" and call["end_at"] == "2026-12-01T09:45:00Z"
    assert call["done"] is False and call["priority"] == "Normal"
    listed = client.get(f"{API}/activities", params={"related_id": case["id"]}, headers=alice.headers).json()
    assert [a["id"] for a in listed["items"]] == [call["id"]]
    errors = field_errors(post(client, alice, "activities", subject="Lost", related_type="lead",
                               related_id=case["id"]))
    assert errors["related_id"].startswith("Related to refers to an unknown lead")
    errors = field_errors(post(client, alice, "activities", subject="Half", related_id=case["id"]))
    assert errors["related_type"] == "Related to: choose what kind of record it is"
    errors = field_errors(post(client, alice, "activities", subject="Back", start_at="2026-12-02T10:00:00Z",
                               end_at="2026-12-02T09:00:00Z"))
    assert errors["end_at"] == "Ends must not be before Starts"
    # Someone else's private record cannot be linked.
    errors = field_errors(post(client, bob, "activities", subject="Sneaky", related_type="case",
                               related_id=case["id"]))
    assert "related_id" in errors


def test_case_due_time_from_service_level(client: TestClient, alice: Account) -> None:
    case = create(client, alice, "cases", subject="Down", priority="Urgent")
    created = datetime.fromisoformat(case["created_at"])
    due = datetime.fromisoformat(case["due_at"])
    assert timedelta(hours=4) - timedelta(seconds=1) <= due - created <= timedelta(hours=4)
    assert case["status"] == "New"
    lowered = client.patch(f"{API}/cases/{case['id']}", json={"priority": "Low"}, headers=alice.headers).json()
    assert datetime.fromisoformat(lowered["due_at"]) - created >= timedelta(hours=167)
    typed = create(client, alice, "cases", subject="Typed", due_at="2027-01-01T12:00:00Z")
    assert typed["due_at"] == "2027-01-01T12:00:00Z"
    kept = client.patch(f"{API}/cases/{typed['id']}", json={"priority": "High"}, headers=alice.headers).json()
    assert kept["due_at"] == "2027-01-01T12:00:00Z"


def test_campaign_members(client: TestClient, alice: Account) -> None:
    campaign = create(client, alice, "campaigns", name="Spring launch", type="Webinar", budget="5000",
                      currency="USD", start_date="2026-03-01", end_date="2026-03-31")
    assert campaign["status"] == "Planned"
    errors = field_errors(post(client, alice, "campaigns", name="Backwards", start_date="2026-03-02",
                               end_date="2026-03-01"))
    assert errors["end_date"] == "End date must not be before Start date"
    lead = create(client, alice, "leads", last_name="Lumbergh", campaign_id=campaign["id"])
    contact = create(client, alice, "contacts", first_name="Milton")
    member = create(client, alice, "campaign-members", campaign_id=campaign["id"], lead_id=lead["id"])
    assert member["response"] == "Planned"
    create(client, alice, "campaign-members", campaign_id=campaign["id"], contact_id=contact["id"],
           response="Responded")
    errors = field_errors(post(client, alice, "campaign-members", campaign_id=campaign["id"], lead_id=lead["id"]))
    assert errors["lead_id"] == "This lead is already a member"
    both = post(client, alice, "campaign-members", campaign_id=campaign["id"], lead_id=lead["id"],
                contact_id=contact["id"])
    assert field_errors(both)["lead_id"] == "Choose exactly one of a lead or a contact"
    members = client.get(f"{API}/campaign-members", params={"campaign_id": campaign["id"]},
                         headers=alice.headers).json()["items"]
    assert len(members) == 2


@pytest.mark.parametrize("path", ["leads", "opportunities", "activities", "cases", "campaigns"])
def test_new_types_travel_in_pull_exactly_as_rest_shows_them(client: TestClient, alice: Account, path: str) -> None:
    samples: dict[str, dict[str, Any]] = {
        "leads": {"first_name": "张", "last_name": "伟", "company": "Wayne", "status": "Qualified",
                  "converted_at": "2026-05-01T10:00:00Z", "tags": ["VIP", "expo 2026"]},
        "opportunities": {"name": "Deal", "amount": "1.5", "currency": "JPY", "close_date": "2026-07-01"},
        "activities": {"subject": "Meet", "kind": "Meeting", "start_at": "2026-06-01T08:00:00Z", "done": True},
        "cases": {"subject": "Broken", "priority": "High", "resolution": "Turned it off and on",
                  "tags": ["hardware", "urgent"]},
        "campaigns": {"name": "Fair", "budget": "100", "start_date": "2026-01-01"},
    }
    created = create(client, alice, path, **samples[path])
    after = created["rev"] - 1
    pulled = PullResponse.model_validate(
        client.get(f"{API}/sync/pull", params={"cursor": after}, headers=alice.headers).json()
    ).records
    rest = {k: v for k, v in created.items() if k not in ("id", "rev", "created_at", "updated_at", "updated_by")}
    assert [r.id for r in pulled] == [created["id"]]
    assert pulled[0].data == rest


def test_custom_fields_are_defined_by_admins_and_checked_on_every_record(
    client: TestClient, alice: Account, bob: Account, database_url: str
) -> None:
    refused = post(client, alice, "custom-fields", record_type="lead", name="budget", label="Budget",
                   kind="number")
    assert refused.status_code == 403
    set_admin(database_url, alice.email, True)
    create(client, alice, "custom-fields", record_type="lead", name="budget", label="Budget", kind="number",
           position=1, active=True)
    create(client, alice, "custom-fields", record_type="lead", name="tier", label="Tier", kind="choice",
           choices="Gold\nSilver\n", required=True, position=2, active=True)
    create(client, alice, "custom-fields", record_type="lead", name="met_on", label="Met on", kind="date",
           position=3, active=True)
    errors = field_errors(post(client, alice, "custom-fields", record_type="lead", name="Bad Name", label="X"))
    assert errors["name"].startswith("Name must start with a letter")
    errors = field_errors(post(client, alice, "custom-fields", record_type="lead", name="kind2", label="K",
                               kind="choice"))
    assert errors["choices"] == "Choices: give at least one choice (one per line)"
    assert "already used" in field_errors(post(client, alice, "custom-fields", record_type="lead",
                                               name="budget", label="Again"))["name"]

    errors = field_errors(post(client, bob, "leads", company="Initech",
                               custom={"budget": "lots", "tier": "Bronze", "met_on": "yesterday", "shoe": "44"}))
    assert errors == {
        "custom.budget": "Budget must be a number",
        "custom.tier": "Tier must be one of Gold, Silver",
        "custom.met_on": "Met on must be a date (YYYY-MM-DD)",
        "custom.shoe": "shoe is not a custom field of this record type",
    }
    assert field_errors(post(client, bob, "leads", company="Initech"))["custom.tier"] == "Tier is required"
    lead = create(client, bob, "leads", company="Initech", custom={"budget": 1200.50, "tier": "Gold"})
    assert lead["custom"] == {"budget": "1200.5", "tier": "Gold"}
    pulled = PullResponse.model_validate(
        client.get(f"{API}/sync/pull", params={"cursor": lead["rev"] - 1}, headers=bob.headers).json()
    ).records
    assert pulled[0].data["custom"] == {"budget": "1200.5", "tier": "Gold"}
    # Retiring a field keeps the values records already have.
    tier = next(f for f in client.get(f"{API}/custom-fields", headers=bob.headers).json()["items"]
                if f["name"] == "tier")
    client.patch(f"{API}/custom-fields/{tier['id']}", json={"active": False}, headers=alice.headers)
    kept = client.patch(f"{API}/leads/{lead['id']}", json={"title": "CTO"}, headers=bob.headers).json()
    assert kept["custom"] == {"budget": "1200.5", "tier": "Gold"}
    renamed = client.patch(f"{API}/custom-fields/{tier['id']}", json={"name": "level"}, headers=alice.headers)
    assert field_errors(renamed)["name"] == "Name cannot change once the field exists"
