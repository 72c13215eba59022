"""``crm-cloud`` command line: serve, users, db upgrade, history purge, demo seed, pipeline stages, service levels."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from crm_cloud.core.config import Settings
from crm_cloud.core.errors import DomainError

log = logging.getLogger(__name__)


def _database_url(arg: str | None) -> str:
    return arg or os.environ.get("CRM_CLOUD_DATABASE_URL") or Settings().database_url


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _write_ready_file(path: Path, url: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(url + "\n", encoding="utf-8")
    os.replace(tmp, path)


def listen_socket(host: str, port: int) -> socket.socket:
    """The bound listening socket uvicorn serves on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio turns Nagle off (TCP_NODELAY) on accepted
    # sockets only when it does, and with Nagle on, every response whose body
    # is written after its headers waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from crm_cloud.app import create_app
    from crm_cloud.core.db import upgrade

    url = _database_url(args.database_url)
    upgrade(url)
    overrides: dict[str, object] = {"database_url": url}
    if args.access_token_ttl is not None:
        overrides["access_token_ttl_s"] = args.access_token_ttl
    settings = Settings(**overrides)  # type: ignore[arg-type]
    app = create_app(settings)
    # FastAPI builds a router's route table on the first request through it
    # (0.1-0.3 s here, paid by whoever asks first, e.g. a client's first sync);
    # building the OpenAPI schema builds them all before we accept connections.
    app.openapi()

    sock = listen_socket(args.host, args.port)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if sock.family == socket.AF_INET6 else args.host
    base_url = f"http://{host}:{port}"

    config = uvicorn.Config(app, log_level=args.log_level, proxy_headers=False, access_log=False)
    server = uvicorn.Server(config)

    if args.ready_file:
        ready = Path(args.ready_file)

        def announce() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.02)
            if server.started:
                _write_ready_file(ready, base_url)

        threading.Thread(target=announce, name="ready-file", daemon=True).start()
    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent() -> None:
            # The parent gone (killed, crashed), this process is re-parented (Linux, macOS):
            # stop serving. A parent that quits normally stops the server itself.
            while not server.should_exit:
                if os.getppid() != parent:
                    log.info("the process that started this server is gone; stopping")
                    server.should_exit = True
                    return
                time.sleep(0.5)

        threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    log.info("serving on %s (database %s)", base_url, url.split("@")[-1])
    try:
        server.run(sockets=[sock])
    finally:
        if args.ready_file:
            Path(args.ready_file).unlink(missing_ok=True)
    return 0


def _read_password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise SystemExit("The passwords do not match.")
    return first


def _user_add(args: argparse.Namespace) -> int:
    from crm_cloud.admin import create_user
    from crm_cloud.core.db import upgrade

    url = _database_url(args.database_url)
    upgrade(url)
    password = _read_password(args.password_stdin)
    try:
        user_id = create_user(url, args.email, args.name, password, admin=args.admin)
    except DomainError as exc:
        return _fail(exc)
    _out(f"Created {'administrator' if args.admin else 'user'} {args.email.strip().lower()} ({user_id})")
    return 0


def _fail(exc: DomainError) -> int:
    detail = exc.detail.get("field_errors") if isinstance(exc.detail, dict) else None
    messages = [e["message"] for e in detail] if detail else [exc.message]
    sys.stderr.write("\n".join(messages) + "\n")
    return 1


def _user_admin(args: argparse.Namespace) -> int:
    from crm_cloud.admin import set_admin
    from crm_cloud.core.db import upgrade

    url = _database_url(args.database_url)
    upgrade(url)
    try:
        set_admin(url, args.email, not args.revoke)
    except DomainError as exc:
        return _fail(exc)
    _out(f"{args.email.strip().lower()} {'is no longer' if args.revoke else 'is now'} an administrator")
    return 0


