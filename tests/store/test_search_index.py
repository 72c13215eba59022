"""The search index's Python twins give exactly what its SQL expressions give.

A pulled page's index entries are made in Python (``prepare_pull_page``);
removing or replacing an entry later recomputes it in SQL.  The index is
contentless, so the two must agree to the character, or stale tokens remain.
"""

from __future__ import annotations

import re
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop.store.schema import FTS_TABLES
from crm_desktop.store.search_index import (
    fts_columns,
    fts_values_function,
    register_functions,
    staged_columns_function,
    staged_positions,
)

_FIELD_RE = re.compile(r"new\.(\w+)")

#: Text as users and imports produce it: spaces at either end, other white
#: space, accents, CJK, right-to-left, emoji, empty and missing values.
_texts = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from([" ", "  Ada ", "\tTab", "Line\nbreak", "\u00a0nbsp\u00a0", "张", "伟", "Müller", "O'Brien",
                     "שלום", "🙂 emoji", "a-b_c%d", '" * NEAR -']),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)


def sql_values(connection: sqlite3.Connection, record_type: str, data: dict[str, object]) -> tuple[object, ...]:
    exprs = [_FIELD_RE.sub(lambda m: f":{m[1]}", expr) for _, expr in fts_columns(record_type)]
    fields = {name for expr in exprs for name in re.findall(r":(\w+)", expr)}
    row = connection.execute(f"SELECT {', '.join(exprs)}", {name: data.get(name) for name in fields}).fetchone()
    return tuple(row)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_python_twins_match_the_sql_expressions(data: st.DataObject) -> None:
    connection = sqlite3.connect(":memory:")
    register_functions(connection)
    for record_type in FTS_TABLES:
        fields = {name for _, expr in fts_columns(record_type) for name in _FIELD_RE.findall(expr)}
        record = {name: data.draw(_texts, label=f"{record_type}.{name}") for name in sorted(fields)}
        assert fts_values_function(record_type)(record) == sql_values(connection, record_type, record), record_type
    connection.close()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_staged_values_of_many_records_are_those_of_each_record(data: st.DataObject) -> None:
    # The column path makes ``words`` from the fields, not from the texts of plain SQL columns.
    for record_type in FTS_TABLES:
        fields = sorted({name for _, expr in fts_columns(record_type) for name in _FIELD_RE.findall(expr)})
        records = [
            {name: data.draw(_texts, label=f"{record_type}.{name}") for name in fields}
            for _ in range(data.draw(st.integers(1, 4), label="records"))
        ]
        columns = {name: [record.get(name) for record in records] for name in fields}
        staged = staged_columns_function(record_type)(columns.__getitem__)
        each = [fts_values_function(record_type)(record) for record in records]
        expected = [[values[position] for values in each] for position in staged_positions(record_type)]
        assert staged == expected, record_type
