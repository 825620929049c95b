"""First-seen (`new_terms`) rules through the real runner, lake and SQLite store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.detect.events import T0, api_call
from workbench.detect.runner import run_detections
from workbench.detect.terms import Baseline, OverlayTermStore, TermState, get_term_store, term_key
from workbench.engines import Engine, Result
from workbench.lake import write_records
from workbench.rules import Rule, RuleLoadError, lint_rule
from workbench.timewindow import Window

RULE: dict[str, Any] = {
    "id": "key-new-address",
    "title": "key from a new address",
    "severity": "medium",
    "query": "SELECT eventtime, eventid, useridentity.username AS username, sourceipaddress, eventname "
             "FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com'",
    "new_terms": {"fields": ["username", "sourceipaddress"], "history": "14d", "learning": "1d"},
    "alert": {"title": "{username} from a new address {sourceipaddress}", "fields": ["username", "sourceipaddress"]},
}
WINDOW = timedelta(minutes=15)


def rule(**changes: Any) -> Rule:
    spec = {**RULE, "new_terms": {**RULE["new_terms"], **changes.pop("new_terms", {})}, **changes}
    return Rule.from_dict(spec)


def call(when, ip: str, user: str = "alice", name: str = "ListUsers") -> dict:
    return api_call(name, "iam.amazonaws.com", when, user=user, sourceIPAddress=ip,
                    eventID=f"{user}-{ip}-{name}-{when:%Y%m%d%H%M%S}")


class CountingEngine:
    """The real engine, recording every window a statement read (to show what a run scans)."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.windows, self.statements = engine, [], []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def run(self, sql: str, window: Window | None = None) -> Result:
        self.windows.append(window)
        self.statements.append((sql, window))
        return self.engine.run(sql, window)

    def run_batch(self, queries, window=None, *, windows=None, candidates=None):  # noqa: ANN001, ANN201
        self.windows.extend(windows or [window] * len(queries))
        return self.engine.run_batch(queries, window, windows=windows, candidates=candidates)


def history(settings, days: int = 5) -> None:
    """Alice works from 198.51.100.7 every day for `days` days before T0."""
    write_records("cloudtrail", [call(T0 - timedelta(days=d, hours=3), "198.51.100.7") for d in range(1, days + 1)],
                  settings.lake)


def test_a_new_address_alerts_once_and_a_known_one_never(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=1), "198.51.100.7"),
                                 call(T0 + timedelta(minutes=2), "203.0.113.9"),
                                 call(T0 + timedelta(minutes=3), "203.0.113.9", name="CreateUser")], settings.lake)
    run = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    assert run.status == "ok" and len(run.alerts_new) == 1
    alert = store.get(run.alerts_new[0])
    assert alert.group_keys == {"username": "alice", "sourceipaddress": "203.0.113.9"}
    assert alert.count == 2
    assert alert.fields["new_term"] == "username=alice, sourceipaddress=203.0.113.9"
    assert alert.fields["term_first_seen"] == f"{T0 + timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}"


def test_rerunning_a_window_neither_realerts_nor_forgets(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9")], settings.lake)
    first = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    again = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    overlap = run_detections([rule()], T0 + WINDOW, T0 + 2 * WINDOW, engine, store, lookback=WINDOW)
    assert len(first.alerts_new) == 1
    assert again.alerts_new == [] and overlap.alerts_new == []
    assert store.count() == 1 and store.get(first.alerts_new[0]).count == 1
    with get_term_store(settings) as terms:
        state = terms.lookup("key-new-address", [term_key(["alice", "203.0.113.9"])])
    assert list(state.values())[0].new_at == T0 + timedelta(minutes=2)


def test_a_term_seen_in_an_earlier_run_is_not_new_in_the_next(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9"),
                                 call(T0 + timedelta(hours=2), "203.0.113.9")], settings.lake)
    run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    later = run_detections([rule()], T0 + timedelta(hours=2), T0 + timedelta(hours=2) + WINDOW, engine, store,
                           lookback=timedelta(minutes=15))
    assert later.alerts_new == [] and later.alerts_updated == []


