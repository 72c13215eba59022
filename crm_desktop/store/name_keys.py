"""The comparison key of a record's name for duplicate checks.

``name_key`` folds away what two spellings of one name differ in: case
(``casefold``, so "ß" is "ss"), accents and other combining marks (Unicode
NFKD, marks dropped: "Müller" is "muller", "José" is "jose"; full-width
letters become plain ones), punctuation (to spaces) and runs of spaces.  Word
order is kept.

The store indexes it as ``crm_name_key(sort_key)`` (an expression index per
record table, migration 0013), so "same name" and the name-prefix blocks of
the fuzzy check find "Jose Garcia" for "José García".  ``crm_name_key`` is
registered on every connection with the search functions
(``store/search_index.register_functions``); it must never change its result
for a given text without a migration rebuilding those indexes.
"""

from __future__ import annotations

import re
import unicodedata

# ASCII: letters and digits stay (lower-cased), whitespace stays, anything else is a space.
_ASCII = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c).isspace())})
#: A text that is its own key: lower-case ASCII words of letters and digits, single spaces.
_OWN_KEY = re.compile("[a-z0-9]+(?: [a-z0-9]+)*").fullmatch


def name_key(text: str) -> str:
    """Casefolded, accents dropped, punctuation to spaces (word order kept)."""
    if _OWN_KEY(text):
        # Most sort keys (casefolded titles) are already keys: building the index
        # over them after a first sync of 100,000 contacts spends half as long here.
        return text
    if text.isascii():
        # The common case, ~10x faster than the general one (a million names in a migration).
        return " ".join(text.casefold().translate(_ASCII).split())
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(" " if not (c.isalnum() or c.isspace()) else c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def sql_name_key(value: object) -> str | None:
    """``crm_name_key(text)`` in SQL."""
    return None if value is None else name_key(str(value))


def tag_key(value: object) -> str | None:
    """``crm_tag_key(tag)``: the key of a tag in ``record_tags`` (casefolded, so "VIP" is "vip"
    and "Ärger" is "ärger")."""
    return None if value is None else str(value).casefold()
