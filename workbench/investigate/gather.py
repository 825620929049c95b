"""Gather an investigation: the alert, what its actors did around it, related alerts, first-seen facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.investigate import queries
from workbench.investigate.containment import Step, suggest
from workbench.investigate.facts import FACT_COLUMNS, first_seen_facts
from workbench.investigate.subjects import Subjects, subjects_of
from workbench.timewindow import Window, parse_duration

if TYPE_CHECKING:
    from workbench.alerts import Alert, AlertStore
    from workbench.config import Settings
    from workbench.engines import Engine

ROW_LIMIT = 20_000
DEFAULT_HISTORY = "14d"


@dataclass
class QueryRun:
    """Provenance of one query the investigation ran (shown at the end of the report)."""

    purpose: str
    sql: str
    window: str
    rows: int = 0
    elapsed_s: float = 0.0
    bytes_scanned: int = 0
    query_id: str = ""
    error: str = ""


@dataclass
class Investigation:
    alert: Alert
    hours_around: float
    window: Window  # hours_around before first_seen to hours_around after last_seen
    # The baseline first-seen facts compare against: the days before the *window*, so an attacker's
    # own reconnaissance in the hours before the alert counts as new, not as history.
    history_window: Window
    subjects: Subjects
    engine: str
    cloudtrail: pd.DataFrame = field(default_factory=pd.DataFrame)
    vpc_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    guardduty: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    facts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACT_COLUMNS))
    related: list[Alert] = field(default_factory=list)
    containment: list[Step] = field(default_factory=list)
    queries: list[QueryRun] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rule_description: str = ""  # the rule's first sentence, for the brief
    settings: Settings | None = None  # for IP labels (the workspace's known-IP list and AWS ranges)

    @property
    def history_label(self) -> str:
        days = (self.history_window.end - self.history_window.start) / timedelta(days=1)
        return f"the {days:g} days before the investigated window"

    # The report's sections (HTML and figures) live in `sections`, so this module stays about data.
    def __getattr__(self, name: str) -> Any:
        from workbench.investigate import sections

        if name.startswith("_") or not hasattr(sections, f"section_{name}"):
            raise AttributeError(name)
        render = getattr(sections, f"section_{name}")
        return lambda *args, **kwargs: render(self, *args, **kwargs)


def _run(engine: Engine, purpose: str, sql: str | None, window: Window, runs: list[QueryRun],
         problems: list[str]) -> pd.DataFrame:
    """Run one query; a failure is recorded and the rest of the investigation goes on."""
    if sql is None:
        return pd.DataFrame()
    run = QueryRun(purpose, sql, str(window))
    runs.append(run)
    try:
        result = engine.run(sql, window)
    except Exception as exc:  # one failed source must not lose the rest of the report
        run.error = f"{type(exc).__name__}: {exc}"
        problems.append(f"{purpose}: {run.error}")
        return pd.DataFrame()
    run.rows, run.elapsed_s, run.bytes_scanned, run.query_id = (
        result.rows, round(result.elapsed_s, 3), result.bytes_scanned, result.query_id)
    if result.rows >= ROW_LIMIT:
        problems.append(f"{purpose}: stopped at {ROW_LIMIT:,} rows; narrow hours_around to see the rest")
    return result.frame


def _add_evidence_keys(engine: Engine, alert: Alert, subjects: Subjects, window: Window,
                       runs: list[QueryRun], problems: list[str]) -> None:
    """Rules often keep the actor's ARN but not the access key that signed the calls: look it up."""
    event_ids = [str(r["eventid"]) for r in alert.evidence.rows if r.get("eventid")][:50]
    frame = _run(engine, "access keys behind the evidence", queries.evidence_keys(event_ids), window, runs, problems)
    for row in frame.to_dict("records"):
        for kind, key in (("principals", "principal"), ("access_keys", "accesskeyid")):
            value = row.get(key)
            if isinstance(value, str) and value:
                subjects.add(kind, value)


def _actors(subjects: Subjects) -> list[str]:
    """One name per actor for the facts: a bare user name is dropped when its ARN is also known,
    and access keys stand in only when no principal is named (a key's calls are its principal's)."""
    arns = [p for p in subjects.principals if p.startswith("arn:")]
    names = [p for p in subjects.principals if not p.startswith("arn:")
             and not any(a.rsplit("/", 1)[-1] == p for a in arns)]
    return (arns + names) or list(subjects.access_keys)


def _rule_description(settings: Settings, rule_id: str) -> str:
    """The first sentence of the rule's description, read from its file (`<rule id>.yaml` in a rule
    folder, as the pack names them; loading the whole pack costs seconds). Empty when not found."""
    import yaml

    from workbench.resources import search_paths

    for root in search_paths("rules", settings):
        for path in [*Path(root).rglob(f"{rule_id}.yaml"), *Path(root).rglob(f"{rule_id}.yml")]:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(data, dict) and data.get("id") == rule_id:
                text = " ".join(str(data.get("description") or "").split())
                first = text.split(". ")[0].rstrip(".")
                return f"{first}." if first else ""
    return ""


def investigate(alert_id: str, hours_around: float = 6, workspace: str | Path | None = None, *,
                settings: Settings | None = None, engine: Engine | None = None, store: AlertStore | None = None,
                history: str = DEFAULT_HISTORY) -> Investigation:
    """Everything the report shows about one alert, gathered through the configured engine and store."""
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.engines import get_engine

    if hours_around < 0:
        raise ValueError(f"hours_around must be 0 or more, got {hours_around}")
    settings = settings or load_settings(Path(workspace) if workspace else None)
    own_store, own_engine = store is None, engine is None
    store = store or get_store(settings)
    engine = engine or get_engine(settings.engine, settings)
    try:
        alert = store.get(alert_id)
        around = timedelta(hours=float(hours_around))
        # The window is half-open: a second past last_seen keeps the last evidence event inside.
        window = Window(alert.first_seen - around, alert.last_seen + around + timedelta(seconds=1))
        history_window = Window(window.start - parse_duration(history), window.start)
        subjects = subjects_of(alert)
        inv = Investigation(alert, float(hours_around), window, history_window, subjects, engine.name,
                            settings=settings, rule_description=_rule_description(settings, alert.rule_id))
        _add_evidence_keys(engine, alert, subjects, window, inv.queries, inv.problems)
        inv.cloudtrail = _run(engine, "CloudTrail activity of the principals, keys and IPs",
                              queries.cloudtrail_activity(subjects, ROW_LIMIT), window, inv.queries, inv.problems)
        inv.vpc_flow = _run(engine, "VPC flows to and from the IPs and instances",
                            queries.vpc_flows(subjects, ROW_LIMIT), window, inv.queries, inv.problems)
        inv.guardduty = _run(engine, "GuardDuty findings naming the subjects",
                             queries.guardduty_findings(subjects, 1000), window, inv.queries, inv.problems)
        inv.history = _run(engine, f"history before the window ({history})", queries.history(subjects),
                           history_window, inv.queries, inv.problems)
        inv.facts = first_seen_facts(_actors(subjects), inv.cloudtrail, inv.history, window.start,
                                     inv.history_label)
        inv.related = store.related(alert.id)
        inv.containment = suggest(alert, subjects)
        if subjects.empty:
            inv.problems.append("the alert names no principal, access key, IP or instance: only its own "
                                "evidence is shown")
        return inv
    finally:
        if own_engine:
            engine.close()
        if own_store:
            store.close()
