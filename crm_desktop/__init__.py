"""The desktop app's headless core: domain, local store, services, settings.

Nothing in this package imports Qt widgets or ``ui``; it runs in scripts and
tests without a display.
"""

__version__ = "0.1.0"
APP_NAME = "crm-desktop"