def test_a_term_unseen_for_the_history_is_new_again(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9"),
                                 call(T0 + timedelta(days=16), "203.0.113.9")], settings.lake)
    first = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    late = T0 + timedelta(days=16) - timedelta(minutes=5)
    second = run_detections([rule()], late, late + WINDOW, engine, store, lookback=timedelta(0))
    assert len(first.alerts_new) == 1 and len(second.alerts_new) == 1
    alert = store.get(second.alerts_new[0])
    assert alert.fields["term_last_seen_before"] == f"{T0 + timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}"


def test_first_enable_backfills_the_history_once_then_reads_only_its_window(env) -> None:
    settings, engine, store = env
    history(settings, days=10)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "198.51.100.7")], settings.lake)
    counting = CountingEngine(engine)
    run = run_detections([rule()], T0, T0 + WINDOW, counting, store, lookback=timedelta(0))
    assert run.alerts_new == []  # the usual address was learned from the history
    backfilled = [w for sql, w in counting.statements if sql == rule().query]
    assert min(w.start for w in backfilled) == T0 - timedelta(days=14) and max(w.end for w in backfilled) == T0
    assert len(backfilled) == 14 and all(w.end - w.start == timedelta(days=1) for w in backfilled)
    counting.windows.clear()
    run_detections([rule()], T0 + WINDOW, T0 + 2 * WINDOW, counting, store, lookback=timedelta(0))
    assert counting.windows == [Window(T0 + WINDOW, T0 + 2 * WINDOW)]  # the window, and the state
    with get_term_store(settings) as terms:
        assert terms.baseline("key-new-address") == Baseline(T0 - timedelta(days=10, hours=3), T0)


def test_terms_of_the_learning_period_are_learned_not_alerted(env) -> None:
    """A workspace whose lake starts at T0: the first day teaches, the second alerts on what is new."""
    settings, engine, store = env
    write_records("cloudtrail", [call(T0 + timedelta(hours=1), "198.51.100.7"),
                                 call(T0 + timedelta(hours=30), "198.51.100.7"),
                                 call(T0 + timedelta(hours=31), "203.0.113.9")], settings.lake)
    run = run_detections([rule()], T0, T0 + timedelta(days=2), engine, store, lookback=timedelta(0))
    assert [store.get(a).group_keys["sourceipaddress"] for a in run.alerts_new] == ["203.0.113.9"]
    quiet = rule(id="no-learning", new_terms={"learning": "0"})
    assert quiet.new_terms.learning == timedelta(0)


def test_a_dry_run_reads_the_state_and_changes_nothing(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9")], settings.lake)
    dry = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0), dry_run=True)
    assert len(dry.alerts_new) == 1 and store.count() == 0
    with get_term_store(settings) as terms:
        assert terms.size() == 0 and terms.baseline("key-new-address") is None
    real = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    assert real.alerts_new == dry.alerts_new


def test_alert_if_rows_teach_the_state_without_alerting(env) -> None:
    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=1), "203.0.113.9", name="ListUsers"),
                                 call(T0 + timedelta(minutes=2), "203.0.113.9", name="CreateUser"),
                                 call(T0 + timedelta(minutes=3), "192.0.2.4", name="ListRoles")], settings.lake)
    only_writes = rule(query=RULE["query"].replace("eventname FROM", "eventname, eventname LIKE 'Create%' AS is_write FROM"),
                       new_terms={"alert_if": "is_write"})
    run = run_detections([only_writes], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    assert [store.get(a).fields["new_term"] for a in run.alerts_new] == ["username=alice, sourceipaddress=203.0.113.9"]


def test_rows_missing_a_term_field_are_ignored(env) -> None:
    settings, engine, store = env
    history(settings)
    anonymous = call(T0 + timedelta(minutes=2), "203.0.113.9")
    anonymous["userIdentity"] = {"type": "AWSAccount", "accountId": "999988887777"}
    write_records("cloudtrail", [anonymous], settings.lake)
    assert run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0)).alerts_new == []


