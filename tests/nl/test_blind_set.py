"""The English -> SQL question sets are well formed and their gold SQL runs: the blind evaluation set
(tests/nl/blind.yaml, ids b...) and the development sets the translator's author may study
(every tests/nl/dev*.yaml: dev.yaml ids d..., dev2.yaml ids e..., dev3.yaml ids f...; each written
by a helper who did not read the translator either).

No translator is involved: these tests check the sets themselves. Every entry has the documented shape,
and every gold query passes the SQL guard and runs on the demo lake (2 days, seed 7, ending
2026-11-20) under the question's window. A gold query must also bound itself: run without the
window it returns the same rows, so an evaluator that forgets the window still scores correctly.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from workbench.timewindow import Window, parse_time

BLIND = Path(__file__).with_name("blind.yaml")
# Every development set, found by name so a new one (dev4.yaml ...) is checked without an edit here.
DEV_FILES = sorted(Path(__file__).parent.glob("dev*.yaml"))
LAKE_WINDOW = "2026-11-18T00:00:00Z/2026-11-20T00:00:00Z"  # the whole demo lake; time phrases count back from its end
KEYS = {"id", "question", "window", "sql", "expect", "refuse", "entities", "category"}
REQUIRED = {"id", "question", "expect", "entities", "category"}
REFUSALS = {"action", "missing_data", "ambiguous"}
# Per set: its file, the letter its ids start with, and its minimum size (questions, refusals).
# The letters of the development sets are fixed here so two files cannot both claim one; a later
# set (dev4.yaml ...) takes the next letter and the default size until it is listed.
DEV_SIZES: dict[str, tuple[str, int, int]] = {
    "dev": ("d", 320, 50), "dev2": ("e", 170, 25), "dev3": ("f", 150, 20), "dev4": ("g", 160, 30),
    "dev5": ("h", 150, 20), "dev6": ("i", 150, 20), "dev7": ("j", 150, 20), "dev8": ("k", 150, 20),
    "dev9": ("l", 150, 20), "dev10": ("m", 150, 20), "dev11": ("n", 150, 20), "dev12": ("o", 150, 20),
    "dev13": ("p", 150, 20), "dev14": ("q", 150, 20), "dev15": ("r", 150, 20), "dev16": ("s", 150, 20),
    "dev17": ("t", 150, 20), "dev18": ("u", 150, 20), "dev19": ("v", 150, 20),
    "dev20": ("w", 150, 20), "dev21": ("x", 150, 20), "dev22": ("y", 150, 20), "dev23": ("z", 150, 20),
    "dev24": ("c", 150, 20), "dev25": ("a", 150, 20),
    "dev26": ("ab", 150, 20), "dev27": ("ac", 150, 20), "dev28": ("ad", 150, 20),
    "dev29": ("ae", 150, 20), "dev30": ("af", 150, 20), "dev31": ("ag", 150, 20),
    "dev32": ("ah", 150, 20), "dev33": ("ai", 150, 20), "dev34": ("aj", 150, 20),
}
DEFAULT_DEV_SIZE = (150, 20)


def _dev_set(path: Path, position: int) -> tuple[Path, str, int, int]:
    if path.stem in DEV_SIZES:
        return (path, *DEV_SIZES[path.stem])
    return (path, chr(ord("d") + position), *DEFAULT_DEV_SIZE)


SETS: dict[str, tuple[Path, str, int, int]] = {
    "blind": (BLIND, "b", 300, 40),
    **{path.stem: _dev_set(path, i) for i, path in enumerate(DEV_FILES)},
}
DEV_SETS = [name for name in SETS if name != "blind"]


def _load(path: Path) -> list[dict[str, Any]]:
    entries = yaml.safe_load(path.read_text())
    if not isinstance(entries, list):
        raise AssertionError(f"{path}: expected a YAML list of questions at the top level")
    return entries


SET_ENTRIES = {name: _load(path) for name, (path, *_rest) in SETS.items()}
# Ids carry their set's letter, so one list parametrises the per-question tests over both sets.
ENTRIES = [entry for entries in SET_ENTRIES.values() for entry in entries]


def parse_window(text: str) -> Window:
    """'START/END' in UTC, as the set writes a question's window."""
    start, sep, end = str(text).partition("/")
    if not sep:
        raise ValueError(f"window {text!r} is not START/END (e.g. 2026-11-19T18:00:00Z/2026-11-20T00:00:00Z)")
    return Window(parse_time(start.strip()), parse_time(end.strip()))


