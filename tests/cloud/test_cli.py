from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from crm_cloud.cli import main
from crm_cloud.customers.tables import account_table, contact_table
from crm_cloud.demo import seed
from crm_cloud.records.tables import COMMON_COLUMNS
from crm_protocol.records import validate_fields


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CRM_CLOUD_DATABASE_URL"] = database_url
    return env


def test_serve_with_ready_file(sqlite_url: str, tmp_path: Path) -> None:
    ready = tmp_path / "ready.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm_cloud", "serve", "--port", "0", "--ready-file", str(ready),
         "--database-url", sqlite_url, "--access-token-ttl", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        base_url = ready.read_text().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert not base_url.endswith(":0")
        info = httpx.get(f"{base_url}/api/v1/info", timeout=10)
        assert info.status_code == 200
        assert info.json()["protocol_max"] >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr:
            proc.stderr.close()


def test_user_add_and_demo_seed(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("s3cret-password\n"))
    assert main(["user", "add", "Dana@Example.com", "--name", "Dana", "--password-stdin",
                 "--database-url", database_url]) == 0
    assert "dana@example.com" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", _Stdin("s3cret-password\n"))
    assert main(["user", "add", "dana@example.com", "--name", "Dana", "--password-stdin",
                 "--database-url", database_url]) == 1
    assert main(["db", "upgrade", "--database-url", database_url]) == 0

    seed(database_url, "dana@example.com", 50, 500)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(account_table)).scalar() == 50
            contacts = conn.execute(select(contact_table)).mappings().all()
            seq = conn.execute(text("SELECT seq FROM server_state")).scalar()
    finally:
        engine.dispose()
    # The migrations seed 10 configuration records (6 pipeline stages, 4 service levels).
    assert len(contacts) == 500
    assert seq == 560
    assert sorted(c["rev"] for c in contacts) == list(range(61, 561))
    without_account = sum(1 for c in contacts if c["account_id"] is None)
    assert 50 < without_account < 150
    fields = [n for n in contacts[0] if n not in COMMON_COLUMNS]
    for c in contacts[:200]:
        data = {n: c[n] for n in fields if n != "account_id"}
        cleaned = validate_fields("contact", data, partial=False)
        assert cleaned["phone_e164"] == c["phone_e164"]
        assert cleaned["email"] == c["email"]


class _Stdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def readline(self) -> str:
        return self._text


def test_listening_socket_is_tcp_so_responses_are_not_delayed_by_nagle() -> None:
    import socket

    from crm_cloud.cli import listen_socket

    # asyncio sets TCP_NODELAY on accepted connections only for sockets whose
    # proto is TCP; with proto 0 every answer waited ~40 ms for a delayed ACK.
    sock = listen_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        sock.listen()
        with socket.create_connection(sock.getsockname()) as client:
            client.sendall(b"x")
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_demo_seed_with_modules(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_cloud.activities.tables import activity_table
    from crm_cloud.demo_modules import module_rows_count
    from crm_cloud.sales.tables import lead_table, opportunity_table
    from crm_cloud.service.tables import case_table

    monkeypatch.setattr("sys.stdin", _Stdin("s3cret-password\n"))
    assert main(["user", "add", "dana@example.com", "--name", "Dana", "--password-stdin",
                 "--database-url", database_url]) == 0
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert main(["demo", "seed", "--email", "dana@example.com", "--accounts", "10", "--contacts", "20",
                 "--modules", "30", "--database-url", database_url]) == 0
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                      for t in (opportunity_table, lead_table, case_table, activity_table)}
            seq = conn.execute(text("SELECT seq FROM server_state")).scalar()
            opportunities = conn.execute(select(opportunity_table)).mappings().all()
            revs = [r[0] for r in conn.execute(select(opportunity_table.c.rev))]
            # No stamps stored (SQL NULL): a JSON null would break the pull's wire schema.
            stamped = conn.execute(select(func.count()).select_from(opportunity_table)
                                   .where(opportunity_table.c.field_stamps.is_not(None))).scalar()
    finally:
        engine.dispose()
    assert counts["opportunity"] == 30 and sum(counts.values()) == module_rows_count(30)
    assert seq == 10 + 30 + module_rows_count(30)  # configuration, accounts and contacts, modules
    assert len(set(revs)) == 30 and stamped == 0
    fields = [n for n in opportunities[0] if n not in COMMON_COLUMNS]
    for row in opportunities:
        data = {n: row[n] for n in fields if n not in ("account_id",)}
        data["amount"] = str(data["amount"]) if data["amount"] is not None else None
        data["close_date"] = data["close_date"].isoformat() if data["close_date"] else None
        validate_fields("opportunity", data, partial=False)


def test_history_purge_needs_an_age(sqlite_url: str, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_CLOUD_HISTORY_DAYS", raising=False)
    assert main(["history", "purge", "--database-url", sqlite_url]) == 2
    assert "--older-than DAYS" in capsys.readouterr().err
    assert main(["history", "purge", "--older-than", "0", "--database-url", sqlite_url]) == 2
    monkeypatch.setenv("CRM_CLOUD_HISTORY_DAYS", "30")
    assert main(["history", "purge", "--database-url", sqlite_url]) == 0
    assert "history horizon: revision" in capsys.readouterr().out