def _config(args: argparse.Namespace) -> int:
    """Pipeline stages and service levels: list, add, set, remove."""
    from crm_cloud import admin
    from crm_cloud.core.db import upgrade

    url = _database_url(args.database_url)
    upgrade(url)
    record_type, key = ("pipeline_stage", "name") if args.command == "stages" else ("service_level", "priority")
    fields: dict[str, object] = {
        name: getattr(args, name)
        for name in ("probability", "position", "outcome", "response_hours", "resolution_hours")
        if getattr(args, name, None) is not None
    }
    if getattr(args, "active", None) is not None:
        fields["active"] = args.active
    try:
        action = args.config_command
        if action == "list":
            records = admin.list_config(url, record_type)
            if record_type == "pipeline_stage":
                records.sort(key=lambda r: (r.data.get("position") or 0, r.data.get("name") or ""))
                for r in records:
                    d = r.data
                    probability = "" if d["probability"] is None else d["probability"]
                    _out(f"{d['position']:>5}  {d['name']:<24} {probability:>4} %"
                         f"  {d['outcome']}{'' if d['active'] else '  (inactive)'}")
            else:
                for r in records:
                    d = r.data
                    _out(f"{d['priority']:<8} first response {d['response_hours'] or '-'} h, "
                         f"resolve within {d['resolution_hours']} h")
            return 0
        if action == "add" or (action == "set" and record_type == "service_level"):
            existing = None
            if action == "set":
                try:
                    existing = admin.find_config(url, record_type, key, args.key)
                except DomainError:
                    existing = None
            if existing is None:
                if record_type == "pipeline_stage" and "position" not in fields:
                    positions = [r.data.get("position") or 0 for r in admin.list_config(url, record_type)]
                    fields["position"] = max(positions, default=0) + 10
                if record_type == "pipeline_stage":
                    fields.setdefault("active", True)
                admin.create_config(url, record_type, {key: args.key, **fields})
                _out(f"Added {args.key}")
                return 0
            admin.update_config(url, record_type, existing.id, fields)
            _out(f"Changed {args.key}")
            return 0
        record = admin.find_config(url, record_type, key, args.key)
        if action == "set":
            if getattr(args, "rename", None):
                fields["name"] = args.rename
            admin.update_config(url, record_type, record.id, fields)
            _out(f"Changed {args.key}")
        else:
            admin.delete_config(url, record_type, record.id)
            _out(f"Removed {args.key}")
    except DomainError as exc:
        return _fail(exc)
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from crm_cloud.core.db import upgrade

    upgrade(_database_url(args.database_url))
    _out("Database is up to date.")
    return 0


def _history_purge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from crm_cloud.core.db import Database, upgrade
    from crm_cloud.models import metadata as _metadata  # noqa: F401 - registers every record table
    from crm_cloud.records.history import purge_history

    days = args.older_than if args.older_than is not None else Settings().history_days
    if days is None:
        sys.stderr.write("Say how much history to keep: --older-than DAYS (or set CRM_CLOUD_HISTORY_DAYS).\n")
        return 2
    if days < 1:
        sys.stderr.write("--older-than must be at least 1 day.\n")
        return 2
    url = _database_url(args.database_url)
    upgrade(url)
    db = Database.from_url(url)
    try:
        with db.write() as session:
            result = purge_history(session, timedelta(days=days), now=datetime.now(UTC))
    finally:
        db.dispose()
    _out(f"Purged {result.tombstones} deleted records and {result.exits} access changes older than {days} days; "
         f"history horizon: revision {result.horizon}. Clients last synced before it will download everything "
         "again, keeping their unsynced changes.")
    return 0