def _problems(entry: Any, position: int, prefix: str = "b") -> list[str]:
    """Everything wrong with one entry, each as one line naming the entry and the field."""
    if not isinstance(entry, dict):
        return [f"entry #{position}: expected a mapping with id, question, expect, entities, category"]
    name = entry.get("id", f"#{position}")
    out = [f"{name}: unknown field {key!r} (allowed: {', '.join(sorted(KEYS))})" for key in entry if key not in KEYS]
    out += [f"{name}: missing field {key!r}" for key in sorted(REQUIRED - entry.keys())]
    if not re.fullmatch(rf"{prefix}\d{{3}}", str(entry.get("id", ""))):
        out.append(f"{name}: id must be {prefix!r} and three digits, e.g. {prefix}042")
    if not isinstance(entry.get("question"), str) or not entry["question"].strip():
        out.append(f"{name}: question must be non-empty text")
    if not isinstance(entry.get("category"), str) or not entry["category"].strip():
        out.append(f"{name}: category must be a non-empty tag, e.g. count or refuse_action")
    entities = entry.get("entities")
    if not isinstance(entities, list) or not all(isinstance(e, str | int) for e in entities):
        out.append(f"{name}: entities must be a list of names or numbers ([] when the question names none)")
    expect = entry.get("expect")
    if expect == "answer":
        if not isinstance(entry.get("sql"), str) or not entry["sql"].strip():
            out.append(f"{name}: expect answer needs gold sql")
        if "refuse" in entry:
            out.append(f"{name}: refuse is only for expect: refuse")
    elif expect == "refuse":
        if entry.get("refuse") not in REFUSALS:
            out.append(f"{name}: expect refuse needs refuse: one of {', '.join(sorted(REFUSALS))}")
        if "sql" in entry:
            out.append(f"{name}: a refused question has no gold sql; drop it or expect answer")
    else:
        out.append(f"{name}: expect must be answer or refuse, got {expect!r}")
    if "window" in entry:
        try:
            window = parse_window(entry["window"])
        except ValueError as exc:
            out.append(f"{name}: window: {exc}")
        else:
            lake = parse_window(LAKE_WINDOW)
            if window.end <= lake.start or window.start >= lake.end:
                out.append(f"{name}: window {entry['window']} lies outside the demo lake {LAKE_WINDOW}")
    return out


def _normal(question: object) -> str:
    return " ".join(str(question).lower().split())


@pytest.mark.parametrize("name", list(SETS))
def test_every_entry_is_well_formed(name: str) -> None:
    prefix = SETS[name][1]
    problems = [p for i, entry in enumerate(SET_ENTRIES[name]) for p in _problems(entry, i, prefix)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(SETS))
def test_ids_and_questions_are_unique(name: str) -> None:
    entries = SET_ENTRIES[name]
    ids = Counter(e.get("id") for e in entries)
    questions = Counter(_normal(e.get("question", "")) for e in entries)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [q for q, n in questions.items() if n > 1] == []


def test_the_sets_are_found_and_their_letters_differ() -> None:
    assert "dev" in SETS, "tests/nl/dev.yaml is missing"
    letters = Counter(prefix for _path, prefix, *_sizes in SETS.values())
    assert [letter for letter, n in letters.items() if n > 1] == []


def test_ids_are_unique_across_the_sets() -> None:
    """The prefixes keep ids apart; this also catches an entry copied between files unchanged."""
    ids = Counter(e.get("id") for entries in SET_ENTRIES.values() for e in entries)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("name", DEV_SETS)
def test_dev_set_shares_no_question_with_the_blind_set(name: str) -> None:
    """A blind question copied into the set its author studies would no longer be blind. The
    message names dev ids only, so fixing a clash does not show the dev writer a blind question."""
    blind = {_normal(e.get("question", "")) for e in SET_ENTRIES["blind"]}
    clashes = [e.get("id") for e in SET_ENTRIES[name] if _normal(e.get("question", "")) in blind]
    assert clashes == [], f"rephrase these {name} questions, the blind set holds them too: {clashes}"


def test_dev_sets_share_no_question() -> None:
    """The same question in two development files would count twice in the accuracy figures."""
    owners: dict[str, list[str]] = {}
    for name in DEV_SETS:
        for entry in SET_ENTRIES[name]:
            owners.setdefault(_normal(entry.get("question", "")), []).append(str(entry.get("id")))
    shared = [ids for ids in owners.values() if len(ids) > 1]
    assert shared == [], f"rephrase one question of each group, they ask the same: {shared}"


@pytest.mark.parametrize("name", list(SETS))
def test_set_is_large_and_mixed_enough(name: str) -> None:
    entries = SET_ENTRIES[name]
    _path, _prefix, min_questions, min_refusals = SETS[name]
    expects = Counter(e["expect"] for e in entries)
    reasons = Counter(e["refuse"] for e in entries if e["expect"] == "refuse")
    assert len(entries) >= min_questions
    assert expects["refuse"] >= min_refusals
    assert set(reasons) == REFUSALS, f"every refusal reason needs questions, have {dict(reasons)}"


