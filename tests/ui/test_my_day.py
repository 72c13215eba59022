"""My day (mark done, open, follow up) and reminders (a fake clock; each fires once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt

from crm_desktop.activities.my_day import DayItem
from crm_desktop.context import AppContext
from ui.activities.my_day import DayItemsModel, MyDayPage
from ui.activities.reminders import ReminderScheduler
from ui.events import DataBus


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def local_noon_today() -> datetime:
    return datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)


def page_for(qtbot: Any, context: AppContext, bus: DataBus, clock: FakeClock) -> MyDayPage:
    page = MyDayPage(context, bus, clock=clock)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: page.day is not None)
    return page


def test_day_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = DayItemsModel(overdue=True)
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    model.set_items([
        DayItem("a", "Call", "Call Ada", "High", "", now, "account", "x", "Acme", False),
        DayItem("b", "Task", "Write", "Normal", "2026-11-20", None, "", "", "", True),
    ], now.date())
    qtmodeltester.check(model)


def test_my_day_lists_overdue_and_today_and_marks_done(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    clock = FakeClock(local_noon_today())
    today = clock.now.astimezone().date()
    account = context.records.create("account", {"name": "Acme"})
    late = context.records.create("activity", {"kind": "Task", "subject": "Send quote",
                                               "due_date": (today - timedelta(days=2)).isoformat(),
                                               "related_type": "account", "related_id": account})
    context.records.create("activity", {"kind": "Task", "subject": "Plan week", "due_date": today.isoformat()})
    context.records.create("activity", {"kind": "Task", "subject": "Later",
                                        "due_date": (today + timedelta(days=3)).isoformat()})
    page = page_for(qtbot, context, bus, clock)
    assert [i.subject for i in page.overdue.model.items] == ["Send quote"]
    assert [i.subject for i in page.today.model.items] == ["Plan week"]
    assert page.overdue.model.items[0].related_title == "Acme"
    # Ticking the box saves through the worker.
    index = page.overdue.model.index(0, 0)
    with qtbot.waitSignal(bus.changed):
        assert page.overdue.model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert context.records.get("activity", late).data["done"] is True
    qtbot.waitUntil(lambda: not page.overdue.model.items)


def test_mark_done_button_and_open_related(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    clock = FakeClock(local_noon_today())
    today = clock.now.astimezone().date()
    account = context.records.create("account", {"name": "Acme"})
    task = context.records.create("activity", {"kind": "Call", "subject": "Call Ada", "due_date": today.isoformat(),
                                               "related_type": "account", "related_id": account})
    page = page_for(qtbot, context, bus, clock)
    assert not page.done_button.isEnabled()
    assert page.select(task)
    with qtbot.waitSignal(page.openRecord) as opened:
        page.open_button.click()
    assert opened.args == ["account", account]
    with qtbot.waitSignal(bus.changed):
        page.done_button.click()
    assert context.records.get("activity", task).data["done"] is True
    qtbot.waitUntil(lambda: page.today.model.items[0].done)


def test_follow_up_prefills_a_new_activity_on_the_same_record(qtbot: Any, context: AppContext,
                                                              bus: DataBus) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 11, tzinfo=UTC))  # a Friday
    account = context.records.create("account", {"name": "Acme"})
    task = context.records.create("activity", {"kind": "Call", "subject": "Call Ada", "due_date": "2026-11-27",
                                               "related_type": "account", "related_id": account})
    page = page_for(qtbot, context, bus, clock)
    page.select(task)
    form = page.follow_up_selected()
    assert form is not None
    values = form.values()
    assert values["subject"] == "Follow-up: Call Ada" and values["kind"] == "Call"
    assert values["due_date"] == "2026-11-30"  # the next working day
    assert (values["related_type"], values["related_id"]) == ("account", account)
    with qtbot.waitSignal(form.saved) as saved:
        form.save()
    created = context.records.get("activity", saved.args[0]).data
    assert (created["related_id"], created["due_date"]) == (account, "2026-11-30")


def test_reminder_fires_once_with_a_fake_clock(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    context.records.create("activity", {"kind": "Call", "subject": "Call Ada", "start_at": "2026-11-25T10:00:00Z"})
    scheduler = ReminderScheduler(context, bus, clock=clock)
    fired: list[list[Any]] = []
    scheduler.remind.connect(fired.append)
    with qtbot.waitSignal(scheduler.checked):
        scheduler.start()
    assert fired == []
    # The next check is planned for the reminder (capped), not a busy loop.
    assert scheduler.next_at == datetime(2026, 11, 25, 9, 50, tzinfo=UTC)
    assert scheduler.interval_ms >= 60_000
    clock.now = datetime(2026, 11, 25, 9, 51, tzinfo=UTC)
    with qtbot.waitSignal(scheduler.checked):
        scheduler.check()
    assert [[r.subject for r in batch] for batch in fired] == [["Call Ada"]]
    clock.now += timedelta(minutes=1)
    with qtbot.waitSignal(scheduler.checked):
        scheduler.check()
    assert len(fired) == 1
    # A second app session on the same store does not remind again either.
    again = ReminderScheduler(context, clock=clock)
    with qtbot.waitSignal(again.checked):
        again.start()
    assert len(fired) == 1
    scheduler.stop()
    again.stop()


def test_new_activity_on_the_bus_is_checked(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    scheduler = ReminderScheduler(context, bus, clock=clock)
    with qtbot.waitSignal(scheduler.checked):
        scheduler.start()
    context.records.create("activity", {"kind": "Meeting", "subject": "Stand-up", "start_at": "2026-11-25T09:05:00Z"})
    with qtbot.waitSignal(scheduler.remind) as blocker:
        bus.announce({"activity"})
    assert [r.subject for r in blocker.args[0]] == ["Stand-up"]
    scheduler.stop()
