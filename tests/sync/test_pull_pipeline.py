"""Pulled pages on their way to the store: the stage file the fetching thread
writes (``crm_desktop/store/pull_stage.py``), and the next page asked for
while the current one is parsed (``Link: rel="next"``)."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from crm_desktop.errors import StoreError
from crm_desktop.keychain import MemoryTokenStore
from crm_desktop.services.lists import ListService, ListSpec
from crm_desktop.store import pull_stage
from crm_desktop.store.db import Database
from crm_desktop.store.pull_stage import PageStager
from crm_protocol.wire import PullResponse, RecordState
from sync.auth import TokenManager
from sync.client import CloudClient, RawPage
from sync.engine import _PagePipeline
from sync.errors import BadResponse
from sync.pulled import PreparedPage, prepare_pull_page
from sync.replica import Replica

SERVER = "http://crm.test"


def contact(n: int, rev: int, *, deleted: bool = False, **data: object) -> RecordState:
    return RecordState(
        type="contact", id=f"00000000-0000-7000-8000-{n:012d}", rev=rev, deleted=deleted,
        data={"first_name": f"Person {n}", "last_name": "Stage", "email": f"p{n}@example.com", **data},
        updated_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def staged_ids(db: Database, slot: int) -> list[str]:
    with db.engine.connect() as connection:
        return [row[0] for row in connection.exec_driver_sql(
            f"SELECT id FROM {pull_stage.SCHEMA}.{pull_stage.table_name('contact', slot)} ORDER BY id"
        )]


@pytest.mark.parametrize(("rows", "max_parameters"), [(0, 999), (1, 999), (2_345, 100), (2_345, 2), (1_000, 32_766)])
def test_rows_go_in_by_statements_of_many_rows_each_within_sqlites_parameter_limit(
    rows: int, max_parameters: int
) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (a, b, c)")
    values = [(n, f"text {n}", None if n % 3 else b"\x00bytes") for n in range(rows)]
    statements: list[int] = []

    def execute(sql: str, parameters: Any) -> object:
        assert len(parameters) <= max(max_parameters, 3)
        statements.append(len(parameters))
        return connection.execute(sql, parameters)

    pull_stage.insert_rows(execute, "t", 3, values, max_parameters)
    assert connection.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == values
    per = max(1, min(max_parameters // 3, pull_stage.ROWS_PER_INSERT))
    assert len(statements) == -(-rows // per)


def test_a_stage_connection_knows_its_parameter_limit(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db")
    assert pull_stage.parameter_limit(connection) >= 999


def test_the_fetching_thread_stages_pages_in_slots_taken_in_turn_the_store_reads(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        slots = [prepare_pull_page([contact(n, n)], stager).slot for n in range(1, 5)]
    finally:
        stager.close()
    assert pull_stage.SLOTS == 3 and slots == [0, 1, 2, 0]
    # A slot is emptied before it is filled again; the others keep their pages.
    assert staged_ids(db, 0) == [contact(4, 4).id]
    assert staged_ids(db, 1) == [contact(2, 2).id]
    assert staged_ids(db, 2) == [contact(3, 3).id]
    db.close()


def test_a_new_pull_never_reads_rows_an_earlier_pull_left_staged(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    earlier = PageStager(tmp_path, min_rows=1)
    prepare_pull_page([contact(1, 1), contact(2, 2)], earlier)
    prepare_pull_page([contact(3, 3)], earlier)
    earlier.close()  # as if that pull was cancelled after staging two pages
    replica = Replica(db)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        # A page of deletes only stages nothing (and takes no slot).
        page = [contact(9, 9, deleted=True)]
        deletes = prepare_pull_page(page, stager)
        assert deletes.slot is None
        replica.apply_pull_page(page, 9, deletes)
        later = [contact(4, 10)]
        replica.apply_pull_page(later, 10, prepare_pull_page(later, stager))
    finally:
        stager.close()
    assert ListService(db).count(ListSpec("contact")) == 1
    # The new pull's stager emptied what the earlier one left in both slots.
    assert staged_ids(db, 0) == [contact(4, 10).id] and staged_ids(db, 1) == []
    db.close()


def test_a_record_deleted_later_in_the_same_page_is_not_staged(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        page = prepare_pull_page([contact(1, 1), contact(2, 2), contact(1, 3, deleted=True)], stager)
    finally:
        stager.close()
    assert list(page.rows["contact"]) == [contact(2, 2).id]
    assert staged_ids(db, 0) == [contact(2, 2).id]
    db.close()


def test_a_small_page_is_not_staged(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    replica = Replica(db)
    stager = PageStager(tmp_path, min_rows=6)
    try:
        records = [contact(n, n) for n in range(1, 6)]
        prepared = prepare_pull_page(records, stager)
        replica.apply_pull_page(records, 5, prepared)
    finally:
        stager.close()
    assert prepared.slot is None
    assert ListService(db).count(ListSpec("contact", search="p3@example")) == 1
    db.close()


def test_a_staged_page_lands_searchable_and_a_later_page_updates_it(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    replica = Replica(db)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        records = [contact(n, n) for n in range(1, 6)]
        replica.apply_pull_page(records, 5, prepare_pull_page(records, stager))
        renamed = [contact(2, 6, first_name="Zhang"), contact(3, 7, deleted=True)]
        replica.apply_pull_page(renamed, 7, prepare_pull_page(renamed, stager))
    finally:
        stager.close()
    lists = ListService(db)
    assert lists.count(ListSpec("contact")) == 4
    assert lists.count(ListSpec("contact", search="zhang")) == 1
    assert lists.count(ListSpec("contact", search="Person 2")) == 0
    assert lists.count(ListSpec("contact", search="p3@example")) == 0
    assert replica.cursor() == 7
    db.close()


def test_a_stage_file_of_another_layout_is_made_again(tmp_path: Path) -> None:
    Database.open(tmp_path, lock=False).close()
    stale = sqlite3.connect(tmp_path / pull_stage.STAGE_FILENAME)
    name = pull_stage.table_name("contact", 0)
    stale.execute(f"DROP TABLE {name}")
    stale.execute(f"CREATE TABLE {name} (old_column)")
    stale.execute("CREATE TABLE leftover (x)")
    stale.execute("PRAGMA user_version = 7")
    stale.commit()
    stale.close()
    db = Database.open(tmp_path, lock=False)
    with db.engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql(f"PRAGMA {pull_stage.SCHEMA}.table_info({name})")]
        tables = {row[0] for row in connection.exec_driver_sql(
            f"SELECT name FROM {pull_stage.SCHEMA}.sqlite_master WHERE type = 'table'")}
    assert columns == list(pull_stage.staged_columns("contact"))
    assert "leftover" not in tables
    db.close()


def test_a_damaged_stage_file_is_made_again_and_the_profile_opens(tmp_path: Path) -> None:
    Database.open(tmp_path, lock=False).close()
    (tmp_path / pull_stage.STAGE_FILENAME).write_bytes(b"this is not a database" * 100)
    db = Database.open(tmp_path, lock=False)
    replica = Replica(db)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        page = [contact(1, 1)]
        replica.apply_pull_page(page, 1, prepare_pull_page(page, stager))
    finally:
        stager.close()
    assert ListService(db).count(ListSpec("contact")) == 1
    db.close()


def test_a_stage_that_cannot_be_written_is_a_store_error(tmp_path: Path) -> None:
    Database.open(tmp_path, lock=False).close()
    (tmp_path / pull_stage.STAGE_FILENAME).write_bytes(b"this is not a database" * 100)
    stager = PageStager(tmp_path, min_rows=1)
    try:
        with pytest.raises(StoreError):
            prepare_pull_page([contact(1, 1)], stager)
    finally:
        stager.close()


# -- asking for the next page early ----------------------------------------------------------------


def page_body(records: list[RecordState], cursor: int, has_more: bool) -> bytes:
    return PullResponse(
        records=records, cursor=cursor, has_more=has_more, server_cursor=30, server_time=datetime.now(UTC),
        hlc="1796531022595-0000-s",
    ).model_dump_json().encode()


class FakeClient:
    """``pull_raw`` / ``parse_pull`` of :class:`CloudClient` over three pages of ten revisions."""

    def __init__(self, *, link: bool, wrong_hint: bool = False) -> None:
        self.link = link
        self.wrong_hint = wrong_hint
        self.asked: list[int] = []
        self.lock = threading.Lock()

    def pull_raw(self, cursor: int, limit: int) -> RawPage:
        with self.lock:
            self.asked.append(cursor)
        last = min(cursor + 10, 30)
        body = page_body([contact(n, n) for n in range(cursor + 1, last + 1)], last, last < 30)
        hint = (last + 1 if self.wrong_hint else last) if self.link and last < 30 else None
        return RawPage(body, hint)

    def parse_pull(self, body: bytes) -> PullResponse:
        return PullResponse.model_validate_json(body)


def test_the_next_page_is_asked_for_before_the_engine_wants_it(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    client = FakeClient(link=True)
    with _PagePipeline(client, 10, PageStager(tmp_path, min_rows=1)) as pipeline:  # type: ignore[arg-type]
        page, prepared = pipeline.request(0).result()
        # Page 2 was asked for while page 1 was parsed, before anyone wanted it.
        assert page.cursor == 10 and 10 in client.asked
        assert isinstance(prepared, PreparedPage) and prepared.slot == 0
        second, second_prepared = pipeline.request(10).result()
        third, _ = pipeline.request(20).result()
    # The records are in the prepared page (checked column by column).
    assert second.records == [] and second_prepared.count == 10
    assert [second_prepared.batches["contact"].item(i)[0].rev for i in range(10)] == list(range(11, 21))
    assert not third.has_more
    # Each page asked for once.
    assert sorted(client.asked) == [0, 10, 20]
    db.close()


def asked(pipeline: _PagePipeline, cursor: int, limit: int | None = None) -> Future[Any]:
    """``pipeline.request``, done once the pipeline has acted on the page being ready:
    callbacks of a future run in the order they were added, so ours runs after its own."""
    settled: Future[Any] = Future()
    pipeline.request(cursor, limit).add_done_callback(settled.set_result)
    return settled


def chained(pipeline: _PagePipeline, cursor: int) -> object:
    """The page after ``cursor`` prepared ahead."""
    return pipeline._chained[cursor]


def test_the_page_after_the_one_asked_for_is_prepared_ahead_and_no_further(tmp_path: Path) -> None:
    db = Database.open(tmp_path, lock=False)
    client = FakeClient(link=False)  # no downloads ahead: every page prepared is a page asked of the server
    with _PagePipeline(client, 10, PageStager(tmp_path, min_rows=1)) as pipeline:  # type: ignore[arg-type]
        first, _ = asked(pipeline, 0).result(timeout=10).result()
        ahead = chained(pipeline, 10)
        assert isinstance(ahead, Future)
        second, prepared = ahead.result(timeout=10)
        # One page ahead of the one asked for, no further, until the engine asks.
        assert client.asked == [0, 10] and second.cursor == 20 and prepared.slot == 1
        assert asked(pipeline, 10).result(timeout=10) is ahead
        third, prepared = chained(pipeline, 20).result(timeout=10)  # type: ignore[attr-defined]
        assert client.asked == [0, 10, 20] and prepared.slot == 2 and not third.has_more
        # A restarted pull (from 0 again) drops what was prepared ahead.
        again, _ = pipeline.request(0).result()
        assert again.cursor == 10 and 20 not in pipeline._chained
    db.close()


@pytest.mark.parametrize("client", [FakeClient(link=False), FakeClient(link=True, wrong_hint=True)],
                         ids=["no-link", "wrong-hint"])
def test_pages_come_in_order_without_a_usable_hint(tmp_path: Path, client: FakeClient) -> None:
    db = Database.open(tmp_path, lock=False)
    with _PagePipeline(client, 10, PageStager(tmp_path, min_rows=1)) as pipeline:  # type: ignore[arg-type]
        cursors = []
        cursor = 0
        while True:
            page, _ = pipeline.request(cursor).result()
            cursors.append(page.cursor)
            cursor = page.cursor
            if not page.has_more:
                break
    assert cursors == [10, 20, 30]
    assert {0, 10, 20} <= set(client.asked)
    db.close()


def link_transport(link: str | None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if link is not None:
            headers["Link"] = link
        return httpx.Response(200, content=page_body([contact(1, 1)], 1, True), headers=headers)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (f'<{SERVER}/api/v1/sync/pull?cursor=1&limit=5&horizon=1>; rel="next"', 1),
        (None, None),
        (f'<{SERVER}/api/v1/sync/pull?cursor=abc>; rel="next"', None),
        (f'<{SERVER}/api/v1/sync/pull?cursor=0>; rel="next"', None),  # not after the asked cursor
        (f'<{SERVER}/api/v1/sync/pull?cursor=1&cursor=2>; rel="next"', None),
        (f'<{SERVER}/api/v1/sync/pull?cursor=9>; rel="prev"', None),
        ("garbage", None),
    ],
)
def test_the_next_cursor_is_read_from_a_link_header_only_when_it_makes_sense(
    link: str | None, expected: int | None
) -> None:
    with httpx.Client(transport=link_transport(link)) as http:
        tokens = TokenManager(SERVER, http, MemoryTokenStore(), "test")
        # Signed in, without the sign-in dance.
        tokens._access, tokens._expires_at = "token", time.monotonic() + 3600
        client = CloudClient(http, tokens)
        raw = client.pull_raw(0, 5)
    assert raw.next_cursor == expected
    assert client.parse_pull(raw.body).cursor == 1


def test_the_server_names_the_next_page_only_when_there_is_one(cloud, make_profile) -> None:  # type: ignore[no-untyped-def]
    a = make_profile("alice")
    for i in range(12):
        a.records.create("contact", {"first_name": f"Person {i:03d}"})
    a.sync()
    b = make_profile("bob", "alice@example.com", pull_limit=5)
    client: CloudClient = b.engine.client
    cursor, hints = 0, []
    while True:
        raw = client.pull_raw(cursor, 5)
        page = client.parse_pull(raw.body)
        hints.append(raw.next_cursor)
        if not page.has_more:
            assert raw.next_cursor is None
            break
        assert raw.next_cursor == page.cursor
        cursor = page.cursor
    assert len(hints) >= 3
    # And a whole sync through the pipeline lands everything once.
    report = b.sync()
    assert report.pulled >= 12
    assert ListService(b.context.db).count(ListSpec("contact")) == 12


def columns_client(body: bytes, asked: list[httpx.URL]) -> tuple[httpx.Client, CloudClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    tokens = TokenManager(SERVER, http, MemoryTokenStore(), "test")
    tokens._access, tokens._expires_at = "token", time.monotonic() + 3600
    return http, CloudClient(http, tokens)


def test_the_client_asks_for_columns_and_takes_either_layout_or_names_a_broken_one() -> None:
    records = [contact(1, 1), contact(2, 2, deleted=True)]
    by_records = orjson.loads(page_body(records, 2, False))
    columns = {
        "type": "contact", "id": [r.id for r in records], "rev": [1, 2], "deleted": [False, True],
        "updated_at": [r.updated_at.isoformat() for r in records], "updated_by": [None, None],
        "data": {name: [r.data.get(name) for r in records] for name in records[0].data},
    }
    by_columns = {**by_records, "records": [], "columns": [columns]}
    asked: list[httpx.URL] = []
    for body in (orjson.dumps(by_records), orjson.dumps(by_columns)):
        http, client = columns_client(body, asked)
        with http:
            page = client.pull(0, 5)
        assert page.records == records and page.columns == []
    assert all(url.params["layout"] == "columns" for url in asked)
    # A server's columns that do not line up: a clear message, nothing used.
    broken = {**by_columns, "columns": [{**columns, "rev": [1]}]}
    http, client = columns_client(orjson.dumps(broken), asked)
    with http, pytest.raises(BadResponse, match="not understood"):
        client.pull(0, 5)
