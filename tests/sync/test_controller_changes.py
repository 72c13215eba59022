"""The sync controller tells the views what a sync changed at most once a second
(``sync/controller.py``, ``CHANGES_INTERVAL_MS``): the first change at once, the rest merged."""

from __future__ import annotations

from typing import Any

from crm_desktop.services.records import DataChanged
from sync.controller import SyncController
from sync.report import SyncReport


def test_a_sync_of_many_pages_tells_the_views_at_once_then_merged_and_all_before_it_ends(
    qtbot: Any, cloud, make_profile  # type: ignore[no-untyped-def]
) -> None:
    a = make_profile("alice")
    account = a.records.create("account", {"name": "Acme"})
    for i in range(40):
        a.records.create("contact", {"first_name": f"Person {i:02d}", "account_id": account})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=4)  # 11 pages, no bulk load
    pages: list[object] = []
    real_apply = b.replica.apply_pull_page
    b.replica.apply_pull_page = lambda *args: pages.append(args) or real_apply(*args)  # type: ignore[method-assign]
    controller = SyncController(b.engine, interval_minutes=0, watch_network=False)
    heard: list[tuple[str, object]] = []
    controller.dataChanged.connect(lambda change: heard.append(("changed", change)))
    controller.syncFinished.connect(lambda result: heard.append(("finished", result)))
    try:
        with qtbot.waitSignal(controller.syncFinished, timeout=30_000) as finished:
            controller.sync_now()
        assert isinstance(finished.args[0], SyncReport) and finished.args[0].pulled >= 41
    finally:
        controller.stop()
    assert len(pages) >= 10
    changes = [change for what, change in heard if what == "changed"]
    assert all(isinstance(change, DataChanged) for change in changes)
    # Far fewer than one per page, and every change reached the views before the end.
    assert 1 <= len(changes) < len(pages) / 2, len(changes)
    assert heard[-1][0] == "finished"
    assert {"account", "contact"} <= frozenset().union(*(change.record_types for change in changes))  # type: ignore[attr-defined]
