"""The threshold census: rules it rules out give exactly what running them gives (nothing), rules
that could burst run, a broken census changes nothing, and compiled SQL outlives the process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.detect.events import BURST_RULE, burst, rule
from tests.detect.test_batch_equivalence import PACK, _alerts, _pack_lake
from workbench import sqlcache
from workbench.alerts import get_store
from workbench.config import Settings
from workbench.detect import run_detections, runner
from workbench.detect.plan import census
from workbench.detect.plan.census import member, take_census
from workbench.engines.local import LocalEngine
from workbench.lake import write_records
from workbench.rules import load_rules
from workbench.timewindow import Window

T0 = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)  # a bucket boundary for 5m buckets


def _rules() -> list:
    # Threshold 10 in 5m per user; a second member so the census runs (it needs two per table).
    return [rule(BURST_RULE), rule(BURST_RULE, id="per-ip-burst",
                                   threshold={"count": 10, "window": "5m", "group_by": ["sourceipaddress"]})]


def _without_census(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "take_census", lambda *args, **kwargs: [])


class AthenaLike(LocalEngine):
    """The local engine asking the census as it is asked of Athena: string keys, half-full cells."""

    GROUP_KEY_HASH = None
    READS_CTE_ONCE = False


@pytest.mark.parametrize("pairs", [True, False], ids=["pair-census", "half-cell-census"])
@pytest.mark.parametrize(("events", "expect_hot", "alerts"), [
    # Five at the end of one bucket and five at the start of the next: one bucket holds half and
    # the two together hold ten, so the census cannot rule the rule out; the burst alerts.
    (lambda: burst("bob", T0 - timedelta(seconds=100), 5) + burst("bob", T0 + timedelta(seconds=1), 5),
     {True: True, False: True}, 1),
    # Four per bucket, buckets apart: no cell holds five, so no window can hold ten.
    (lambda: burst("bob", T0, 4) + burst("bob", T0 + timedelta(minutes=10), 4), {True: False, False: False}, 0),
    # Nine in one bucket: the half-cell test cannot rule it out (nine >= five); the pair test
    # sees that no two adjacent cells hold ten. One short for the rule either way.
    (lambda: burst("bob", T0, 9), {True: False, False: True}, 0),
])
def test_the_census_rules_out_only_rules_that_cannot_burst(env, monkeypatch: pytest.MonkeyPatch, events,
                                                           expect_hot: dict, alerts: int, pairs: bool) -> None:
    settings, engine, store = env
    expect_hot = expect_hot[pairs]
    if not pairs:
        engine = AthenaLike(settings)
    write_records("cloudtrail", events(), settings.lake)
    rules = _rules()
    window = Window(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    found = take_census(rules, [window, window], engine)
    assert len(found) == 1 and found[0].members == [0, 1]
    assert (0 not in found[0].answers) is expect_hot
    if expect_hot and pairs:  # it counted the hot rule's candidates: every event written
        assert found[0].candidates[0] == len(events())
    if not expect_hot:
        empty = found[0].answers[0]
        assert empty.rows == 0 and list(empty.frame.columns) == ["eventtime", "eventid", "username", "sourceipaddress"]
        assert empty.extra["census"]["rules"] == 2

    with_census = run_detections(rules, window.start, window.end, engine, None, dry_run=True)
    _without_census(monkeypatch)
    without = run_detections(rules, window.start, window.end, engine, None, dry_run=True)
    assert len(with_census.rules[0].alerts_new) == alerts
    assert [(r.status, r.alerts_new) for r in with_census.rules] == [(r.status, r.alerts_new) for r in without.rules]
    assert with_census.rules[0].bytes_scanned > 0  # the census's scan is charged to its rules


def test_the_pack_alerts_the_same_with_and_without_the_census(env, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine, store = env
    pack = [r for r in load_rules([PACK]).rules if r.tests]
    start, end = _pack_lake(settings.lake, pack)
    assert sum(member(r) is not None for r in pack) >= 5  # the census speaks for the frequent-event rules
    with_census = run_detections(pack, start, end, engine, store)
    other = Settings(workspace=tmp_path / "no-census", lake_path=settings.lake)
    _without_census(monkeypatch)
    with LocalEngine(other) as plain_engine, get_store(other) as plain_store:
        without = run_detections(pack, start, end, plain_engine, plain_store)
        assert [(r.rule_id, r.status, r.rows) for r in with_census.rules] == \
            [(r.rule_id, r.status, r.rows) for r in without.rules]
        assert sorted(with_census.alerts_new) == sorted(without.alerts_new) and without.alerts_new
        assert _alerts(store) == _alerts(plain_store)


def test_a_census_that_fails_leaves_every_rule_to_run(env, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine, _ = env
    write_records("cloudtrail", burst("bob", T0, 12), settings.lake)
    original = LocalEngine.run

    def run(self, sql, window=None):
        if census.RULE_COLUMN in sql:
            raise RuntimeError("census broke")
        return original(self, sql, window)

    monkeypatch.setattr(LocalEngine, "run", run)
    assert take_census(_rules(), [Window(T0, T0 + timedelta(hours=1))] * 2, engine) == []
    record = run_detections(_rules(), T0, T0 + timedelta(hours=1), engine, None, dry_run=True)
    assert [len(r.alerts_new) for r in record.rules] == [1, 1] and not record.failed


def test_members_whose_rows_another_rule_reads_are_left_to_the_scan(env) -> None:
    """A rule reading every console login makes the scan copy the failures anyway: the census
    does not count the two failure bursts (their key columns and hashes would cost it more than
    their tags cost the scan), and they alert as before; a rule reading only some logins (its
    conditions are not all the bursts') leaves them to the census."""
    settings, engine, _ = env
    write_records("cloudtrail", burst("bob", T0, 12), settings.lake)
    window = Window(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    logins = rule(BURST_RULE, id="every-login", threshold=None,
                  query="SELECT eventtime, eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin'")
    some = rule(logins.model_dump(), id="some-logins",
                query="SELECT eventtime, eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND awsregion = 'x'")
    assert take_census([*_rules(), logins], [window] * 3, engine) == []
    assert [c.members for c in take_census([*_rules(), some], [window] * 3, engine)] == [[0, 1]]
    alone = run_detections(_rules(), window.start, window.end, engine, None, dry_run=True)
    beside = run_detections([*_rules(), logins], window.start, window.end, engine, None, dry_run=True)
    assert [len(r.alerts_new) for r in beside.rules][:2] == [len(r.alerts_new) for r in alone.rules] == [1, 1]


def test_rules_the_census_cannot_count_run_as_before() -> None:
    unnested = rule(BURST_RULE, query="SELECT eventtime, eventid, u AS username FROM cloudtrail "
                                      "CROSS JOIN UNNEST(ARRAY['a', 'b']) AS t(u) WHERE eventname = 'ConsoleLogin'")
    grouped = rule(BURST_RULE, query="SELECT max(eventtime) AS eventtime, useridentity.username AS username "
                                     "FROM cloudtrail WHERE eventname = 'ConsoleLogin' GROUP BY 2")
    single = rule(BURST_RULE, threshold={"count": 1, "window": "5m", "group_by": ["username"]})
    assert member(rule(BURST_RULE)) is not None
    assert member(unnested) is None and member(grouped) is None and member(single) is None


def test_compiled_sql_is_kept_for_the_next_process(env) -> None:
    settings, engine, _ = env
    write_records("cloudtrail", burst("bob", T0, 12), settings.lake)
    first = run_detections(_rules(), T0, T0 + timedelta(hours=1), engine, None, dry_run=True)
    path = sqlcache.cache_file(settings)
    assert path.is_file() and path.parent == settings.state / "cache"

    sqlcache.forget()  # a new kernel: nothing compiled in memory
    with sqlcache.compiled_sql(settings):
        key = ("workbench.detect.plan.census._member", census._rule_key(_rules()[0]))
        assert key in sqlcache._store  # read back from the file, not recompiled
    again = run_detections(_rules(), T0, T0 + timedelta(hours=1), engine, None, dry_run=True)
    assert [r.alerts_new for r in again.rules] == [r.alerts_new for r in first.rules]

    path.write_bytes(b"not a pickle")  # a damaged file is ignored and written anew
    sqlcache.forget()
    run_detections(_rules(), T0, T0 + timedelta(hours=1), engine, None, dry_run=True)
    assert path.read_bytes() != b"not a pickle"
