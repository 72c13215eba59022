"""Clock skew for sync tests: run a block as if this machine's clock were off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from crm_protocol import hlc

HOUR_MS = 3600 * 1000


@pytest.fixture
def skew(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``with skew(ms):`` runs a block as if this machine's clock were ``ms`` off."""
    real = hlc.wall_ms
    current = {"ms": 0}
    monkeypatch.setattr(hlc, "wall_ms", lambda: real() + current["ms"])

    @contextmanager
    def run(ms: int) -> Iterator[None]:
        current["ms"] = ms
        try:
            yield
        finally:
            current["ms"] = 0

    return run
