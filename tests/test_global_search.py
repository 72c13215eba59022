"""GlobalSearch: every record type, grouped; prefix, infix, Chinese, hostile input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_desktop.services import search as search_module
from crm_desktop.services.records import RecordService
from crm_desktop.services.search import GlobalSearch, SearchResult, searchable_types
from crm_desktop.store.db import Database
from crm_desktop.store.schema import FTS_TABLES


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path, lock=False)
    yield database
    database.close()


@pytest.fixture
def filled(db: Database) -> GlobalSearch:
    records = RecordService(db)
    acme = records.create("account", {"name": "Acme Robotics", "city": "Boston", "email": "info@acme.example"})
    records.create("account", {"name": "Johnson Tools", "city": "Denver"})
    records.create("contact", {"first_name": "John", "last_name": "Smith", "email": "john@acme.example",
                               "account_id": acme, "city": "Boston"})
    records.create("contact", {"first_name": "Ann", "last_name": "Johnson", "city": "Chicago"})
    records.create("contact", {"first_name": "伟", "last_name": "张", "city": "北京"})
    records.create("contact", {"first_name": "伟明", "last_name": "张", "city": "上海"})
    records.create("contact", {"first_name": "Zoë", "last_name": "Müller", "city": "Zürich"})
    return GlobalSearch(db)


def titles(result: SearchResult) -> dict[str, list[str]]:
    return {group.record_type: [hit.title for hit in group.hits] for group in result.groups}


def test_every_indexed_type_is_searched() -> None:
    assert set(searchable_types()) == set(FTS_TABLES)


def test_results_grouped_by_type(filled: GlobalSearch) -> None:
    result = filled.search("john")
    found = titles(result)
    assert set(found) == {"account", "contact"}
    assert found["account"] == ["Johnson Tools"]
    # The title starting with the query first, then the other matches.
    assert found["contact"] == ["John Smith", "Ann Johnson"]
    contact = next(g for g in result.groups if g.record_type == "contact")
    assert contact.total == 2 and not contact.more
    hit = contact.hits[0]
    assert hit.detail == "john@acme.example · Boston" and len(hit.record_id) == 36


def test_infix_prefix_and_short_terms(filled: GlobalSearch) -> None:
    assert titles(filled.search("ohnso")) == {"account": ["Johnson Tools"], "contact": ["Ann Johnson"]}
    assert titles(filled.search("bo")) == {"account": ["Acme Robotics"], "contact": ["John Smith"]}
    assert titles(filled.search("j s")) == {"contact": ["John Smith"]}
    assert titles(filled.search("mu")) == {"contact": ["Zoë Müller"]}  # accents fold for short terms
    assert titles(filled.search("zür")) == {"contact": ["Zoë Müller"]}
    assert titles(filled.search("xyz")) == {}


def test_two_chinese_characters(filled: GlobalSearch) -> None:
    # Family name first (crm_protocol.records.person_name), however the parts were entered.
    assert titles(filled.search("伟明")) == {"contact": ["张伟明"]}
    assert titles(filled.search("北京")) == {"contact": ["张伟"]}
    assert titles(filled.search("张")) == {"contact": ["张伟", "张伟明"]}  # titles starting so, in name order
    assert titles(filled.search("张伟明")) == {"contact": ["张伟明"]}
    assert titles(filled.search("张伟")) == {"contact": ["张伟", "张伟明"]}


def test_count_is_capped(filled: GlobalSearch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "COUNT_CAP", 1)
    contact = next(g for g in filled.search("john").groups if g.record_type == "contact")
    assert contact.more and contact.total >= 1
    assert len(filled.search("j", per_type=1).groups[0].hits) == 1


@pytest.mark.parametrize(
    "text",
    ['"', '""', "*", "NEAR", "NEAR(a b)", "-", "(", ")", ":", "^", "AND", "OR", "a OR b", "%", "_", "%_%",
     "'", "\x00", "a\x00bcd", "\ud800", "abc\udfff", "😀", "😀😀😀", "שלום עולם", "مرحبا", "\\", "\ue000\ue000jo",
     "'; DROP TABLE contacts; --", "col:abc", "{name}: x", "   ", "a" * 5000, '" * NEAR - ( ) : ^ AND OR'],
)
def test_hostile_text_is_searched_literally(filled: GlobalSearch, text: str) -> None:
    result = filled.search(text)
    for group in result.groups:
        assert group.hits and group.total >= len(group.hits)


def test_quotes_and_operators_match_literally(db: Database) -> None:
    records = RecordService(db)
    records.create("account", {"name": 'The "Best" Shop'})
    records.create("account", {"name": "R&D AND Sons"})
    records.create("account", {"name": "NEAR(a b) Ltd"})
    search = GlobalSearch(db)
    assert titles(search.search('"best"')) == {"account": ['The "Best" Shop']}
    assert titles(search.search("and sons")) == {"account": ["R&D AND Sons"]}
    assert titles(search.search("near(a")) == {"account": ["NEAR(a b) Ltd"]}


def test_other_record_types_join(db: Database) -> None:
    records = RecordService(db)
    account = records.create("account", {"name": "Globex"})
    records.create("opportunity", {"name": "Globex renewal", "account_id": account})
    found = titles(GlobalSearch(db).search("globex"))
    assert found["account"] == ["Globex"] and found["opportunity"] == ["Globex renewal"]
