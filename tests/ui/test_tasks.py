"""ui.tasks: results always arrive later, on the GUI thread, and never for dead widgets."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from ui.tasks import run_async, watch


def test_result_arrives_on_the_gui_thread(qtbot: Any, context: AppContext) -> None:
    got: list[tuple[int, int]] = []
    run_async(context.worker, lambda: 41 + 1, on_done=lambda v: got.append((v, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got))
    assert got == [(42, threading.get_ident())]


def test_done_future_is_still_delivered_later(qtbot: Any) -> None:
    future: Future[int] = Future()
    future.set_result(1)
    got: list[int] = []
    watch(future, on_done=got.append)
    assert got == []  # not re-entrantly
    qtbot.waitUntil(lambda: got == [1])


def test_errors_go_to_on_error(qtbot: Any, context: AppContext) -> None:
    errors: list[BaseException] = []

    def fail() -> None:
        raise KnownError("nope")

    run_async(context.worker, fail, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "nope"


@pytest.mark.parametrize("cancel", [True, False])
def test_results_for_destroyed_widgets_are_dropped(qtbot: Any, cancel: bool) -> None:
    widget = QWidget()
    future: Future[int] = Future()
    got: list[int] = []
    watch(future, on_done=got.append, context=widget)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    if cancel:
        future.cancel()
    else:
        future.set_result(5)
    probe: Future[int] = Future()
    seen: list[int] = []
    watch(probe, on_done=seen.append)
    probe.set_result(0)
    qtbot.waitUntil(lambda: bool(seen))
    assert got == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
