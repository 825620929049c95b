"""The debrief: which rules of the pack fire on the scenario, and which library hunts find it.

A rule "fires on the scenario" when one of its alerts holds an injected event (CloudTrail event id,
GuardDuty finding id) or an attacker address in its evidence; its other alerts are background
noise. A hunt "finds it" when a row of its result does. Hunts that need a lead (an IP, a
principal) are run with the scenario's own, and say so: they find the attack once you have a lead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workbench.alerts.model import Alert
    from workbench.synth import ScenarioTruth
    from workbench.training.workspace import TrainingWorkspace


@dataclass
class PackRun:
    alerts: list[Alert]
    event_ids: dict[str, set[str]]  # alert id -> the events it holds
    rules_run: int
    rules_failed: dict[str, str]
    load_errors: list[str]


@dataclass
class RuleHit:
    rule_id: str
    severity: str
    title: str  # of its first alert on the scenario (or of its first alert)
    alerts: int
    scenario_alerts: int
    scenario_events: int


@dataclass
class HuntHit:
    hunt: str
    title: str
    parameters: dict[str, Any]
    lead: bool  # run with a value taken from the scenario (it needs one to start)
    rows: int = 0
    scenario_rows: int = 0
    error: str | None = None

    @property
    def finds_it(self) -> bool:
        return self.scenario_rows > 0


@dataclass(repr=False)
class Debrief:
    scenario: str
    fired: list[RuleHit]
    noise: list[RuleHit]
    silent_rules: int
    rules_failed: dict[str, str]
    hunts: list[HuntHit]
    solutions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "rules_fired": [h.rule_id for h in self.fired],
            "rules_noise": [h.rule_id for h in self.noise],
            "rules_silent": self.silent_rules,
            "rules_failed": self.rules_failed,
            "hunts_finding": [h.hunt for h in self.hunts if h.finds_it],
            "hunts": [{"hunt": h.hunt, "lead": h.lead, "rows": h.rows, "scenario_rows": h.scenario_rows,
                       "error": h.error} for h in self.hunts],
        }

    def __repr__(self) -> str:
        hunts = [h.hunt + (" (given the lead)" if h.lead else "") for h in self.hunts if h.finds_it]
        return (f"Debrief of {self.scenario}\n"
                f"  rules firing on the attack: {', '.join(h.rule_id for h in self.fired) or 'none'}\n"
                f"  rules firing on background only: {', '.join(h.rule_id for h in self.noise) or 'none'}\n"
                f"  hunts that find it: {', '.join(hunts) or 'none'}")

    def _repr_html_(self) -> str:
        fired = pd.DataFrame([{"rule": h.rule_id, "severity": h.severity, "alerts on the attack": h.scenario_alerts,
                               "attack events": h.scenario_events, "example": h.title} for h in self.fired])
        noise = ", ".join(f"{h.rule_id} ({h.alerts})" for h in self.noise) or "none"
        hunts = pd.DataFrame([{"hunt": f"%hunt {h.hunt}", "parameters": " ".join(f"{k}={v}" for k, v in
                                                                                  h.parameters.items()) or "—",
                               "finds it": ("yes" if h.finds_it else "no") + (" (given the lead)" if h.lead and
                                                                              h.finds_it else ""),
                               "rows": h.rows, "attack rows": h.scenario_rows, "error": h.error or ""}
                              for h in self.hunts])
        parts = [f"<h3>Debrief: {escape(self.scenario)}</h3>"]
        if self.solutions:
            parts += ["<h4>Solutions</h4>", pd.DataFrame(self.solutions).to_html(index=False)]
        parts += [f"<h4>Rules that fire on the attack ({len(self.fired)})</h4>",
                  fired.to_html(index=False) if not fired.empty else "<p>No rule of the pack caught it: a gap to "
                  "close with a new rule (see README, Detection as code).</p>",
                  f"<p>Also firing on background activity (alerts): {escape(noise)}. "
                  f"{self.silent_rules} rules stayed silent.</p>"]
        if self.rules_failed:
            parts.append(f"<p>Rules that failed: {escape(', '.join(self.rules_failed))}</p>")
        parts += ["<h4>Hunts that find it</h4>", hunts.to_html(index=False)]
        return "\n".join(parts)  # DataFrame.to_html escapes cell text; log text is attacker-controlled


@dataclass(repr=False)
class DebriefGate:
    """What `ex.debrief()` shows before the trainee has submitted an answer to every task: no
    solutions, no rules or hunts (they name the attacker too), just what to do first."""

    title: str
    unanswered: list[str]
    total: int

    @property
    def message(self) -> str:
        done = self.total - len(self.unanswered)
        return (f"Submit your answers first: {done}/{self.total} tasks of '{self.title}' have an answer "
                f"(still open: {', '.join(self.unanswered)}). Answer every task, run ex.submit(), then run "
                "this cell again for the solutions. Stuck for good? ex.debrief(reveal=True) shows them now; "
                "your score will say you saw them.")

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        return f"<div style='border-left:4px solid #bf8700;padding:4px 8px'>🔒 {escape(self.message)}</div>"


def markers(truth: ScenarioTruth) -> set[str]:
    return set(truth.event_ids) | set(truth.finding_ids) | set(truth.attacker_ips)


def run_rule_pack(workspace: TrainingWorkspace) -> PackRun:
    """Run the rule pack over the whole workspace window into its alert store (idempotent)."""
    from workbench.alerts import get_store
    from workbench.detect import run_detections
    from workbench.engines import get_engine
    from workbench.resources import search_paths
    from workbench.rules import load_rules
    from workbench.training.workspace import window_of

    settings = workspace.settings
    ruleset = load_rules(search_paths("rules", settings))
    enabled = [r for r in ruleset.rules if r.enabled]
    start, end = window_of(workspace.info)
    failed: dict[str, str] = {}
    with get_store(settings) as store:
        done = store.checkpoints()
        # A rule whose checkpoint already reaches the end has its alerts in the store (the build ran
        # the pack); a rule that failed then, or was added since, has none and runs now.
        todo = [r for r in enabled if r.id not in done or done[r.id] < end]
        if todo:
            engine = get_engine("local", settings)
            try:
                record = run_detections(todo, start, end, engine, store, actor="training")
            finally:
                engine.close()
            failed = {r.rule_id: r.error or "" for r in record.failed}
        alerts = store.list(limit=None, order_by="first_seen")
        events = {a.id: store.event_ids(a.id) for a in alerts}
    return PackRun(alerts, events, len(enabled), failed, [str(e) for e in ruleset.errors])


def _alert_values(alert: Alert, events: set[str]) -> set[str]:
    values = set(events) | {str(v) for v in alert.group_keys.values()}
    for row in alert.evidence.rows:
        values |= {str(v) for v in row.values() if isinstance(v, str | int)}
    return values


def rule_hits(run: PackRun, truth: ScenarioTruth) -> tuple[list[RuleHit], list[RuleHit]]:
    """(rules with an alert on the attack, rules whose alerts are all background)."""
    marks = markers(truth)
    by_rule: dict[str, list[tuple[Alert, int]]] = {}
    for alert in run.alerts:
        own = len(run.event_ids.get(alert.id, set()) & marks)
        on_attack = bool(_alert_values(alert, run.event_ids.get(alert.id, set())) & marks)
        by_rule.setdefault(alert.rule_id, []).append((alert, own if on_attack else -1))
    fired, noise = [], []
    for rule_id, items in by_rule.items():
        mine = [(a, n) for a, n in items if n >= 0]
        first = (mine or items)[0][0]
        hit = RuleHit(rule_id, str(getattr(first.severity, "value", first.severity)), first.title, len(items),
                      len(mine), sum(n for _, n in mine))
        (fired if mine else noise).append(hit)
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    fired.sort(key=lambda h: (order.get(h.severity, 9), h.rule_id))
    noise.sort(key=lambda h: h.rule_id)
    return fired, noise


def lead_values(truth: ScenarioTruth) -> dict[str, str]:
    """What a hunt's parameters are filled with when it needs a lead."""
    values = {}
    if truth.attacker_ips:
        values["ip"] = truth.attacker_ips[0]
    people = [p for p in truth.principals if p.role in ("compromised", "actor")]
    if people:
        values["principal"] = people[0].arn
    return values


