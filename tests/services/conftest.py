from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_desktop.context import AppContext


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    ctx = AppContext.open(tmp_path / "profile", lock=False)
    yield ctx
    ctx.close()
