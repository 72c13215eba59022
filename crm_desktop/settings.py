"""Per-profile settings, declared once with type, default and description.

Stored as JSON in the profile folder.  Secrets never go here: tokens live in
the OS keychain (see :mod:`crm_desktop.keychain`).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from crm_desktop import APP_NAME

log = logging.getLogger("crm.settings")

SETTINGS_FILENAME = "settings.json"
SETTINGS_VERSION = 1


def default_data_dir(profile: str = "default") -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "profiles" / profile


@dataclass
class Settings:
    #: Base URL of the CRM cloud server, e.g. https://crm.example.com.
    server_url: str = ""
    #: Email of the signed-in user (not a secret; shown in the window title).
    user_email: str = ""
    #: Server id of the signed-in user.
    user_id: str = ""
    #: Region used to read phone numbers typed without a country code.
    default_region: str = "US"
    #: Minutes between background syncs; 0 turns the timer off.
    sync_interval_minutes: int = 10
    #: How conflicts are decided, per field kind and for edit-against-delete
    #: (see :mod:`crm_desktop.conflict_policy`); missing keys use the default.
    conflict_policy: dict[str, str] = field(default_factory=dict)
    #: Per list (record type): its field filters and chosen custom columns,
    #: ``{"filters": [FieldFilter.to_json()...], "columns": [name...]}``,
    #: restored when the app starts again.  Kept by ``ui/pages/record_list.py``.
    list_views: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    version: int = SETTINGS_VERSION

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = data_dir / SETTINGS_FILENAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            # A damaged settings file must not stop the app: the data is in
            # the database, and every setting has a safe default.
            log.warning("settings file %s is unreadable (%s); using defaults", path, exc)
            return cls()
        if not isinstance(raw, dict):
            log.warning("settings file %s is not an object; using defaults", path)
            return cls()
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if known.get(key) is None:
                continue
            default = getattr(cls(), key)
            if isinstance(value, type(default)) and not (
                isinstance(default, int) and isinstance(value, bool)
            ):
                values[key] = value
            else:
                log.warning("setting %s has a bad value %r; using the default", key, value)
        settings = cls(**values)
        settings.sync_interval_minutes = max(0, min(settings.sync_interval_minutes, 24 * 60))
        return settings

    def save(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file then rename, so a crash never leaves a
        # half-written settings file.
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".settings-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(asdict(self), handle, indent=2, sort_keys=True)
            os.replace(tmp, data_dir / SETTINGS_FILENAME)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
