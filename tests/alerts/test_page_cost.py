"""A page costs a page: the items a backend reads for one page of the triage queue, and for a
count, do not grow with the number of alerts (DynamoDB: counted from moto's answers; SQLite: the
query plan seeks an index instead of sorting every row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from workbench.alerts import get_store
from workbench.alerts.dynamodb import DynamoDBStore
from workbench.alerts.dynamodb_layout import SHARDS

from .conftest import T0, build_alert, store_settings

SEVERITIES = ["info", "low", "medium", "high", "critical"]
STATUSES = ["new", "acknowledged", "investigating", "resolved", "false_positive"]


@contextmanager
def counting_reads(store: DynamoDBStore) -> Iterator[dict[str, int]]:
    """Items DynamoDB returned to this store, per operation (from the responses themselves)."""
    reads: dict[str, int] = {}

    def tally(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            reads[model.name] = reads.get(model.name, 0) + parsed.get("ScannedCount", 0)
        elif model.name == "BatchGetItem":
            reads[model.name] = reads.get(model.name, 0) + sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem":
            reads[model.name] = reads.get(model.name, 0) + ("Item" in parsed)

    events = store._resource().meta.client.meta.events
    events.register("after-call.dynamodb", tally)
    try:
        yield reads
    finally:
        events.unregister("after-call.dynamodb", tally)


@contextmanager
def vm_steps(store: Any) -> Iterator[list[int]]:
    """Hundreds of SQLite virtual-machine steps run meanwhile (its progress handler counts them)."""
    counter = [0]

    def tick() -> int:
        counter[0] += 1
        return 0  # non-zero would abort the statement

    store._conn.set_progress_handler(tick, 100)
    try:
        yield counter
    finally:
        store._conn.set_progress_handler(None, 100)


def _seed(store: Any, start: int, n: int, status: str | None = None) -> None:
    for i in range(start, start + n):
        seen = T0 + timedelta(minutes=i)
        store.restore_alert(build_alert(f"c{i:05d}", severity=SEVERITIES[i % 5], status=status or STATUSES[(i // 5) % 5],
                                        rule_id=f"r.{i % 7}", first_seen=seen, last_seen=seen, version=1,
                                        assignee="bo" if i % 11 == 0 else None, fields={}), [f"e{i}"])


def test_dynamodb_page_and_count_reads_do_not_grow(aws_env: str, workspace: Path) -> None:
    store = get_store(store_settings(workspace, "dynamodb", aws_env))
    assert isinstance(store, DynamoDBStore)
    measured = []
    total = 0
    for more in (40, 160):
        _seed(store, total, more)
        total += more
        with counting_reads(store) as first:
            page = store.list(limit=10)
        with counting_reads(store) as second:
            store.list(limit=10, page_token=page.next_token)
        with counting_reads(store) as queue:
            store.list(status=["new", "acknowledged"], min_severity="high", limit=10)
        with counting_reads(store) as counted:
            assert store.count() == total
            assert store.count(status="new") == sum(1 for i in range(total) if (i // 5) % 5 == 0)
            assert store.count(assignee="bo") == sum(1 for i in range(total) if i % 11 == 0)
        measured.append((sum(first.values()), sum(second.values()), sum(queue.values()), sum(counted.values())))
    # Fixed bounds, whatever the table holds: one short query per partition of the index used
    # (SHARDS for the queue, 2 statuses x SHARDS for the filtered queue, at most twice when the
    # severity filter rejects entries) plus the page's records, and one counter item per shard.
    bounds = (SHARDS * 11 + 11, SHARDS * 11 + 11, 2 * 2 * SHARDS * 11 + 11, 3 * SHARDS)
    for size, reads in zip((40, 200), measured, strict=True):
        assert all(r <= b for r, b in zip(reads, bounds, strict=True)), f"{size} alerts: read {reads}, bound {bounds}"
    store.close()


def test_dynamodb_counters_follow_every_change(aws_env: str, workspace: Path) -> None:
    store = get_store(store_settings(workspace, "dynamodb", aws_env))
    _seed(store, 0, 20)
    store.acknowledge("c00000", "ana")
    store.assign("c00001", "carol", "ana")
    store.assign("c00000", None, "ana")  # bo → nobody
    store.set_status("c00002", "false_positive", "ana", reason="scanner")
    store.upsert_alert(build_alert("c00003", severity="info", rule_id="r.3", first_seen=T0, last_seen=T0,
                                   fields={}), ["e3", "e3b"])  # recurs: no counter moves
    for filters in ({}, {"status": "new"}, {"status": "acknowledged"}, {"status": ["false_positive", "resolved"]},
                    {"assignee": "bo"}, {"assignee": "carol"}, {"unassigned": True}, {"unassigned": True, "status": "new"}, {"severity": "info"}, {"min_severity": "high"},
                    {"rule_id": "r.3"}, {"status": "new", "rule_id": "r.3"}, {"text": "c0001"}):
        assert store.count(**filters) == len(store.list(limit=None, **filters)), filters
    store.close()


@pytest.mark.parametrize("filters", [{}, {"status": "new"}, {"rule_id": "r.3"}, {"assignee": "bo"}, {"unassigned": True},
                                     {"severity": "high"}])
def test_sqlite_page_seeks_an_index(workspace: Path, filters: dict[str, Any]) -> None:
    store = get_store(store_settings(workspace, "sqlite"))
    with store._transaction():
        _seed(store, 0, 50)
    page = store.list(limit=2, **filters)
    flt_sql, params = store._where(__import__("workbench.alerts.filters", fromlist=["AlertFilter"])
                                   .AlertFilter.build(**filters))
    where = (flt_sql + " AND" if flt_sql else " WHERE") + " (last_seen, id) < (?, ?)"
    plan = store._conn.execute(f"EXPLAIN QUERY PLAN SELECT doc FROM alerts{where} "
                               "ORDER BY last_seen DESC, id DESC LIMIT 6", [*params, "z", "z"]).fetchall()
    text = " ".join(str(row[-1]) for row in plan)
    assert "TEMP B-TREE" not in text and "USING INDEX" in text, text
    assert page.next_token
    store.close()


def test_dynamodb_token_follows_the_index_not_a_record_that_moved(aws_env: str, workspace: Path) -> None:
    """An index lags its table: a record whose last_seen moved after its index entry was read must
    not move the cursor (else the next page would list the same alerts again)."""
    store = get_store(store_settings(workspace, "dynamodb", aws_env))
    assert isinstance(store, DynamoDBStore)
    _seed(store, 0, 10)
    moved = store.get("c00005").model_copy(update={"last_seen": T0 + timedelta(days=1)})
    # The record alone changes, as when the index has not caught up yet.
    store._table.update_item(Key={"pk": "ALERT#c00005", "sk": "#ALERT"}, UpdateExpression="SET doc = :d",
                             ExpressionAttributeValues={":d": moved.to_json()})
    first = store.list(limit=5)
    rest = store.list(limit=5, page_token=first.next_token)
    assert [a.id for a in first] == [f"c{i:05d}" for i in range(9, 4, -1)]
    assert [a.id for a in rest] == [f"c{i:05d}" for i in range(4, -1, -1)]
    store.close()


@pytest.mark.parametrize("filters", [{}, {"status": ["new", "acknowledged", "investigating"]},
                                     {"min_severity": "high"}, {"status": "new"}, {"unassigned": True}])
def test_sqlite_page_work_does_not_grow(workspace: Path, filters: dict[str, Any]) -> None:
    """SQLite's own work for a first and a next page (virtual-machine steps, counted by its progress handler) is
    about the same at 300 and at 3,000 alerts: the page seeks, it does not sort every match."""
    store = get_store(store_settings(workspace, "sqlite"))
    steps: list[int] = []
    total = 0
    for more in (300, 2700):
        with store._transaction():
            _seed(store, total, more)
        total += more
        with vm_steps(store) as counter:
            first = store.list(limit=10, **filters)
            page = store.list(limit=10, page_token=first.next_token, **filters)
        assert len(first) == len(page) == 10
        steps.append(counter[0])
    assert steps[1] <= 2 * steps[0] + 20, f"VM steps (x100) for two pages: {steps[0]} at 300 alerts, {steps[1]} at 3000"
    store.close()


def test_sqlite_open_queue_under_many_newer_resolved_alerts(workspace: Path) -> None:
    """The open queue when thousands of newer alerts are resolved: SQLite does not walk every newer
    alert to fill the page (its planner seeks the status index for so selective a filter)."""
    store = get_store(store_settings(workspace, "sqlite"))
    open_statuses = ["new", "acknowledged", "investigating"]
    steps: list[int] = []
    for start, more in ((0, 300), (300, 2700)):
        with store._transaction():
            _seed(store, start, more, status="resolved" if start else None)  # the newer alerts are all closed
        with vm_steps(store) as counter:
            first = store.list(status=open_statuses, limit=10)
            page = store.list(status=open_statuses, limit=10, page_token=first.next_token)
        assert len(first) == len(page) == 10 and all(a.status.value in open_statuses for a in [*first, *page])
        steps.append(counter[0])
    assert steps[1] <= 2 * steps[0] + 20, f"VM steps (x100) for two pages: {steps[0]} at 300 alerts, {steps[1]} at 3000"
    store.close()
