"""`mantissa demo`: a week of synthetic AWS logs with attacks, the runbook's hunts, detection.

Everything runs on the embedded default in its own workspace folder (`./demo`), so a newcomer
sees the product work with no AWS account and nothing to configure.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.alerts.model import Alert
from workbench.config import Settings, load_settings
from workbench.engines import Result, get_engine
from workbench.hunts import get_hunt
from workbench.synth import GroundTruth, synthesize
from workbench.timewindow import Window, parse_time

Echo = Callable[[str], None]


@dataclass
class HuntOutcome:
    name: str
    parameters: dict[str, str]
    result: Result
    injected: set[str]  # the scenario's event ids this hunt should surface

    @property
    def found(self) -> int:
        if "eventid" not in self.result.frame:
            return 0
        return len(self.injected & set(self.result.frame["eventid"]))


def runbook_hunts(truth: GroundTruth) -> list[tuple[str, dict[str, str], set[str]]]:
    """The runbook's three questions, asked about the leaked-key scenario's attacker and victim."""
    leak = truth.scenario("leaked-key")
    victim = leak.compromised
    assert victim is not None, "the leaked-key scenario names its compromised principal"
    return [
        ("suspicious_ip", {"ip": leak.attacker_ips[0]}, set(leak.event_ids)),
        ("trace_principal", {"principal": victim.arn}, set(leak.event_ids)),
        ("privilege_escalation", {}, set(leak.event_ids)),
    ]


def run_hunts(settings: Settings, truth: GroundTruth) -> list[HuntOutcome]:
    window = Window(parse_time(truth.start), parse_time(truth.end))
    outcomes = []
    with get_engine("local", settings) as engine:
        for name, params, injected in runbook_hunts(truth):
            sql = get_hunt(name).bind(params)
            outcomes.append(HuntOutcome(name, params, engine.run(sql, window), injected))
    return outcomes


def _table(frame: pd.DataFrame, rows: int = 8) -> str:
    shown = frame.head(rows).astype(object).where(frame.head(rows).notna(), "")
    return shown.to_string(index=False, max_colwidth=48)


def print_hunt(outcome: HuntOutcome, echo: Echo) -> None:
    hunt = get_hunt(outcome.name)
    params = " ".join(f"{k}={v}" for k, v in outcome.parameters.items())
    echo(f"\n── {hunt.title}   [%hunt {outcome.name} {params}]".replace(" ]", "]"))
    echo("Athena SQL:\n" + "\n".join("  " + line for line in outcome.result.sql.splitlines()))
    echo(f"as run on the {outcome.result.engine} engine, bounded by the window:\n  {outcome.result.executed_sql}")
    echo(_table(outcome.result.frame) if outcome.result.rows else "(no rows)")
    if outcome.result.rows > 8:
        echo(f"… {outcome.result.rows - 8:,} more rows")
    echo(f"{outcome.result.status_line()}")
    echo(f"→ {outcome.found} of these {outcome.result.rows:,} rows are events of the injected leaked-key "
         "attack (checked against the ground truth)")


DEMO_CONFIG_MARK = "# Mantissa workspace made by `mantissa demo`"
DEMO_CONFIG = f"""{DEMO_CONFIG_MARK}; every other setting has its default.
engine: local
routing:
  destinations:
    demo-trail: {{type: jsonl, path: state/deliveries.jsonl}}
  routes:
    - to: demo-trail
doctor:
  # The synthetic lake ends at the hour it was generated and nothing delivers after it: a day's
  # grace keeps `mantissa doctor` about what is really wrong in a fresh demo.
  freshness: {{cloudtrail: 1d, vpc_flow: 1d, guardduty: 7d}}
