"""How a record type's list is queried: table, search index, sorts, display columns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListTable:
    table: str
    #: The table's full-text index.
    fts: str
    #: sort name -> (column, index that orders by (column, rid) over live rows)
    sorts: dict[str, tuple[str, str]]
    #: display column keys, in the order of the tuples ``rows`` returns
    columns: tuple[str, ...]
    select: str
    #: sort name -> index on (rid, column) over live rows, to sort search matches
    by_rid: dict[str, str] = field(default_factory=dict)
    #: the sort a new list starts with
    default_sort: str = "name"
    #: whether it starts newest / largest first
    default_descending: bool = False
    #: display columns holding UTC date-times (shown in local time)
    time_columns: frozenset[str] = frozenset({"updated_at"})

    @property
    def date_columns(self) -> frozenset[str]:
        """Display columns holding dates (YYYY-MM-DD), shown in the user's format."""
        return frozenset(self.columns) & DATE_COLUMNS

    @property
    def money_columns(self) -> frozenset[str]:
        """Display columns made by :func:`money` ("amount currency"), shown in the user's format."""
        return frozenset(self.columns) & MONEY_COLUMNS


DATE_COLUMNS = frozenset({"close_date", "due_date", "start_date", "end_date"})
MONEY_COLUMNS = frozenset({"amount", "budget"})


#: SQL for the title of a linked record, by type, over the alias ``x``.
TITLE_SQL = {
    "account": "x.name",
    # crm_person_name (crm_desktop/store/search_index.py): family name first for CJK names.
    "contact": "crm_person_name(x.first_name, x.last_name)",
    "lead": "coalesce(nullif(crm_person_name(x.first_name, x.last_name), ''), x.company)",
    "opportunity": "x.name",
    "case": "x.subject",
    "campaign": "x.name",
}
TABLE_OF = {
    "account": "accounts", "contact": "contacts", "lead": "leads", "opportunity": "opportunities",
    "case": "cases", "campaign": "campaigns",
}


def linked_title(type_column: str, id_column: str) -> str:
    """SQL for the title of the record a polymorphic link (type, id) points to."""
    cases = " ".join(
        f"WHEN '{kind}' THEN (SELECT {TITLE_SQL[kind]} FROM {TABLE_OF[kind]} x WHERE x.id = {id_column})"
        for kind in ("account", "contact", "lead", "opportunity", "case")
    )
    return f"CASE {type_column} {cases} END"


def money(amount: str, currency: str) -> str:
    return f"CASE WHEN {amount} IS NULL THEN NULL ELSE {amount} || coalesce(' ' || {currency}, '') END"
