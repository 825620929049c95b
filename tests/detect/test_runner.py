from __future__ import annotations

from datetime import timedelta

import pytest

from tests.detect.events import BURST_RULE, ROOT_RULE, T0, api_call, burst, rule
from workbench.detect import due_windows, run_detections, run_due
from workbench.lake import write_records

M15 = timedelta(minutes=15)


@pytest.mark.parametrize(("events", "alerts"), [(9, 0), (10, 1)], ids=["count-1", "count"])
def test_threshold_boundary(env, events: int, alerts: int) -> None:
    settings, engine, store = env
    write_records("cloudtrail", burst("bob", T0 + timedelta(minutes=2), events), settings.lake)
    run = run_detections([rule(BURST_RULE)], T0, T0 + M15, engine, store)
    assert len(run.alerts_new) == alerts
    if alerts:
        alert = store.get(run.alerts_new[0])
        assert alert.count == events
        assert alert.group_keys == {"username": "bob"}
        assert "bob" in alert.title
        assert alert.evidence.rows and alert.evidence.sql and "ConsoleLogin" in alert.evidence.sql


def test_events_spread_wider_than_the_window_do_not_alert(env) -> None:
    settings, engine, store = env
    write_records("cloudtrail", burst("bob", T0, 10, step=timedelta(seconds=40)), settings.lake)  # 6 min
    assert run_detections([rule(BURST_RULE)], T0, T0 + M15, engine, store).alerts_new == []


def test_burst_straddling_two_runs_alerts_once(env) -> None:
    settings, engine, store = env
    # 12 failures from 10:13 to 10:16:40 — across the 10:15 run boundary.
    write_records("cloudtrail", burst("carol", T0 + timedelta(minutes=13), 12), settings.lake)
    first = run_detections([rule(BURST_RULE)], T0, T0 + M15, engine, store)
    second = run_detections([rule(BURST_RULE)], T0 + M15, T0 + 2 * M15, engine, store)
    third = run_detections([rule(BURST_RULE)], T0 + 2 * M15, T0 + 3 * M15, engine, store)
    ids = first.alerts_new + second.alerts_new + third.alerts_new
    assert len(ids) == 1
    assert store.get(ids[0]).count == 12
    assert store.count() == 1


def test_rerun_is_idempotent(env) -> None:
    settings, engine, store = env
    write_records("cloudtrail", burst("dave", T0, 10) + [api_call("CreateUser", "iam.amazonaws.com", T0)],
                  settings.lake)
    rules = [rule(BURST_RULE), rule(ROOT_RULE)]
    first = run_detections(rules, T0, T0 + M15, engine, store)
    again = run_detections(rules, T0, T0 + M15, engine, store)
    assert len(first.alerts_new) == 2
    assert again.alerts_new == [] and again.alerts_updated == []
    assert store.count() == 2


def test_later_events_update_count_and_last_seen(env) -> None:
    settings, engine, store = env
    write_records("cloudtrail", [api_call("CreateUser", "iam.amazonaws.com", T0 + timedelta(minutes=1))],
                  settings.lake)
    first = run_detections([rule(ROOT_RULE)], T0, T0 + M15, engine, store)
    write_records("cloudtrail", [api_call("CreateUser", "iam.amazonaws.com", T0 + timedelta(minutes=20),
                                          user="alice")], settings.lake)
    second = run_detections([rule(ROOT_RULE)], T0 + M15, T0 + 2 * M15, engine, store)
    assert second.alerts_new == [] and second.alerts_updated == first.alerts_new
    alert = store.get(first.alerts_new[0])
    assert alert.count == 2
    assert alert.last_seen == T0 + timedelta(minutes=20)


def test_failing_rule_is_isolated(env) -> None:
    settings, engine, store = env
    write_records("cloudtrail", [api_call("CreateUser", "iam.amazonaws.com", T0)], settings.lake)
    broken = rule(ROOT_RULE, id="broken", query="SELECT eventtime, eventid, nosuchcolumn FROM cloudtrail")
    run = run_detections([broken, rule(ROOT_RULE)], T0, T0 + M15, engine, store)
    assert [r.rule_id for r in run.failed] == ["broken"]
    assert "nosuchcolumn" in run.failed[0].error
    assert len(run.alerts_new) == 1
    saved = store.list_runs(limit=1)[0]
    assert saved["rules_failed"] == ["broken"] and saved["status"] == "failed"
    assert store.get_checkpoint("iam-user-created") == T0 + M15
    assert store.get_checkpoint("broken") is None


