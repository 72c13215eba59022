"""Import, export and duplicate tests: a fresh profile per test, the sample files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_desktop.context import AppContext

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    ctx = AppContext.open(tmp_path / "profile", lock=False)
    yield ctx
    ctx.close()
