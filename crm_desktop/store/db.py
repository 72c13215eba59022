"""Opening a profile's SQLite database: pragmas, lock, migrations, error mapping."""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crm_desktop.errors import ProfileLocked, StoreError
from crm_desktop.store import bulk_load, pull_stage
from crm_desktop.store.search_index import register_functions

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger("crm.store")

DB_FILENAME = "crm.db"
LOCK_FILENAME = "crm.lock"
_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

#: The newest client migration. ``Database.migrate`` compares a store's revision with
#: it so that alembic (0.1 s of imports) is loaded only when a store is behind;
#: tests/store/test_schema_matches_migrations.py checks it is alembic's head.
SCHEMA_HEAD = "0018"

#: The page size of a new store (SQLite's default is 4096).  Set before the file
#: is first written, so it only ever applies to a new profile; an existing one
#: keeps its size (a WAL database cannot change it) and works as before.
#: Measured on a 100,000-contact first sync, alone on one thread (bench/README.md,
#: session 10): applying the pulled pages took 17% less CPU and building the
#: deferred indexes 10% less; 8192 gained half as much, 32768 no more.  Start-up,
#: search, scrolling and edits measured the same on both sizes.
PAGE_SIZE = 16384


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The search index's triggers call these: every connection needs them.
    register_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    try:
        # Before journal_mode, which writes a new file's header (and fixes its page size).
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL is durable in WAL mode except for the last transactions on
        # power loss, which the next sync restores; FULL halves write speed.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA mmap_size=268435456")
        # Checkpoint the WAL every 64 MB instead of 4 MB: a pulled page rewrites
        # the same index pages, which a checkpoint after every page copied again.
        cursor.execute("PRAGMA wal_autocheckpoint=16384")
    finally:
        cursor.close()


def describe_sqlite_error(exc: BaseException) -> str:
    """A user-facing sentence for an SQLite failure caused by the environment."""
    text_ = str(exc).lower()
    if "readonly" in text_ or "read-only" in text_ or "attempt to write a readonly" in text_:
        return "The local database is read-only. Check the permissions of the data folder."
    if "disk is full" in text_ or "database or disk is full" in text_:
        return "The disk is full. Free some space; nothing was lost, but new changes cannot be saved."
    if "locked" in text_ or "busy" in text_:
        return "The local database is busy. Try again in a moment."
    if "malformed" in text_ or "not a database" in text_ or "corrupt" in text_:
        return (
            "The local database is damaged. Your data is still on the server; "
            "unsynced changes may need to be recovered from a backup."
        )
    if "unable to open" in text_:
        return "The local database cannot be opened. Check that the data folder exists and is writable."
    return f"The local database reported an error: {exc}"


class ProfileLock:
    """An exclusive lock on a profile folder held for the app's lifetime."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK, errno.EDEADLK):
                raise ProfileLocked(
                    "This profile is already open in another window of the app. "
                    "Close it there, or open a different profile."
                ) from exc
            raise StoreError(f"Cannot lock the profile folder: {exc.strerror}") from exc
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class Database:
    """A profile's database: one engine, short sessions, one unit of work each."""

    def __init__(self, path: Path, *, lock: bool = True) -> None:
        self.path = path
        self._lock = ProfileLock(path.with_name(LOCK_FILENAME)) if lock else None
        self.engine: Engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False},
        )
        event.listen(self.engine, "connect", _set_pragmas)
        # A first sync's pages wait in a side file the fetching thread writes (store/pull_stage.py).
        event.listen(self.engine, "connect", lambda dbapi_connection, _record: pull_stage.attach(
            dbapi_connection, path.parent))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: Indexes a first sync's bulk load dropped for now (``store/bulk_load.py``):
        #: queries must not name them in ``INDEXED BY`` hints.
        self.deferred_indexes: frozenset[str] = frozenset()

    @classmethod
    def open(cls, data_dir: Path, *, lock: bool = True) -> Database:
        """Open (creating or upgrading as needed) the database in ``data_dir``."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data folder {data_dir}: {exc.strerror}") from exc
        db = cls(data_dir / DB_FILENAME, lock=lock)
        if db._lock is not None:
            db._lock.acquire()
        try:
            if built := db.restore_deferred_indexes():
                log.warning("built again %d indexes an interrupted first sync had deferred", built)
            db.migrate()
        except BaseException:
            db.close()
            raise
        return db

    def migrate(self) -> None:
        """Bring the schema to the newest revision (the only way it changes)."""
        try:
            with self.engine.begin() as connection:
                if _stored_revision(connection) == SCHEMA_HEAD:
                    return
                from alembic import command
                from alembic.runtime.migration import MigrationContext

                current = MigrationContext.configure(connection).get_current_revision()
                head = migration_head()
                log.info("migrating local store %s from %s to %s", self.path, current, head)
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except (OperationalError, DBAPIError) as exc:
            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc

    def defer_indexes(
        self, tables: list[str], fts_tables: list[str] | None = None,
        keep_leading: dict[str, set[str]] | None = None,
    ) -> None:
        """Drop the secondary indexes of ``tables`` for a bulk load (``store/bulk_load.py``)."""
        with self.session() as session:
            self.deferred_indexes = bulk_load.defer_indexes(
                session.connection(), tables, fts_tables or [], keep_leading
            )

    def restore_deferred_indexes(self) -> int:
        """Build the indexes a bulk load dropped (also those of a process killed meanwhile)."""
        try:
            with self.engine.begin() as connection:
                built = bulk_load.restore_indexes(connection)
        except (OperationalError, DBAPIError, sqlite3.DatabaseError) as exc:
            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc
        self.deferred_indexes = frozenset()
        return built

    def tidy_search_index_step(self) -> bool:
        """One step of merging the search indexes a bulk load left in pieces
        (``store/bulk_load.tidy_step``); whether any work is left."""
        try:
            with self.engine.begin() as connection:
                return bulk_load.tidy_step(connection)
        except (OperationalError, DBAPIError, sqlite3.DatabaseError) as exc:
            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except (OperationalError, DBAPIError) as exc:
            if isinstance(getattr(exc, "orig", None), sqlite3.IntegrityError):
                raise
            raise StoreError(describe_sqlite_error(exc), detail=str(exc)) from exc
        finally:
            session.close()

    def integrity_ok(self) -> bool:
        with self.engine.connect() as connection:
            row = connection.execute(text("PRAGMA integrity_check")).scalar_one()
        return bool(row == "ok")

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()


def _stored_revision(connection: Connection) -> str | None:
    """The revision a store was last migrated to (None for a new or foreign file)."""
    try:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except OperationalError as exc:
        if "no such table" in str(exc.orig):
            return None
        raise
    return str(rows[0][0]) if len(rows) == 1 else None


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


_script_cache: list[ScriptDirectory] = []


def _script_directory() -> ScriptDirectory:
    if not _script_cache:
        from alembic.script import ScriptDirectory

        _script_cache.append(ScriptDirectory.from_config(_alembic_config()))
    return _script_cache[0]


def migration_head() -> str:
    """The newest client migration revision: the schema ``Database.open`` brings a store to."""
    head = _script_directory().get_current_head()
    if head is None:
        raise RuntimeError("the client migrations have no head revision")
    return head
