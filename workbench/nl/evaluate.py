"""Execution accuracy of an NL provider: does its SQL return the same rows as the reference SQL?

Used by `tests/nl/` and `benchmarks/nl_accuracy.py`. Rows are compared as multisets of normalised
values (column names ignored, values within a row order-insensitive), as in text-to-SQL
benchmarks' execution accuracy; both queries run bounded by their window on the same engine.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.engines import Engine, EngineError
from workbench.nl.base import NLContext, Provider, TranslationError
from workbench.sqlguard import GuardError, guard
from workbench.timewindow import Window


@dataclass(frozen=True)
class Question:
    question: str
    sql: str
    window: Window | None = None


@dataclass
class Verdict:
    question: Question
    correct: bool
    seconds: float
    sql: str | None = None
    error: str | None = None


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


def load_questions(path: Path) -> list[Question]:
    out = []
    for i, item in enumerate(yaml.safe_load(Path(path).read_text()), start=1):
        window = None
        if item.get("window"):
            start, _, end = str(item["window"]).partition("/")
            window = Window.between(start, end)
        if not item.get("question") or not item.get("sql"):
            raise ValueError(f"{path}: entry {i} needs 'question' and 'sql'")
        out.append(Question(item["question"], item["sql"], window))
    return out


def _value(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "∅"
    if isinstance(value, float):
        if math.isnan(value):
            return "∅"
        return repr(round(value, 6)) if not value.is_integer() else str(int(value))
    return str(value)


def result_key(frame: pd.DataFrame) -> Counter:
    """The frame as a multiset of rows, each a sorted tuple of normalised values."""
    rows = frame.astype(object).itertuples(index=False, name=None)
    return Counter(tuple(sorted(_value(v) for v in row)) for row in rows)


def evaluate(provider: Provider, questions: list[Question], engine: Engine, default: Window, now: datetime,
             max_limit: int = 1_000_000) -> Report:
    report = Report()
    for item in questions:
        started = time.perf_counter()
        try:
            translation = provider.translate(item.question, NLContext(window=default, now=now))
        except TranslationError as exc:
            report.verdicts.append(Verdict(item, False, time.perf_counter() - started, error=str(exc)))
            continue
        seconds = time.perf_counter() - started
        window = translation.window or default
        try:
            candidate = engine.run(guard(translation.sql, window, row_limit=max_limit, max_limit=max_limit).sql,
                                   window).frame
        except (GuardError, EngineError) as exc:
            report.verdicts.append(Verdict(item, False, seconds, translation.sql, str(exc)))
            continue
        expected = engine.run(item.sql, item.window or default).frame
        correct = window == (item.window or default) and result_key(candidate) == result_key(expected)
        error = None if correct else (
            f"window {window} != {item.window or default}" if window != (item.window or default)
            else f"{len(candidate)} rows, expected {len(expected)}")
        report.verdicts.append(Verdict(item, correct, seconds, translation.sql, error))
    return report
