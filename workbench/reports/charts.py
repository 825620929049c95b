"""The reports' plotly figures, in the evidence plots' theme (`workbench.plots`). Labels that come
from logs or rules (rule ids, principals) are escaped before plotly sees them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.plots._style import PALETTE, SEVERITY_COLORS, empty_figure, esc, finish
from workbench.reports.common import SEVERITIES


def severity_by_rule(rules: pd.DataFrame, title: str = "Alerts by rule") -> go.Figure:
    if rules.empty:
        return empty_figure(title, "no alerts")
    fig = go.Figure()
    for severity in reversed(SEVERITIES):
        chosen = rules[rules["severity"] == severity]
        if not chosen.empty:
            fig.add_trace(go.Bar(y=chosen["rule"].map(esc), x=chosen["alerts"], name=severity, orientation="h",
                                 marker_color=SEVERITY_COLORS[severity]))
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    fig.update_xaxes(title="alerts")
    return finish(fig, title, height=max(240, 26 * len(rules) + 120))


def trend_per_day(per_day: pd.DataFrame, title: str = "Alerts first seen per day, by severity") -> go.Figure:
    if per_day.to_numpy().sum() == 0:
        return empty_figure(title, "no alerts first seen in this period")
    fig = go.Figure()
    for severity in reversed(SEVERITIES):
        if per_day[severity].sum():
            fig.add_trace(go.Bar(x=list(per_day.index), y=per_day[severity], name=severity,
                                 marker_color=SEVERITY_COLORS[severity]))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="alerts")
    return finish(fig, title, height=340)


def cost_trend(per_day: pd.DataFrame, title: str = "Query cost per day") -> go.Figure:
    if per_day.empty or per_day["total_usd"].sum() == 0:
        return empty_figure(title, "no query cost recorded in this period")
    fig = go.Figure([go.Bar(x=per_day["day"], y=per_day["detection_usd"], name="detection", marker_color=PALETTE[0]),
                     go.Bar(x=per_day["day"], y=per_day["hunting_usd"], name="hunting", marker_color=PALETTE[1])])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="USD", tickformat="$.4f")
    return finish(fig, f"{title} · ${per_day['total_usd'].sum():.4f}", height=320)


def cost_per_rule(per_rule: pd.DataFrame, top: int = 25, title: str = "Cost per rule") -> go.Figure:
    if per_rule.empty:
        return empty_figure(title, "no detection runs in this period")
    shown = per_rule.head(top)
    fig = go.Figure(go.Bar(y=shown["rule"].map(esc), x=shown["cost_usd"], orientation="h", marker_color=PALETTE[0],
                           customdata=shown["bytes_scanned"],
                           hovertemplate="%{y}<br>$%{x:.6f}<br>%{customdata:,} bytes<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed"})
    fig.update_xaxes(title="USD")
    return finish(fig, title, height=max(240, 22 * len(shown) + 120))


def lake_growth(lake: pd.DataFrame, title: str = "Lake growth per day") -> go.Figure:
    if lake.empty:
        return empty_figure(title, "no lake partitions for this period")
    fig = go.Figure()
    for i, (table, rows) in enumerate(lake.groupby("table")):
        fig.add_trace(go.Bar(x=rows["day"], y=rows["bytes"], name=esc(table), marker_color=PALETTE[i % len(PALETTE)],
                             customdata=rows["events"],
                             hovertemplate="%{x}<br>%{y:,} bytes<br>%{customdata:,} events<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="bytes on disk")
    return finish(fig, f"{title} · {int(lake['bytes'].sum()):,} bytes", height=320)
