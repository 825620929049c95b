"""The three report playbooks execute on the demo data and render self-contained HTML without code;
the figures they publish match the store, the history and the lake."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from workbench.alerts import get_store
from workbench.reports import period, render_report
from workbench.reports.common import SEVERITIES


def _check_html(html: Path, plots: bool = True) -> str:
    text = html.read_text(encoding="utf-8")
    assert "from workbench" not in text and "report.finish(" not in text  # no code cells
    # plotly.js is one local file beside the report folders, loaded once by a relative link.
    sources = re.findall(r'<script[^>]+src="([^"]+)"', text)
    assert len(sources) == plots, sources  # a page without plots loads no plotly.js
    for source in sources:
        assert re.fullmatch(r"\.\./assets/plotly-[\d.]+\.min\.js", source), source
        assert (html.parent / source).resolve().stat().st_size > 1_000_000
    assert not re.findall(r"plotly\.js v\d", text)  # not inlined as well
    assert ("Plotly.newPlot" in text) == plots
    assert html.stat().st_size < 1_500_000
    return text


def test_daily_demo_render_matches_the_store(report_site: SimpleNamespace) -> None:
    """`run_demo` ends with the daily report for its last day; its figures equal store.count()."""
    paths = report_site.demo["daily_report"]
    assert paths is not None and paths.html == report_site.workspace / "reports" / "daily" / "2026-11-19.html"
    text = _check_html(paths.html, plots=False)
    p = period("daily", "2026-11-19")
    with get_store(report_site.settings) as store:
        counts = {s: store.count(severity=s, since=p.start, until=p.end) for s in SEVERITIES}
    assert paths.figures["alerts_by_severity"] == counts
    assert paths.figures["alerts_total"] == sum(counts.values()) > 0
    assert "Delivery health" in text and "Questions in English" in text
    assert "Summary message" not in text and "mantissa report" not in text  # no developer prose
    # The report leads with the backlog: its box comes before every section.
    assert text.index("Open backlog at ") < text.index("The day") < text.index("Detection health")


def test_daily_backlog_equals_the_cli_open_count(report_site: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The acceptance check: the demo's daily report's backlog count is `alerts list --status open`'s."""
    from workbench.cli import app

    monkeypatch.chdir(report_site.workspace)
    monkeypatch.delenv("MANTISSA_WORKSPACE", raising=False)
    listed = CliRunner().invoke(app, ["alerts", "list", "--status", "open", "--limit", "1"])
    assert listed.exit_code == 0, listed.output
    cli_total = int(re.search(r"^1-1 of (\d+)$", listed.output, re.M).group(1))
    backlog = report_site.demo["daily_report"].figures["backlog"]
    # The fixture acknowledged, resolved and closed some alerts after the demo's report: render again.
    paths = render_report("daily", "2026-11-19", settings=report_site.settings)
    assert paths.figures["backlog"]["total"] == cli_total > 0
    queue = paths.figures["backlog"]["queue"]
    assert len(queue) == cli_total
    with get_store(report_site.settings) as store:
        new = store.count(status="new")
    assert paths.figures["backlog"]["unacknowledged"] == new < cli_total
    assert paths.figures["summary"][0].startswith("Open backlog at ") and f": {cli_total} alert" in \
        paths.figures["summary"][0]
    assert backlog["total"] >= cli_total  # the demo's own report saw the queue before any triage
    # Unacknowledged first, then worst severity first.
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    order = [(a["status"] != "new", rank[a["severity"]]) for a in queue]
    assert order == sorted(order)


def test_daily_render_for_the_run_day(report_site: SimpleNamespace) -> None:
    settings = report_site.settings
    with get_store(settings) as store:
        runs = store.list_runs(limit=None)
    day = runs[0]["started"].date().isoformat()
    paths = render_report("daily", day, settings=settings)
    _check_html(paths.html, plots=False)
    assert paths.notebook.is_file() and paths.archived.is_relative_to(settings.runs)
    same_day = [r for r in runs if r["started"].date().isoformat() == day]
    assert paths.figures["detection"]["bytes_scanned"] == sum(r["bytes_scanned"] for r in same_day)
    assert paths.figures["detection"]["runs"] == len(same_day)
    assert paths.figures["cost"]["detection_usd"] == pytest.approx(sum(r["cost_usd"] for r in same_day))


def test_weekly_render_and_post_through_the_cli(report_site: SimpleNamespace,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.cli import app
    from workbench.cli import report as report_cli

    if "report" not in {g.name for g in app.registered_groups}:
        report_cli.register(app)  # until workbench/cli/__init__.py wires it
    monkeypatch.chdir(report_site.workspace)
    monkeypatch.delenv("MANTISSA_WORKSPACE", raising=False)
    trail = report_site.settings.state / "deliveries.jsonl"
    before = trail.read_text().count("\n")
    result = CliRunner().invoke(app, ["report", "weekly", "--date", "2026-W47", "--post"])
    assert result.exit_code == 0, result.output
    html = Path(result.stdout.strip().splitlines()[-1])
    assert html == report_site.workspace / "reports" / "weekly" / "2026-W47.html"
    text = _check_html(html)
    assert "False positives and thresholds" in text and report_site.noisy_rule in text
    assert "Summary message" not in text and "mantissa report" not in text
    assert ">label</th>" in text  # the top source IPs carry their enrichment label
    assert "the bundled rule pack is in use" in text  # the demo workspace has no rules/ of its own
    posted = [json.loads(line) for line in trail.read_text().splitlines()[before:]]
    assert len(posted) == 1
    message = posted[0]
    p = period("weekly", "2026-W47")
    with get_store(report_site.settings) as store:
        total = store.count(since=p.start, until=p.end)
    assert message["alert"]["rule_id"] == "mantissa-report"
    assert message["report_url"] == html.as_uri()
    assert f"Alerts active in 2026-W47: {total} " in message["alert"]["fields"]["summary"]
    with get_store(report_site.settings) as store:  # a summary is not an alert: nothing stored
        assert store.count(rule_id="mantissa-report") == 0


def test_monthly_render(report_site: SimpleNamespace) -> None:
    paths = render_report("monthly", "2026-11", settings=report_site.settings)
    text = _check_html(paths.html)
    assert paths.html.name == "2026-11.html"
    lake_bytes = sum(f.stat().st_size for t in ("cloudtrail", "vpc_flow", "guardduty")
                     for f in (report_site.lake / t / "year=2026" / "month=11").rglob("*.parquet"))
    assert sum(row["bytes"] for row in paths.figures["lake_by_table"].values()) == lake_bytes
    assert "Lake growth" in text and "who queried what" in text


def test_cli_bad_date_is_a_usage_error(report_site: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.cli import app
    from workbench.cli import report as report_cli

    if "report" not in {g.name for g in app.registered_groups}:
        report_cli.register(app)
    monkeypatch.chdir(report_site.workspace)
    result = CliRunner().invoke(app, ["report", "monthly", "--date", "2026-13"])
    assert result.exit_code == 2
    assert "MM from 01 to 12" in result.output
