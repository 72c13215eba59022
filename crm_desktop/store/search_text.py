"""How record text is indexed for search, and how a typed query becomes an FTS5 match.

Each record type has one contentless FTS5 table with the trigram tokenizer
(migration 0004).  Its columns are the searched fields, plus one more,
``words``, filled by :func:`search_words` (registered in SQLite as
``crm_words``):

* a term of three characters or more is matched anywhere (infix) in the
  searched fields: the trigram tokenizer finds any substring of >= 3
  characters;
* a shorter term is matched against ``words``, which holds, for every word of
  the record, a marker (two private-use characters) and the word's first two
  letters, case- and accent-folded, and every CJK character as a word of its
  own.  ``"jo"`` becomes the trigram string ``MARK + "jo"`` (three characters
  or more, so the trigram index answers it) and finds words starting with
  "jo"; ``"张伟"`` becomes ``MARK 张 MARK 伟`` and finds the two characters
  side by side, wherever they stand in a CJK run.  Chinese is written without
  spaces, so every character is a word start: a two-character Chinese name is
  an exact index lookup, at the speed of any other term.

One index, one ``MATCH`` per query, so FTS5 intersects all terms of a query
itself (two separate indexes joined in SQL were 100x slower).  User text
reaches FTS5 only inside double-quoted strings (quotes doubled), so query
syntax characters are always searched literally.

:func:`row_matches` (``crm_match`` in SQLite) answers the same question for a
single row from its column values; the list service uses it where checking a
few thousand rows in index order beats collecting every match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import orjson

#: Starts every entry of the ``words`` column.  Private-use characters never
#: typed in a query (they are removed from it), so no query of three or more
#: characters can match inside ``words`` by accident.
MARK = "\ue000\ue000"

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\U00020000-\U0003ffff"  # CJK extensions
)
_CJK_RE = re.compile(f"[{_CJK}]")
#: A word: one CJK character, or a run of letters and digits that are not CJK.
_WORD_RE = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_SPACE_RE = re.compile(r"\s+")
#: Combining marks (the accents NFKD splits off): the blocks Latin, Greek and
#: Cyrillic text uses.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
#: Control characters, and the private-use markers of ``words``.
_DROP_RE = re.compile("[\x00-\x1f\x7f\ue000]")

#: Terms shorter than this go to ``words`` (the trigram tokenizer cannot see them).
TRIGRAM_MIN = 3


def fold(text: str) -> str:
    """Lower case without accents (what ``words`` stores and short terms are compared in)."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def is_cjk(token: str) -> bool:
    """One CJK character (a word of its own)."""
    return len(token) == 1 and _CJK_RE.match(token) is not None


_ASCII_WORD_RE = re.compile("[a-z0-9]+")
#: The first (up to) two characters of each run of ``_ASCII_WORD_RE``.
_ASCII_PREFIX_RE = re.compile("(?<![a-z0-9])[a-z0-9]{1,2}")
_LETTERS_RE = re.compile(r"[^\W_]+")


def search_words(*texts: str | None) -> str:
    """The ``words`` column of a record whose searched fields are ``texts``."""
    text = " ".join([t for t in texts if t])
    if text.isascii():
        # The common case, and it runs for every record indexed (a first sync:
        # every pulled record): no CJK, no accents, words are runs of letters
        # and digits, and the regex finds their first two characters itself.
        prefixes = dict.fromkeys(_ASCII_PREFIX_RE.findall(text.lower()))
        return MARK + MARK.join(prefixes) if prefixes else ""
    folded = fold(text)
    if not _CJK_RE.search(folded):
        # Accented Latin, Greek, Cyrillic...: words as above, after folding.
        prefixes = dict.fromkeys(token[:2] for token in _LETTERS_RE.findall(folded))
        return MARK + MARK.join(prefixes) if prefixes else ""
    out: list[str] = []
    seen: set[str] = set()
    if folded:
        for token in _WORD_RE.findall(folded):
            if is_cjk(token):
                # Kept in order and repeated: phrases of CJK characters need them side by side.
                out.append(MARK + token)
                continue
            prefix = token[:2]
            if prefix not in seen:
                seen.add(prefix)
                out.append(MARK + prefix)
    return "".join(out)


