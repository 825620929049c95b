"""What each report notebook cell shows: escaped HTML tables and interactive plotly figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.investigate.html import (
    Html,
    definition_list,
    esc,
    frame_table,
    severity_badge,
    status_badge,
    table,
)
from workbench.investigate.layout import addresses, full, headline, note, nowrap, paged_table, when
from workbench.investigate.sections import Plot
from workbench.reports import charts
from workbench.reports.common import usd as _usd

if TYPE_CHECKING:
    from workbench.reports.daily import DailyFigures
    from workbench.reports.monthly import MonthlyFigures
    from workbench.reports.weekly import WeeklyFigures


def _summary(lines: list[str], problems: list[str] = (), title: str | None = None) -> Html:  # type: ignore[assignment]
    """The key lines in a box at the top of the page, then any problems the figures ran into."""
    out = headline(lines, title=title)
    if problems:
        out += "<p><b>Problems:</b></p><ul>" + "".join(f"<li>{esc(p, limit=None)}</li>" for p in problems) + "</ul>"
    return Html(out)


def _link(href: str | None) -> str:
    return f'<a href="{esc(href)}">investigation</a>' if href else "—"


class DailyView:
    def __init__(self, figures: DailyFigures) -> None:
        self.f = figures

    def summary(self) -> Html:
        b = self.f.backlog
        colour = "#C62828" if b.by_severity().get("critical") else "#EF6C00" if b.unacknowledged else "#2E7D32"
        return Html(headline(self.f.summary_lines(), colour=colour,
                             title=f"Morning checklist for {self.f.period.label} (UTC day)"))

    def backlog(self, first: int = 20) -> Html:
        """Open alerts now: severity × waiting time, then the queue, unacknowledged first."""
        from workbench.enrich import labeler

        b = self.f.backlog
        if not b.alerts:
            return Html(note(b.headline()))
        grid = [{**row, "severity": severity_badge(row["severity"])} for row in b.grid()]
        label = labeler(self.f.settings).text if self.f.settings is not None else None
        rows = [{**row, "severity": severity_badge(row["severity"]), "status": status_badge(row["status"]),
                 "waiting": nowrap(row["waiting"]), "title": full(row["title"]), "source": addresses(row["source"]),
                 "last seen": when(row["last_seen"]), "investigation": _link(row["investigation"])}
                for row in b.rows(self.f.settings, label)]
        columns = ["severity", "status", "waiting", "title", "source", "rule", "last seen",
                   *(["assignee"] if any(a.assignee for a in b.alerts) else []), "investigation"]
        return Html(table(grid, raw=("severity",))
                    + note(f"Waiting: time since the alert was raised, as of {b.as_of:%Y-%m-%d %H:%M} UTC.")
                    + paged_table(rows, columns, first=first, noun="open alerts",
                                  raw=("severity", "status", "waiting", "title", "source", "last seen",
                                       "investigation")))

    def detection(self) -> Html:
        d = self.f.detection
        pairs = [("runs", d["runs"]), ("failed runs", d["failed_runs"]), ("rule evaluations", d["rules_run"]),
                 ("new alerts", d["alerts_new"]), ("updated alerts", d["alerts_updated"]),
                 ("query time", f"{d['query_s']:.2f} s"), ("bytes scanned", f"{d['bytes_scanned']:,}"),
                 ("last run", d["last_run"] or "—")]
        out = definition_list(pairs)
        out += "<p><b>Failed rules</b></p>" + table(self.f.failed_rules, ["rule", "failed runs", "last error"],
                                                     empty="no rule failed")
        return Html(out)

    def alerts(self, first: int = 10) -> Html:
        counts = [{"severity": severity_badge(s), "new that day": self.f.new_by_severity.get(s, 0),
                   "active that day": n} for s, n in self.f.alerts_by_severity.items()]
        rows = [{**row, "severity": severity_badge(row["severity"]), "status": status_badge(row["status"]),
                 "title": full(row["title"]), "first seen": when(row["first_seen"]),
                 "last seen": when(row["last_seen"]), "investigation": _link(row["investigation"])}
                for row in self.f.alerts]
        return Html(table(counts, raw=("severity",))
                    + paged_table(rows, ["severity", "status", "title", "rule", "count", "first seen", "last seen",
                                         "investigation"], first=first, empty="no alerts active this day",
                                  raw=("severity", "status", "title", "first seen", "last seen", "investigation"),
                                  noun="alerts active that day"))

    def alerts_chart(self) -> Plot:
        return Plot(charts.severity_by_rule(self.f.alerts_by_rule))

    def deliveries(self) -> Html:
        t = self.f.delivery_totals
        pairs = [("delivered", t["delivered"]), ("failed attempts", t["failures"]), ("parked this day", t["parked"]),
                 ("parked now", t["parked_now"]), ("waiting now", t["open_now"])]
        rows = list(self.f.deliveries.values())
        return Html(definition_list(pairs) + table(rows, ["destination", "attempts", "delivered", "failures", "parked",
                                                          "parked_now", "latency_ms_p50", "latency_ms_p95"],
                                                   empty="no delivery attempts this day"))

    def cost(self) -> Html:
        c = self.f.cost
        pairs = [("detection", f"{_usd(c.detection_usd)} · {c.detection_bytes:,} bytes in {c.runs} runs"),
                 ("hunting", f"{_usd(c.hunting_usd)} · {c.hunting_bytes:,} bytes in {c.queries} queries"),
                 ("total", f"{_usd(c.total_usd)} · {c.total_bytes:,} bytes")]
        b = self.f.budget
        if b.get("budget_usd") is not None:
            pairs.append(("daily budget", f"{_usd(b['budget_usd'])} — {b['action']}"
                                          + (f" (alert {b['alert_id']})" if b.get("alert_id") else "")))
        else:
            pairs.append(("daily budget", "none set (cost.daily_budget_usd in mantissa.yaml)"))
        per_rule = sorted(({"rule": r, "bytes scanned": int(v["bytes"]), "cost": _usd(v["usd"])}
                           for r, v in c.per_rule.items()), key=lambda r: -r["bytes scanned"])[:15]
        return Html(definition_list(pairs) + table(per_rule, empty="no detection runs this day"))

    def english(self) -> Html:
        e = self.f.english
        latency = "—" if e["model_s_p50"] is None else f"{e['model_s_p50']:.3f} s median, {e['model_s_p95']:.3f} s p95"
        pairs = [("questions in English", e["questions"]), ("answered", e["answered"]),
                 ("refused by the guard", e["refused"]), ("not translated", e["untranslated"]),
                 ("errors", e["errors"]), ("model latency", latency),
                 ("providers", ", ".join(e["providers"]) or "—"),
                 ("all queries / guard refusals", f"{e['queries_all']} / {e['guard_refusals_all']}")]
        return Html(definition_list(pairs))


class WeeklyView:
    def __init__(self, figures: WeeklyFigures) -> None:
        self.f = figures

    def summary(self) -> Html:
        return _summary(self.f.summary_lines(), self.f.problems, title=f"Week {self.f.period.label} "
                        f"({self.f.period.first:%Y-%m-%d} to {self.f.period.last:%Y-%m-%d}, UTC)")

    def trend(self) -> Plot:
        return Plot(charts.trend_per_day(self.f.per_day))

    def trend_table(self) -> Html:
        rows = [{"severity": severity_badge(s), "this week": n, "previous week": self.f.previous_by_severity.get(s, 0)}
                for s, n in self.f.by_severity.items()]
        return Html(table(rows, raw=("severity",)))

    def rule_changes(self) -> Html:
        scope = (f"The workspace's rule folders: {self.f.rule_scope}." if self.f.rule_scope else
                 "The workspace has no rules/ folder of its own; the bundled rule pack is in use, and its "
                 "changes come with upgrades of the workbench, not from this team.")
        return Html(note(scope) + frame_table(self.f.rule_changes, empty="no rule was added or changed this week"))


    def false_positives(self) -> Html:
        return Html(frame_table(self.f.rules, empty="no alerts this week"))

    def timings(self) -> Html:
        return Html(frame_table(self.f.timings, empty="no alerts this week"))

    def top(self) -> Html:
        from workbench.enrich import labeler

        ips = self.f.ips
        if not ips.empty:
            # What each address is (AWS, another cloud, a scanner, private …) beside it.
            ips = ips.assign(label=ips["ip"].map(labeler(self.f.settings).text))
        return Html("<p><b>Principals</b></p>" + frame_table(self.f.principals, empty="no principal named")
                    + "<p><b>Source IPs</b></p>" + frame_table(ips, empty="no source IP named"))


class MonthlyView:
    def __init__(self, figures: MonthlyFigures) -> None:
        self.f = figures

    def summary(self) -> Html:
        return _summary(self.f.summary_lines(), title=f"Month {self.f.period.label} (UTC)")

    def tuning(self) -> Html:
        return Html(frame_table(self.f.tuning, empty="no rule alerted this month"))

    def triage(self) -> Html:
        return Html(frame_table(self.f.triage_by_person, empty="nobody triaged an alert this month")
                    + "<p><b>Every triage action</b></p>" + frame_table(self.f.triage, limit=300, empty="none"))

    def queries(self) -> Html:
        shown = self.f.queries.assign(sql=self.f.queries["sql"].map(lambda s: (s or "")[:160]))
        return Html(frame_table(self.f.queries_by_user, empty="no queries this month")
                    + "<p><b>Every query</b></p>" + frame_table(shown, limit=300, empty="none"))

    def cost_trend(self) -> Plot:
        return Plot(charts.cost_trend(self.f.cost_per_day))

    def cost_per_rule(self) -> Plot:
        return Plot(charts.cost_per_rule(self.f.cost_per_rule))

    def cost_table(self) -> Html:
        return Html(frame_table(self.f.cost_per_rule, empty="no detection runs this month"))

    def lake_growth(self) -> Plot:
        return Plot(charts.lake_growth(self.f.lake))

    def lake_table(self) -> Html:
        frame = self.f.lake
        if frame.empty:
            return Html(frame_table(frame, empty="no lake partitions this month"))
        totals = frame.groupby("table", as_index=False)[["bytes", "files", "events"]].sum()
        days = frame.groupby("table")["day"].nunique().rename("days").reset_index()
        return Html(frame_table(pd.merge(totals, days, on="table")))


def view_for(figures: Any) -> DailyView | WeeklyView | MonthlyView:
    kind = figures.period.kind
    return {"daily": DailyView, "weekly": WeeklyView, "monthly": MonthlyView}[kind](figures)
