"""Execution accuracy of an NL provider: does its SQL return the same rows as the reference SQL?

Used by `tests/nl/` and `benchmarks/nl_accuracy.py`. Rows are compared as multisets of normalised
values (column names ignored, values within a row order-insensitive), as in text-to-SQL
benchmarks' execution accuracy. A reference with ORDER BY … LIMIT N is compared the same way: its
sets are written so rows N and N+1 never tie on the sort key, which makes the top-N rows one set,
while the order of rows tied inside it is the engine's choice (a sorted comparison would score
which of two equal counts an engine lists first).
A time is one value however it is spelled: a timestamp, '2026-11-19T15' (an hour bucket by substr)
and '2026-11-19 15:00:00' compare equal, so the choice of bucketing idiom is not scored.
Both queries run bounded by their window on the same engine.

Each question ends in one outcome: `right`; `wrong` (rows that are not the answer — the costly
kind); `refused` (a TranslationError: the analyst rephrases); `error` (the guard or engine
rejected the SQL). A question that expects a refusal is right only when refused. A `silent drop`
is an answer whose SQL does not filter on a value the entry lists in `entities`, or that lost a
modifier the reference has (its LIMIT, its grouping or aggregate).
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlglot
import yaml
from sqlglot import exp

from workbench.engines import Engine, EngineError
from workbench.nl.base import NLContext, Provider, TranslationError
from workbench.nl.check import missing_entities
from workbench.sqlguard import GuardError, guard
from workbench.timewindow import Window

OUTCOMES = ("right", "wrong", "refused", "error")


@dataclass(frozen=True)
class Question:
    question: str
    sql: str | None = None
    window: Window | None = None
    expect: str = "answer"  # answer | refuse
    refuse: str | None = None  # action | missing_data | ambiguous
    entities: tuple[str, ...] = ()
    category: str = ""
    id: str = ""


@dataclass
class Verdict:
    question: Question
    correct: bool
    seconds: float
    sql: str | None = None
    error: str | None = None
    outcome: str = "right"  # one of OUTCOMES
    silent_drop: str | None = None  # what the answer dropped, when it did


@dataclass
class Report:
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(v.correct for v in self.verdicts) / len(self.verdicts) if self.verdicts else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(v.seconds for v in self.verdicts) * 1000 if self.verdicts else 0.0

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.correct]

    def count(self, outcome: str) -> int:
        return sum(v.outcome == outcome for v in self.verdicts)

    @property
    def silent_drops(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.silent_drop]

    @property
    def should_refuse(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.question.expect == "refuse"]


def load_questions(path: Path) -> list[Question]:
    out = []
    for i, item in enumerate(yaml.safe_load(Path(path).read_text()) or [], start=1):
        where = f"{path}: entry {i}" + (f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else "")
        if not isinstance(item, dict) or not item.get("question"):
            raise ValueError(f"{where} needs a 'question'")
        expect = str(item.get("expect", "answer"))
        if expect not in {"answer", "refuse"}:
            raise ValueError(f"{where}: expect must be 'answer' or 'refuse', not {expect!r}")
        if expect == "answer" and not item.get("sql"):
            raise ValueError(f"{where} expects an answer and needs its reference 'sql'")
        window = None
        if item.get("window"):
            start, _, end = str(item["window"]).partition("/")
            window = Window.between(start, end)
        entities = tuple(str(e) for e in (item.get("entities") or []))
        out.append(Question(item["question"], item.get("sql"), window, expect, item.get("refuse"), entities,
                            str(item.get("category", "")), str(item.get("id", ""))))
    return out


_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})(?::(\d{2}))?(?::(\d{2}))?(?:\.\d+)?)?(?:Z|\+00:00)?$")


def _instant(text: str) -> str | None:
    """An ISO date or date-time prefix as a full UTC instant: '2026-11-19T15' and a truncated timestamp agree."""
    match = _ISO_PREFIX.match(text)
    if not match:
        return None
    day, hour, minute, second = match.groups()
    return f"{day}T{hour or '00'}:{minute or '00'}:{second or '00'}Z"


def _value(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "∅"
    if isinstance(value, datetime):  # pandas Timestamps too: one spelling per instant, in UTC
        moment = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str) and (instant := _instant(value)):
        return instant
    if isinstance(value, float):
        if math.isnan(value):
            return "∅"
        return repr(round(value, 6)) if not value.is_integer() else str(int(value))
    return str(value)


def _rows(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple(sorted(_value(v) for v in row)) for row in frame.astype(object).itertuples(index=False, name=None)]


def result_key(frame: pd.DataFrame) -> Counter:
    """The frame as a multiset of rows, each a sorted tuple of normalised values."""
    return Counter(_rows(frame))


def _tree(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="athena")
    except sqlglot.errors.ParseError:
        return None


def lost_modifier(candidate: str, reference: str) -> str | None:
    """A LIMIT, grouping or aggregate the reference has and the candidate lost."""
    ours, theirs = _tree(candidate), _tree(reference)
    if ours is None or theirs is None:
        return None
    limit = theirs.args.get("limit")
    if limit is not None and ours.args.get("limit") is None:
        return f"LIMIT {limit.expression.sql()}"
    if theirs.args.get("group") is not None and ours.args.get("group") is None:
        return "GROUP BY"
    if list(theirs.find_all(exp.AggFunc)) and not list(ours.find_all(exp.AggFunc)):
        return "aggregate"
    return None


def evaluate(provider: Provider, questions: list[Question], engine: Engine, default: Window, now: datetime,
             max_limit: int = 1_000_000) -> Report:
    report = Report()
    for item in questions:
        report.verdicts.append(judge(provider, item, engine, default, now, max_limit))
    return report


def judge(provider: Provider, item: Question, engine: Engine, default: Window, now: datetime,
          max_limit: int = 1_000_000) -> Verdict:
    started = time.perf_counter()
    try:
        translation = provider.translate(item.question, NLContext(window=default, now=now))
    except TranslationError as exc:
        refused = item.expect == "refuse"
        return Verdict(item, refused, time.perf_counter() - started, error=str(exc), outcome="refused")
    seconds = time.perf_counter() - started
    if item.expect == "refuse":
        return Verdict(item, False, seconds, translation.sql, "answered a question that should be refused",
                       outcome="wrong")
    assert item.sql is not None
    window = translation.window or default
    dropped = missing_entities(translation.sql, list(item.entities))
    drop = (f"no filter on {', '.join(dropped)}" if dropped else lost_modifier(translation.sql, item.sql))
    try:
        candidate = engine.run(guard(translation.sql, window, row_limit=max_limit, max_limit=max_limit).sql,
                               window).frame
    except (GuardError, EngineError) as exc:
        return Verdict(item, False, seconds, translation.sql, str(exc), outcome="error", silent_drop=drop)
    expected = engine.run(item.sql, item.window or default).frame
    same_window = window == (item.window or default)
    same_rows = result_key(candidate) == result_key(expected)
    correct = same_window and same_rows
    error = None if correct else (
        f"window {window} != {item.window or default}" if not same_window
        else f"{len(candidate)} rows, expected {len(expected)}")
    return Verdict(item, correct, seconds, translation.sql, error, outcome="right" if correct else "wrong",
                   silent_drop=None if correct else drop)
