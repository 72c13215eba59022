"""The ORM classes (hand-written and generated from the specs) match the migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crm_desktop.store.db import DB_FILENAME, SCHEMA_HEAD, Database, _alembic_config, migration_head
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS, Base
from crm_protocol.records import RECORD_TYPES

#: Tables the migrations create that have no ORM class: the search index.
_NOT_ORM = ("_fts", "fts_suspend", "alembic_version")


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if type_ == "table" and name is not None and any(part in name for part in _NOT_ORM):
        return False
    return True


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_client_orm_matches_migrated_schema(tmp_path: Path) -> None:
    # Expression indexes (lower(email), migration 0003) cannot be reflected by
    # SQLAlchemy; everything else is compared.
    db = Database.open(tmp_path, lock=False)
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _include, "compare_type": True}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        db.close()
    assert diff == []


def test_every_record_type_has_a_local_table_and_search_index_unless_configuration() -> None:
    assert set(RECORD_MODELS) == set(RECORD_TYPES)
    for name, spec in RECORD_TYPES.items():
        if spec.admin_only or name == "campaign_member":
            continue
        assert name in FTS_TABLES, name


def test_schema_head_is_the_newest_migration() -> None:
    # Database.migrate skips alembic when a store is at SCHEMA_HEAD: a new migration
    # must move it, or stores would never be upgraded to it.
    assert SCHEMA_HEAD == migration_head()


def test_a_store_behind_is_migrated_and_one_at_head_is_left_alone(tmp_path: Path) -> None:
    old = Database(tmp_path / DB_FILENAME, lock=False)
    with old.engine.begin() as connection:  # a store as the previous release left it
        config = _alembic_config()  # noqa: SLF001
        config.attributes["connection"] = connection
        command.upgrade(config, "0017")
    old.close()
    db = Database.open(tmp_path, lock=False)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == SCHEMA_HEAD
        assert "merge_base" in {c[1] for c in connection.exec_driver_sql("PRAGMA table_info(pending_changes)")}
    db.close()
    with sqlite3.connect(tmp_path / DB_FILENAME) as raw:
        raw.execute("CREATE TABLE marker (id INTEGER)")
    Database.open(tmp_path, lock=False).close()  # at head: nothing runs, nothing is touched
    with sqlite3.connect(tmp_path / DB_FILENAME) as raw:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'marker'").fetchone() == (1,)
