"""Re-export: the emit workaround lives in sync (ui may import sync)."""

from sync.qt_compat import emit

__all__ = ["emit"]
