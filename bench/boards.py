"""Module screens over a big local store: pipeline board, My day, case queue, dashboard, detail.

A fresh profile gets the default pipeline stages (as a pull would write them)
and ``opportunities`` opportunities spread over the stages, ten times fewer
activities and cases, written by Core bulk inserts.  Each figure is the
median of several runs of the service call the screen makes on the DB worker
(``pipeline_board_ms``: every column's first 50 cards and totals;
``pipeline_board_filtered_ms``: the same for one owner and a quarter of close
dates; ``board_show_more_ms``: the next 50 cards of the biggest column).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert

from crm_desktop.context import AppContext
from crm_desktop.ids import new_id
from crm_desktop.sales.pipeline import BoardFilter
from crm_desktop.store.records import now
from crm_desktop.store.schema import RECORD_MODELS, sort_key_for
from crm_desktop.support.case_queue import QueueFilter
from crm_protocol.records import RECORD_TYPES, format_datetime
from crm_protocol.wire import RecordState
from sync.replica import Replica

STAGES = (("Prospecting", 10, 10, "open"), ("Qualification", 20, 25, "open"), ("Proposal", 30, 60, "open"),
          ("Negotiation", 40, 80, "open"), ("Closed Won", 90, 100, "won"), ("Closed Lost", 99, 0, "lost"))
OWNERS = [new_id() for _ in range(20)]


def _bulk(context: AppContext, record_type: str, rows: list[dict[str, Any]]) -> None:
    names = RECORD_TYPES[record_type].field_names
    stamp = now()
    table = cast(Table, RECORD_MODELS[record_type].__table__)
    full = []
    for data in rows:
        values = {n: data.get(n) for n in names}
        values.update({n: bool(values[n]) for n in names if RECORD_TYPES[record_type].field_map[n].kind == "bool"})
        full.append({**values, "id": new_id(), "server_rev": 1, "dirty": False, "deleted": False,
                     "sort_key": sort_key_for(record_type, values), "created_at": stamp, "updated_at": stamp})
    with context.db.session() as session:
        for start in range(0, len(full), 5000):
            session.execute(insert(table), full[start:start + 5000])


def _median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_boards(emit: Callable[..., None], opportunities: int = 100_000) -> None:
    rnd = random.Random(7)
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="crm-bench-boards-") as tmp:
        context = AppContext.open(Path(tmp) / "profile", lock=False)
        try:
            states = [
                RecordState(type="pipeline_stage", id=new_id(), rev=i + 1, data={
                    "name": n, "position": p, "probability": pr, "outcome": o, "active": True},
                    updated_at=datetime.now(UTC))
                for i, (n, p, pr, o) in enumerate(STAGES)
            ]
            Replica(context.db).apply_pull_page(states, len(states))
            stage_names = [s[0] for s in STAGES]
            _bulk(context, "opportunity", [{
                "name": f"Deal {i}", "stage": rnd.choice(stage_names), "status": "Open",
                "amount": f"{rnd.randint(1, 100_000)}.{rnd.randint(0, 99):02}", "currency": rnd.choice(["EUR", "USD"]),
                "close_date": (today + timedelta(days=rnd.randint(-200, 400))).isoformat(),
                "owner_id": rnd.choice(OWNERS),
            } for i in range(opportunities)])
            tenth = max(opportunities // 10, 1)
            _bulk(context, "activity", [{
                "kind": "Task", "subject": f"Task {i}", "priority": "Normal", "owner_id": None,
                "due_date": (today + timedelta(days=rnd.randint(-30, 30))).isoformat(),
            } for i in range(tenth)])
            _bulk(context, "case", [{
                "subject": f"Case {i}", "priority": rnd.choice(["Low", "Medium", "High", "Urgent"]),
                "status": rnd.choice(["New", "Open", "Pending", "Closed"]),
                "due_at": format_datetime(datetime.now(UTC) + timedelta(hours=rnd.randint(-100, 300))),
            } for i in range(tenth)])
            flt = BoardFilter(owner_id=OWNERS[0], close_from=today, close_to=today + timedelta(days=90))
            emit("pipeline_board_ms", _median_ms(lambda: context.pipeline.board(BoardFilter())), "ms",
                 opportunities=opportunities)
            emit("pipeline_board_filtered_ms", _median_ms(lambda: context.pipeline.board(flt)), "ms",
                 opportunities=opportunities)
            emit("board_show_more_ms", _median_ms(
                lambda: context.pipeline.column("Proposal", BoardFilter(), 500, 50, stage_names)), "ms")
            clock = datetime.now(UTC)
            emit("my_day_ms", _median_ms(lambda: context.my_day.load(None, clock)), "ms", activities=tenth)
            emit("case_queue_page_ms", _median_ms(lambda: context.cases.page(QueueFilter(), clock)), "ms",
                 cases=tenth)
            emit("dashboard_ms", _median_ms(lambda: context.dashboard.load(None, clock)), "ms",
                 opportunities=opportunities)
        finally:
            context.close()
