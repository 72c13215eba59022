"""``crm-desktop --demo``: a throw-away local backend with a demo user and data.

The backend runs as its own process (``python -m crm_cloud``), exactly as a
real server would; this module only launches it, so the desktop core still
shares nothing with the backend but the wire protocol.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crm_desktop.errors import KnownError

log = logging.getLogger("crm.demo")

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-not-secret"


@dataclass
class DemoBackend:
    workdir: Path
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """End the server and throw its database away (the demo keeps nothing)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _cloud(*args: str, workdir: Path, stdin: str | None = None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crm_cloud", *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        cwd=workdir,
        check=False,
    )
    if result.returncode != 0:
        raise KnownError("The demo server could not be prepared.", detail=result.stderr.decode(errors="replace"))


def start_demo_backend(accounts: int = 600, contacts: int = 3000) -> DemoBackend:
    workdir = Path(tempfile.mkdtemp(prefix="crm-demo-"))
    database_url = f"sqlite:///{workdir / 'cloud.db'}"
    log.info("starting the demo backend in %s", workdir)
    try:
        _cloud("db", "upgrade", "--database-url", database_url, workdir=workdir)
        # The demo user is an administrator, so File -> Setup can be tried out too.
        _cloud("user", "add", DEMO_EMAIL, "--name", "Dana Demo", "--admin", "--password-stdin", "--database-url",
               database_url, workdir=workdir, stdin=DEMO_PASSWORD + "\n")
        _cloud("demo", "seed", "--email", DEMO_EMAIL, "--accounts", str(accounts), "--contacts", str(contacts),
               "--modules", str(max(accounts // 2, 1)), "--database-url", database_url, workdir=workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    ready = workdir / "ready"
    server_log = open(workdir / "server.log", "ab")  # noqa: SIM115 - handed to the process
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_cloud", "serve", "--port", "0", "--database-url", database_url,
         "--ready-file", str(ready), "--log-level", "warning", "--exit-with-parent"],
        stdout=server_log, stderr=subprocess.STDOUT, cwd=workdir, env=dict(os.environ),
    )
    server_log.close()
    deadline = time.monotonic() + 30
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=10)
            detail = (workdir / "server.log").read_text(errors="replace")
            shutil.rmtree(workdir, ignore_errors=True)
            raise KnownError("The demo server did not start.", detail=detail)
        time.sleep(0.05)
    return DemoBackend(workdir, ready.read_text().strip(), process)
