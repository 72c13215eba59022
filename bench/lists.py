"""Per-type list figures at 1,000,000 rows (``--only lists``).

Each record type's list is measured on a profile where that type has the full
size (``bench.data.build_lists_profile``: leads, opportunities, activities and
cases; contacts on the contacts profile, for comparison in the same run),
through ``crm_desktop.services.lists`` exactly as the list model calls it on
the DB worker (it runs ``ui/models/record_list.py _first_load``: ``first_page``
for 200 rids, then ``rows`` for the first page).

* ``list_first_page_ms_<type>``: the first page of the default sort (median);
* ``list_sorted_first_page_ms_<type>``: the first page sorted by each other
  sortable column and the name descending (p95 over them);
* ``list_search_p95_ms_<type>``: search-as-you-type over the type's query mix;
* ``list_full_order_ms_<type>``: the whole ordered rid list the model loads
  in the background (``all_ids``; what scrolling to any row needs).

Every figure carries its CPU time (``cpu_*``: this thread's, where SQLite
runs), which other processes on the two cores do not inflate.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from crm_desktop.context import AppContext
from crm_desktop.services.lists import TABLES, ListService, ListSpec, sortable
from ui.models.record_list import _first_load as model_first_load

#: What a user types into each list's search box: one- and two-letter starts,
#: names typed on, Chinese names, digits of a phone, common and rare terms, no match.
LIST_QUERIES: dict[str, list[str]] = {
    "contact": ["j", "jo", "joh", "john", "johnson", "m", "mü", "müller", "s", "sm", "smith", "555", "5551",
                "exa", "example", "chicago", "张", "张伟", "ann", "lee", "garcia", "zzzq", "\"*", "a%_"],
    "lead": ["j", "jo", "john", "johnson", "m", "mü", "müller", "a", "ac", "acme", "acme lab", "北京", "张",
             "张伟", "555", "5551", "example.org", "chicago", "berlin", "lee", "zzzq"],
    "opportunity": ["a", "ac", "acm", "acme", "acme sy", "r", "re", "ren", "renewal", "pilot", "crm",
                    "licences", "北京", "北京东方", "proposal", "legal", "sakura", "zzzq"],
    "activity": ["c", "ca", "cal", "call", "call j", "f", "follow", "follow up", "meet", "meeting with", "demo",
                 "quote 12", "张", "张伟", "给张伟", "forecast", "prefers", "zzzq"],
    "case": ["i", "in", "inv", "invoice", "log", "log in", "refund", "refund request 7", "无法", "无法登录",
             "张伟", "damaged", "500", "dark mode", "sync", "zzzq"],
}


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms of this thread) of one call."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - started_cpu) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def _first_load(lists: ListService, spec: ListSpec) -> None:
    model_first_load(lists, spec)  # the list model's own first load, on the worker thread


def bench_type(lists: ListService, record_type: str, emit: Callable[..., None], runs: int = 3) -> None:
    table = TABLES[record_type]  # what the list model opens with:
    default = ListSpec(record_type, sort=table.default_sort, descending=table.default_descending)
    count = lists.count(default)
    _first_load(lists, default)  # warm the page cache like a list shown once before
    samples = [_timed(lambda: _first_load(lists, default)) for _ in range(15)]
    wall, cpu = [s[0] for s in samples], [s[1] for s in samples]
    emit(f"list_first_page_ms_{record_type}", statistics.median(wall), "ms", rows=count,
         p95=round(_p95(wall), 2), cpu_median=round(statistics.median(cpu), 2))

    sorts = [(name, desc) for name in sorted(sortable(record_type)) for desc in (False, True)
             if (name, desc) != (default.sort, default.descending)]
    wall, cpu = [], []
    slowest = ("", 0.0)
    for name, desc in sorts:
        spec = ListSpec(record_type, sort=name, descending=desc)
        for _ in range(runs):
            took, took_cpu = _timed(partial(_first_load, lists, spec))
            wall.append(took)
            cpu.append(took_cpu)
            if took_cpu > slowest[1]:
                slowest = (f"{name}{' desc' if desc else ''}", took_cpu)
    emit(f"list_sorted_first_page_ms_{record_type}", _p95(wall), "ms", rows=count, sorts=len(sorts),
         samples=len(wall), median=round(statistics.median(wall), 2), cpu_p95=round(_p95(cpu), 2),
         slowest_cpu=f"{slowest[0]} {slowest[1]:.1f} ms")

    wall, cpu = [], []
    per_query: dict[str, float] = {}
    for _ in range(runs):
        for query in LIST_QUERIES[record_type]:
            spec = replace(default, search=query)
            took, took_cpu = _timed(partial(_first_load, lists, spec))
            wall.append(took)
            cpu.append(took_cpu)
            per_query[query] = max(per_query.get(query, 0.0), took_cpu)
    worst = sorted(per_query.items(), key=lambda item: -item[1])[:3]
    emit(f"list_search_p95_ms_{record_type}", _p95(wall), "ms", rows=count, queries=len(wall),
         median=round(statistics.median(wall), 2), cpu_p95=round(_p95(cpu), 2),
         cpu_median=round(statistics.median(cpu), 2), slowest_cpu={q: round(v, 1) for q, v in worst})

    samples = [_timed(lambda: lists.all_ids(default)) for _ in range(3)]
    emit(f"list_full_order_ms_{record_type}", statistics.median(s[0] for s in samples), "ms", rows=count,
         cpu_median=round(statistics.median(s[1] for s in samples), 2))


def bench_lists(contacts_profile: Path, lists_profile: Path, emit: Callable[..., None],
                types: tuple[str, ...]) -> None:
    """The list figures of contacts (for comparison) and of each type in ``types``."""
    context = AppContext.open(contacts_profile, lock=False)
    try:
        bench_type(context.lists, "contact", emit)
    finally:
        context.close()
    context = AppContext.open(lists_profile, lock=False)
    try:
        for record_type in types:
            bench_type(context.lists, record_type, emit)
    finally:
        context.close()
