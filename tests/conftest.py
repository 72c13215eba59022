"""Shared test set-up: no display, and a failure on unexpected logged errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
