"""How a person's name reads: family name first, no space, for Chinese, Japanese and Korean."""

from __future__ import annotations

import pytest

from crm_protocol.records import RECORD_TYPES, person_name


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "张", "张伟"),
        ("伟明", "张", "张伟明"),
        ("太郎", "山田", "山田太郎"),
        ("민준", "김", "김민준"),
        ("Wei", "Zhang", "Wei Zhang"),
        ("伟", "Zhang", "伟 Zhang"),  # mixed scripts: as entered
        (" Ann ", None, "Ann"),
        (None, "张", "张"),
        (None, None, ""),
    ],
)
def test_person_name(first: str | None, last: str | None, expected: str) -> None:
    assert person_name(first, last) == expected


def test_titles_of_contacts_and_leads_use_it() -> None:
    assert RECORD_TYPES["contact"].title({"first_name": "伟", "last_name": "张"}) == "张伟"
    assert RECORD_TYPES["lead"].title({"first_name": "伟", "last_name": "张", "company": "Acme"}) == "张伟"
    assert RECORD_TYPES["lead"].title({"company": "Acme"}) == "Acme"