"""


def run_demo(workspace: Path, days: int = 7, seed: int = 42, end: str | None = None,
             echo: Echo = print, progress: bool | None = None) -> dict:
    workspace.mkdir(parents=True, exist_ok=True)
    config = workspace / "mantissa.yaml"
    if not config.exists() or (config.read_text().startswith(DEMO_CONFIG_MARK)
                                  and ("routing:" not in config.read_text() or "doctor:" not in config.read_text())):
        # Marks the folder as a workspace, so `cd demo && mantissa detect` works on the demo's data;
        # alerts are routed to a local JSON-lines file, so deliveries show with no account anywhere.
        config.write_text(DEMO_CONFIG)
    settings = load_settings(workspace)
    progress = sys.stderr.isatty() if progress is None else progress
    echo(f"Mantissa demo in {workspace}")
    # The demo's data is regenerated each time; alerts from an earlier demo would only confuse.
    shutil.rmtree(settings.state, ignore_errors=True)
    echo(f"1. Synthesising {days} days of AWS logs (seed {seed}) and ingesting them into {settings.lake} …")
    report = synthesize(settings.lake, days=days, seed=seed, end=end, progress=progress, replace=True)
    counts = ", ".join(f"{n:,} {table}" for table, n in report.ingest.records.items())
    echo(f"   {counts} records from {report.ingest.files_read:,} raw objects under {report.raw_dir} "
         f"in {sum(report.seconds.values()):.1f}s; {report.ingest.total_quarantined} quarantined")
    truth = report.truth
    echo(f"   ground truth (never in the logs): {report.truth_path}")
    for scenario in truth.scenarios:
        summary = scenario.description.split(". ")[0].rstrip(".")
        summary = summary if len(summary) <= 100 else summary[:99].rsplit(" ", 1)[0] + " …"
        echo(f"   • {scenario.name}: {summary} — from {', '.join(scenario.attacker_ips[:3])}")

    echo("\n2. The runbook's three hunting queries on the local engine")
    hunts = run_hunts(settings, truth)
    for outcome in hunts:
        print_hunt(outcome, echo)

    echo("\n3. Detection: the detect playbook (papermill) runs the rule pack over the synthetic week")
    run, notebook, alerts = run_detection(settings, truth)
    from workbench.playbooks.detect import summary_lines

    for line in summary_lines(run):
        if not line.startswith(("  new [", "deliveries:")):  # alerts and deliveries follow below
            echo(f"   {line}")
    echo(f"   executed notebook (the audit record): {notebook}")
    print_alerts(alerts, truth, echo)
    from workbench.routing import summary_line

    if delivered := summary_line(run.get("deliveries")):
        echo(f"   {delivered} → {settings.state / 'deliveries.jsonl'}")
    from workbench.investigate import investigate_top

    investigation = investigate_top(settings, alerts, echo)
    from workbench.reports.render import render_daily_for_demo

    # The morning checklist the demo's end would read: the last UTC day that has fully ended (a
    # partial "today" would show an empty day), with the open backlog first.
    daily = render_daily_for_demo(settings, (parse_time(truth.end).date() - pd.Timedelta(days=1)).isoformat(), echo)
    return {"settings": settings, "synth": report, "hunts": hunts, "run": run, "alerts": alerts,
            "investigation": investigation, "daily_report": daily}


def run_detection(settings: Settings, truth: GroundTruth) -> tuple[dict, Path, list[Alert]]:
    """The detect playbook over the synthetic week, as the scheduler would run it (papermill)."""
    from workbench.alerts import get_store
    from workbench.playbooks import read_published, run_playbook

    notebook = run_playbook("detect", {"start": truth.start, "end": truth.end}, settings=settings)
    published = read_published(notebook, "detect")
    with get_store(settings) as store:
        alerts = store.list(limit=None, order_by="-severity")
    return (published[-1] if published else {}), notebook, alerts


def scenario_of(alert: Alert, truth: GroundTruth, event_ids: set[str] | None = None) -> str | None:
    """Which injected scenario an alert's evidence belongs to, if any (from the ground truth)."""
    seen = {str(row.get("eventid") or row.get("id") or "") for row in alert.evidence.rows}
    seen |= {str(row.get("srcaddr") or row.get("sourceipaddress") or "") for row in alert.evidence.rows}
    for scenario in truth.scenarios:
        if seen & (set(scenario.event_ids) | set(scenario.finding_ids) | set(scenario.attacker_ips)):
            return scenario.name
    return None


def print_alerts(alerts: list[Alert], truth: GroundTruth, echo: Echo) -> None:
    if not alerts:
        echo("   no alerts")
        return
    caught: set[str] = set()
    background = 0
    for alert in alerts:
        scenario = scenario_of(alert, truth)
        if scenario:
            caught.add(scenario)
        else:
            background += 1
        tag = f"[{scenario}]" if scenario else "[background]"
        echo(f"   {alert.severity.value:<8} {alert.title[:90]:<90} ×{alert.count:<4} {tag}")
    missed = [s.name for s in truth.scenarios if s.name not in caught]
    echo(f"   {len(alerts)} alerts: {len(alerts) - background} on injected attacks "
         f"({len(caught)} of {len(truth.scenarios)} scenarios), {background} on background activity")
    if missed:
        echo(f"   scenarios no rule caught yet: {', '.join(missed)}")