def _squash(text: object) -> str:
    return re.sub(r"[\s_-]+", "", str(text)).lower()


def test_entities_are_written_in_the_question() -> None:
    """entities lists what the question names, not what it implies ("ssh" is not port 22)."""
    unnamed = [f"{e['id']}: {v!r} is not in {e['question']!r}" for e in ENTRIES
               for v in e["entities"] if _squash(v) not in _squash(e["question"])]
    assert not unnamed, "\n".join(unnamed)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.get("expect") == "answer"], ids=lambda e: e["id"])
def test_gold_sql_names_its_entities(entry: dict[str, Any]) -> None:
    """A value the answer must filter on appears in the gold SQL (a typo in either shows here)."""
    sql = entry["sql"].lower()
    missing = [e for e in entry["entities"] if str(e).lower() not in sql]
    assert not missing, f"{entry['id']}: entities {missing} do not appear in its gold sql"


@pytest.fixture(scope="module")
def blind_engine(demo_lake: SimpleNamespace):
    """The local engine over the session's demo lake, with settings free of the developer's env."""
    from workbench.config import load_settings
    from workbench.engines import get_engine

    truth = demo_lake.truth  # the gold SQL was checked on this lake; another would not test it
    assert (truth.seed, truth.days, truth.end) == (7, 2, "2026-11-20T00:00:00Z"), "blind.yaml and dev*.yaml need the seed-7 demo lake"
    settings = load_settings(demo_lake.workspace, environ={})
    engine = get_engine("local", settings)
    yield SimpleNamespace(engine=engine, settings=settings)
    engine.close()


def _rows(frame: Any) -> list[str]:
    """Rows as a multiset (sorted reprs), column names ignored, as execution accuracy compares them."""
    return sorted(repr(tuple(row)) for row in frame.itertuples(index=False))


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.get("expect") == "answer"], ids=lambda e: e["id"])
def test_gold_sql_is_guarded_and_runs_on_the_demo_lake(entry: dict[str, Any], blind_engine: SimpleNamespace) -> None:
    from workbench.sqlguard import guard_for

    window = parse_window(entry.get("window", LAKE_WINDOW))
    guarded = guard_for(entry["sql"], window, blind_engine.settings, engine=blind_engine.engine)
    bounded = blind_engine.engine.run(guarded.sql, window).frame
    unbounded = blind_engine.engine.run(entry["sql"], None).frame
    row_limit = blind_engine.settings.row_limit  # the LIMIT the guard adds to a query without one
    assert len(bounded) < row_limit, f"{entry['id']}: gold answer reaches the guard's row limit {row_limit}"
    assert _rows(bounded) == _rows(unbounded), (
        f"{entry['id']}: gold sql returns other rows without its window {entry.get('window', LAKE_WINDOW)}: "
        "bound it in its WHERE clause too")


def _top_n(sql: str) -> tuple[Any, int, int] | None:
    """For `... ORDER BY key ... LIMIT n` whose first sort key is an output column: the tree, n and
    that column's position; None for any other query."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read="athena")
    limit, order = tree.args.get("limit"), tree.args.get("order")
    if limit is None or order is None:
        return None
    key = order.expressions[0].this.sql(dialect="athena").lower()
    names = [e.alias_or_name.lower() for e in tree.expressions]
    exprs = [(e.unalias() if e.alias else e).sql(dialect="athena").lower() for e in tree.expressions]
    for position, (name, expr) in enumerate(zip(names, exprs, strict=True)):
        if key in (name, expr):
            return tree, int(limit.expression.this), position
    return None


TOP_N = [e for e in ENTRIES if e.get("expect") == "answer" and _top_n(e["sql"])]


@pytest.mark.parametrize("entry", TOP_N, ids=lambda e: e["id"])
def test_top_n_cut_splits_no_tie(entry: dict[str, Any], blind_engine: SimpleNamespace) -> None:
    """Row n and row n+1 differ in the sort key, so which rows a top-N answer holds is not luck."""
    tree, n, position = _top_n(entry["sql"])
    one_more = tree.limit(n + 1).sql(dialect="athena")
    keys = list(blind_engine.engine.run(one_more, None).frame.iloc[:, position])
    assert len(keys) <= n or keys[n] != keys[n - 1], (
        f"{entry['id']}: rows {n} and {n + 1} tie on the sort key ({keys[n]!r}): choose another N")


def test_window_parser_names_the_problem() -> None:
    assert parse_window("2026-11-19T18:00:00Z/2026-11-20T00:00:00Z").start == datetime(2026, 11, 19, 18, tzinfo=UTC)
    with pytest.raises(ValueError, match="START/END"):
        parse_window("2026-11-19T18:00:00Z")
    with pytest.raises(ValueError, match="not after"):
        parse_window("2026-11-20T00:00:00Z/2026-11-19T00:00:00Z")
