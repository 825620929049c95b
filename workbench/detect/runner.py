"""`run_detections`: evaluate every enabled rule over a window, store alerts, record the run.

Each rule is evaluated over its window widened by the lookback overlap (CloudTrail delivers
events up to ~15 minutes late) and, for threshold rules, by the threshold window, so a sliding
burst is always seen whole by some run. A rule that fails is recorded as failed for that run;
the others go on. Re-running any window is harmless: alert ids are stable and the store merges.
"""

from __future__ import annotations

import gc
import time
import traceback
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.alerts import AlertStore
from workbench.alerts.model import Alert, Evidence, EvidenceWindow
from workbench.detect.matching import Candidate, account_of, candidates, render_title
from workbench.detect.plan.census import charge, take_census
from workbench.detect.plan.prefilter import prefiltered
from workbench.detect.terms import TermStore
from workbench.engines import Engine, Result
from workbench.engines.window import bound_to_window
from workbench.rules import Rule
from workbench.sqlcache import compiled_sql
from workbench.timewindow import Window, iso_z, parse_duration

DEFAULT_LOOKBACK = timedelta(minutes=15)


@dataclass
class RuleOutcome:
    rule_id: str
    status: str = "ok"  # ok | failed
    error: str | None = None
    error_detail: str | None = None
    rows: int = 0
    alerts_new: list[str] = field(default_factory=list)
    alerts_updated: list[str] = field(default_factory=list)
    query_id: str | None = None
    query_s: float = 0.0
    bytes_scanned: int = 0
    cost_usd: float = 0.0


@dataclass
class RunRecord:
    id: str
    started: datetime
    window_start: datetime
    window_end: datetime
    engine: str
    dry_run: bool = False
    finished: datetime | None = None
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleOutcome]:
        return [r for r in self.rules if r.status == "failed"]

    @property
    def alerts_new(self) -> list[str]:
        return [a for r in self.rules for a in r.alerts_new]

    @property
    def alerts_updated(self) -> list[str]:
        return [a for r in self.rules for a in r.alerts_updated]

    @property
    def status(self) -> str:
        return "failed" if self.failed else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "started": self.started, "finished": self.finished,
            "window_start": self.window_start, "window_end": self.window_end,
            "engine": self.engine, "dry_run": self.dry_run, "status": self.status,
            "rules_run": len(self.rules), "rules_failed": [r.rule_id for r in self.failed],
            "errors": {r.rule_id: r.error for r in self.failed},
            "alerts_new": self.alerts_new, "alerts_updated": self.alerts_updated,
            "query_s": round(sum(r.query_s for r in self.rules), 4),
            "bytes_scanned": sum(r.bytes_scanned for r in self.rules),
            "cost_usd": sum(r.cost_usd for r in self.rules),
            "per_rule": {r.rule_id: {"status": r.status, "rows": r.rows, "query_s": round(r.query_s, 4),
                                     "bytes_scanned": r.bytes_scanned, "cost_usd": r.cost_usd,
                                     "query_id": r.query_id, "alerts_new": len(r.alerts_new),
                                     "alerts_updated": len(r.alerts_updated)} for r in self.rules},
        }

    def summary(self) -> str:
        return (f"run {self.id} {Window(self.window_start, self.window_end)} on {self.engine}: "
                f"{len(self.rules)} rules, {len(self.failed)} failed, "
                f"{len(self.alerts_new)} new alerts, {len(self.alerts_updated)} updated, "
                f"{sum(r.query_s for r in self.rules):.2f}s query time, "
                f"{sum(r.bytes_scanned for r in self.rules):,} bytes scanned")


def evaluation_window(rule: Rule, start: datetime, end: datetime, lookback: timedelta) -> tuple[Window, datetime]:
    """The window a rule's query reads, and the time from which its threshold bursts are its own."""
    trusted_from = start - lookback
    fetch_from = trusted_from - (rule.threshold.window if rule.threshold else timedelta(0))
    return Window(fetch_from, end), trusted_from


def build_alert(rule: Rule, cand: Candidate, result: Result, window: Window) -> Alert:
    first_row = cand.rows[0] if cand.rows else {}
    fields = {f: first_row.get(f) for f in rule.alert.fields}
    if rule.new_terms:  # what was new and since when: the triage detail and backtests show these
        from workbench.detect.newterms import ADDED_COLUMNS

        fields.update({c: first_row.get(c) for c in ADDED_COLUMNS if first_row.get(c) is not None})
    return Alert(
        id=cand.alert_id,
        rule_id=rule.id,
        title=render_title(rule.alert.title, {**first_row, **cand.group_keys}),
        severity=rule.severity,
        first_seen=cand.first_seen,
        last_seen=cand.last_seen,
        count=cand.count,
        group_keys=cand.group_keys,
        fields=fields,
        tags=list(rule.tags),
        account=account_of(first_row),
        evidence=Evidence(
            rows=cand.rows,
            sql=bound_to_window(rule.query, window, write_dialect="athena"),
            query_id=result.query_id,
            bytes_scanned=result.bytes_scanned,
            window=EvidenceWindow(start=window.start, end=window.end),
        ),
    )


