"""The daily report's open backlog: order, age buckets, escaping, and the status groups it counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.widgets.demo_site import HOSTILE_ALERT, HOSTILE_IP, SCRIPT, hostile_settings, hostile_site  # noqa: F401
from workbench.alerts import get_store
from workbench.reports.backlog import age_bucket, age_text, open_backlog
from workbench.reports.daily import build_daily
from workbench.reports.views import DailyView


@pytest.mark.parametrize(("age", "bucket", "text"), [
    (timedelta(minutes=5), "under 1 day", "5 min"), (timedelta(hours=30), "1–3 days", "30 h"),
    (timedelta(days=3), "3–7 days", "3 d"), (timedelta(days=40), "over 7 days", "40 d"),
], ids=["minutes", "hours", "three-days", "weeks"])
def test_age_buckets(age: timedelta, bucket: str, text: str) -> None:
    assert (age_bucket(age), age_text(age)) == (bucket, text)


def test_backlog_is_escaped_labelled_and_follows_the_store(hostile_settings) -> None:  # noqa: F811
    with get_store(hostile_settings) as store:
        alert = store.get(HOSTILE_ALERT)
        now = alert.created_at + timedelta(days=4)
        figures = build_daily(hostile_settings, store, "2026-03-02", check_cost_budget=False, now=now)
        assert figures.backlog.total == store.count(status="open") == 1
        assert figures.backlog.grid() == [{"severity": "high", "open": 1, "not acknowledged": 1, "under 1 day": 0,
                                           "1–3 days": 0, "3–7 days": 1, "over 7 days": 0}]
        html = str(DailyView(figures).backlog())
        assert SCRIPT not in html and "Console login &lt;script&gt;" in html
        assert f"{HOSTILE_IP} " in html and "documentation range (RFC 5737)" in html
        assert figures.summary_lines()[0] == (f"Open backlog at {now:%Y-%m-%d %H:%M} UTC: 1 alert (1 high); "
                                              "1 not yet acknowledged; oldest waiting 4 d")
        store.acknowledge(HOSTILE_ALERT, "ana")
        assert open_backlog(store, now).unacknowledged == 0
        store.set_status(HOSTILE_ALERT, "resolved", "ana", reason="test")
        closed = open_backlog(store, datetime(2026, 3, 9, tzinfo=UTC))
    assert closed.total == 0 and closed.headline().endswith("none — every alert is resolved or closed")
