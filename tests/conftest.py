"""Shared test set-up: no display, and a failure on unexpected logged errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.sync.clocks import skew  # noqa: E402,F401 - shared pytest fixtures
from tests.sync.fixtures import cloud, make_profile  # noqa: E402,F401 - shared pytest fixtures
