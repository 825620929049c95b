"""Thresholds count events, not rows (issue 18): a duplicate delivery puts the same records in the
lake twice, and must not turn six failed sign-ins into a burst of ten. A row whose time is not a
time never fails the rule. The shared-scan and one-query-per-rule paths agree on both."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.detect.events import BURST_RULE, T0, burst, rule
from tests.detect.test_batch_equivalence import OneQueryPerRule, _alerts
from workbench.alerts import get_store
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.detect.matching import candidates
from workbench.lake import write_records

START, END = T0 - timedelta(minutes=30), T0 + timedelta(minutes=30)


def _both_paths(settings: Settings, engine, store, tmp_path: Path):  # noqa: ANN001, ANN202
    """The burst rule (and a copy, so the shared scan has two members) through both paths."""
    rules = [rule(BURST_RULE), rule(BURST_RULE, id="burst-copy")]
    other = Settings(workspace=tmp_path / "one-by-one", lake_path=settings.lake)
    with OneQueryPerRule(other) as alone_engine, get_store(other) as alone_store:
        alone = run_detections(rules, START, END, alone_engine, alone_store)
        batched = run_detections(rules, START, END, engine, store)
        assert [(r.status, r.error) for r in batched.rules] == [("ok", None)] * 2
        assert [(r.status, r.error) for r in alone.rules] == [("ok", None)] * 2
        assert _alerts(store) == _alerts(alone_store)
    return _alerts(store)


def test_six_failures_delivered_twice_are_not_a_burst_of_ten(env, tmp_path: Path) -> None:
    settings, engine, store = env
    events = burst("carol", T0, 6)
    write_records("cloudtrail", events, settings.lake)
    write_records("cloudtrail", events, settings.lake)  # the same records again: a duplicate delivery
    assert _both_paths(settings, engine, store, tmp_path) == []


def test_ten_failures_delivered_twice_alert_once_with_ten_events(env, tmp_path: Path) -> None:
    settings, engine, store = env
    events = burst("dave", T0, 10)
    write_records("cloudtrail", events, settings.lake)
    write_records("cloudtrail", events[:4], settings.lake)
    alerts = _both_paths(settings, engine, store, tmp_path)
    assert [(a["rule"], a["count"], len(a["rows"]), len(a["events"])) for a in alerts] == [
        ("burst-copy", 10, 10, 10), ("console-login-failure-burst", 10, 10, 10)]


def _legacy_row(lake: Path) -> None:
    """A lake written before ingest parsed times whole: a copy of a row whose time has the form but
    is none ('…T10:00:99Z'). It sorts inside the window, so queries return it."""
    (path,) = list((lake / "cloudtrail").rglob("*.parquet"))
    bad = pq.read_table(path).slice(0, 1)
    bad = bad.set_column(bad.schema.get_field_index("eventtime"), "eventtime", pc.cast(
        pc.replace_substring(bad["eventtime"], ":00Z", ":99Z"), bad.schema.field("eventtime").type))
    bad = bad.set_column(bad.schema.get_field_index("eventid"), "eventid",
                         pc.cast(pc.binary_join_element_wise(bad["eventid"], "-legacy", ""), "string"))
    pq.write_table(bad, path.with_name("legacy.parquet"))


def test_the_census_reads_a_time_that_is_not_a_time_as_unknown(env) -> None:
    """The census asks one statement for all its rules; a bad time must not fail it (it would then
    be skipped, every rule paying its own query), and must not let it rule a rule out."""
    from tests.detect.test_census import _rules
    from workbench.detect.plan.census import take_census
    from workbench.timewindow import Window

    settings, engine, _ = env
    write_records("cloudtrail", burst("bob", T0, 4), settings.lake)
    _legacy_row(settings.lake)
    window = Window(START, END)
    (found,) = take_census(_rules(), [window, window], engine)
    assert found.members == [0, 1] and found.answers == {}  # a NULL time: neither can be ruled out


def test_a_row_whose_time_is_not_a_time_never_fails_the_rule(env, tmp_path: Path, caplog) -> None:  # noqa: ANN001
    settings, engine, store = env
    write_records("cloudtrail", burst("erin", T0, 10), settings.lake)
    _legacy_row(settings.lake)
    with caplog.at_level("WARNING", logger="workbench.detect.matching"):
        alerts = _both_paths(settings, engine, store, tmp_path)
    assert [(a["rule"], a["count"]) for a in alerts] == [("burst-copy", 10), ("console-login-failure-burst", 10)]
    assert "rule 'console-login-failure-burst': 1 output row(s) have no valid eventtime (e.g. " \
           "'2026-11-20T10:00:99Z')" in caplog.text


def _frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["eventtime", "eventid", "secret"], dtype="str").assign(username="u")


def test_rows_of_one_event_that_differ_still_count_and_copies_do_not() -> None:
    unnest = rule(BURST_RULE, threshold={"count": 3, "window": "5m", "group_by": ["username"]})
    t = "2026-11-20T10:00:0{}Z".format
    elements = _frame([(t(1), "e1", "arn:a"), (t(1), "e1", "arn:b"), (t(2), "e2", "arn:a")])
    assert [c.count for c in candidates(unnest, elements)] == [2]  # three rows: one per element
    assert len(candidates(unnest, elements)[0].rows) == 3
    copies = _frame([(t(1), "e1", "arn:a"), (t(1), "e1", "arn:a"), (t(2), "e2", "arn:a")])
    assert candidates(unnest, copies) == []  # two rows are one copy of the other: two events
