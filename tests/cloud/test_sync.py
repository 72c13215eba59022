from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from crm_cloud.core.config import Settings
from crm_cloud.core.db import Database
from crm_cloud.records.history import purge_history
from crm_protocol.wire import PROTOCOL_HEADER, PullResponse, PushResponse, SyncStatus

from .conftest import Account

SYNC = "/api/v1/sync"


def new_id() -> str:
    return str(uuid.uuid4())


def change(op: str, kind: str, rid: str, base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    return {"change_id": new_id(), "type": kind, "id": rid, "op": op, "base_rev": base_rev, "fields": fields}


def push(client: TestClient, who: Account, *changes: dict[str, Any]) -> PushResponse:
    response = client.post(
        f"{SYNC}/push", json={"client_id": "test-client", "changes": list(changes)}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    return PushResponse.model_validate(response.json())


#: Revisions taken by the configuration the migrations seed (6 pipeline stages,
#: 4 service levels); pulls start after them unless a test wants them.
SEEDED = 10


def pull(client: TestClient, who: Account, cursor: int = SEEDED, limit: int | None = None) -> PullResponse:
    params: dict[str, int] = {"cursor": cursor, "horizon": 1}
    if limit is not None:
        params["limit"] = limit
    response = client.get(f"{SYNC}/pull", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    page = PullResponse.model_validate(response.json())
    assert not page.columns
    # The same page by type and field (layout=columns) holds the same records and ends at the same cursor.
    by_columns = client.get(f"{SYNC}/pull", params={**params, "layout": "columns"}, headers=who.headers)
    assert by_columns.status_code == 200, by_columns.text
    assert by_columns.headers.get("link", "").replace("&layout=columns", "") == response.headers.get("link", "")
    columns = PullResponse.model_validate(by_columns.json())
    assert columns.records == [] and len(columns.columns) == len({r.type for r in page.records})
    assert columns.all_records() == page.records
    keep = {"records", "columns", "server_time", "hlc"}
    assert columns.model_dump(exclude=keep) == page.model_dump(exclude=keep)
    return page


def test_push_create_update_delete(client: TestClient, alice: Account) -> None:
    acc, con = new_id(), new_id()
    res = push(
        client,
        alice,
        change("create", "account", acc, name="Acme"),
        change("create", "contact", con, first_name="Ann", account_id=acc, phone="+49 30 1234567"),
    )
    assert [r.status for r in res.results] == ["applied", "applied"]
    contact = res.results[1].record
    assert contact is not None and contact.data["phone_e164"] == "+49301234567"
    assert contact.data["owner_id"] == alice.id
    assert res.cursor == contact.rev
    upd = push(client, alice, change("update", "contact", con, contact.rev, last_name="Lee")).results[0]
    assert upd.status == "applied" and upd.record is not None
    assert upd.record.data["first_name"] == "Ann" and upd.record.data["last_name"] == "Lee"
    assert upd.record.rev > contact.rev
    dele = push(client, alice, change("delete", "contact", con, upd.record.rev)).results[0]
    assert dele.status == "applied" and dele.record is not None and dele.record.deleted
    # deleting a tombstone again: applied, no new revision
    again = push(client, alice, change("delete", "contact", con, dele.record.rev)).results[0]
    assert again.status == "applied" and again.record is not None
    assert again.record.rev == dele.record.rev
    # the REST API sees the same writes
    assert client.get(f"/api/v1/contacts/{con}", headers=alice.headers).status_code == 404


def test_conflicts(client: TestClient, alice: Account) -> None:
    acc = new_id()
    created = push(client, alice, change("create", "account", acc, name="Acme")).results[0].record
    assert created is not None
    dup = push(client, alice, change("create", "account", acc, name="Other")).results[0]
    assert dup.status == "conflict" and dup.record is not None and dup.record.data["name"] == "Acme"
    moved = push(client, alice, change("update", "account", acc, created.rev, city="Oslo")).results[0]
    assert moved.record is not None
    stale = push(client, alice, change("update", "account", acc, created.rev, city="Rome")).results[0]
    assert stale.status == "conflict"
    assert stale.record is not None and stale.record.rev == moved.record.rev
    assert stale.record.data["city"] == "Oslo"
    stale_delete = push(client, alice, change("delete", "account", acc, created.rev)).results[0]
    assert stale_delete.status == "conflict"
    gone = push(client, alice, change("delete", "account", acc, moved.record.rev)).results[0]
    assert gone.record is not None
    on_tombstone = push(client, alice, change("update", "account", acc, gone.record.rev, city="X")).results[0]
    assert on_tombstone.status == "conflict"
    assert on_tombstone.record is not None and on_tombstone.record.deleted


def test_replayed_change_id_is_applied_once(client: TestClient, alice: Account) -> None:
    acc = new_id()
    create = change("create", "account", acc, name="Acme")
    first = push(client, alice, create)
    second = push(client, alice, create)
    assert second.results == first.results
    rec = first.results[0].record
    assert rec is not None
    upd = change("update", "account", acc, rec.rev, city="Oslo")
    one = push(client, alice, upd).results[0]
    two = push(client, alice, upd, upd).results
    assert two == [one, one]
    records = pull(client, alice).records
    assert [(r.id, r.rev) for r in records] == [(acc, one.record.rev if one.record else 0)]


def test_rejections(client: TestClient, alice: Account) -> None:
    acc, con = new_id(), new_id()
    results = push(
        client,
        alice,
        change("create", "account", acc, name="", email="nope", website="http://x"),
        change("create", "contact", con, first_name="Ann", account_id=new_id()),
        change("create", "invoice", new_id(), total=3),
        change("create", "account", new_id(), name="Fine", colour="red"),
        change("update", "account", new_id(), 1, name="Nobody"),
        change("create", "account", new_id(), name="Good"),
    ).results
    assert [r.status for r in results] == ["rejected"] * 5 + ["applied"]
    bad = results[0]
    assert bad.code == "validation" and bad.reason
    assert {e.field for e in bad.field_errors} == {"name", "email", "website"}
    assert results[1].field_errors[0].field == "account_id"
    assert "does not exist" in (results[1].reason or "")
    assert results[2].code == "unknown_type"
    assert results[3].field_errors[0].field == "colour"
    # No row at all for an id the client has a base revision of (deleted and purged, or
    # lost with a restore): "gone", and the client's delete rule decides (docs/SYNC.md).
    assert results[4].code == "gone"
    # a rejected change wrote nothing: only the good one is pulled
    assert [r.data["name"] for r in pull(client, alice).records] == ["Good"]


def test_ref_to_tombstone_is_refused_with_the_tombstone(client: TestClient, alice: Account) -> None:
    # The client decides by its delete rule whether to bring the account back
    # (docs/SYNC.md, section 8); the server never links to a deleted record silently.
    acc = new_id()
    rec = push(client, alice, change("create", "account", acc, name="Old")).results[0].record
    assert rec is not None
    deleted = push(client, alice, change("delete", "account", acc, rec.rev)).results[0].record
    assert deleted is not None
    res = push(client, alice, change("create", "contact", new_id(), last_name="Ng", account_id=acc)).results[0]
    assert (res.status, res.code) == ("rejected", "ref_deleted")
    assert res.field_errors[0].field == "account_id"
    assert res.related is not None and res.related.deleted and res.related.rev == deleted.rev
    restore = {**change("update", "account", acc, deleted.rev), "restore": True}
    restored = push(client, alice, restore).results[0]
    assert restored.status == "applied" and restored.record is not None and not restored.record.deleted
    res = push(client, alice, change("create", "contact", new_id(), last_name="Ng", account_id=acc)).results[0]
    assert res.status == "applied"


def test_visibility(client: TestClient, alice: Account, bob: Account) -> None:
    private, shared = new_id(), new_id()
    res = push(
        client,
        alice,
        change("create", "account", private, name="Private"),
        change("create", "account", shared, name="Shared", shared=True),
    )
    prev = res.results[0].record
    assert prev is not None
    assert [r.id for r in pull(client, bob).records] == [shared]
    sneaky = push(
        client,
        bob,
        change("update", "account", private, prev.rev, name="Mine"),
        change("delete", "account", private, prev.rev),
        change("create", "account", private, name="Takeover"),
        change("create", "contact", new_id(), first_name="B", account_id=private),
    ).results
    assert [r.status for r in sneaky] == ["rejected"] * 4
    assert all(r.record is None for r in sneaky)
    assert sneaky[0].code == "not_found"
    ok = push(client, bob, change("create", "contact", new_id(), first_name="B", account_id=shared))
    assert ok.results[0].status == "applied"
    status_bob = SyncStatus.model_validate(client.get(f"{SYNC}/status", headers=bob.headers).json())
    counts = {t.type: t.count for t in status_bob.types}
    assert {k: v for k, v in counts.items() if v} == {
        "account": 1, "contact": 1, "pipeline_stage": 6, "service_level": 4,
    }


def test_pull_order_paging_cursor_and_tombstones(client: TestClient, alice: Account) -> None:
    ids = [new_id() for _ in range(5)]
    acc_results = push(client, alice, *[change("create", "account", i, name=f"A{n}") for n, i in enumerate(ids)])
    con = new_id()
    push(client, alice, change("create", "contact", con, first_name="Zed", account_id=ids[0]))
    first = acc_results.results[1].record
    assert first is not None
    push(client, alice, change("update", "account", ids[1], first.rev, city="Oslo"))
    third = acc_results.results[2].record
    assert third is not None
    push(client, alice, change("delete", "account", ids[2], third.rev))

    full = pull(client, alice)
    assert not full.has_more
    revs = [r.rev for r in full.records]
    assert revs == sorted(revs)
    assert [r.type for r in full.records].count("contact") == 1
    assert full.cursor == full.server_cursor == revs[-1]
    assert full.records[-1].id == ids[2] and full.records[-1].deleted
    assert full.records[-1].data["name"] == "A2"  # tombstones keep their data

    collected = []
    cursor = SEEDED
    while True:
        page = pull(client, alice, cursor, limit=2)
        assert len(page.records) <= 2
        collected += page.records
        cursor = page.cursor
        if not page.has_more:
            break
        assert page.cursor == page.records[-1].rev
    assert [r.rev for r in collected] == revs
    assert cursor == full.server_cursor
    empty = pull(client, alice, cursor)
    assert empty.records == [] and not empty.has_more and empty.cursor == cursor


def test_status(client: TestClient, alice: Account) -> None:
    a, b = new_id(), new_id()
    res = push(client, alice, change("create", "account", a, name="A"), change("create", "account", b, name="B"))
    rec_b = res.results[1].record
    assert rec_b is not None
    push(client, alice, change("delete", "account", b, rec_b.rev))
    status = SyncStatus.model_validate(client.get(f"{SYNC}/status", headers=alice.headers).json())
    by_type = {t.type: t for t in status.types}
    rec_a = res.results[0].record
    assert rec_a is not None
    assert by_type["account"].count == 1 and by_type["account"].rev_sum == rec_a.rev
    assert by_type["contact"].count == 0 and by_type["contact"].rev_sum == 0
    assert status.cursor == pull(client, alice).server_cursor


def test_protocol_header(client: TestClient, alice: Account) -> None:
    headers = {**alice.headers, PROTOCOL_HEADER: "99"}
    response = client.get(f"{SYNC}/pull", headers=headers)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "protocol_mismatch"
    assert "99" in body["message"] and "1" in body["message"]
    missing = {k: v for k, v in alice.headers.items() if k != PROTOCOL_HEADER}
    assert client.get(f"{SYNC}/status", headers=missing).json()["code"] == "protocol_mismatch"


def test_rest_writes_appear_in_pull(client: TestClient, alice: Account) -> None:
    created = client.post("/api/v1/accounts", json={"name": "Via REST"}, headers=alice.headers).json()
    records = pull(client, alice).records
    assert [(r.id, r.rev) for r in records] == [(created["id"], created["rev"])]


def test_pull_data_matches_rest(client: TestClient, alice: Account) -> None:
    fields = {
        "first_name": "张",
        "last_name": 'O\'Brien "Bob" \\ ü',
        "shared": True,
        "mobile": "+86 138 1234 5678",
        "notes": "line one\nline two\ttab",
    }
    created = client.post("/api/v1/contacts", json=fields, headers=alice.headers).json()
    record = pull(client, alice).records[0]
    rest = {k: v for k, v in created.items() if k not in ("id", "rev", "created_at", "updated_at", "updated_by")}
    assert record.data == rest
    assert record.data["shared"] is True and record.data["mobile_e164"] == "+8613812345678"
    raw = client.get(f"{SYNC}/pull", params={"cursor": SEEDED}, headers=alice.headers).json()["records"][0]
    assert raw["updated_at"] == created["updated_at"]
    assert raw["updated_at"].endswith("Z")
    assert raw["updated_by"] == alice.id and raw["deleted"] is False


def test_merge_from_makes_an_alias_and_repoints_links(client: TestClient, alice: Account, bob: Account) -> None:
    keep, dupe, ann = new_id(), new_id(), new_id()
    created = push(
        client, alice,
        change("create", "account", keep, name="Acme"),
        change("create", "account", dupe, name="ACME Ltd"),
        change("create", "contact", ann, last_name="Ann", account_id=dupe),
    ).results
    cursor = pull(client, alice).cursor
    merge = {**change("update", "account", keep, created[0].record.rev, phone="+44 20 7946 0958"),  # type: ignore[union-attr]
             "merge_from": [dupe]}
    first = push(client, alice, merge).results[0]
    assert first.status == "applied"
    again = push(client, alice, merge).results[0]  # a replay answers the same, applies nothing
    assert again == first
    page = pull(client, alice, cursor)
    by_id = {r.id: r for r in page.records}
    assert by_id[dupe].deleted and by_id[dupe].merged_into == keep
    assert by_id[ann].data["account_id"] == keep and by_id[ann].rev > by_id[dupe].rev
    # A link made offline to the merged-away account is redirected; an edit of it is a conflict.
    late = push(client, alice, change("create", "contact", new_id(), last_name="Bo", account_id=dupe)).results[0]
    assert late.status == "applied" and late.record is not None and late.record.data["account_id"] == keep
    edit = push(client, alice, change("update", "account", dupe, by_id[dupe].rev, name="X")).results[0]
    assert edit.status == "conflict" and edit.record is not None and edit.record.merged_into == keep
    restore = {**change("update", "account", dupe, by_id[dupe].rev, name="X"), "restore": True}
    assert push(client, alice, restore).results[0].status == "conflict"  # a merged record is never restored
    other = {**change("update", "account", new_id(), 1), "merge_from": [dupe]}
    assert push(client, bob, other).results[0].status == "rejected"  # not visible to Bob


def test_a_merge_from_an_older_version_of_the_merged_record_is_a_conflict(client: TestClient, alice: Account) -> None:
    """merge_base: a change the server took for a merged-away record after the
    version the merge was made from is never dropped: the merge is refused
    (merge_stale, nothing written) with what the record is now."""
    keep, dupe, third = new_id(), new_id(), new_id()
    created = push(
        client, alice,
        change("create", "account", keep, name="Acme"),
        change("create", "account", dupe, name="ACME Ltd"),
        change("create", "account", third, name="Acme Inc"),
    ).results
    keep_rev, dupe_rev, third_rev = (r.record.rev for r in created)  # type: ignore[union-attr]
    edited = push(client, alice, change("update", "account", dupe, dupe_rev, city="Leeds")).results[0]
    assert edited.status == "applied" and edited.record is not None
    cursor = pull(client, alice).cursor
    merge = {**change("update", "account", keep, keep_rev, name="Acme Group"),
             "merge_from": [dupe], "merge_base": {dupe: dupe_rev}}
    stale = push(client, alice, merge).results[0]
    assert stale.status == "conflict" and stale.code == "merge_stale" and stale.merged_id == dupe
    assert stale.related is not None and stale.related.id == dupe and stale.related.data["city"] == "Leeds"
    assert stale.record is not None and stale.record.rev == keep_rev
    assert pull(client, alice, cursor).records == []  # nothing written
    # From the current version it applies; a merge without merge_base is not checked (older clients).
    fresh = push(client, alice, {**merge, "change_id": new_id(), "merge_base": {dupe: edited.record.rev}}).results[0]
    assert fresh.status == "applied" and fresh.merged_id is None
    # Merged here by someone else meanwhile: nothing stale about it.
    again = {**change("update", "account", keep, fresh.record.rev, city="York"),  # type: ignore[union-attr]
             "merge_from": [dupe], "merge_base": {dupe: dupe_rev}}
    assert push(client, alice, again).results[0].status == "applied"
    # Merged into another record meanwhile: that record is what it is now.
    other = new_id()
    made = push(client, alice, change("create", "account", other, name="Other")).results[0].record
    assert made is not None
    into_other = {**change("update", "account", other, made.rev),
                  "merge_from": [third], "merge_base": {third: third_rev}}
    assert push(client, alice, into_other).results[0].status == "applied"
    late = {**change("create", "account", new_id(), name="Late"),
            "merge_from": [third], "merge_base": {third: third_rev}}
    stale = push(client, alice, late).results[0]
    assert stale.status == "conflict" and stale.code == "merge_stale" and stale.merged_id == third
    assert stale.record is None and stale.related is not None and stale.related.id == other
    # Deleted meanwhile: its values were merged, the delete takes the rest.
    gone = new_id()
    made = push(client, alice, change("create", "account", gone, name="Gone")).results[0].record
    assert made is not None
    assert push(client, alice, change("delete", "account", gone, made.rev)).results[0].status == "applied"
    current = client.get(f"/api/v1/accounts/{other}", headers=alice.headers).json()
    merge_gone = {**change("update", "account", other, current["rev"]), "merge_from": [gone],
                  "merge_base": {gone: made.rev}}
    assert push(client, alice, merge_gone).results[0].status == "applied"
    # merge_base may only name records the change merges.
    bad = {**change("update", "account", other, current["rev"]), "merge_from": [], "merge_base": {gone: 1}}
    assert push(client, alice, bad).results[0].status == "rejected"


def test_reassignment_is_announced_in_the_feed(client: TestClient, alice: Account, bob: Account) -> None:
    rid = new_id()
    rec = push(client, alice, change("create", "account", rid, name="Moving")).results[0].record
    assert rec is not None
    cursor = pull(client, alice).cursor
    moved = push(client, alice, change("update", "account", rid, rec.rev, owner_id=bob.id)).results[0]
    assert moved.status == "applied"
    page = pull(client, alice, cursor)
    assert [(r.id, r.rev) for r in page.revoked] == [(rid, moved.record.rev)]  # type: ignore[union-attr]
    assert page.records == []
    assert pull(client, alice, 0).revoked == []  # a first pull has nothing to drop
    assert [r.id for r in pull(client, bob).records if r.id == rid] == [rid]  # and Bob now has it


def test_pull_page_ends_at_a_size_in_bytes(client: TestClient, alice: Account) -> None:
    """Long notes cannot make one answer enormous: the page ends past PULL_PAGE_BYTES."""
    from crm_cloud.records.service import PULL_PAGE_BYTES

    note = "n" * 900_000
    ids = [new_id() for _ in range(12)]
    for rid in ids:
        push(client, alice, change("create", "contact", rid, first_name="Long", notes=note))
    first = pull(client, alice, limit=100)
    assert first.has_more and 1 <= len(first.records) < len(ids)
    assert sum(len(r.data["notes"] or "") for r in first.records[:-1]) <= PULL_PAGE_BYTES
    seen = [r.id for r in first.records]
    cursor = first.cursor
    while True:
        page = pull(client, alice, cursor=cursor, limit=100)
        seen += [r.id for r in page.records]
        cursor = page.cursor
        if not page.has_more:
            break
    assert seen == ids


def test_history_purge_sets_a_horizon_that_old_cursors_are_told_about(
        client: TestClient, settings: Settings, alice: Account, bob: Account) -> None:
    keep, dupe, gone, moved = new_id(), new_id(), new_id(), new_id()
    res = push(client, alice, change("create", "account", keep, name="Keep"),
               change("create", "account", dupe, name="Dupe"), change("create", "contact", gone, last_name="Gone"),
               change("create", "contact", moved, last_name="Moved"))
    revs = [r.record.rev for r in res.results if r.record is not None]
    old_cursor = revs[-1]
    merged = {**change("update", "account", keep, revs[0], name="Kept"), "merge_from": [dupe]}
    assert push(client, alice, merged, change("delete", "contact", gone, revs[2]),
                change("update", "contact", moved, revs[3], owner_id=bob.id)).results[2].status == "applied"
    db = Database.from_url(settings.database_url)
    try:
        with db.write() as session:
            # Everything so far is "older than a day" a little over a day from now.
            result = purge_history(session, timedelta(days=1), now=datetime.now(UTC) + timedelta(days=1, minutes=1))
        with db.write() as session:
            # A later purge with a shorter reach never moves the horizon back.
            again = purge_history(session, timedelta(days=30), now=datetime.now(UTC))
    finally:
        db.dispose()
    page = pull(client, alice, old_cursor)
    assert (result.tombstones, result.exits) == (1, 1)
    assert again.horizon == result.horizon == page.server_cursor
    # An older cursor is told to resync; the merge alias survives the purge.
    assert page.history_horizon == result.horizon
    assert not any(r.id == gone for r in page.records) and page.revoked == []
    full = pull(client, alice, 0)
    assert full.history_horizon == 0
    assert [(r.id, r.merged_into) for r in full.records if r.deleted] == [(dupe, keep)]
    # A cursor at the horizon hears nothing about it, nor a client that does not ask
    # (older clients reject unknown fields): the field is absent.
    raw = client.get(f"{SYNC}/pull", params={"cursor": result.horizon, "horizon": 1}, headers=alice.headers)
    assert "history_horizon" not in raw.json()
    raw = client.get(f"{SYNC}/pull", params={"cursor": old_cursor}, headers=alice.headers)
    assert "history_horizon" not in raw.json()
    # A change to a purged record says it is gone (the client then decides by its delete rule).
    res = push(client, alice, change("update", "contact", gone, revs[2], title="Late edit"),
               change("delete", "contact", gone, revs[2]))
    assert [(r.status, r.code) for r in res.results] == [("rejected", "gone"), ("rejected", "gone")]


def test_merging_a_record_deleted_and_purged_meanwhile_still_applies(
        client: TestClient, settings: Settings, alice: Account) -> None:
    keep, dupe = new_id(), new_id()
    res = push(client, alice, change("create", "account", keep, name="Keep"),
               change("create", "account", dupe, name="Dupe"))
    keep_rev, dupe_rev = (r.record.rev for r in res.results if r.record is not None)
    assert push(client, alice, change("delete", "account", dupe, dupe_rev)).results[0].status == "applied"
    db = Database.from_url(settings.database_url)
    try:
        with db.write() as session:
            purge_history(session, timedelta(days=1), now=datetime.now(UTC) + timedelta(days=1, minutes=1))
    finally:
        db.dispose()
    # Merged offline before the delete arrived: the merge has nothing left to do but applies.
    merged = {**change("update", "account", keep, keep_rev, name="Kept"), "merge_from": [dupe]}
    result = push(client, alice, merged).results[0]
    assert result.status == "applied" and result.record is not None and result.record.data["name"] == "Kept"


def test_a_page_by_columns_carries_every_kind_of_field(client: TestClient, alice: Account) -> None:
    # The seeded configuration (numbers, flags, choices) and a record of every kind of field:
    # pull() holds layout=columns to the same records as layout=records, on either database.
    opportunity, activity = new_id(), new_id()
    call = change("create", "activity", activity, subject="Call back", start_at="2026-12-01T09:30:00Z",
                  end_at="2026-12-01T09:45:00Z", due_date="2026-12-01", done=True)
    call["fields"]["kind"] = "Call"
    results = push(
        client, alice,
        change("create", "contact", new_id(), first_name="Zoë", last_name="张", tags=["vip", "Key"]),
        change("create", "opportunity", opportunity, name="Deal", stage="Proposal", amount="12000.50",
               currency="EUR", close_date="2026-12-31", tags=["q4"]),
        call,
        change("create", "case", new_id(), subject="Down", due_at="2027-01-01T12:00:00Z"),
        change("create", "campaign", new_id(), name="Fair", budget="100", start_date="2026-01-01"),
    ).results
    assert [r.status for r in results] == ["applied"] * 5
    called = results[2].record
    assert called is not None and called.data["done"] is True
    assert push(client, alice, change("delete", "activity", activity, called.rev)).results[0].status == "applied"
    page = pull(client, alice, cursor=0)
    kinds = {r.type for r in page.records}
    assert {"pipeline_stage", "contact", "opportunity", "case", "campaign", "activity"} <= kinds
    deal = next(r for r in page.records if r.id == opportunity)
    assert deal.data["amount"] == "12000.50" and deal.data["close_date"] == "2026-12-31"
    assert deal.data["tags"] == ["q4"]
