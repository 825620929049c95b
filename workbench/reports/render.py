"""Run a report playbook (papermill) and render it to one self-contained HTML page without code.

    paths = render_report("daily", "2026-11-19", settings=settings)
    paths.html      # reports/daily/2026-11-19.html   (weekly: reports/weekly/2026-W47.html,
                    #                                   monthly: reports/monthly/2026-11.html)
    paths.figures   # the key figures the notebook published (what tests and summaries read)

The executed notebook is archived under runs/ by `run_playbook` and copied beside the HTML.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.reports.common import report_file
from workbench.reports.period import KINDS, period

if TYPE_CHECKING:
    from workbench.config import Settings

PUBLISH_KIND = "report"


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    notebook: Path
    archived: Path
    figures: dict[str, Any]
    posted: list[dict[str, Any]] = field(default_factory=list)


def notebook_to_html(notebook: Path, title: str, plotly_src: str | None = None) -> str:
    """Outputs and markdown only; plotly.js from `plotly_src` (else inlined once); nothing fetched
    from the network."""
    # The investigation report's converter, so every rendered document looks and behaves alike.
    from workbench.investigate.report import notebook_to_html as convert

    return convert(notebook, title, plotly_src=plotly_src)


def render_report(kind: str, when: str | None = None, *, settings: Settings | None = None, post: bool = False,
                  timeout: float | None = 900, progress: Any = None) -> ReportPaths:
    """Execute `playbooks/report_<kind>.ipynb` for the period holding `when` and write its HTML.
    `progress(step)` is called with a line before each step (the CLI prints them)."""
    from workbench.config import load_settings
    from workbench.investigate.report import ASSETS, plotly_src
    from workbench.playbooks import read_published, run_playbook

    say = progress or (lambda _line: None)
    settings = settings or load_settings()
    p = period(kind, when)  # a bad kind or date fails here, before a kernel starts
    say(f"{kind} report {p.label}: running playbooks/report_{kind}.ipynb (starting a kernel) …")
    archived = run_playbook(f"report_{kind}", {"date": p.label, "post_summary": post}, settings=settings,
                            timeout=timeout, progress=progress is not None)
    published = read_published(archived, PUBLISH_KIND)
    figures = published[-1] if published else {}
    html = report_file(settings, kind, p.label)
    html.parent.mkdir(parents=True, exist_ok=True)
    notebook = html.with_suffix(".ipynb")
    shutil.copyfile(archived, notebook)
    say(f"{kind} report {p.label}: rendering HTML …")
    src = plotly_src(html, html.parent.parent / ASSETS)
    html.write_text(notebook_to_html(notebook, f"Mantissa {kind} report {p.label}", src), encoding="utf-8")
    return ReportPaths(html, notebook, archived, figures, list(figures.get("posted") or []))


def render_daily_for_demo(settings: Settings, day: str, echo: Any = print) -> ReportPaths | None:
    """The demo's last step: the morning checklist for the demo's last day, and its path."""
    echo(f"\n5. Reports: the daily report (the morning checklist) for {day}")
    try:
        paths = render_report("daily", day, settings=settings)
    except Exception as exc:  # the demo's earlier steps stand on their own; say what failed and go on
        echo(f"   daily report failed: {exc}")
        return None
    for line in paths.figures.get("summary", []):
        echo(f"   {line}")
    echo(f"   report (HTML, no code): {paths.html}")
    return paths


__all__ = ["KINDS", "ReportPaths", "notebook_to_html", "render_daily_for_demo", "render_report"]
