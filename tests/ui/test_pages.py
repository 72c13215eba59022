"""Pending changes, conflicts, account detail, status bar, sign-in, main window."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.services.records import DataChanged
from crm_desktop.store.schema import Conflict
from sync.errors import SyncError
from sync.report import SyncReport
from tests.ui.conftest import Answers, FakeSyncController
from ui.dialogs.sign_in import SignInDialog, normalize_server_url
from ui.events import DataBus
from ui.main_window import CONFLICTS, PENDING, MainWindow
from ui.pages.conflicts import ConflictsPage
from ui.pages.pending import PendingPage
from ui.status_bar import StatusBar


def mark_synced(context: AppContext, record_type: str, record_id: str) -> None:
    """Pretend the server has the record (as a sync would leave it)."""
    table = {"contact": "contacts", "account": "accounts"}[record_type]
    with context.db.session() as session:
        conn = session.connection()
        conn.exec_driver_sql(f"UPDATE {table} SET server_rev = 1, dirty = 0 WHERE id = ?", (record_id,))
        conn.exec_driver_sql("DELETE FROM pending_changes WHERE record_id = ?", (record_id,))


def button(card: Any, name: str) -> QPushButton:
    found = card.findChild(QPushButton, name)
    assert found is not None, name
    return found


# -- pending changes ---------------------------------------------------------


def test_pending_page_shows_diffs_and_discards(
    qtbot: Any, context: AppContext, bus: DataBus, answers: Answers
) -> None:
    contact = context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace",
                                                 "city": "London"})
    mark_synced(context, "contact", contact)
    context.records.update("contact", contact, {"city": "Paris"})
    page = PendingPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    card = page.list.cards[0]
    diff = card.findChild(QLabel, "diff_city")
    assert diff is not None and "London" in diff.text() and "Paris" in diff.text()
    answers.confirm = False
    button(card, "discard").click()
    assert context.records.pending_count() == 1
    answers.confirm = True
    with qtbot.waitSignal(bus.changed):
        button(card, "discard").click()
    qtbot.waitUntil(lambda: not page.list.cards)
    assert context.records.get("contact", contact).data["city"] == "London"
    assert page.list.empty.isVisibleTo(page)


def test_rejected_change_shows_reason_and_retries(
    qtbot: Any, context: AppContext, bus: DataBus, answers: Answers
) -> None:
    contact = context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    with context.db.session() as session:
        session.connection().exec_driver_sql(
            "UPDATE pending_changes SET status = 'rejected', reject_reason = 'Duplicate contact', "
            "field_errors = ? WHERE record_id = ?",
            ('[{"field": "email", "message": "Email already used"}]', contact),
        )
    page = PendingPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    card = page.list.cards[0]
    reason = card.findChild(QLabel, "reason")
    assert reason is not None
    assert "Duplicate contact" in reason.text() and "Email already used" in reason.text()
    form = page.edit_and_retry(page.views[0])
    qtbot.addWidget(form)
    assert "Email already used" in form.error_text("email")
    qtbot.waitUntil(lambda: not form.busy)
    qtbot.keyClicks(form.editor("title"), "Countess")
    with qtbot.waitSignal(form.saved):
        form.save()  # saving re-queues the refused change
    qtbot.waitUntil(lambda: bool(page.views) and page.views[0].status == "pending")
    with context.db.session() as session:
        session.connection().exec_driver_sql(
            "UPDATE pending_changes SET status = 'rejected', reject_reason = 'Try later'"
        )
    page.reload()
    qtbot.waitUntil(lambda: bool(page.views) and page.views[0].status == "rejected")
    with qtbot.waitSignal(bus.changed):
        button(page.list.cards[0], "retry").click()
    qtbot.waitUntil(lambda: bool(page.views) and page.views[0].status == "pending")


# -- conflicts ---------------------------------------------------------------


def add_conflict(context: AppContext, contact: str, mine: str, theirs: str) -> int:
    with context.db.session() as session:
        conflict = Conflict(record_type="contact", record_id=contact, field="title", base_value="Analyst",
                            local_value=mine, server_value=theirs, server_rev=2, kind="field",
                            created_at=datetime.now(UTC))
        session.add(conflict)
        session.flush()
        return conflict.id


def test_conflicts_page_resolves(qtbot: Any, context: AppContext, bus: DataBus, answers: Answers) -> None:
    contact = context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace",
                                                 "title": "Countess"})
    mark_synced(context, "contact", contact)
    add_conflict(context, contact, "Countess", "Mathematician")
    add_conflict(context, contact, "Countess", "Writer")
    add_conflict(context, contact, "Countess", "Poet")
    page = ConflictsPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(page.list.cards) == 3)
    card = page.list.cards[0]
    mine, theirs = card.findChild(QLabel, "mine"), card.findChild(QLabel, "theirs")
    assert mine is not None and "Countess" in mine.text()
    assert theirs is not None and "Mathematician" in theirs.text()
    with qtbot.waitSignal(bus.changed):
        button(card, "keepTheirs").click()
    qtbot.waitUntil(lambda: len(page.list.cards) == 2)
    # The chosen value is written as an ordinary edit (and synced), whichever value the rule applied.
    assert context.records.get("contact", contact).data["title"] == "Mathematician"
    with qtbot.waitSignal(bus.changed):
        button(page.list.cards[0], "keepMine").click()
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    assert context.records.get("contact", contact).data["title"] == "Countess"
    answers.text = "Countess and mathematician"
    with qtbot.waitSignal(bus.changed):
        button(page.list.cards[0], "editValue").click()
    qtbot.waitUntil(lambda: not page.list.cards)
    assert context.records.get("contact", contact).data["title"] == "Countess and mathematician"
    assert context.records.open_conflict_count() == 0


def test_conflict_card_shows_when_who_and_keeps_both_notes(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    contact = context.records.create("contact", {"first_name": "Ada", "notes": "mine"})
    mark_synced(context, "contact", contact)
    with context.db.session() as session:
        session.add(Conflict(record_type="contact", record_id=contact, field="notes", base_value="old",
                             local_value="mine", server_value="theirs", server_rev=2, kind="field",
                             winner="local", local_stamp="1795581501574-0000-abc",
                             server_stamp="1795581401574-0000-s", created_at=datetime.now(UTC)))
    page = ConflictsPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    card = page.list.cards[0]
    caption = card.findChild(QLabel, "mineCaption")
    assert caption is not None and "applied" in caption.text() and "2026" in caption.text()
    with qtbot.waitSignal(bus.changed):
        button(card, "keepBoth").click()
    qtbot.waitUntil(lambda: not page.list.cards)
    notes = context.records.get("contact", contact).data["notes"]
    assert notes.startswith("mine") and notes.endswith("theirs")


def test_conflict_rules_dialog_saves_the_policy(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    page = ConflictsPage(context, bus)
    qtbot.addWidget(page)
    dialog = page.edit_rules()
    combo = dialog.combos["text"]
    combo.setCurrentIndex(combo.findData("theirs"))
    dialog.delete_combo.setCurrentIndex(dialog.delete_combo.findData("delete"))
    dialog.accept()
    assert context.settings.conflict_policy == {"text": "theirs", "delete": "delete"}
    saved = context.data_dir / "settings.json"
    qtbot.waitUntil(lambda: saved.exists() and "theirs" in saved.read_text())
    again = page.edit_rules()
    assert again.combos["text"].currentData() == "theirs"
    again.reject()


# -- status bar --------------------------------------------------------------


def test_status_bar_follows_the_controller(qtbot: Any, controller: FakeSyncController) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    assert "Not signed in" in bar.state_label.text()
    assert bar.sign_in_button.isVisible() and not bar.sync_button.isVisible()
    bar.bind(controller)
    assert not bar.sign_in_button.isVisible() and bar.sync_button.isVisible()
    controller.stateChanged.emit("syncing", "")
    controller.progress.emit(3, 10)
    assert bar.progress_bar.isVisible() and bar.progress_bar.value() == 3
    assert not bar.sync_button.isEnabled()
    controller.progress.emit(0, 0)
    assert bar.progress_bar.maximum() == 0  # busy indicator when the total is unknown
    controller.stateChanged.emit("idle", "")
    assert not bar.progress_bar.isVisible()
    controller.lastSyncChanged.emit(datetime.now(UTC) - timedelta(minutes=3))
    assert bar.last_sync_label.text() == "Synced 3 min ago"
    controller.pendingCountChanged.emit(4)
    assert "4 unsynced" in bar.pending_button.text()
    with qtbot.waitSignal(bar.pendingClicked):
        bar.pending_button.click()
    controller.conflictCountChanged.emit(0)
    assert not bar.conflicts_button.isVisible()
    controller.conflictCountChanged.emit(2)
    assert bar.conflicts_button.isVisible() and "#c62828" in bar.conflicts_button.styleSheet()
    with qtbot.waitSignal(bar.conflictsClicked):
        bar.conflicts_button.click()
    controller.stateChanged.emit("error", "Server said no\ndetails")
    assert "Server said no" in bar.state_label.text()
    assert bar.state_label.toolTip() == "Server said no\ndetails"
    controller.onlineChanged.emit(False)
    assert "Offline" in bar.online_label.text() and not bar.sync_button.isEnabled()
    controller.onlineChanged.emit(True)
    controller.stateChanged.emit("idle", "")
    bar.sync_button.click()
    assert controller.sync_calls == 1
    controller.stateChanged.emit("signed_out", "")
    assert bar.sign_in_button.isVisible()
    assert bar.ago(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)) == "2 day(s) ago"


def test_a_delete_kept_after_access_was_lost_is_explained_and_acknowledged(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    gone = "01a21103-0000-7000-8000-000000000002"
    with context.db.session() as session:
        session.add(Conflict(record_type="contact", record_id=gone, field=None, kind="access_lost",
                             base_value={"first_name": "Grace", "last_name": "Hopper"}, local_value=None,
                             server_value=None, server_rev=7, winner="server", created_at=datetime.now(UTC)))
    page = ConflictsPage(context, bus)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    (card,) = page.list.cards
    head = card.findChildren(QLabel)[0].text()
    assert "Grace Hopper" in head and "your delete" in head and "not deleted" in head
    mine = card.findChild(QLabel, "mine")
    assert mine is not None and "Deleted" in mine.text()
    assert not button(card, "keepMine").isVisible()  # it cannot be deleted by me any more
    assert button(card, "keepTheirs").text() == "OK"
    button(card, "keepTheirs").click()
    qtbot.waitUntil(lambda: len(page.list.cards) == 0)
    assert context.records.pending_count() == 0


def test_status_bar_tells_what_a_sync_removed_or_kept(qtbot: Any, controller: FakeSyncController) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.bind(controller)
    assert not bar.notice_label.isVisible()
    controller.syncFinished.emit(SyncReport(revoked=3, access_lost=1))
    text = bar.notice_label.text()
    assert bar.notice_label.isVisible()
    assert "Removed from this computer: 3 record(s) you no longer have access to" in text
    assert "Your unsynced changes to 1 of them are kept in Conflicts" in text
    controller.syncFinished.emit(SyncError("offline"))  # a failed sync: the news still stands
    assert bar.notice_label.isVisible()
    controller.syncFinished.emit(SyncReport(history_expired=True, lost_on_server=2))
    text = bar.notice_label.text()
    assert "offline longer than the server keeps its history" in text and "unsynced changes were kept" in text
    assert "Moved to Conflicts: 2 record(s) the server no longer has" in text
    controller.syncFinished.emit(SyncReport(pushed=4))  # nothing to tell
    assert not bar.notice_label.isVisible()


# -- sign in -----------------------------------------------------------------


def test_server_url_validation() -> None:
    assert normalize_server_url("crm.example.com/") == "https://crm.example.com"
    assert normalize_server_url("http://localhost:8000") == "http://localhost:8000"
    assert normalize_server_url("ftp://crm.example.com") is None
    assert normalize_server_url("https://") is None
    assert normalize_server_url("   ") is None
    assert normalize_server_url("https://bad host") is None


def test_sign_in_dialog_waits_for_the_browser(qtbot: Any) -> None:
    future: Future[str] = Future()
    calls: list[str] = []

    def sign_in(url: str, open_url: Any) -> Future[str]:
        calls.append(url)
        return future

    dialog = SignInDialog(sign_in, "", open_url=lambda url: None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.url, "ftp://nope")
    dialog.sign_in_button.click()
    assert not calls and "http" in dialog.error.text()
    dialog.url.clear()
    qtbot.keyClicks(dialog.url, "crm.example.com")
    dialog.sign_in_button.click()
    assert calls == ["https://crm.example.com"]
    assert dialog.pages.currentIndex() == 1
    with qtbot.waitSignal(dialog.signedIn) as signed:
        future.set_result("ada@example.com")
    assert signed.args == ["ada@example.com"]


def test_sign_in_failure_is_shown_in_the_dialog(qtbot: Any) -> None:
    future: Future[str] = Future()
    dialog = SignInDialog(lambda url, open_url: future, "https://crm.example.com", open_url=lambda url: None)
    qtbot.addWidget(dialog)
    dialog.start()
    future.set_exception(KnownError("The server is not reachable."))
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 0)
    assert dialog.error.text() == "The server is not reachable."


# -- main window -------------------------------------------------------------


def test_main_window_counts_and_navigation(
    qtbot: Any, context: AppContext, controller: FakeSyncController, answers: Answers
) -> None:
    signed_out: list[bool] = []
    window = MainWindow(context, sync_controller=controller, sign_out=lambda: signed_out.append(True))
    qtbot.addWidget(window)
    context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    controller.dataChanged.emit(DataChanged(frozenset({"contact"})))
    qtbot.waitUntil(lambda: window.contacts.model.rowCount() == 1)
    qtbot.waitUntil(lambda: window.status.pending_count() == 1)
    window.status.pending_button.click()
    assert window.stack.currentIndex() == PENDING
    controller.conflictCountChanged.emit(1)
    window.status.conflicts_button.click()
    assert window.stack.currentIndex() == CONFLICTS
    assert "Conflicts  (1)" in window.nav_item(CONFLICTS).text()
    # Sign out with unsynced changes: Cancel keeps everything as it is.
    answers.choose = None
    window.sign_out()
    assert not signed_out and "not synced" in answers.asked[-1]
    # "Sync first" waits for the sync to finish, then signs out.
    answers.choose = "sync"
    window.sign_out()
    assert controller.sync_calls == 1 and not signed_out
    controller.stateChanged.emit("syncing", "")
    controller.stateChanged.emit("idle", "")
    assert signed_out == [True]
    assert window.status.controller is None
    assert context.records.pending_count() == 1  # nothing deleted


def test_quit_with_unsynced_changes_asks(
    qtbot: Any, context: AppContext, controller: FakeSyncController, answers: Answers
) -> None:
    context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    window = MainWindow(context, sync_controller=controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.status.pending_count() == 1)
    answers.choose = None
    assert not window.close()
    answers.choose = "sync"
    assert not window.close()
    assert controller.sync_calls == 1
    controller.stateChanged.emit("idle", "")
    assert not window.isVisible()


def test_conflict_cards_name_the_outcome_and_its_choices(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    contact = context.records.create("contact", {"first_name": "Ada", "last_name": "Lovelace"})
    mark_synced(context, "contact", contact)
    gone = "01a21103-0000-7000-8000-000000000001"
    with context.db.session() as session:
        session.add(Conflict(record_type="contact", record_id=contact, field="account_id", kind="parent_deleted",
                             base_value={"name": "Analytical Engines Ltd"}, local_value=gone, server_value=None,
                             server_rev=5, winner="server", created_at=datetime.now(UTC)))
        session.add(Conflict(record_type="contact", record_id=gone, field=None, kind="access_lost",
                             base_value={}, local_value={"first_name": "Charles", "last_name": "Babbage"},
                             server_value=None, server_rev=6, winner="server", created_at=datetime.now(UTC)))
        # A link whose target is gone for good (ref_gone): nothing to bring back.
        session.add(Conflict(record_type="contact", record_id=contact, field="account_id", kind="parent_deleted",
                             base_value=None, local_value=gone, server_value=None, server_rev=None,
                             winner="server", created_at=datetime.now(UTC)))
    page = ConflictsPage(context, bus)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(page.list.cards) == 3)
    link, lost, purged = page.list.cards
    assert button(purged, "keepMine").isHidden() and button(purged, "keepTheirs").text() == "OK"
    with qtbot.waitSignal(bus.changed):
        button(purged, "keepTheirs").click()
    qtbot.waitUntil(lambda: len(page.list.cards) == 2)
    link, lost = page.list.cards
    mine = link.findChild(QLabel, "mine")
    assert mine is not None and "Analytical Engines Ltd" in mine.text()  # the link's title, not its id
    assert button(link, "keepTheirs").text() == "Leave unlinked"
    assert link.findChild(QPushButton, "editValue") is None
    assert button(lost, "keepMine").text() == "Keep my copy as a new record"
    with qtbot.waitSignal(bus.changed):
        button(lost, "keepMine").click()
    qtbot.waitUntil(lambda: len(page.list.cards) == 1)
    assert context.records.pending_count() == 1  # Charles is back, as a new record of mine
