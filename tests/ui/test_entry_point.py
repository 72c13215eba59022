"""The real entry point, as a user starts it: ``crm-desktop --check-startup``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crm_desktop.context import AppContext


def start(data_dir: Path) -> tuple[int, dict[str, object], str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "crm_desktop.main", "--data-dir", str(data_dir), "--check-startup"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, json.loads(lines[-1]) if lines else {}, done.stderr


def test_a_new_profile_starts_and_reports_ready(tmp_path: Path) -> None:
    code, ready, stderr = start(tmp_path / "new")
    assert code == 0, stderr
    assert ready["rows"] == 0
    assert isinstance(ready["ready_at"], float)
    assert (tmp_path / "new" / "crm.db").exists()


def test_the_contacts_list_is_filled_when_ready(tmp_path: Path) -> None:
    context = AppContext.open(tmp_path / "p", lock=False)
    for n in range(3):
        context.records.create("contact", {"first_name": f"Ann{n}", "last_name": "Lee"})
    context.close()
    code, ready, stderr = start(tmp_path / "p")
    assert code == 0, stderr
    assert ready["rows"] == 3


def test_a_damaged_database_is_reported_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "crm.db").write_bytes(b"this is not a database" * 100)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The error dialog would wait for a click: the test only needs the log line and the file kept.
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from PySide6.QtWidgets import QMessageBox; "
         "QMessageBox.exec = lambda self: 0; from crm_desktop.main import main; "
         f"sys.exit(main(['--data-dir', {str(tmp_path / 'bad')!r}]))"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert done.returncode == 1
    assert (tmp_path / "bad" / "crm.db").read_bytes().startswith(b"this is not a database")