def test_rules_with_both_kinds_or_unknown_fields_are_refused() -> None:
    with pytest.raises(RuleLoadError, match="either threshold or new_terms"):
        rule(threshold={"count": 5, "window": "5m"})
    issues = lint_rule(rule(new_terms={"fields": ["username", "useragent"]}))
    assert any(i.field == "new_terms.fields[1]" and "useragent" in i.message for i in issues)
    issues = lint_rule(rule(new_terms={"history": "365d"}))
    assert any(i.field == "new_terms.history" for i in issues)


def _term_settings(workspace, backend: str, request):  # noqa: ANN001, ANN202
    from tests.alerts.conftest import store_settings

    endpoint = request.getfixturevalue("aws_env") if backend == "dynamodb" else None
    return store_settings(workspace, "dynamodb" if backend == "dynamodb" else "sqlite", endpoint)


@pytest.mark.parametrize("backend", ["sqlite", "dynamodb", "overlay"])
def test_term_store_merges_restarts_and_forgets(workspace, backend: str, request) -> None:  # noqa: ANN001
    settings = _term_settings(workspace, backend, request)
    store = OverlayTermStore() if backend == "overlay" else get_term_store(settings)
    key, other = term_key(["alice", "203.0.113.9"]), term_key(["bob", "192.0.2.1"])
    store.record("r", {key: TermState(T0, T0 + timedelta(hours=1)), other: TermState(T0, T0)})
    store.record("r", {key: TermState(T0 - timedelta(hours=1), T0, new_at=T0)})
    assert store.lookup("r", [key, "absent"]) == {key: TermState(T0 - timedelta(hours=1), T0 + timedelta(hours=1), T0)}
    store.record("r", {key: TermState(T0 + timedelta(days=20), T0 + timedelta(days=20))}, replace_keys=[key])
    assert store.lookup("r", [key])[key] == TermState(T0 + timedelta(days=20), T0 + timedelta(days=20))
    assert store.size("r") == 2 and store.lookup("other-rule", [key]) == {}
    store.set_baseline("r", Baseline(T0, T0 + timedelta(days=1)))
    assert store.baseline("r") == Baseline(T0, T0 + timedelta(days=1))
    store.forget("r")
    assert store.baseline("r") is None and store.size("r") == 0
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", "overlay"])
def test_purge_forgets_terms_older_than_the_history(workspace, backend: str, request) -> None:  # noqa: ANN001
    settings = _term_settings(workspace, backend, request)
    store = OverlayTermStore() if backend == "overlay" else get_term_store(settings)
    old, recent = term_key(["old"]), term_key(["recent"])
    store.record("r", {old: TermState(T0, T0), recent: TermState(T0, T0 + timedelta(days=10))})
    assert store.purge("r", T0 + timedelta(days=1)) == 1
    assert set(store.lookup("r", [old, recent])) == {recent}


