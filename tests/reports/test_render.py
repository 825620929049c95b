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


def _check_html(html: Path) -> str:
    text = html.read_text(encoding="utf-8")
    assert "from workbench" not in text and "report.finish(" not in text  # no code cells
    assert len(re.findall(r"plotly\.js v\d", text)) == 1  # plotly.js inlined once, figures interactive
    assert "Plotly.newPlot" in text
    assert not re.findall(r'<script[^>]+src="https?://', text)  # nothing fetched from a CDN
    return text


def test_daily_demo_render_matches_the_store(report_site: SimpleNamespace) -> None:
    """`run_demo` ends with the daily report for its last day; its figures equal store.count()."""
    paths = report_site.demo["daily_report"]
    assert paths is not None and paths.html == report_site.workspace / "reports" / "daily" / "2026-11-19.html"
    text = _check_html(paths.html)
    p = period("daily", "2026-11-19")
    with get_store(report_site.settings) as store:
        counts = {s: store.count(severity=s, since=p.start, until=p.end) for s in SEVERITIES}
    assert paths.figures["alerts_by_severity"] == counts
    assert paths.figures["alerts_total"] == sum(counts.values()) > 0
    assert "Delivery health" in text and "Questions in English" in text


def test_daily_render_for_the_run_day(report_site: SimpleNamespace) -> None:
    settings = report_site.settings
    with get_store(settings) as store:
        runs = store.list_runs(limit=None)
    day = runs[0]["started"].date().isoformat()
    paths = render_report("daily", day, settings=settings)
    _check_html(paths.html)
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
