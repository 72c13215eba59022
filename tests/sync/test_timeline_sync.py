"""The record timeline through a real sync: a change made elsewhere shows on the other profile."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_desktop.store.schema import RecordHistory


def history_rows(profile, record_id: str) -> int:  # type: ignore[no-untyped-def]
    with profile.context.db.session() as session:
        return int(session.execute(
            select(func.count()).select_from(RecordHistory).where(RecordHistory.record_id == record_id)
        ).scalar_one())


def test_pulled_change_shows_in_the_other_profiles_timeline(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    b = make_profile("bob", "alice@example.com")  # the same rep on a second laptop
    account = a.records.create("account", {"name": "Acme", "city": "Berlin"})
    a.sync()
    b.sync()
    assert history_rows(b, account) == 0  # first sight of a record: no history written
    local_rows = history_rows(a, account)
    a.records.update("account", account, {"city": "Madrid"})
    a.sync()
    # A's own change coming back in its pull adds nothing to A's history.
    assert history_rows(a, account) == local_rows + 1
    b.sync()
    detail = b.context.timeline.detail("account", account)
    [change] = [e for e in detail.timeline if e.kind == "change"]
    assert change.source == "sync" and change.who
    assert [(c.field, c.old, c.new) for c in change.changes] == [("city", "Berlin", "Madrid")]
    mine = a.context.timeline.detail("account", account)
    assert [e.source for e in mine.timeline if e.kind == "change"] == ["local", "local"]
