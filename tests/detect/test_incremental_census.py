"""The incremental threshold census decides exactly as the full census does, window after window.

Each sequence runs consecutive 15-minute windows over a lake that grows as CloudTrail delivers:
a window's own events, and late events into the previous 15 minutes (the lookback) delivered
with it. Per window the full census (`onescan`, reading the whole reach) and the piece census
(`incremental`, reading [start − lookback, end) once its state holds the rest) are run on the same
engine, and must find the same rules hot with the same candidate counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.detect.events import api_call, console_failure, publisher, rule
from workbench.config import Settings
from workbench.detect.plan.census import CELLS_COLUMN, ROWS_COLUMN, RULE_COLUMN, member
from workbench.detect.plan.censusstate import CensusState
from workbench.detect.plan.incremental import prepare
from workbench.detect.plan.incremental import read as read_pieces
from workbench.detect.plan.pack import plan_window
from workbench.detect.plan.pieces import fingerprint
from workbench.detect.runner import evaluation_window
from workbench.engines import Engine
from workbench.engines.local import LocalEngine
from workbench.rules import Rule
from workbench.timewindow import Window

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
STEP, LOOKBACK = timedelta(minutes=15), timedelta(minutes=15)
USERS = ["alice", "bob", "carol"]


def census_rules(recon_window: str = "1m") -> list[Rule]:
    base = {"severity": "medium", "alert": {"title": "{count}", "fields": []}}
    return [
        rule({**base, "id": "logins", "title": "t", "query": (
            "SELECT eventtime, eventid, useridentity.username AS username FROM cloudtrail "
            "WHERE eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'"),
            "threshold": {"count": 6, "window": "5m", "group_by": ["username"]}}),
        rule({**base, "id": "secrets", "title": "t", "query": (
            "SELECT eventtime, eventid, useridentity.arn AS principal FROM cloudtrail "
            "WHERE eventsource = 'secretsmanager.amazonaws.com' AND eventname = 'GetSecretValue'"),
            "threshold": {"count": 7, "window": "10m", "group_by": ["principal"]}}),
        rule({**base, "id": "recon", "title": "t", "query": (
            "SELECT eventtime, eventid, useridentity.arn AS principal FROM cloudtrail "
            "WHERE eventname LIKE 'List%'"),
            "threshold": {"count": 5, "window": recon_window, "group_by": ["principal"]}}),
        rule({**base, "id": "denied", "title": "t", "query": (
            "SELECT eventtime, eventid FROM cloudtrail WHERE errorcode = 'AccessDenied'"),
            "threshold": {"count": 14, "window": "30m"}}),
    ]


def events(rng: random.Random, start: datetime, end: datetime, scale: int) -> list[dict]:
    """Random candidates of every rule in [start, end): clumps near each threshold."""
    out = []
    span = int((end - start).total_seconds())
    for _ in range(rng.randint(0, scale)):
        when = start + timedelta(seconds=rng.randrange(span))
        user = rng.choice(USERS)
        kind = rng.randrange(4)
        if kind == 0:
            out.append(console_failure(user, when, ip=f"198.51.100.{rng.randrange(250)}"))
        elif kind == 1:
            out.append(api_call("GetSecretValue", "secretsmanager.amazonaws.com", when, user=user,
                                eventID=f"s{rng.random()}"))
        elif kind == 2:  # noqa: PLR2004
            out.append(api_call("ListBuckets", "s3.amazonaws.com", when, user=user, eventID=f"l{rng.random()}"))
        else:
            out.append(api_call("DescribeInstances", "ec2.amazonaws.com", when, user=user,
                                errorCode="AccessDenied", eventID=f"d{rng.random()}"))
    return out


def full_census(engine: Engine, rules: list[Rule], start: datetime, end: datetime) -> dict[str, int]:
    """Hot rule id -> candidate rows, by the full census (today's one-row-per-rule statement)."""
    plan = plan_window(rules, [evaluation_window(r, start, end, LOOKBACK)[0] for r in rules])
    (part,) = plan.census
    (answer,) = engine.run_plan([part.statement])
    assert not isinstance(answer, Exception), answer
    frame = answer.frame
    return {plan.parts[part.members[int(p)]].rule.id: int(rows)
            for p, cells, rows in zip(frame[RULE_COLUMN], frame[CELLS_COLUMN], frame[ROWS_COLUMN], strict=True)
            if cells}


def piece_census(engine: Engine, rules: list[Rule], start: datetime, end: datetime,
                 state: CensusState) -> tuple[dict[str, int], bool, Window]:
    plan = plan_window(rules, [evaluation_window(r, start, end, LOOKBACK)[0] for r in rules])
    (pieces,) = prepare(plan, state, start - LOOKBACK)
    (part,) = plan.census
    (answer,) = engine.run_plan([part.statement])
    assert not isinstance(answer, Exception), answer
    hot, rows, incremental = read_pieces(pieces, answer, state)
    return {plan.parts[part.members[p]].rule.id: rows[p] for p in hot}, incremental, part.statement.window


def run_sequence(engine: Engine, publish: Callable[[list[dict]], None], state: CensusState, seed: int,
                 windows: int, scale: int = 40, rules: list[Rule] | None = None,
                 skip: frozenset[int] = frozenset()) -> list[tuple[dict[str, int], bool]]:
    """Deliver and census `windows` consecutive windows (those in `skip` are delivered, not run);
    asserts the two censuses agree on each, and returns the piece census's findings."""
    rng = random.Random(seed)
    rules = rules or census_rules()
    publish(events(rng, T0 - timedelta(hours=2), T0, 6 * scale))  # history before the first run
    found = []
    for n in range(windows):
        start, end = T0 + n * STEP, T0 + (n + 1) * STEP
        # This window's events, and late ones into the lookback, arrive before the run.
        publish(events(rng, start, end, scale) + events(rng, start - LOOKBACK, start, scale // 4))
        if n in skip:
            continue
        full = full_census(engine, rules, start, end)
        incremental, was_incremental, read = piece_census(engine, rules, start, end, state)
        assert incremental == full, (n, seed)
        if was_incremental:
            assert read == Window(start - LOOKBACK, end)
        found.append((full, was_incremental))
    return found


@pytest.fixture()
def local(tmp_path: Path) -> tuple[LocalEngine, Callable[[list[dict]], None]]:
    settings = Settings(workspace=tmp_path / "ws", lake_path=tmp_path / "lake")
    with LocalEngine(settings) as engine:
        yield engine, publisher(settings.lake)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_incremental_census_marks_the_rules_the_full_census_marks(local, tmp_path: Path, seed: int) -> None:
    engine, publish = local
    with CensusState.for_workspace(tmp_path / "state") as state:
        found = run_sequence(engine, publish, state, seed, windows=10)
    assert [incremental for _, incremental in found] == [False] + [True] * 9  # the first run seeds the state
    assert any(hot for hot, _ in found) and any(not hot or len(hot) < 4 for hot, _ in found)  # noqa: PLR2004


def test_a_gap_in_the_schedule_reads_the_whole_reach_once_then_goes_on(local, tmp_path: Path) -> None:
    engine, publish = local
    with CensusState.for_workspace(tmp_path / "state") as state:
        # 15-minute gap after window 2: window 3 is not run, so window 4's reach is not all stored.
        found = run_sequence(engine, publish, state, 5, windows=7, skip=frozenset({3}))
    assert [incremental for _, incremental in found] == [False, True, True, True, True, True]
    # a longer gap: nothing stored meets the reach of the next window
    with CensusState.for_workspace(tmp_path / "state2") as state:
        found = run_sequence(engine, publish, state, 6, windows=12, skip=frozenset(range(2, 9)))
    assert [incremental for _, incremental in found] == [False, True, False, True, True]


def test_a_changed_rule_starts_afresh_and_a_dry_run_writes_nothing(local, tmp_path: Path) -> None:
    engine, publish = local
    path = tmp_path / "state"
    with CensusState.for_workspace(path) as state:
        run_sequence(engine, publish, state, 7, windows=3)
        start, end = T0 + 3 * STEP, T0 + 4 * STEP
        changed = census_rules(recon_window="2m")  # recon's buckets change: its fingerprint too
        hot, incremental, read = piece_census(engine, changed, start, end, state)
        assert not incremental and read.start < start - LOOKBACK
        assert hot == full_census(engine, changed, start, end)
    fps = [fingerprint(m) for r in changed if (m := member(r)) is not None]
    with CensusState.for_workspace(path, read_only=True) as dry:
        before = [dry.coverage(fp) for fp in fps]
        start, end = T0 + 6 * STEP, T0 + 7 * STEP  # the stored pieces end 15 minutes before its lookback
        hot, incremental, _ = piece_census(engine, changed, start, end, dry)
        assert not incremental and hot == full_census(engine, changed, start, end)
        assert [dry.coverage(fp) for fp in fps] == before and all(before)  # the dry run stored nothing


def test_an_old_window_leaves_the_newer_state_alone(tmp_path: Path) -> None:
    with CensusState.for_workspace(tmp_path) as state:
        state.record("m", 300, 0, 1800, [("k", 0, 3), ("k", 5, 2)], 0, keep_from=0)
        state.record("m", 300, 1800, 2700, [("k", 6, 4)], 1, keep_from=600)
        stored = state.coverage("m")
        assert stored is not None and (stored.start, stored.end) == (600, 2700)
        assert stored.nulls == ((1800, 2700, 1),)
        assert sorted(state.pieces("m", 300, 0, 2700)) == [("k", 5, 2), ("k", 6, 4)]  # piece 0 dropped
        state.record("m", 300, 0, 900, [("k", 0, 99)], 0, keep_from=0)  # an analyst's old window
        assert state.coverage("m") == stored
        assert stored.serves(300, 600, 1800) and not stored.serves(300, 300, 1800)
        assert not stored.serves(300, 900, 2700 + 300) and not stored.serves(60, 600, 1800)
