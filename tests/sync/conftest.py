"""Sync tests pull small pages: stage every page of more than one row in the stage file
(``crm_desktop/store/pull_stage.py``), as a first sync stages its big ones, so that the
end-to-end tests and the state machine go through it.  Pages of one row, and pages with a
record waiting to be merged, still take the database thread's own staging."""

from __future__ import annotations

import pytest

from crm_desktop.store import pull_stage


@pytest.fixture(autouse=True)
def stage_small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pull_stage, "MIN_STAGED_ROWS", 2)
