"""`workbench.backtest(rule, start, end)`: a rule over history, without writing alerts.

Returns what tuning needs before a rule is enabled: alerts per day at the rule's own threshold,
and a sweep of alert counts at thresholds 1…N over the same rows (one query, many evaluations).
A first-seen (`new_terms`) rule learns the history before `start` in memory, as its first enable
would, and lists each new term with when it was first seen instead of a threshold sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from workbench.detect.matching import candidates
from workbench.engines import Engine, Result
from workbench.rules import Rule
from workbench.rules.model import Threshold
from workbench.timewindow import Window, parse_time


@dataclass
class Backtest:
    rule_id: str
    window: Window
    per_day: pd.DataFrame  # day, alerts, events
    sweep: pd.DataFrame  # threshold, alerts
    result: Result
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)  # new_terms rules: term, first_seen, events

    @property
    def total_alerts(self) -> int:
        return int(self.per_day["alerts"].sum()) if not self.per_day.empty else 0

    def suggest_threshold(self, max_alerts_per_day: float = 1.0) -> int | None:
        """The smallest threshold whose alert rate stays at or under `max_alerts_per_day`."""
        days = max(len(self.window.days()), 1)
        fitting = self.sweep[self.sweep["alerts"] / days <= max_alerts_per_day]
        return int(fitting["threshold"].min()) if not fitting.empty else None

    def _repr_html_(self) -> str:
        detail = self.terms if not self.terms.empty else self.sweep
        return (f"<b>Backtest of {self.rule_id}</b> over {self.window}: {self.total_alerts} alerts"
                + self.per_day.to_html(index=False) + detail.to_html(index=False))


def _swept(rule: Rule, count: int) -> Rule:
    if rule.threshold is not None:
        return rule.model_copy(update={"threshold": rule.threshold.model_copy(update={"count": count})})
    dedup = rule.effective_dedup
    threshold = Threshold(count=count, window=dedup.period, group_by=tuple(dedup.keys or ()))
    return rule.model_copy(update={"threshold": threshold})


def backtest(rule: Rule, start: str | datetime, end: str | datetime, engine: Engine | None = None,
             max_threshold: int | None = None) -> Backtest:
    from workbench.engines import get_engine

    window = Window(parse_time(start), parse_time(end))
    own = engine is None
    engine = engine or get_engine()
    try:
        result = engine.run(rule.query, window)
        if rule.new_terms:
            from workbench.detect.newterms import first_seen_rows
            from workbench.detect.terms import OverlayTermStore

            result = first_seen_rows(rule, result, window, OverlayTermStore(), engine)
    finally:
        if own:
            engine.close()
    found = candidates(rule, result.frame)
    per_day = (pd.DataFrame({"day": [c.first_seen.date() for c in found], "events": [c.count for c in found]})
               .groupby("day").agg(alerts=("events", "size"), events=("events", "sum")).reset_index()
               if found else pd.DataFrame({"day": [], "alerts": [], "events": []}))
    if rule.new_terms:
        from workbench.detect.newterms import NEW_TERM_COLUMN, TERM_FIRST_SEEN_COLUMN

        terms = (result.frame.groupby([NEW_TERM_COLUMN, TERM_FIRST_SEEN_COLUMN]).size()
                 .reset_index(name="events").rename(columns={NEW_TERM_COLUMN: "term", TERM_FIRST_SEEN_COLUMN: "first_seen"})
                 .sort_values("first_seen", ignore_index=True)
                 if len(result.frame) else pd.DataFrame({"term": [], "first_seen": [], "events": []}))
        return Backtest(rule.id, window, per_day, pd.DataFrame({"threshold": [], "alerts": []}), result, terms)
    top = max_threshold or max(2 * (rule.threshold.count if rule.threshold else 5), 10)
    sweep = pd.DataFrame({"threshold": range(1, top + 1),
                          "alerts": [len(candidates(_swept(rule, k), result.frame)) for k in range(1, top + 1)]})
    return Backtest(rule.id, window, per_day, sweep, result)
