"""The real entry point, as a user starts it: ``crm-desktop --check-startup``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _processes_mentioning(text: str) -> list[int]:
    """Pids of the processes whose command line holds ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _wait_for_log(folder: Path, line: str, process: subprocess.Popen[str], timeout: float = 90) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log_file in folder.glob("crm-demo-profile-*/logs/crm-desktop.log"):
            if line in log_file.read_text(errors="replace"):
                return log_file
        assert process.poll() is None, process.communicate()[1]
        time.sleep(0.1)
    raise AssertionError(f"{line!r} never logged")


def _start_demo(folder: Path) -> tuple[subprocess.Popen[str], Path]:
    """``crm-desktop --demo`` with its temporary files in ``folder``, once its event loop
    quits on signals and its backend runs: the process and its log file."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(folder)}
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_desktop.main", "--demo", "--demo-contacts", "30", "--log-level", "DEBUG"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        log_file = _wait_for_log(folder, "quitting on SIGINT, SIGTERM", process)
        assert _processes_mentioning(str(folder) + "/crm-demo-")  # the demo's backend runs
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process, log_file


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists() or not hasattr(signal, "SIGTERM"), reason="Linux only")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_terminated_demo_quits_as_a_user_would_and_leaves_nothing_running(tmp_path: Path, signum: int) -> None:
    # SIGTERM (kill, the desktop session ending) or Ctrl+C: the event loop ends and the
    # usual shutdown runs. It used to kill Python at once, leaving the demo's backend running.
    process, log_file = _start_demo(tmp_path)
    try:
        log_text = log_file.read_text(errors="replace")
        process.send_signal(signum)
        _out, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signum, stderr
    assert "quitting on" in log_text
    assert _processes_mentioning(str(tmp_path) + "/crm-demo-") == []  # the backend ended with it
    assert list(tmp_path.iterdir()) == []  # the demo's profile and server data thrown away


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="Linux only")
def test_a_killed_demo_does_not_leave_its_backend_running(tmp_path: Path) -> None:
    # SIGKILL (or a crash) runs no shutdown at all: the backend sees its parent gone and stops.
    process, _log_file = _start_demo(tmp_path)
    process.kill()
    process.communicate()
    deadline = time.monotonic() + 30
    while _processes_mentioning(str(tmp_path) + "/crm-demo-") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path) + "/crm-demo-") == []
