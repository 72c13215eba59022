"""ListService: ordering, search (incl. hostile input), paging, tombstones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_desktop.services.lists import ListService, ListSpec, clean_search, fts_query
from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.schema import RECORD_MODELS
from crm_desktop.store.search_index import register_functions

OWNER = "0190a000-0000-7000-8000-000000000001"

NAMES = [
    ("Ada", "Lovelace", "ada@example.com", "London"),
    ("Alan", "Turing", "alan@example.com", "Manchester"),
    ("Grace", "Hopper", "grace@navy.mil", "Arlington"),
    ("Édith", "Piaf", "edith@example.fr", "Paris"),
    ("Linus", "Torvalds", None, "Portland"),
    ("Jo", "Smith", "jo.smith@example.com", "Boston"),
    ("Johanna", "Smithers", "jsmithers@example.com", "Boston"),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path, lock=False)
    yield database
    database.close()


@pytest.fixture(params=["indexed", "indexes deferred"])
def filled(db: Database, request: pytest.FixtureRequest) -> tuple[RecordService, ListService, dict[str, str]]:
    records = RecordService(db)
    ids: dict[str, str] = {}
    for first, last, email, city in NAMES:
        ids[last] = records.create(
            "contact", {"first_name": first, "last_name": last, "email": email, "city": city}
        )
    if request.param == "indexes deferred":
        # As during a first sync's bulk load (store/bulk_load.py): the lists
        # must give the same answers without their index hints.
        db.defer_indexes([model.__tablename__ for model in RECORD_MODELS.values()])
    return records, ListService(db), ids


def titles(lists: ListService, spec: ListSpec) -> list[str]:
    ids = lists.all_ids(spec)
    rows = lists.rows(spec.record_type, ids)
    return [rows[rid][2] for rid in ids]


def test_default_order_is_by_name(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    _, lists, _ = filled
    spec = ListSpec("contact")
    assert titles(lists, spec) == sorted(
        (f"{f} {last}" for f, last, _, _ in NAMES), key=str.casefold
    )
    assert lists.count(spec) == len(NAMES)
    assert lists.first_ids(spec, 3) == list(lists.all_ids(spec))[:3]
    descending = ListSpec("contact", descending=True)
    assert titles(lists, descending) == titles(lists, spec)[::-1]


def test_sort_by_email_and_updated(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    records, lists, ids = filled
    by_email = titles(lists, ListSpec("contact", sort="email"))
    assert by_email[0] == "Linus Torvalds"  # no email sorts first
    records.update("contact", ids["Hopper"], {"title": "Rear Admiral"})
    newest = titles(lists, ListSpec("contact", sort="updated_at", descending=True))
    assert newest[0] == "Grace Hopper"
    with pytest.raises(ValueError):
        lists.count(ListSpec("contact", sort="notes"))
        lists.first_ids(ListSpec("contact", sort="notes"), 5)


def test_search_long_terms_use_full_text(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    _, lists, _ = filled
    assert titles(lists, ListSpec("contact", search="smith")) == ["Jo Smith", "Johanna Smithers"]
    assert titles(lists, ListSpec("contact", search="SMITH boston")) == ["Jo Smith", "Johanna Smithers"]
    assert titles(lists, ListSpec("contact", search="navy")) == ["Grace Hopper"]
    assert titles(lists, ListSpec("contact", search="édith")) == ["Édith Piaf"]
    assert titles(lists, ListSpec("contact", search="smith ers")) == ["Johanna Smithers"]
    assert lists.count(ListSpec("contact", search="smith")) == 2
    # Few matches: counted exactly and sorted whole at once.
    page = lists.first_page(ListSpec("contact", search="example"), 2)
    assert page.count == 5 and len(page.ids) == 5 and page.complete and page.exact


def test_one_letter_is_a_name_prefix(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    _, lists, _ = filled
    assert titles(lists, ListSpec("contact", search="a")) == ["Ada Lovelace", "Alan Turing"]
    assert titles(lists, ListSpec("contact", search="T")) == []
    page = lists.first_page(ListSpec("contact", search="j"), 1)
    assert page.count == 2 and page.ids == lists.first_ids(ListSpec("contact", search="j"), 1)


def test_short_terms_match_word_prefixes(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    _, lists, _ = filled
    assert titles(lists, ListSpec("contact", search="Jo")) == ["Jo Smith", "Johanna Smithers"]
    assert titles(lists, ListSpec("contact", search="to")) == ["Linus Torvalds"]
    assert titles(lists, ListSpec("contact", search="jo s")) == ["Jo Smith", "Johanna Smithers"]
    assert titles(lists, ListSpec("contact", search="jo sm bo")) == ["Jo Smith", "Johanna Smithers"]
    # Accents and case fold away; a word inside an e-mail address counts.
    assert titles(lists, ListSpec("contact", search="ED")) == ["Édith Piaf"]
    assert titles(lists, ListSpec("contact", search="na")) == ["Grace Hopper"]
    # Not a word start: no match (three letters would match anywhere).
    assert titles(lists, ListSpec("contact", search="ov")) == []
    assert titles(lists, ListSpec("contact", search="ove")) == ["Ada Lovelace"]
    assert titles(lists, ListSpec("contact", search="boston ha")) == []


def test_two_chinese_characters_are_found(db: Database) -> None:
    records = RecordService(db)
    records.create("contact", {"first_name": "伟", "last_name": "张", "city": "北京"})
    records.create("contact", {"first_name": "伟明", "last_name": "张", "city": "上海"})
    records.create("contact", {"first_name": "张伟", "last_name": "李", "city": "上海"})
    records.create("contact", {"first_name": "Wei", "last_name": "Zhang", "city": "北京市"})
    lists = ListService(db)
    # CJK names read family name first, with no space (crm_protocol.records.person_name).
    assert titles(lists, ListSpec("contact", search="张伟")) == ["张伟", "张伟明", "李张伟"]
    assert titles(lists, ListSpec("contact", search="伟明")) == ["张伟明"]
    assert titles(lists, ListSpec("contact", search="张伟明")) == ["张伟明"]
    assert titles(lists, ListSpec("contact", search="北京")) == ["Wei Zhang", "张伟"]
    assert titles(lists, ListSpec("contact", search="上")) == ["张伟明", "李张伟"]
    assert titles(lists, ListSpec("contact", search="北京市")) == ["Wei Zhang"]
    assert titles(lists, ListSpec("contact", search="李 上海")) == ["李张伟"]


def test_cjk_names_indexed_before_family_first_order_are_migrated(tmp_path: Path) -> None:
    """A store from before migration 0017 holds "伟 张" in its index and sort key: upgraded, 张伟 is found."""
    import sqlite3

    from alembic import command

    from crm_desktop.store.db import DB_FILENAME, _alembic_config

    db = Database(tmp_path / DB_FILENAME, lock=False)
    with db.engine.begin() as connection:
        config = _alembic_config()  # noqa: SLF001 - a store as an older app left it
        config.attributes["connection"] = connection
        command.upgrade(config, "0016")
    db.close()
    raw = sqlite3.connect(tmp_path / DB_FILENAME)
    register_functions(raw)
    raw.executemany(
        "INSERT INTO contacts (id, first_name, last_name, city, shared, dirty, deleted, sort_key, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        [("00000000-0000-7000-8000-000000000001", "伟", "张", "北京", "伟 张"),
         ("00000000-0000-7000-8000-000000000002", "Ann", "Lee", "Oslo", "ann lee")],
    )
    raw.commit()
    raw.close()
    db = Database.open(tmp_path, lock=False)
    try:
        lists = ListService(db)
        assert titles(lists, ListSpec("contact", search="张伟")) == ["张伟"]
        assert titles(lists, ListSpec("contact", search="北京")) == ["张伟"]
        assert titles(lists, ListSpec("contact")) == ["Ann Lee", "张伟"]
        # The index's old tokens went out with the rename: an edit now leaves no stale match.
        RecordService(db).update("contact", "00000000-0000-7000-8000-000000000001", {"city": "上海"})
        assert titles(lists, ListSpec("contact", search="北京")) == []
        assert titles(lists, ListSpec("contact", search="上海")) == ["张伟"]
    finally:
        db.close()


@pytest.mark.parametrize(
    "text",
    ['"', '""', "*", "NEAR", "NEAR(a b)", "-", "%", "_", "%_%", "a OR b", "\x00", "a\x00bcd",
     "😀", "😀😀😀", "שלום עולם", "\ud800abc", "\\", "'; DROP TABLE contacts; --", "^abc", "col:abc",
     "   ", "a" * 5000],
)
def test_hostile_search_never_raises(
    filled: tuple[RecordService, ListService, dict[str, str]], text: str
) -> None:
    _, lists, _ = filled
    spec = ListSpec("contact", search=text)
    count = lists.count(spec)
    assert count == len(lists.all_ids(spec))
    assert lists.first_page(spec, 3).count == count
    assert lists.count(ListSpec("contact")) == len(NAMES)


def test_percent_and_underscore_are_literal(db: Database) -> None:
    records = RecordService(db)
    records.create("account", {"name": "100% Juice"})
    records.create("account", {"name": "1000 Lakes"})
    records.create("account", {"name": "a_b Corp"})
    records.create("account", {"name": "axb Corp"})
    lists = ListService(db)
    assert titles(lists, ListSpec("account", search="10")) == ["100% Juice", "1000 Lakes"]
    assert titles(lists, ListSpec("account", search="100%")) == ["100% Juice"]
    assert titles(lists, ListSpec("account", search="a_b")) == ["a_b Corp"]
    assert titles(lists, ListSpec("account", search="%")) == []
    assert titles(lists, ListSpec("account", search="_")) == []
    # Shorter than three characters, punctuation separates words.
    assert titles(lists, ListSpec("account", search="a_")) == ["a_b Corp", "axb Corp"]
    assert titles(lists, ListSpec("account", search="%_")) == []


def test_quotes_in_search_are_matched_literally(db: Database) -> None:
    records = RecordService(db)
    records.create("account", {"name": 'The "Best" Shop'})
    lists = ListService(db)
    assert titles(lists, ListSpec("account", search='"best"')) == ['The "Best" Shop']
    assert fts_query(['a"b', "NEAR"]) == '"a""b" AND "NEAR"'
    assert clean_search(" a\x00b \ud800 ") == "a b"


def test_deleted_rows_are_excluded(filled: tuple[RecordService, ListService, dict[str, str]]) -> None:
    records, lists, ids = filled
    rid = lists.rid_of("contact", ids["Turing"])
    assert rid is not None
    # Make it a synced record so delete leaves a tombstone rather than removing it.
    with records._db.session() as session:  # noqa: SLF001 - test setup
        session.connection().exec_driver_sql(
            "UPDATE contacts SET server_rev = 1, dirty = 0 WHERE rid = ?", (rid,)
        )
        session.connection().exec_driver_sql("DELETE FROM pending_changes")
    records.delete("contact", ids["Turing"])
    assert "Alan Turing" not in titles(lists, ListSpec("contact"))
    assert lists.count(ListSpec("contact")) == len(NAMES) - 1
    assert lists.count(ListSpec("contact", search="turing")) == 0
    assert lists.count(ListSpec("contact", search="al")) == 0
    assert lists.rows("contact", [rid]) == {}
    assert lists.rid_of("contact", ids["Turing"]) is None


def test_rows_show_account_owner_and_dirty(db: Database) -> None:
    records = RecordService(db)
    with db.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO users (id, email, name) VALUES (?, 'o@example.com', 'Olga Owner')", (OWNER,)
        )
    account = records.create("account", {"name": "Acme", "owner_id": OWNER})
    contact = records.create(
        "contact", {"first_name": "Wile", "last_name": "Coyote", "account_id": account, "owner_id": OWNER,
                    "title": "Genius", "phone": "+1 415 555 2671"}
    )
    lists = ListService(db)
    rid = lists.rid_of("contact", contact)
    assert rid is not None
    row = lists.rows("contact", [rid])[rid]
    assert row[:9] == (contact, True, "Wile Coyote", "Acme", "Genius", None, "+1 415 555 2671", None,
                       "Olga Owner")
    assert row[9]  # updated_at
    only = ListSpec("contact", account_id=account)
    assert lists.count(only) == 1 and list(lists.all_ids(only)) == [rid]
    assert lists.count(ListSpec("contact", account_id="nope")) == 0
    assert lists.position(ListSpec("contact"), rid) == 0


def test_many_matches_path_agrees_with_few_matches_path(
    filled: tuple[RecordService, ListService, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lists, _ = filled
    for spec in (
        ListSpec("contact", search="example", sort="email", descending=True),
        ListSpec("contact", search="example bo"),
        ListSpec("contact", search="smith"),
        ListSpec("contact", search="ed"),
    ):
        monkeypatch.setattr("crm_desktop.services.lists.COUNT_CAP", 5_000)
        few = lists.first_page(spec, 3)
        assert few.complete and few.exact
        # Many matches: estimated count, first page by walking the sort index...
        monkeypatch.setattr("crm_desktop.services.lists.COUNT_CAP", 0)
        monkeypatch.setattr("crm_desktop.services.lists.WALK_BUDGET", 1_000_000)
        many = lists.first_page(spec, 3)
        assert many.ids == few.ids[:3] and not many.complete and not many.exact
        # ... or, when the walk gives up, by sorting every match.
        monkeypatch.setattr("crm_desktop.services.lists.WALK_BUDGET", 0)
        assert lists.first_page(spec, 3).ids == few.ids[:3]
        assert list(lists.all_ids(spec)) == few.ids


def test_fast_count_agrees_with_counting_rows(
    filled: tuple[RecordService, ListService, dict[str, str]]
) -> None:
    records, lists, ids = filled
    records.delete("contact", ids["Piaf"])
    with records._db.session() as session:  # noqa: SLF001 - test check
        slow = session.connection().exec_driver_sql(
            "SELECT count(*) FROM contacts WHERE deleted = 0"
        ).scalar_one()
    assert lists.count(ListSpec("contact")) == slow == len(NAMES) - 1
    assert lists.count(ListSpec("account")) == 0


@pytest.mark.parametrize("budget", [1, 3, 50_000])
def test_budget_walk_keeps_the_order(
    db: Database, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    records = RecordService(db)
    for i in range(30):
        records.create("contact", {"first_name": f"Name{i:02d}", "last_name": "Example" if i % 3 else "Other"})
    lists = ListService(db)
    spec = ListSpec("contact", search="example", descending=True)
    expected = list(lists.all_ids(spec))[:5]
    monkeypatch.setattr("crm_desktop.services.lists.COUNT_CAP", 0)
    monkeypatch.setattr("crm_desktop.services.lists.WALK_BUDGET", budget)
    assert lists.first_ids(spec, 5) == expected
    assert lists.first_page(spec, 5).ids == expected


@pytest.mark.parametrize(
    ("sort", "descending", "walked"),
    [("name", False, True), ("name", True, True), ("updated_at", False, True), ("updated_at", True, True),
     ("email", False, False)],  # email may be NULL: no row-value bound, the matches are sorted
)
def test_bounded_walk_keeps_the_order(
    db: Database, monkeypatch: pytest.MonkeyPatch, sort: str, descending: bool, walked: bool
) -> None:
    records = RecordService(db)
    ids = [
        records.create("contact", {"first_name": f"{'ABCDEFGH'[i % 8]}name{i:02d}",
                                   "last_name": "Example" if i % 3 else "Other",
                                   "email": f"p{(i * 7) % 40:02d}@example.org" if i % 5 else None})
        for i in range(40)
    ]
    for record_id in ids[4:9]:
        records.delete("contact", record_id)
    lists = ListService(db)
    spec = ListSpec("contact", search="example", sort=sort, descending=descending)
    expected = list(lists.all_ids(spec))[:5]
    results: list[list[int]] = []
    original = ListService._bounded_walk  # noqa: SLF001 - white-box check of the path taken

    def spy(self: ListService, *args: object, **kwargs: object) -> list[int]:
        results.append(original(self, *args, **kwargs))
        return results[-1]

    monkeypatch.setattr(ListService, "_bounded_walk", spy)
    monkeypatch.setattr("crm_desktop.services.lists.COUNT_CAP", 0)
    monkeypatch.setattr("crm_desktop.services.lists.WALK_BUDGET", 0)
    monkeypatch.setattr("crm_desktop.services.lists.BOUNDED_WALK_MIN", 0)
    monkeypatch.setattr("crm_desktop.services.lists.BOUNDED_WALK_RATIO", 1e9)
    monkeypatch.setattr("crm_desktop.services.lists._MATCH_SAMPLE", 12)
    assert lists.first_page(spec, 5).ids == expected
    assert bool(results and results[-1]) is walked
    # A wrong guess of where the matches lie costs time, never rows: the bound keeps it exact.
    monkeypatch.setattr("crm_desktop.services.lists._ROW_SAMPLE", 1)
    assert lists.first_page(spec, 5).ids == expected
    # Fewer sampled matches than a page: the matches are sorted instead.
    monkeypatch.setattr("crm_desktop.services.lists._MATCH_SAMPLE", 3)
    assert lists.first_page(spec, 5).ids == expected and results[-1] == []


def test_pulled_rows_are_searchable_when_the_newest_row_was_deleted(db: Database) -> None:
    from datetime import UTC, datetime

    from crm_protocol.wire import RecordState
    from sync.replica import Replica

    records = RecordService(db)
    first = records.create("account", {"name": "Alpha Works"})
    newest = records.create("account", {"name": "Beta Works"})
    with db.session() as session:  # both synced: no local changes
        session.connection().exec_driver_sql("UPDATE accounts SET server_rev = 1, dirty = 0")
        session.connection().exec_driver_sql("DELETE FROM pending_changes")
    stamp = datetime(2026, 1, 2, tzinfo=UTC)
    fresh = "01a00000-0000-7000-8000-0000000000ff"
    # One page deletes the newest row (SQLite may give its rid to the next
    # insert) and brings a new one: the new one must still be indexed.
    Replica(db).apply_pull_page([
        RecordState(type="account", id=newest, rev=2, deleted=True, data={"name": "Beta Works"}, updated_at=stamp),
        RecordState(type="account", id=fresh, rev=3, data={"name": "Gamma Works"}, updated_at=stamp),
        RecordState(type="account", id=first, rev=4, data={"name": "Alpha Renamed"}, updated_at=stamp),
    ], 4)
    lists = ListService(db)
    assert titles(lists, ListSpec("account", search="gamma")) == ["Gamma Works"]
    assert titles(lists, ListSpec("account", search="works")) == ["Gamma Works"]
    assert titles(lists, ListSpec("account", search="alpha")) == ["Alpha Renamed"]
    assert titles(lists, ListSpec("account", search="be")) == []


def test_email_sorts_without_regard_to_case(db: Database) -> None:
    """One COLLATE NOCASE index orders the list by email and answers duplicate checks (migration 0016)."""
    records = RecordService(db)
    for first, email in (("Bea", "B@example.org"), ("Al", "a@example.org"), ("Cy", "c@example.org")):
        records.create("contact", {"first_name": first, "email": email})
    lists = ListService(db)
    assert titles(lists, ListSpec("contact", sort="email")) == ["Al", "Bea", "Cy"]
    assert titles(lists, ListSpec("contact", sort="email", descending=True)) == ["Cy", "Bea", "Al"]
    assert titles(lists, ListSpec("contact", sort="email", search="example")) == ["Al", "Bea", "Cy"]