def _demo_seed(args: argparse.Namespace) -> int:
    from crm_cloud.core.db import upgrade
    from crm_cloud.demo import seed

    url = _database_url(args.database_url)
    upgrade(url)
    started = time.perf_counter()
    try:
        seed(url, args.email, args.accounts, args.contacts, args.modules)
    except DomainError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    _out(
        f"Seeded {args.accounts} accounts and {args.contacts} contacts for {args.email} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-cloud", description="CRM cloud backend")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server (migrates the database first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8800, help="0 = any free port")
    serve.add_argument("--database-url")
    serve.add_argument("--ready-file", help="write the base URL here once accepting connections")
    serve.add_argument("--access-token-ttl", type=int, help="access token lifetime in seconds")
    serve.add_argument("--exit-with-parent", action="store_true",
                       help="stop when the process that started it ends (a server the desktop app runs itself)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a user")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--admin", action="store_true", help="may change pipeline stages, service levels...")
    add.add_argument("--database-url")
    add.set_defaults(func=_user_add)
    promote = user.add_parser("admin", help="make a user an administrator (or --revoke)")
    promote.add_argument("email")
    promote.add_argument("--revoke", action="store_true")
    promote.add_argument("--database-url")
    promote.set_defaults(func=_user_admin)

    stages = sub.add_parser("stages", help="pipeline stages of opportunities").add_subparsers(
        dest="config_command", required=True)
    for action, text in (("list", "show the pipeline"), ("add", "add a stage"), ("set", "change a stage"),
                         ("remove", "remove a stage")):
        cmd = stages.add_parser(action, help=text)
        if action != "list":
            cmd.add_argument("key", metavar="NAME")
        if action in ("add", "set"):
            cmd.add_argument("--probability", type=int, help="0-100")
            cmd.add_argument("--position", type=int, help="order in the pipeline (smaller first)")
            cmd.add_argument("--outcome", choices=("open", "won", "lost"))
            active = cmd.add_mutually_exclusive_group()
            active.add_argument("--active", dest="active", action="store_true", default=None)
            active.add_argument("--inactive", dest="active", action="store_false")
        if action == "set":
            cmd.add_argument("--rename", metavar="NEW_NAME")
        cmd.add_argument("--database-url")
        cmd.set_defaults(func=_config)

    levels = sub.add_parser("service-levels", help="case due times per priority").add_subparsers(
        dest="config_command", required=True)
    cmd = levels.add_parser("list", help="show the service levels")
    cmd.add_argument("--database-url")
    cmd.set_defaults(func=_config)
    cmd = levels.add_parser("set", help="set (or add) the service level of a priority")
    cmd.add_argument("key", metavar="PRIORITY", choices=("Low", "Medium", "High", "Urgent"))
    cmd.add_argument("--resolution-hours", type=int)
    cmd.add_argument("--response-hours", type=int)
    cmd.add_argument("--database-url")
    cmd.set_defaults(func=_config)
    cmd = levels.add_parser("remove", help="remove the service level of a priority")
    cmd.add_argument("key", metavar="PRIORITY")
    cmd.add_argument("--database-url")
    cmd.set_defaults(func=_config)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("--database-url")
    up.set_defaults(func=_db_upgrade)

    history = sub.add_parser("history", help="change history kept for the sync feed").add_subparsers(
        dest="history_command", required=True)
    purge = history.add_parser(
        "purge", help="delete tombstones and access changes older than DAYS (clients behind resync in full)")
    purge.add_argument("--older-than", type=int, metavar="DAYS",
                       help="age in days (default: CRM_CLOUD_HISTORY_DAYS)")
    purge.add_argument("--database-url")
    purge.set_defaults(func=_history_purge)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    seed = demo.add_parser("seed", help="create demo accounts and contacts owned by a user")
    seed.add_argument("--email", required=True)
    seed.add_argument("--accounts", type=int, default=200)
    seed.add_argument("--contacts", type=int, default=1000)
    seed.add_argument("--modules", type=int, default=0,
                      help="also this many opportunities, with leads, cases and activities in proportion")
    seed.add_argument("--database-url")
    seed.set_defaults(func=_demo_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    result: int = args.func(args)
    return result