def test_dynamodb_terms_expire_by_ttl_and_spread_over_shards(workspace, request) -> None:  # noqa: ANN001
    import boto3

    settings = _term_settings(workspace, "dynamodb", request)
    store = get_term_store(settings)
    store.record("r", {term_key([f"10.0.0.{i}"]): TermState(T0, T0 + timedelta(hours=i)) for i in range(40)})
    client = boto3.client("dynamodb", endpoint_url=settings.store.endpoint_url, region_name="us-east-1")
    ttl = client.describe_time_to_live(TableName=store.table_name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    items = client.scan(TableName=store.table_name)["Items"]
    assert len({i["pk"]["S"] for i in items}) > 8  # no single hot partition key
    assert all(int(i["expires_at"]["N"]) > T0.timestamp() + 89 * 86400 for i in items)
    assert store.size("r") == 40


def test_the_runner_keeps_first_seen_state_beside_a_dynamodb_alert_store(workspace, request) -> None:  # noqa: ANN001
    from workbench.alerts import get_store
    from workbench.engines import get_engine

    settings = _term_settings(workspace, "dynamodb", request)
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9")], settings.lake)
    with get_engine("local", settings) as engine, get_store(settings) as store:
        first = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
        again = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
        assert len(first.alerts_new) == 1 and again.alerts_new == []
    with get_term_store(settings) as terms:
        assert terms.size("key-new-address") == 2
        assert terms.baseline("key-new-address").through == T0


def test_backtest_lists_each_new_term_with_its_first_sighting_and_writes_nothing(env) -> None:
    from workbench.detect.backtest import backtest

    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(hours=1), "198.51.100.7"),
                                 call(T0 + timedelta(hours=2), "203.0.113.9"),
                                 call(T0 + timedelta(hours=2, minutes=10), "203.0.113.9", name="CreateUser")], settings.lake)
    result = backtest(rule(), T0, T0 + timedelta(days=1), engine)
    assert result.terms.to_dict("records") == [
        {"term": "username=alice, sourceipaddress=203.0.113.9",
         "first_seen": f"{T0 + timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ}", "events": 2}]
    assert result.total_alerts == 1 and "203.0.113.9" in result._repr_html_()
    with get_term_store(settings) as terms:
        assert terms.size() == 0


def test_the_triage_detail_shows_the_new_term_and_when_it_was_first_seen(env) -> None:
    from workbench.session import Session
    from workbench.widgets import triage

    settings, engine, store = env
    history(settings)
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9")], settings.lake)
    run = run_detections([rule()], T0, T0 + WINDOW, engine, store, lookback=timedelta(0))
    widget = triage(settings, session=Session(settings))
    widget.detail.show(store.get(run.alerts_new[0]))
    shown = widget.detail.overview.value
    assert "username=alice, sourceipaddress=203.0.113.9" in shown
    assert f"{T0 + timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}" in shown


def test_by_default_a_rule_learns_until_the_lake_holds_its_whole_history(env) -> None:
    settings, engine, store = env
    default = rule(new_terms={"learning": None})
    history(settings, days=5)  # five days of logs: not yet fourteen
    write_records("cloudtrail", [call(T0 + timedelta(minutes=2), "203.0.113.9")], settings.lake)
    assert run_detections([default], T0, T0 + WINDOW, engine, store, lookback=timedelta(0)).alerts_new == []

    elder = default.model_copy(update={"id": "with-full-history"})
    write_records("cloudtrail", [call(T0 - timedelta(days=14, hours=12), "198.51.100.7")],
                  settings.lake)  # the lake holds data from before the history: it is complete
    write_records("cloudtrail", [call(T0 + timedelta(hours=5), "192.0.2.77")], settings.lake)
    late = T0 + timedelta(hours=5) - timedelta(minutes=5)
    run = run_detections([elder], late, late + WINDOW, engine, store, lookback=timedelta(0))
    assert len(run.alerts_new) == 1


def test_backfill_terms_command_learns_the_history_and_names_unknown_rules(env, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from workbench.cli import app

    settings, engine, store = env
    history(settings)
    rules_dir = settings.workspace / "rules" / "aws" / "cloudtrail"
    rules_dir.mkdir(parents=True)
    import yaml

    (rules_dir / "key-new-address.yaml").write_text(yaml.safe_dump(RULE))
    monkeypatch.chdir(settings.workspace)
    end = f"{T0:%Y-%m-%dT%H:%M:%SZ}"
    done = CliRunner().invoke(app, ["rules", "backfill-terms", "key-new-address", "--end", end])
    assert done.exit_code == 0, done.output
    assert "key-new-address: 1 terms known" in done.output
    with get_term_store(settings) as terms:
        assert terms.baseline("key-new-address").through == T0
    again = CliRunner().invoke(app, ["rules", "backfill-terms", "key-new-adress", "--end", end])
    assert again.exit_code != 0 and "did you mean 'key-new-address'" in again.output
