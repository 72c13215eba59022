"""Duplicate detection: exact keys, fuzzy names, indexes used for the look-ups."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from crm_desktop.context import AppContext
from crm_desktop.services.duplicates import name_key
from crm_desktop.store import name_keys


def test_same_email_phone_and_fuzzy_name(context: AppContext) -> None:
    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "Ann@Example.com",
                                             "phone": "(415) 555-0132"})
    jon = context.records.create("contact", {"first_name": "Jonathan", "last_name": "Smithers"})
    context.records.create("contact", {"first_name": "Someone", "last_name": "Else"})

    by_email = context.duplicates.find("contact", {"first_name": "X", "email": "ann@example.com"})
    assert [(m.record_id, m.reasons) for m in by_email] == [(ann, ("same email",))]
    assert by_email[0].certain and by_email[0].title == "Ann Lee"

    by_phone = context.duplicates.find("contact", {"last_name": "Q", "mobile": "+1 415-555-0132"})
    assert [(m.record_id, m.reasons) for m in by_phone] == [(ann, ("same phone",))]

    by_name = context.duplicates.find("contact", {"first_name": "Jonathon", "last_name": "Smithers"})
    assert [m.record_id for m in by_name] == [jon]
    assert by_name[0].reasons[0].startswith("similar name") and not by_name[0].certain

    swapped = context.duplicates.find("contact", {"first_name": "Lee", "last_name": "Ann"})
    assert [m.record_id for m in swapped] == [ann]

    assert context.duplicates.find("contact", {"first_name": "Totally", "last_name": "Different"}) == []
    # Editing a record does not find the record itself.
    assert context.duplicates.find("contact", {"first_name": "Ann", "last_name": "Lee"}, exclude_id=ann) == []


def test_invalid_values_are_skipped_not_raised(context: AppContext) -> None:
    context.records.create("contact", {"first_name": "Ann", "last_name": "Lee"})
    found = context.duplicates.find("contact", {"first_name": "Ann", "last_name": "Lee", "email": "nope",
                                                "phone": "12"})
    assert [m.reasons for m in found] == [("same name",)]


def test_deleted_records_are_not_duplicates(context: AppContext) -> None:
    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "email": "a@x.example"})
    context.records.delete("contact", ann)
    assert context.duplicates.find("contact", {"email": "a@x.example", "first_name": "Ann"}) == []


def test_accounts_by_name_and_website_fields(context: AppContext) -> None:
    acme = context.records.create("account", {"name": "Acme Incorporated", "phone": "(212) 555-0100"})
    found = context.duplicates.find("account", {"name": "ACME Incorporated"})
    assert [(m.record_id, m.reasons[0]) for m in found] == [(acme, "same name")]
    assert context.duplicates.find("account", {"name": "Other", "phone": "212 555 0100"})[0].record_id == acme


def test_lookups_use_indexes(context: AppContext) -> None:
    with context.db.session() as session:
        conn = session.connection()
        checks = [("contacts", c, c) for c in ("phone_e164", "mobile_e164", "sort_key")]
        checks += [("contacts", c, f"{c} COLLATE NOCASE") for c in ("email", "email2")]
        checks += [("accounts", "email", "email COLLATE NOCASE"), ("accounts", "phone_e164", "phone_e164")]
        for table, column, expression in checks:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE deleted = 0 AND {column} IS NOT NULL "
                f"AND {expression} IN (?, ?)", ("a", "b")))
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (column, plan)


def test_name_key() -> None:
    assert name_key("  Jürgen   MÜLLER-Lüdenscheid ") == "jurgen muller ludenscheid"


def test_accent_only_differences_are_the_same_name(context: AppContext) -> None:
    muller = context.records.create("contact", {"first_name": "Hans", "last_name": "Müller"})
    jose = context.records.create("contact", {"first_name": "José", "last_name": "García"})
    zoe = context.records.create("contact", {"first_name": "Zoë", "last_name": "O'Brien-Smith"})
    for typed, expected in ((("Hans", "Muller"), muller), (("Jose", "Garcia"), jose), (("JOSÉ", "GARCIA"), jose),
                            (("Zoe", "O Brien Smith"), zoe)):
        found = context.duplicates.find("contact", {"first_name": typed[0], "last_name": typed[1]})
        assert [(m.record_id, m.reasons[0]) for m in found] == [(expected, "same name")], typed
    # The other way round, and a typo on top of the accent: fuzzy.
    plain = context.records.create("contact", {"first_name": "Rene", "last_name": "Descartes"})
    found = context.duplicates.find("contact", {"first_name": "René", "last_name": "Descarte"})
    assert [m.record_id for m in found] == [plain]
    assert found[0].reasons[0].startswith("similar name")
    cafe = context.records.create("account", {"name": "Café Crème"})
    assert context.duplicates.find("account", {"name": "cafe creme"})[0].record_id == cafe


def test_name_key_lookups_use_the_expression_index(context: AppContext) -> None:
    with context.db.session() as session:
        conn = session.connection()
        for table in ("contacts", "accounts", "leads"):
            for where in ("crm_name_key(sort_key) IN (?, ?)",
                          "crm_name_key(sort_key) >= ? AND crm_name_key(sort_key) < ?"):
                plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE deleted = 0 AND {where}", ("a", "b")))
                assert f"ix_{table}_name_key" in plan, plan


def _general_name_key(text: str) -> str:
    """``name_key`` without its shortcut for texts that are their own key (its general steps)."""
    if text.isascii():
        return " ".join(text.casefold().translate(name_keys._ASCII).split())
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(" " if not (c.isalnum() or c.isspace()) else c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.split())


@given(st.one_of(
    st.text(alphabet="abz09 ", max_size=12),
    st.text(alphabet="aZ9 -'.\t\u00e9\u5f20", max_size=12),
    st.text(max_size=12),
))
def test_a_text_that_is_its_own_name_key_takes_the_shortcut_to_the_same_key(text: str) -> None:
    assert name_key(text) == _general_name_key(text)


def test_name_key_is_the_same_in_sql() -> None:
    from crm_desktop.store.name_keys import sql_name_key

    for text in ("Straße", "ＡＢＣ Ltd.", "张伟", "Ørsted A/S", "  a\tb  "):
        assert sql_name_key(text) == name_key(text)
    assert name_key("Straße") == "strasse" and name_key("ＡＢＣ Ltd.") == "abc ltd"
    assert sql_name_key(None) is None
