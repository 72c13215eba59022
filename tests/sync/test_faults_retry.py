"""Server errors, timeouts and a slow network, seen from the sync controller:
exponential back-off with jitter, never a busy loop, never a frozen window."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer

from sync.controller import BACKOFF_BASE_S, BACKOFF_MAX_S, SyncController, backoff_delay
from sync.errors import ServerUnavailable
from tests.sync.test_faults_network import _close_clients, rewriting  # noqa: F401 - the fixture closes clients


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after() -> None:
    lows = [backoff_delay(n, rng=lambda: 0.0) for n in range(1, 12)]
    highs = [backoff_delay(n, rng=lambda: 0.999) for n in range(1, 12)]
    for n, (low, high) in enumerate(zip(lows, highs, strict=True), start=1):
        ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (n - 1))
        assert ceiling / 2 <= low < high <= ceiling  # jitter spreads clients over half the window
    assert lows == sorted(lows) and lows[0] >= BACKOFF_BASE_S / 2  # never a tight loop
    assert highs[-1] <= BACKOFF_MAX_S  # capped
    assert backoff_delay(1, rng=lambda: 0.5, retry_after=120) == 120  # the server's wish wins when longer
    assert backoff_delay(9, rng=lambda: 0.5, retry_after=1) > 1


def test_failing_server_is_retried_later_not_in_a_busy_loop(qtbot: Any, cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("contact", {"first_name": "Waiting"})

    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "7"}, text="<html>Bad gateway</html>")

    transport = rewriting(a, down)
    controller = SyncController(a.engine, interval_minutes=0, watch_network=False)
    try:
        delays = []
        for attempt in (1, 2, 3):
            with qtbot.waitSignal(controller.syncFinished, timeout=20_000) as finished:
                controller.sync_now()
            assert isinstance(finished.args[0], ServerUnavailable)
            assert controller.state == "error" and "will retry" in controller.message.lower()
            assert controller._retry.isActive()  # a retry is scheduled...
            delays.append(controller._retry.remainingTime())
            requests = transport.requests
            qtbot.wait(300)
            assert transport.requests == requests  # ...and nothing is sent until it is due
            assert controller._failures == attempt
        assert delays[0] >= 7000 - 500  # Retry-After honoured
        assert delays[2] >= BACKOFF_BASE_S * 4 / 2 * 1000 - 500  # the window doubles per failure
        assert a.records.pending_count() == 1  # nothing lost meanwhile
    finally:
        controller.stop()


def test_slow_network_never_freezes_the_window(qtbot: Any, cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    a.records.create("contact", {"first_name": "Slow"})

    def slow(request: httpx.Request) -> httpx.Request:
        time.sleep(0.4)  # a congested hotel network: every answer takes a while
        return request

    rewriting(a, slow)
    controller = SyncController(a.engine, interval_minutes=0, watch_network=False)
    ticks = {"n": 0, "while_syncing": 0}

    def tick() -> None:
        ticks["n"] += 1
        if controller.is_running():
            ticks["while_syncing"] += 1

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    try:
        with qtbot.waitSignal(controller.syncFinished, timeout=60_000) as finished:
            controller.sync_now()
            # The GUI thread keeps turning its event loop while the sync waits on the network.
            qtbot.waitUntil(lambda: ticks["while_syncing"] >= 10, timeout=30_000)
        assert not isinstance(finished.args[0], Exception)
        assert a.records.pending_count() == 0
    finally:
        timer.stop()
        controller.stop()


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout])
def test_timeouts_are_transient_with_a_clear_message(cloud, make_profile, error) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")

    def times_out(request: httpx.Request) -> httpx.Response:
        raise error("timed out", request=request)

    rewriting(a, times_out)
    with pytest.raises(ServerUnavailable) as excinfo:
        a.sync()
    assert excinfo.value.transient and "too long" in excinfo.value.message