def evaluate_rule(rule: Rule, start: datetime, end: datetime, engine: Engine,
                  lookback: timedelta = DEFAULT_LOOKBACK) -> tuple[list[Alert], list[list[str]], Result]:
    """Run one rule's query and turn its rows into alerts (with their event ids); stores nothing."""
    window, trusted_from = evaluation_window(rule, start, end, lookback)
    return _alerts_from(rule, engine.run(prefiltered(rule), window), window, trusted_from)


def _alerts_from(rule: Rule, result: Result, window: Window,
                 trusted_from: datetime) -> tuple[list[Alert], list[list[str]], Result]:
    found = candidates(rule, result.frame, trusted_from=trusted_from if rule.threshold else None)
    return [build_alert(rule, c, result, window) for c in found], [c.event_ids for c in found], result


def _query_results(rules: list[Rule], start: datetime, end: datetime, engine: Engine,
                   lookback: timedelta, dry_run: bool = False) -> list[tuple[Window, datetime, Result | Exception]]:
    """Every rule's query result (or the exception it raised), in rule order.

    All the rules go to the engine as one batch, each with its own evaluation window (threshold
    rules reach further back), so an engine that can share work between them does: the local
    engine reads each log table once for the whole pack rather than once per rule, or once per
    distinct threshold window. Threshold rules send their query wrapped by the prefilter, so the
    engine returns only the rows a burst could use (`workbench.detect.plan.prefilter`).
    """
    windows = [evaluation_window(rule, start, end, lookback) for rule in rules]
    if not engine.SHARES_SCANS_ITSELF:
        # A few statements per log table, run by the engine (concurrently where it can).
        from workbench.detect.plan.censusstate import CensusState
        from workbench.detect.plan.keptrows import KeptRows
        from workbench.detect.plan.pack import run_pack

        # The threshold census keeps its counts between runs, and a long-reach shared scan its rows,
        # so a run reads only its own window and lookback for them (`workbench.detect.plan.
        # incremental`, `keptrows`); a dry run reads them and writes none.
        kept = KeptRows.for_workspace(engine.settings.state, read_only=dry_run)
        with CensusState.for_workspace(engine.settings.state, read_only=dry_run) as state:
            answered = run_pack(rules, [w for w, _ in windows], engine, state=state, fresh_from=start - lookback,
                                kept=kept)
        return [(window, trusted_from, answer)
                for (window, trusted_from), answer in zip(windows, answered, strict=True)]
    answers: list[Result | Exception | None] = [None] * len(rules)
    censuses = take_census(rules, [w for w, _ in windows], engine)
    for census in censuses:
        for index, answer in census.answers.items():
            answers[index] = answer
    pending = [i for i, answer in enumerate(answers) if answer is None]
    counted = {index: rows for census in censuses for index, rows in census.candidates.items()}
    try:
        ran = engine.run_batch([prefiltered(rules[i]) for i in pending], windows=[windows[i][0] for i in pending],
                               candidates=[counted.get(i) for i in pending])
    except Exception as exc:  # noqa: BLE001 - a batch that breaks fails its rules, not the run
        ran = [exc] * len(pending)
    for index, answer in zip(pending, ran, strict=True):
        answers[index] = answer
    for census in censuses:
        charge(census, answers)
    return [(window, trusted_from, answer)  # type: ignore[misc]
            for (window, trusted_from), answer in zip(windows, answers, strict=True)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the run. The compiled rules are tens of thousands of small
    objects that live as long as the process; each full collection walks them all, and a run
    allocates enough to set off several (measured: ~0.1 s of a 0.8 s run over 1M events).
    Reference counting still frees nearly everything at once; cycles wait until the run ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_detections(
    rules: Iterable[Rule],
    start: datetime,
    end: datetime,
    engine: Engine,
    store: AlertStore | None,
    *,
    lookback: timedelta | str = DEFAULT_LOOKBACK,
    dry_run: bool = False,
    actor: str = "detector",
    checkpoint: bool = True,
) -> RunRecord:
    """Evaluate every enabled rule over [start, end); store alerts unless `dry_run` or no store."""
    engine.warm_up()  # while the compiled SQL loads
    # Unpickling the compiled SQL allocates ~100k objects; run_scope: the window's batches (census,
    # scans, rules alone) share one scan budget on Athena.
    with _collector_paused(), compiled_sql(engine.settings), engine.run_scope():
        return _run(rules, start, end, engine, store, lookback=parse_duration(lookback), dry_run=dry_run,
                    actor=actor, checkpoint=checkpoint)


def _run(rules: Iterable[Rule], start: datetime, end: datetime, engine: Engine, store: AlertStore | None, *,
         lookback: timedelta, dry_run: bool, actor: str, checkpoint: bool) -> RunRecord:
    record = RunRecord(id=f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
                       started=datetime.now(UTC), window_start=start, window_end=end,
                       engine=engine.name, dry_run=dry_run or store is None)
    enabled = [rule for rule in rules if rule.enabled]
    terms = _term_store(engine, store, record.dry_run) if any(r.new_terms for r in enabled) else None
    for rule, (window, trusted_from, answer) in zip(enabled, _query_results(enabled, start, end, engine, lookback,
                                                                                     record.dry_run),
                                                    strict=True):
        outcome = RuleOutcome(rule.id)
        record.rules.append(outcome)
        began = time.perf_counter()
        try:
            if isinstance(answer, Exception):
                raise answer
            if rule.new_terms:
                from workbench.detect.newterms import first_seen_rows

                answer = first_seen_rows(rule, answer, window, terms, engine)  # type: ignore[arg-type]
            alerts, events, result = _alerts_from(rule, answer, window, trusted_from)
            outcome.rows, outcome.query_id = result.rows, result.query_id
            outcome.query_s, outcome.bytes_scanned, outcome.cost_usd = (
                result.elapsed_s, result.bytes_scanned, result.cost_usd)
            for alert, ids in zip(alerts, events, strict=True):
                if record.dry_run:
                    outcome.alerts_new.append(alert.id)
                    continue
                upsert = store.upsert_alert(alert, ids, actor=actor)  # type: ignore[union-attr]
                if upsert.is_new:
                    outcome.alerts_new.append(alert.id)
                elif upsert.action == "updated":
                    outcome.alerts_updated.append(alert.id)
            if store is not None and not dry_run and checkpoint:
                store.set_checkpoint(rule.id, end)
        except Exception as exc:  # noqa: BLE001 - one rule's failure must not stop the others
            outcome.status = "failed"
            outcome.error = f"{type(exc).__name__}: {exc}".strip()
            outcome.query_s = outcome.query_s or time.perf_counter() - began
            outcome.error_detail = traceback.format_exc(limit=3)
    if terms is not None:
        terms.close()
    record.finished = datetime.now(UTC)
    if store is not None and not dry_run:
        store.save_run(record.as_dict())
        from workbench import metrics

        severity = {rule.id: rule.severity for rule in enabled}
        metrics.publish(engine.settings, metrics.detection_run(record) + metrics.alerts_new(
            severity[outcome.rule_id] for outcome in record.rules for _ in outcome.alerts_new))
    return record


def _term_store(engine: Engine, store: AlertStore | None, dry_run: bool) -> TermStore:
    """First-seen state beside the alert store; a dry run (or a run without a store) reads it, if
    any, and keeps its own writes in memory."""
    from workbench.detect.terms import OverlayTermStore, get_term_store

    if store is None:
        return OverlayTermStore()
    persistent = get_term_store(engine.settings, backend=getattr(store, "name", None))
    return OverlayTermStore(persistent) if dry_run else persistent


def due_windows(checkpoint: datetime | None, now: datetime, interval: timedelta,
                max_windows: int) -> list[tuple[datetime, datetime]]:
    """The scheduled windows not yet evaluated, oldest first, at most `max_windows` of them.

    Windows are aligned to the interval, so every process computes the same ones. A rule never
    run starts with the last full interval. The rest, beyond the bound, are left for the next
    run: the checkpoint only moves over windows actually evaluated, so nothing is skipped.
    """
    step = interval.total_seconds()
    aligned_now = datetime.fromtimestamp((now.timestamp() // step) * step, tz=UTC)
    start = checkpoint if checkpoint is not None else aligned_now - interval
    windows = []
    while start + interval <= aligned_now and len(windows) < max_windows:
        windows.append((start, start + interval))
        start += interval
    return windows


def run_due(rules: Iterable[Rule], engine: Engine, store: AlertStore, *, now: datetime | None = None,
            interval: timedelta | str = "15m", lookback: timedelta | str = DEFAULT_LOOKBACK,
            max_windows: int = 96, actor: str = "detector") -> list[RunRecord]:
    """The scheduler's entry point: catch each rule up from its checkpoint, window by window."""
    now = now or datetime.now(UTC)
    interval = parse_duration(interval)
    rules = [r for r in rules if r.enabled]
    plan: dict[tuple[datetime, datetime], list[Rule]] = {}
    for rule in rules:
        for window in due_windows(store.get_checkpoint(rule.id), now, interval, max_windows):
            plan.setdefault(window, []).append(rule)
    return [run_detections(plan[w], w[0], w[1], engine, store, lookback=lookback, actor=actor)
            for w in sorted(plan)]


def describe_window(start: datetime, end: datetime) -> str:
    return f"{iso_z(start)} → {iso_z(end)}"
