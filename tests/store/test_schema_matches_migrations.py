"""The ORM classes (hand-written and generated from the specs) match the migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crm_desktop.store.db import Database
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
