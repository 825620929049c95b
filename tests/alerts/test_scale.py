"""Thousands of alerts stay fast to page through (the triage widget pages on every click)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from workbench.alerts import get_store

from .conftest import T0, build_alert, store_settings

SEVERITIES = ["info", "low", "medium", "high", "critical"]
STATUSES = ["new", "acknowledged", "investigating", "resolved", "false_positive"]


def test_sqlite_pages_through_thousands_quickly(workspace: Path) -> None:
    store = get_store(store_settings(workspace, "sqlite"))
    n = 5000
    with store._transaction():  # one transaction: seeding speed is not what is measured here
        for i in range(n):
            seen = T0 + timedelta(minutes=i)
            store.restore_alert(build_alert(
                f"a{i:05d}", severity=SEVERITIES[(i // 5) % 5], status=STATUSES[i % 5], rule_id=f"r.{i % 40}",
                first_seen=seen, last_seen=seen, version=1,
                group_keys={"principal": f"arn:aws:iam::1:user/u{i % 300}"}, fields={}), [f"e{i}"])
    started = time.perf_counter()
    page = store.list(status=["new", "acknowledged"], min_severity="medium", limit=50, offset=200)
    total = store.count(status=["new", "acknowledged"], min_severity="medium")
    by_rule = store.list(rule_id="r.7", since=T0 + timedelta(days=1), limit=50)
    found = store.list(text="user/u42", limit=50)
    related = store.related("a00042")
    elapsed = time.perf_counter() - started
    print(f"five queries over {n} alerts: {elapsed * 1000:.0f} ms")
    expected = sum(1 for i in range(n) if i % 5 in (0, 1) and (i // 5) % 5 >= 2)
    assert total == expected and len(page) == 50
    assert all(a.status.value in ("new", "acknowledged") and a.severity.rank >= 2 for a in page)
    assert [a.last_seen for a in page] == sorted((a.last_seen for a in page), reverse=True)
    assert by_rule and all(a.rule_id == "r.7" and a.last_seen >= T0 + timedelta(days=1) for a in by_rule)
    assert {a.id for a in found} >= {"a00042", "a00342"}
    assert len(related) == n // 300  # the other alerts of user u42 (5000 = 16 × 300 + 200)
    assert elapsed < 1.0, f"five queries over {n} alerts took {elapsed:.2f}s"
    store.close()
