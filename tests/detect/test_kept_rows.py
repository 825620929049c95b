"""A long-reach shared scan keeps its rows between runs and reads only the run's fresh window,
and answers every rule exactly as a read of the whole reach does, window after window.

Each sequence runs consecutive 15-minute windows over a lake that grows as CloudTrail delivers (a
window's own events, and late ones into its lookback). Per window the pack plan runs twice on the
same engine: with kept rows (`workbench.detect.plan.keptrows`) and without (every scan reads its
whole reach, as before); every rule's rows must be equal.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tests.detect.events import T0, api_call, console_failure, publisher, rule
from tests.detect.test_incremental_census import census_rules
from tests.detect.test_pack_plan import PlanEngine
from workbench.config import Settings
from workbench.detect.plan.keptrows import KeptRows
from workbench.detect.plan.pack import run_pack
from workbench.detect.runner import evaluation_window
from workbench.rules import Rule, load_rules
from workbench.timewindow import Window

ROOT = Path(__file__).resolve().parents[2]
STEP = timedelta(minutes=15)
USERS = ["alice", "bob", "carol", "dave"]
LONG_REACH = ("iam-new-user-given-admin", "console-success-after-failures")


def pack() -> list[Rule]:
    """Two long-reach rules of the shipped pack (60 and 30 minutes, no census can speak for them),
    two threshold rules the census speaks for (they join a scan only when hot), and two that read
    only the run's window."""
    shipped = {r.id: r for r in load_rules([ROOT / "rules" / "aws"]).enabled()}
    base = {"severity": "low", "alert": {"title": "t", "fields": []}}
    secrets, recon = census_rules()[1:3]
    return [*(shipped[i] for i in LONG_REACH), secrets, recon,
            rule({**base, "id": "user-created", "title": "t", "query": (
                "SELECT eventtime, eventid, useridentity.arn AS actor FROM cloudtrail WHERE eventname = 'CreateUser'")}),
            rule({**base, "id": "instances", "title": "t", "query": (
                "SELECT eventtime, eventid, sourceipaddress FROM cloudtrail WHERE eventname = 'DescribeInstances'")})]


def success(user: str, when: datetime) -> dict:
    record = console_failure(user, when)
    record.update({"responseElements": {"ConsoleLogin": "Success"}, "errorMessage": None,
                   "eventID": f"ok-{user}-{when.isoformat()}"})
    return record


def events(rng: random.Random, start: datetime, end: datetime, scale: int) -> list[dict]:
    """CreateUser then an admin grant up to 70 minutes later; failure runs then a success; noise."""
    out: list[dict] = []
    span = int((end - start).total_seconds())
    for _ in range(rng.randint(1, scale)):
        when = start + timedelta(seconds=rng.randrange(span))
        user = rng.choice(USERS)
        kind = rng.randrange(9)
        if kind == 0:
            name = f"new-{rng.randrange(10_000)}"
            out.append(api_call("CreateUser", "iam.amazonaws.com", when, user=user, eventID=f"cu-{name}",
                                requestParameters={"userName": name}))
            grant = when + timedelta(minutes=rng.randrange(75))
            if grant < end:  # a grant after the window arrives with its own window (see `later`)
                out.append(_grant(name, grant, user))
            else:
                LATER.setdefault(grant, []).append(_grant(name, grant, user))
        elif kind == 1:
            out += [console_failure(user, when + timedelta(seconds=20 * i), ip=f"203.0.113.{i}")
                    for i in range(rng.randint(3, 7))]
        elif kind == 2:  # noqa: PLR2004
            out.append(success(user, when))
        elif kind == 3:  # noqa: PLR2004 - now and then a burst for the census
            name, source = rng.choice([("GetSecretValue", "secretsmanager.amazonaws.com"), ("ListBuckets", "s3.amazonaws.com")])
            out += [api_call(name, source, when + timedelta(seconds=7 * i), user=user, eventID=f"b{rng.random()}")
                    for i in range(rng.choice([1, 1, 2, 9]))]
        else:
            out.append(api_call("DescribeInstances", "ec2.amazonaws.com", when, user=user, eventID=f"n{rng.random()}"))
    return out


LATER: dict[datetime, list[dict]] = {}


def _grant(name: str, when: datetime, actor: str) -> dict:
    return api_call("AttachUserPolicy", "iam.amazonaws.com", when, user=actor, eventID=f"ap-{name}",
                    requestParameters={"userName": name, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})


def due(start: datetime, end: datetime) -> list[dict]:
    out = []
    for when in [w for w in LATER if start <= w < end]:
        out += LATER.pop(when)
    return out


def rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in frame.astype(object).itertuples(index=False))


def run_sequence(engine: PlanEngine, publish: Callable[[list[dict]], None], kept: KeptRows, seed: int,
                 windows: int, lookback: timedelta, skip: frozenset[int] = frozenset()) -> list[tuple[bool, int]]:
    """Deliver and run `windows` consecutive windows (those in `skip` are delivered, not run);
    asserts both ways answer each rule alike; per run: whether the scan read only the fresh window,
    and how many alerting rows the run found."""
    rng = random.Random(seed)
    LATER.clear()
    rules = pack()
    publish(events(rng, T0 - timedelta(hours=2), T0, 40))
    found = []
    for n in range(windows):
        start, end = T0 + n * STEP, T0 + (n + 1) * STEP
        late = events(rng, start - lookback, start, 4) if lookback else []
        publish(events(rng, start, end, 14) + late + due(start - timedelta(hours=2), end))
        if n in skip:
            continue
        evaluation = [evaluation_window(r, start, end, lookback)[0] for r in rules]
        engine.batches.clear()
        keeping = run_pack(rules, evaluation, engine, fresh_from=start - lookback, kept=kept)
        statements = [s for batch in engine.batches for s in batch]
        whole = run_pack(rules, evaluation, engine)
        for r, a, b in zip(rules, keeping, whole, strict=True):
            assert not isinstance(a, Exception) and not isinstance(b, Exception), (r.id, a, b)
            assert rows(a.frame) == rows(b.frame), (r.id, n, seed)
        (scan,) = [s for s in statements if s.kind == "scan" and LONG_REACH[0] in s.rules]
        assert [s.kind for s in statements].count("scan") == 1  # hot census rules join the one scan
        # A fresh read starts at the run's lookback, or earlier by the reach of a hot census rule.
        hot = [w.start for r, w in zip(rules, evaluation, strict=True) if r.id in scan.rules and r.id in CENSUS]
        HOT.append(bool(hot))
        found.append((scan.window == Window(min([start - lookback, *hot]), end), sum(len(a.frame) for a in keeping)))
    return found


