"""Daily, weekly and monthly reports: figures computed by plain functions, shown by thin playbooks.

    from workbench.reports import build, render_report
    report = build("daily", "2026-11-19")           # figures + view, in a notebook
    paths = render_report("weekly", "2026-W47")      # papermill + nbconvert → reports/weekly/2026-W47.html

Figures: `build_daily` / `build_weekly` / `build_monthly` (each returns a dataclass with `as_dict()`
and `summary_lines()`); rendering: `render_report`; summaries to destinations: `post_summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.reports.daily import DailyFigures, build_daily
from workbench.reports.monthly import MonthlyFigures, build_monthly
from workbench.reports.period import KINDS, Period, period
from workbench.reports.post import PostResult, post_summary
from workbench.reports.render import ReportPaths, render_report
from workbench.reports.weekly import WeeklyFigures, build_weekly

if TYPE_CHECKING:
    from workbench.config import Settings

__all__ = ["KINDS", "DailyFigures", "MonthlyFigures", "Period", "PostResult", "Report", "ReportPaths",
           "WeeklyFigures", "build", "build_daily", "build_monthly", "build_weekly", "period", "post_summary",
           "render_report"]


@dataclass
class Report:
    """What a report notebook holds: the settings, the figures, and the view that shows them."""

    settings: Settings
    figures: DailyFigures | WeeklyFigures | MonthlyFigures
    view: Any

    def finish(self, post_summary: bool = False) -> list[PostResult]:
        """Publish the key figures (read back by `render_report` and tests) and, when asked, post the
        summary to the destinations. Returns the post results (empty when not posting)."""
        from workbench.playbooks import publish
        from workbench.reports.common import report_link
        from workbench.reports.post import post_summary as post

        p = self.figures.period
        lines = self.figures.summary_lines()
        link = report_link(self.settings, p.kind, p.label)
        results = post(self.settings, p.kind, p.label, lines, link) if post_summary else []
        data = {**self.figures.as_dict(), "summary": lines, "link": link,
                "posted": [r.__dict__ for r in results]}
        publish("report", data, text="\n".join([*lines, *(r.format() for r in results)]))
        return results


def build(kind: str, when: str | None = None, workspace: str | Path | None = None,
          settings: Settings | None = None) -> Report:
    """Compute one report's figures from the workspace's store, history, rules and lake."""
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.reports.views import view_for

    settings = settings or load_settings(Path(workspace) if workspace else None)
    builders = {"daily": build_daily, "weekly": build_weekly, "monthly": build_monthly}
    if kind not in builders:
        period(kind)  # raises the "unknown report — did you mean" error
    with get_store(settings) as store:
        figures = builders[kind](settings, store, when)
    return Report(settings, figures, view_for(figures))