def clean_query(text: str) -> str:
    """Drop what can never match (control characters, lone surrogates, markers)."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") if text else ""
    text = _DROP_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class SearchQuery:
    """A typed query, ready for the index.

    ``match`` is the FTS5 expression (every term, AND-ed); ``None`` when
    nothing searchable is left (e.g. only punctuation shorter than three
    characters): such a query matches no record.
    """

    text: str
    match: str | None
    #: folded terms matched as substrings of the searched fields
    infix: tuple[str, ...]
    #: encoded terms matched as substrings of ``words``
    words: tuple[str, ...]

    @property
    def check(self) -> str:
        """The argument :func:`row_matches` takes for this query."""
        return orjson.dumps([self.infix, self.words]).decode()

    def sql_check(self, fields: str) -> tuple[str, tuple[str, ...]]:
        """SQL testing one row (its searched fields joined, as ``fields``) like the index.

        A row of ASCII text is tested in plain SQL (``instr`` for infix
        terms, ``GLOB`` for word starts: exact for ASCII, and ten times
        cheaper than calling Python); any other row by ``crm_match``.
        """
        latin = [w[len(MARK):] for w in self.words]
        if any(w.count(MARK) != 1 for w in self.words) or not all(t.isascii() and t.isalnum() for t in latin):
            return f"crm_match(?, {fields})", (self.check,)
        tests = [f"instr(lower({fields}), ?) > 0" for _ in self.infix]
        tests += [f"(char(31) || lower({fields})) GLOB ?" for _ in latin]
        params = (*self.infix, *(f"*[^a-z0-9]{t}*" for t in latin))
        ascii_only = f"length({fields}) = length(CAST({fields} AS BLOB))"
        return (
            f"CASE WHEN {ascii_only} THEN {' AND '.join(tests) or '1'} ELSE crm_match(?, {fields}) END",
            (*params, self.check),
        )


def parse_query(text: str) -> SearchQuery | None:
    """``None`` for an empty query (no filter at all)."""
    cleaned = clean_query(text)
    if not cleaned:
        return None
    parts: list[str] = []
    infix: list[str] = []
    words: list[str] = []
    for term in dict.fromkeys(cleaned.split(" ")):
        if len(term) >= TRIGRAM_MIN:
            parts.append(_quote(term))
            infix.append(term.lower())
            continue
        tokens = _WORD_RE.findall(fold(term))
        if not tokens:
            continue  # punctuation only: nothing a word index can find
        encoded = "".join(MARK + (t if is_cjk(t) else t[:2]) for t in tokens)
        parts.append(_quote(encoded))
        words.append(encoded)
    if not parts:
        return SearchQuery(cleaned, None, (), ())
    return SearchQuery(cleaned, " AND ".join(parts), tuple(infix), tuple(words))


#: Joins a row's searched fields for :func:`row_matches` (never in a query).
FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class _Check:
    infix: tuple[str, ...]
    words: tuple[str, ...]
    #: For ASCII rows and Latin short terms: "a word starts with the term".
    ascii_words: tuple[re.Pattern[str], ...] | None


@functools.lru_cache(maxsize=64)
def _parsed_check(check: str) -> _Check:
    infix, words = orjson.loads(check)
    latin = [w[len(MARK):] for w in words]
    ascii_words = None
    if all(w.count(MARK) == 1 and w[len(MARK):].isascii() for w in words):
        # A word is a run of letters and digits: in ASCII text it starts
        # where no letter or digit precedes.
        ascii_words = tuple(re.compile(f"(?<![a-z0-9]){re.escape(t)}") for t in latin)
    return _Check(tuple(infix), tuple(words), ascii_words)


def row_matches(check: str, fields: str | None) -> bool:
    """Whether a row matches (``SearchQuery.check``) in the index's terms.

    ``fields`` are the row's searched fields joined by ``FIELD_SEPARATOR``,
    so no term matches across two fields, as in the index.  Called for every
    row a list walks past, so the common case (ASCII text) avoids building
    the row's ``words``.
    """
    if not fields:
        return False
    parsed = _parsed_check(check)
    lowered = fields.lower()
    for term in parsed.infix:
        if term not in lowered:
            return False
    if parsed.words:
        if parsed.ascii_words is not None and fields.isascii():
            return all(pattern.search(lowered) for pattern in parsed.ascii_words)
        encoded = search_words(fields)
        return all(term in encoded for term in parsed.words)
    return True
