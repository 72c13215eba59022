"""Local history and the record timeline: local edits, pulled changes, linked activities."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_desktop.context import AppContext
from crm_desktop.ids import new_id
from crm_desktop.store.schema import RecordHistory
from tests.services.helpers import add_user, pulled


def history_count(context: AppContext) -> int:
    with context.db.session() as session:
        return session.query(RecordHistory).count()


def test_local_edit_is_in_the_timeline_with_old_and_new(context: AppContext) -> None:
    account = context.records.create("account", {"name": "Acme", "city": "Berlin"})
    context.records.update("account", account, {"city": "Paris", "industry": "Rockets"})
    detail = context.timeline.detail("account", account)
    changes = [e for e in detail.timeline if e.kind == "change"]
    assert [e.op for e in changes] == ["update", "create"]
    edit = {c.field: (c.old, c.new) for c in changes[0].changes}
    assert edit == {"city": ("Berlin", "Paris"), "industry": (None, "Rockets")}
    assert changes[0].source == "local"


def test_update_with_no_change_writes_no_history(context: AppContext) -> None:
    account = context.records.create("account", {"name": "Acme"})
    before = history_count(context)
    context.records.update("account", account, {"name": "Acme"})
    assert history_count(context) == before


def test_pulled_change_is_in_the_timeline_with_who(context: AppContext) -> None:
    add_user(context, "0190a5f0-0000-7000-8000-000000000001", "Grace")
    account_id = new_id()
    pulled(context, "account", {"name": "Acme", "city": "Berlin"}, record_id=account_id)
    # First sight of a record writes nothing (an initial sync must stay cheap).
    assert history_count(context) == 0
    when = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    pulled(context, "account", {"name": "Acme", "city": "Madrid"}, record_id=account_id,
           by="0190a5f0-0000-7000-8000-000000000001", at=when)
    detail = context.timeline.detail("account", account_id)
    [entry] = [e for e in detail.timeline if e.kind == "change"]
    assert entry.source == "sync" and entry.who == "Grace" and entry.at == when
    assert [(c.field, c.old, c.new) for c in entry.changes] == [("city", "Berlin", "Madrid")]
    # The same version pulled again (an echo) adds nothing.
    pulled(context, "account", {"name": "Acme", "city": "Madrid"}, record_id=account_id)
    assert history_count(context) == 1


def test_pulled_delete_is_noted(context: AppContext) -> None:
    account_id = pulled(context, "account", {"name": "Acme"})
    pulled(context, "account", {"name": "Acme"}, record_id=account_id, deleted=True)
    with context.db.session() as session:
        ops = [h.op for h in session.query(RecordHistory).filter_by(record_id=account_id)]
    assert ops == ["delete"]


def test_pulled_change_merged_with_a_local_edit_is_noted(context: AppContext) -> None:
    account_id = pulled(context, "account", {"name": "Acme", "city": "Berlin"})
    context.records.update("account", account_id, {"industry": "Rockets"})
    pulled(context, "account", {"name": "Acme", "city": "Rome"}, record_id=account_id)
    detail = context.timeline.detail("account", account_id)
    synced = [e for e in detail.timeline if e.source == "sync"]
    assert [(c.field, c.old, c.new) for c in synced[0].changes] == [("city", "Berlin", "Rome")]
    assert detail.data["industry"] == "Rockets" and detail.data["city"] == "Rome"


def test_detail_lists_related_records_and_activities(context: AppContext) -> None:
    account = context.records.create("account", {"name": "Acme"})
    context.records.create("contact", {"first_name": "Ada", "last_name": "L", "account_id": account})
    opp = context.records.create("opportunity", {"name": "Big deal", "account_id": account, "amount": "100",
                                                 "currency": "EUR"})
    context.records.create("case", {"subject": "Broken", "account_id": account})
    context.records.create("activity", {"kind": "Call", "subject": "Intro call", "related_type": "opportunity",
                                        "related_id": opp, "due_date": "2026-11-20"})
    detail = context.timeline.detail("account", account)
    groups = {g.record_type: g for g in detail.related}
    assert set(groups) >= {"contact", "opportunity", "case"}
    assert groups["opportunity"].records[0].summary.startswith("Prospecting · 100.00 EUR")
    opp_detail = context.timeline.detail("opportunity", opp)
    assert opp_detail.ref_titles["account_id"] == "Acme"
    activities = [e for e in opp_detail.timeline if e.kind == "activity"]
    assert [a.title for a in activities] == ["Intro call"]
    assert [g.record_type for g in opp_detail.related] == ["activity"]


def test_merging_two_records_is_in_the_kept_ones_timeline(context: AppContext) -> None:
    keep = context.records.create("account", {"name": "Acme", "city": "Berlin"})
    other = context.records.create("account", {"name": "ACME Ltd", "city": "Paris", "industry": "Rockets"})
    context.records.merge_records("account", keep, other, {"industry": "Rockets"})
    detail = context.timeline.detail("account", keep)
    latest = next(e for e in detail.timeline if e.kind == "change")
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("industry", None, "Rockets")]
