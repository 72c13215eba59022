"""The module record types sync like accounts and contacts, with no sync code of their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm_cloud.admin import create_config, find_config, update_config
from crm_desktop.errors import KnownError
from crm_protocol.records import ValidationFailed


def test_offline_activity_linked_to_offline_contact_reaches_other_profile(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")  # the same rep on a second laptop
    cloud.stop()
    contact = a.records.create("contact", {"first_name": "Ann", "last_name": "Lee"})
    meeting = a.records.create("activity", {
        "kind": "Meeting", "subject": "Kick-off", "related_type": "contact", "related_id": contact,
        "start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-01T10:00:00Z",
    })
    task = a.records.create("activity", {"kind": "Task", "subject": "Send quote", "due_date": "2026-11-20",
                                         "related_type": "contact", "related_id": contact,
                                         "tags": ["quote", "q4"]})
    cloud.start()
    assert a.sync().pushed == 3
    b.sync()
    linked = b.context.activities.linked_to("contact", contact)
    assert [v.id for v in linked] == [meeting, task]
    assert linked[0].start_at == "2026-12-01T09:00:00Z" and not linked[0].dirty
    assert b.records.get("activity", task).data["tags"] == ["quote", "q4"]
    due = b.context.activities.due(date(2026, 11, 25))
    assert [v.id for v in due] == [task]
    b.records.update("activity", task, {"done": True})
    b.sync()
    a.sync()
    assert a.records.get("activity", task).data["done"] is True
    assert a.context.activities.due(date(2026, 11, 25)) == []


def test_pipeline_configuration_is_pulled_and_applied_offline(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.sync()
    names = [s["name"] for s in a.records.pipeline_stages()]
    assert names == ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
    create_config(cloud.database_url, "pipeline_stage", {"name": "Pilot", "position": 35, "probability": 60,
                                                         "active": True})
    urgent = find_config(cloud.database_url, "service_level", "priority", "Urgent")
    update_config(cloud.database_url, "service_level", urgent.id, {"resolution_hours": 2})
    a.sync()
    assert "Pilot" in [s["name"] for s in a.records.pipeline_stages(active_only=True)]
    cloud.stop()
    # Offline, the opportunity follows the synced stage; a stage the server does not have is refused.
    opp = a.records.create("opportunity", {"name": "Pilot deal", "stage": "Pilot", "amount": "900"})
    assert a.records.get("opportunity", opp).data["probability"] == 60
    with pytest.raises(ValidationFailed) as excinfo:
        a.records.create("opportunity", {"name": "Nope", "stage": "Daydream"})
    assert excinfo.value.errors[0].field == "stage"
    case = a.records.create("case", {"subject": "Down", "priority": "Urgent"})
    view = a.records.get("case", case)
    # The local store keeps UTC times without their zone.
    due_in = datetime.fromisoformat(view.data["due_at"]) - view.created_at.replace(tzinfo=UTC)
    assert abs(due_in.total_seconds() - 2 * 3600) < 2
    board = a.context.sales.opportunities_by_stage()
    pilot = next(c for c in board if c.name == "Pilot")
    assert [card.id for card in pilot.cards] == [opp] and str(pilot.totals[""]) == "900.00"
    cloud.start()
    assert a.sync().pushed == 2
    assert a.records.get("case", case).data == view.data  # the server kept the offline due time


def test_lead_conversion_is_one_unit_of_work_that_syncs(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    a.sync()
    cloud.stop()
    campaign = a.records.create("campaign", {"name": "Expo"})
    lead = a.records.create("lead", {"first_name": "Peter", "last_name": "Gibbons", "company": "Initech",
                                     "email": "peter@initech.example", "campaign_id": campaign,
                                     "city": "Austin"})
    conversion = a.context.sales.convert_lead(lead, opportunity={"name": "Initech TPS", "amount": "5000",
                                                                 "currency": "USD"})
    assert conversion.opportunity_id is not None
    with pytest.raises(KnownError):
        a.context.sales.convert_lead(lead)
    # A conversion that fails half-way leaves nothing behind.
    other = a.records.create("lead", {"company": "Globex"})
    before = a.records.pending_count()
    with pytest.raises(ValidationFailed):
        a.context.sales.convert_lead(other, opportunity={"name": "Bad", "probability": 500})
    assert a.records.pending_count() == before
    assert a.records.get("lead", other).data["status"] == "New"
    cloud.start()
    report = a.sync()
    assert report.rejected == 0 and a.records.pending_count() == 0
    b.sync()
    converted = b.records.get("lead", lead).data
    assert converted["status"] == "Converted" and converted["converted_at"]
    assert converted["converted_account_id"] == conversion.account_id
    assert converted["converted_contact_id"] == conversion.contact_id
    assert converted["converted_opportunity_id"] == conversion.opportunity_id
    contact = b.records.get("contact", conversion.contact_id).data
    assert (contact["first_name"], contact["account_id"], contact["city"]) == (
        "Peter", conversion.account_id, "Austin")
    assert b.records.get("account", conversion.account_id).data["name"] == "Initech"
    opportunity = b.records.get("opportunity", conversion.opportunity_id).data
    assert opportunity["campaign_id"] == campaign and opportunity["stage"] == "Prospecting"


def test_custom_fields_sync_and_are_checked_offline(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")
    create_config(cloud.database_url, "custom_field", {"record_type": "opportunity", "name": "region",
                                                       "label": "Sales region", "kind": "choice",
                                                       "choices": "EMEA\nAPAC\nAmericas", "active": True})
    create_config(cloud.database_url, "custom_field", {"record_type": "opportunity", "name": "seats",
                                                       "label": "Seats", "kind": "number", "active": True})
    a.sync()
    assert [f.label for f in a.records.custom_fields("opportunity")] == ["Sales region", "Seats"]
    cloud.stop()
    with pytest.raises(ValidationFailed) as excinfo:
        a.records.create("opportunity", {"name": "Deal", "custom": {"region": "Mars", "seats": "ten"}})
    assert {e.field for e in excinfo.value.errors} == {"custom.region", "custom.seats"}
    opp = a.records.create("opportunity", {"name": "Deal", "custom": {"region": "APAC", "seats": "250.0"}})
    assert a.records.get("opportunity", opp).data["custom"] == {"region": "APAC", "seats": "250"}
    cloud.start()
    assert a.sync().rejected == 0
    b.sync()
    assert b.records.get("opportunity", opp).data["custom"] == {"region": "APAC", "seats": "250"}


def test_setup_changes_sync_for_administrators_and_wait_with_a_reason_for_others(  # type: ignore[no-untyped-def]
    cloud, make_profile
) -> None:
    from crm_cloud.admin import set_admin

    office = make_profile("office")
    rep = make_profile("rep")
    set_admin(cloud.database_url, "office@example.com", True)
    office.sync()
    rep.sync()
    # The administrator adds a stage in Setup: every user receives it.
    stage = office.records.create("pipeline_stage", {"name": "Legal review", "position": 45, "probability": 70,
                                                     "outcome": "open", "active": True})
    office.sync()
    rep.sync()
    assert stage in {record_id for record_id, _ in rep.records.configuration("pipeline_stage")}
    # A rep's change is refused by the server and waits, with the reason, in Pending changes.
    rep.records.update("pipeline_stage", stage, {"probability": 99})
    report = rep.sync()
    assert report.rejected == 1
    (waiting,) = rep.records.pending_changes()
    assert waiting.status == "rejected" and "administrator" in (waiting.reason or "")
    office.sync()
    assert dict(office.records.configuration("pipeline_stage"))[stage]["probability"] == 70
