"""The benchmark profiles: every searchable type in its share, searchable, keyed on the schema revision."""

from __future__ import annotations

from pathlib import Path

from bench.data import LIST_TYPES, build_lists_profile, build_mixed_profile, build_profile, mixed_counts
from crm_desktop.context import AppContext
from crm_desktop.services.lists import ListSpec
from crm_desktop.services.search import searchable_types
from crm_desktop.store.db import PAGE_SIZE, migration_head


def test_mixed_profile_holds_every_searchable_type_indexed(tmp_path: Path) -> None:
    counts = mixed_counts(3_000)
    assert sum(counts.values()) == 3_000
    assert set(counts) == set(searchable_types())
    folder = build_mixed_profile(3_000, cache=tmp_path)
    assert folder.name == f"mixed-3000-rev{migration_head()}-p{PAGE_SIZE}"
    context = AppContext.open(folder, lock=False)
    try:
        for record_type, count in counts.items():
            assert context.lists.count(ListSpec(record_type)) == count
            # The index was filled in bulk: every row is found by its own name.
            rid = context.lists.first_ids(ListSpec(record_type), 1)[0]
            name = context.lists.rows(record_type, [rid])[rid][2]
            assert rid in context.lists.all_ids(ListSpec(record_type, search=str(name)))
        # Chinese names (entered whole) and subjects naming them are found by the 2-character name.
        groups = context.search.search("张伟").groups
        assert {"lead", "activity"} <= {group.record_type for group in groups}
        assert all("张伟" in hit.title for group in groups for hit in group.hits)
    finally:
        context.close()


def test_profiles_are_cached_and_rebuilt_for_a_new_schema(tmp_path: Path) -> None:
    outdated = tmp_path / "lists-400-rev0001"
    outdated.mkdir()
    (outdated / "complete").write_text("ok")
    unkeyed = tmp_path / "profile-400"  # the folders of before the keying
    unkeyed.mkdir()
    folder = build_lists_profile(400, cache=tmp_path)
    assert not outdated.exists() and not unkeyed.exists()
    built = (folder / "crm.db").stat().st_mtime_ns
    assert build_lists_profile(400, cache=tmp_path) == folder
    assert (folder / "crm.db").stat().st_mtime_ns == built
    context = AppContext.open(folder, lock=False)
    try:
        for record_type in LIST_TYPES:
            assert context.lists.count(ListSpec(record_type)) == 400
    finally:
        context.close()
    contacts = build_profile(500, cache=tmp_path)
    assert contacts.name == f"contacts-500-rev{migration_head()}-p{PAGE_SIZE}"
    context = AppContext.open(contacts, lock=False)
    try:
        assert context.lists.count(ListSpec("contact")) == 500
        assert context.lists.count(ListSpec("contact", search="example")) == 500
    finally:
        context.close()
