"""UI test set-up: offscreen Qt, a fresh AppContext per test, answered prompts."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QObject, Signal  # noqa: E402

from crm_desktop.context import AppContext  # noqa: E402
from ui.events import DataBus  # noqa: E402


@pytest.fixture(autouse=True)
def _no_quit_on_last_window(qapp: Any) -> Iterator[None]:
    """Closing a test's last window must not post a quit to later tests' event loops."""
    qapp.setQuitOnLastWindowClosed(False)
    yield


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    ctx = AppContext.open(tmp_path / "profile", lock=False)
    yield ctx
    ctx.close()


@pytest.fixture
def bus(qtbot: Any) -> DataBus:
    return DataBus()


class Answers:
    """What the patched prompts answer, and what they were asked."""

    def __init__(self) -> None:
        self.confirm = True
        self.choose: str | None = None
        self.text: str | None = None
        self.asked: list[str] = []


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    from ui.dialogs import messages

    result = Answers()

    def confirm(parent: Any, title: str, text: str, action: str) -> bool:
        result.asked.append(text)
        return result.confirm

    def choose(parent: Any, title: str, text: str, options: list[tuple[str, str]]) -> str | None:
        result.asked.append(text)
        return result.choose

    def ask_text(parent: Any, title: str, label: str, value: str) -> str | None:
        result.asked.append(label)
        return result.text

    monkeypatch.setattr(messages, "confirm", confirm)
    monkeypatch.setattr(messages, "choose", choose)
    monkeypatch.setattr(messages, "ask_text", ask_text)
    return result


class FakeSyncController(QObject):
    """The sync controller's interface (sync/controller.py), for tests."""

    stateChanged = Signal(str, str)
    progress = Signal(int, int)
    pendingCountChanged = Signal(int)
    conflictCountChanged = Signal(int)
    lastSyncChanged = Signal(object)
    onlineChanged = Signal(bool)
    dataChanged = Signal(object)
    signInRequired = Signal(str)
    syncFinished = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.sync_calls = 0

    def sync_now(self) -> None:
        self.sync_calls += 1


@pytest.fixture
def controller() -> FakeSyncController:
    return FakeSyncController()