def test_dry_run_stores_nothing(env) -> None:
    settings, engine, store = env
    write_records("cloudtrail", [api_call("CreateUser", "iam.amazonaws.com", T0)], settings.lake)
    run = run_detections([rule(ROOT_RULE)], T0, T0 + M15, engine, store, dry_run=True)
    assert len(run.alerts_new) == 1
    assert store.count() == 0 and store.list_runs() == []


def test_catch_up_after_a_gap(env) -> None:
    settings, engine, store = env
    events = [api_call("CreateUser", "iam.amazonaws.com", T0 + timedelta(minutes=m), user=f"u{m}")
              for m in (5, 50, 95)]
    write_records("cloudtrail", events, settings.lake)
    store.set_checkpoint("iam-user-created", T0)
    now = T0 + timedelta(hours=2, minutes=3)
    # Bounded: at most 3 windows per call; the checkpoint moves only over evaluated windows.
    runs = run_due([rule(ROOT_RULE)], engine, store, now=now, max_windows=3)
    assert [r.window_start for r in runs] == [T0, T0 + M15, T0 + 2 * M15]
    assert store.get_checkpoint("iam-user-created") == T0 + 3 * M15
    runs += run_due([rule(ROOT_RULE)], engine, store, now=now, max_windows=100)
    assert runs[-1].window_end == T0 + timedelta(hours=2)
    assert [r.window_start for r in runs] == [T0 + i * M15 for i in range(8)]
    assert store.count() == 3  # one per user (dedup keys: actor), none lost, none doubled


def test_due_windows_are_aligned() -> None:
    now = T0 + timedelta(minutes=31)
    assert due_windows(None, now, M15, 10) == [(T0 + M15, T0 + 2 * M15)]
    assert due_windows(T0 + 2 * M15, now, M15, 10) == []


def test_backtest_writes_nothing_and_sweeps(env) -> None:
    from workbench.detect.backtest import backtest

    settings, engine, store = env
    day2 = T0 + timedelta(days=1)
    write_records("cloudtrail", burst("erin", T0, 12) + burst("frank", day2, 6), settings.lake)
    result = backtest(rule(BURST_RULE), T0 - timedelta(hours=1), day2 + timedelta(hours=1), engine=engine)
    assert store.count() == 0
    assert result.total_alerts == 1  # erin at 10; frank's 6 are below it
    sweep = dict(zip(result.sweep["threshold"], result.sweep["alerts"], strict=True))
    assert sweep[6] == 2 and sweep[7] == 1 and sweep[13] == 0
    assert result.suggest_threshold(max_alerts_per_day=0.5) == 7


@pytest.mark.parametrize("where", ["n + m < 0", "eventname = 'CreateUser' AND n + m < 0"],
                         ids=["alone", "in-a-shared-scan"])
def test_a_rule_that_runs_too_long_fails_alone(workspace, where: str) -> None:
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.engines import get_engine

    settings = load_settings(workspace).model_copy(update={"query_timeout": "1s"})
    write_records("cloudtrail", [api_call("CreateUser", "iam.amazonaws.com", T0)], settings.lake)
    # Ten billion generated row pairs per event: never finishes in a second. With a liftable
    # condition it is a member of the shared scan first, stopped there on its worker cursor.
    slow = rule(ROOT_RULE, id="runaway", query=(
        "SELECT eventtime, eventid, useridentity.arn AS actor FROM cloudtrail "
        "CROSS JOIN UNNEST(sequence(1, 100000)) AS a(n) CROSS JOIN UNNEST(sequence(1, 100000)) AS b(m) "
        f"WHERE {where}"))
    with get_engine("local", settings) as engine, get_store(settings) as store:
        run = run_detections([slow, rule(ROOT_RULE)], T0, T0 + M15, engine, store)
    assert [r.rule_id for r in run.failed] == ["runaway"]
    assert "timed out after 1s" in run.failed[0].error
    assert len(run.alerts_new) == 1
