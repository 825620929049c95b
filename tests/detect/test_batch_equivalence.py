"""Batching is invisible: the rule pack over one lake gives the same alerts with shared scans as
with one query per rule — same ids, counts, times, group keys, evidence rows and event ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tests.detect.events import BURST_RULE, ROOT_RULE, burst, rule
from workbench.alerts import AlertStore, get_store
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.engines import Engine, Result
from workbench.engines.local import LocalEngine
from workbench.lake import write_records
from workbench.rules import Rule, load_rules
from workbench.timewindow import Window

PACK = Path(__file__).resolve().parents[2] / "rules" / "aws"
TIME_KEYS = {"cloudtrail": "eventTime", "guardduty": "updatedAt", "vpc_flow": "start"}


class OneQueryPerRule(LocalEngine):
    """The local engine without shared scans: every rule's query reads the files itself."""

    def run_batch(self, queries: Sequence[str], window: Window | None = None, *,
                  windows: Sequence[Window | None] | None = None,
                  candidates: Sequence[int | None] | None = None) -> list[Result | Exception]:
        return Engine.run_batch(self, queries, window, windows=windows)


def _pack_lake(lake: Path, rules: list[Rule]) -> tuple[datetime, datetime]:
    """Every pack rule's test events (positives and near misses) in one lake; their time span."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for r in rules:
        for test in r.tests:
            by_table.setdefault(r.table or "cloudtrail", []).extend(test.events)
    times = []
    for table, events in by_table.items():
        summary = write_records(table, events, lake)
        assert not summary.total_quarantined, summary.quarantined
        key = TIME_KEYS[table]
        values = pd.Series([e[key] for e in events])
        times.extend(pd.to_datetime(values, unit="s", utc=True) if table == "vpc_flow"
                     else pd.to_datetime(values, utc=True, format="ISO8601"))
    start = min(times).to_pydatetime().replace(minute=0, second=0, microsecond=0)
    return start, max(times).to_pydatetime() + timedelta(hours=1)


def _alerts(store: AlertStore) -> list[dict[str, Any]]:
    out = []
    for alert in store.list(limit=10_000):
        evidence = alert.evidence
        out.append({
            "id": alert.id, "rule": alert.rule_id, "title": alert.title, "count": alert.count,
            "first_seen": alert.first_seen, "last_seen": alert.last_seen, "group_keys": alert.group_keys,
            "fields": alert.fields, "rows": evidence.rows, "sql": evidence.sql,
            "events": sorted(store.event_ids(alert.id)),
        })
    return sorted(out, key=lambda a: a["id"])


def test_the_pack_alerts_the_same_with_and_without_shared_scans(env, tmp_path: Path) -> None:
    settings, engine, store = env
    pack = [r for r in load_rules([PACK]).rules if r.tests]
    start, end = _pack_lake(settings.lake, pack)
    write_records("cloudtrail", burst("bob", start + timedelta(minutes=3), 12), settings.lake)
    extra = [
        rule(BURST_RULE, id="burst-user"),  # its own (threshold) window, in the same batch
        rule(ROOT_RULE),
        rule(ROOT_RULE, id="no-where", query="SELECT eventtime, eventid, useridentity.arn AS actor FROM cloudtrail"),
        rule(ROOT_RULE, id="broken", query="SELECT eventtime, eventid, nosuchcolumn FROM cloudtrail "
                                           "WHERE eventname = 'x'"),
    ]
    rules = [*pack, *extra]
    other = Settings(workspace=tmp_path / "one-by-one", lake_path=settings.lake)
    with OneQueryPerRule(other) as alone_engine, get_store(other) as alone_store:
        alone = run_detections(rules, start, end, alone_engine, alone_store)
        batched = run_detections(rules, start, end, engine, store)

        assert [r.rule_id for r in batched.rules] == [r.rule_id for r in alone.rules]
        assert [(r.status, r.error, r.rows) for r in batched.rules] == [(r.status, r.error, r.rows) for r in alone.rules]
        assert [r.rule_id for r in batched.failed] == ["broken"]
        assert sorted(batched.alerts_new) == sorted(alone.alerts_new) and batched.alerts_new
        assert {r.rule_id for r in batched.rules if r.alerts_new} >= {"burst-user", "no-where"}
        assert _alerts(store) == _alerts(alone_store)
        assert store.checkpoints() == alone_store.checkpoints()

    # Shared scans read each table once: the batched run scanned less than one read per rule.
    assert sum(r.bytes_scanned for r in batched.rules) < sum(r.bytes_scanned for r in alone.rules)


def test_rerunning_a_batched_window_creates_no_duplicates(env) -> None:
    settings, engine, store = env
    pack = [r for r in load_rules([PACK]).rules if r.tests]
    start, end = _pack_lake(settings.lake, pack)
    first = run_detections(pack, start, end, engine, store)
    again = run_detections(pack, start, end, engine, store)
    assert first.alerts_new and again.alerts_new == []
    assert again.alerts_updated == []  # the same events again: nothing to merge
    assert len(store.list(limit=10_000)) == len(first.alerts_new)