def run_hunts(workspace: TrainingWorkspace, truth: ScenarioTruth) -> list[HuntHit]:
    """Every library hunt over the workspace window: with its defaults, or with the scenario's lead."""
    from workbench.engines import get_engine
    from workbench.hunts import LIBRARY, load_hunts
    from workbench.resources import search_paths
    from workbench.timewindow import Window
    from workbench.training.workspace import window_of

    settings = workspace.settings
    folders = [p for p in search_paths("hunts", settings) if p.resolve() != LIBRARY.resolve()]
    hunts = load_hunts([*folders, LIBRARY])
    window = Window(*window_of(workspace.info))
    leads, marks = lead_values(truth), markers(truth)
    engine = get_engine("local", settings)
    found: list[HuntHit] = []
    try:
        for hunt in hunts.values():
            needed = [k for k, p in hunt.parameters.items() if p.default is None]
            params = {k: leads[k] for k in needed if k in leads}
            hit = HuntHit(hunt.name, hunt.title, params, lead=bool(needed))
            found.append(hit)
            if len(params) < len(needed):
                hit.error = f"needs {', '.join(k for k in needed if k not in params)}; the scenario gives none"
                continue
            try:
                frame = engine.run(hunt.bind(params), window).frame
            except Exception as exc:  # noqa: BLE001 - one broken hunt must not hide the others
                hit.error = f"{type(exc).__name__}: {exc}"
                continue
            hit.rows = len(frame)
            if not frame.empty:
                hit.scenario_rows = int(frame.astype(str).isin(marks).any(axis=1).sum())
    finally:
        engine.close()
    return found


def build_debrief(workspace: TrainingWorkspace, solutions: list[dict[str, Any]] | None = None) -> Debrief:
    truth = workspace.truth()
    run = run_rule_pack(workspace)
    fired, noise = rule_hits(run, truth)
    silent = run.rules_run - len(fired) - len(noise) - len(run.rules_failed)
    return Debrief(workspace.info.scenario, fired, noise, max(silent, 0), run.rules_failed,
                   run_hunts(workspace, truth), solutions or [])