HOT: list[bool] = []  # per run: did a threshold rule the census speaks for join the kept scan (hot)
CENSUS = ("secrets", "recon")


@pytest.fixture()
def local(tmp_path: Path):
    settings = Settings(workspace=tmp_path / "ws", lake_path=tmp_path / "lake")
    with PlanEngine(settings) as engine:
        yield engine, publisher(settings.lake)


@pytest.mark.parametrize(("seed", "lookback"), [(1, timedelta(minutes=15)), (2, timedelta(minutes=15)),
                                                (3, timedelta(0)), (4, timedelta(0))])
def test_kept_rows_answer_as_reading_the_whole_reach(local, tmp_path: Path, seed: int, lookback: timedelta) -> None:
    engine, publish = local
    # The first run reads the whole reach (nothing kept yet); every later one only its fresh window,
    # hot census rules or not.
    HOT.clear()
    found = run_sequence(engine, publish, KeptRows.for_workspace(tmp_path / "state"), seed, 9, lookback)
    assert [fresh for fresh, _ in found] == [False] + [True] * 8
    assert sum(n for _, n in found) > 0  # the rules found something to compare
    assert any(HOT[1:]) and not all(HOT)


def test_a_gap_reads_the_whole_reach_once_and_a_dry_run_keeps_nothing(local, tmp_path: Path) -> None:
    engine, publish = local
    found = run_sequence(engine, publish, KeptRows.for_workspace(tmp_path / "state"), 5, 12, timedelta(minutes=15),
                         skip=frozenset(range(3, 8)))
    assert [fresh for fresh, _ in found] == [False, True, True, False, True, True, True]
    dry = KeptRows.for_workspace(tmp_path / "dry", read_only=True)
    found = run_sequence(engine, publish, dry, 6, 3, timedelta(minutes=15))
    assert [fresh for fresh, _ in found] == [False, False, False]
    assert not (tmp_path / "dry").exists()


def test_damaged_kept_rows_make_the_rules_read_their_own_windows(local, tmp_path: Path) -> None:
    engine, publish = local
    kept = KeptRows.for_workspace(tmp_path / "state")
    run_sequence(engine, publish, kept, 8, 2, timedelta(minutes=15))
    for path in (tmp_path / "state" / "scan_rows").rglob("*.parquet"):
        path.write_bytes(b"not parquet")
    start, end = T0 + 2 * STEP, T0 + 3 * STEP
    rules = pack()
    evaluation = [evaluation_window(r, start, end, timedelta(minutes=15))[0] for r in rules]
    engine.batches.clear()
    answers = run_pack(rules, evaluation, engine, fresh_from=start - timedelta(minutes=15), kept=kept)
    statements = [s for batch in engine.batches for s in batch]
    (scan,) = [s for s in statements if s.kind == "scan" and LONG_REACH[0] in s.rules]
    alone = {s.rules[0] for s in statements if s.kind == "rule"}
    assert set(scan.rules) <= alone  # the scan's rows were not trusted: each of its rules ran alone
    whole = run_pack(rules, evaluation, engine)
    assert [rows(a.frame) for a in answers] == [rows(b.frame) for b in whole]


def test_reads_are_the_authority_until_the_next_one_and_old_ones_are_dropped(tmp_path: Path) -> None:
    kept = KeptRows(tmp_path)
    at = lambda s: datetime.fromtimestamp(s, tz=T0.tzinfo)  # noqa: E731
    table = lambda *times: pa.table({"t": list(times)})  # noqa: E731
    kept.record("f", Window(at(0), at(3600)), table(1, 2), keep_from=at(0))
    kept.record("f", Window(at(2700), at(4500)), table(3), keep_from=at(900))
    assert [(r.start, r.end) for r in kept.reads("f")] == [(0, 3600), (2700, 4500)]
    earlier = kept.earlier("f", at(900), at(3600))
    assert [(w.start, w.end) for w, _ in earlier] == [(at(900), at(2700)), (at(2700), at(3600))]
    assert kept.serves("f", at(900), at(4500)) and not kept.serves("f", at(900), at(4600))
    kept.record("f", Window(at(0), at(900)), table(9), keep_from=at(0))  # an analyst's old window
    assert [(r.start, r.end) for r in kept.reads("f")] == [(0, 3600), (2700, 4500)]
    kept.record("f", Window(at(3600), at(5400)), table(4), keep_from=at(2700))
    assert [(r.start, r.end) for r in kept.reads("f")] == [(2700, 4500), (3600, 5400)]  # (0, 3600)'s span ended
    kept.record("f", Window(at(9000), at(9900)), table(5), keep_from=at(8000))  # a gap: afresh
    assert [(r.start, r.end) for r in kept.reads("f")] == [(9000, 9900)]
    assert not kept.serves("f", at(8100), at(9000))
