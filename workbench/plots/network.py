"""Relationship and volume plots: principal → API call → resource, VPC flow bytes, alert trend."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workbench.plots._style import (
    PALETTE,
    SEVERITY_COLORS,
    SEVERITY_ORDER,
    as_frame,
    column,
    empty_figure,
    esc,
    finish,
    principals,
    resources_of,
    short,
    times,
)


def entity_graph(data: Any, top: int = 40, title: str = "Who called what, on which resource") -> go.Figure:
    """A Sankey of principal → eventName → resource, widths by call count (the `top` heaviest links)."""
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no events in this window")
    who = principals(frame).tolist()
    names = column(frame, "eventname").fillna("").astype(str).tolist()
    records = frame.to_dict("records")
    first: Counter[tuple[str, str]] = Counter()
    second: Counter[tuple[str, str]] = Counter()
    for principal, name, row in zip(who, names, records, strict=True):
        first[(principal or "(unknown)", name or "(unknown)")] += 1
        for resource in resources_of(row)[:3]:
            second[(name or "(unknown)", resource)] += 1
    kept_first = first.most_common(top)
    calls = {name for (_, name), _ in kept_first}
    kept_second = [item for item in second.most_common(top) if item[0][0] in calls]
    # Node ids carry their column, so a resource and a principal with the same text stay apart.
    nodes: dict[tuple[str, str], int] = {}

    def node(kind: str, text: str) -> int:
        return nodes.setdefault((kind, text), len(nodes))

    links = [(node("principal", p), node("call", c), n) for (p, c), n in kept_first]
    links += [(node("call", c), node("resource", r), n) for (c, r), n in kept_second]
    colours = {"principal": PALETTE[0], "call": PALETTE[1], "resource": PALETTE[2]}
    ordered = sorted(nodes.items(), key=lambda item: item[1])
    # Fixed columns: left to right, whatever has outgoing links (a call with no resource would
    # otherwise be drawn in the resource column).
    column_x = {"principal": 0.001, "call": 0.5, "resource": 0.999}
    per_column: dict[str, list[int]] = {}
    for (kind, _), index in ordered:
        per_column.setdefault(kind, []).append(index)
    y = {index: (rank + 0.5) / len(members) for members in per_column.values()
         for rank, index in enumerate(members)}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [esc(short(text, 60)) for (_, text), _ in ordered],
              "x": [column_x[kind] for (kind, _), _ in ordered], "y": [y[index] for _, index in ordered],
              "customdata": [f"{kind}: {esc(text)}" for (kind, text), _ in ordered],
              "hovertemplate": "%{customdata}<br>%{value} calls<extra></extra>",
              "color": [colours[kind] for (kind, _), _ in ordered], "pad": 12, "thickness": 14},
        link={"source": [s for s, _, _ in links], "target": [t for _, t, _ in links],
              "value": [n for _, _, n in links], "color": "rgba(128,128,128,0.35)"},
    ))
    return finish(fig, f"{title} (principal → call → resource)", height=max(360, min(1000, 60 + 18 * len(nodes))))


def flow_bytes(data: Any, top: int = 8, bucket: str | None = None,
               title: str = "VPC flow bytes over time per destination") -> go.Figure:
    """Bytes per time bucket for the `top` destinations (address:port), the rest summed as 'other'."""
    frame = as_frame(data)
    if frame.empty or "bytes" not in frame.columns:
        return empty_figure(title, "no VPC flow records in this window")
    when = times(frame, "start" if "start" in frame.columns else None)
    frame = frame.assign(_when=when, _bytes=pd.to_numeric(frame["bytes"], errors="coerce").fillna(0),
                         _dst=column(frame, "dstaddr").astype(str) + ":" + column(frame, "dstport").astype(str))
    heaviest = frame.groupby("_dst")["_bytes"].sum().sort_values(ascending=False)
    keep = set(heaviest.index[:top])
    frame["_dst"] = frame["_dst"].where(frame["_dst"].isin(keep), "other")
    span = (when.max() - when.min()) if len(when) else pd.Timedelta(0)
    bucket = bucket or ("1min" if span <= pd.Timedelta(hours=2) else "5min" if span <= pd.Timedelta(hours=12)
                        else "15min" if span <= pd.Timedelta(days=2) else "1h")
    series = frame.groupby([pd.Grouper(key="_when", freq=bucket), "_dst"])["_bytes"].sum().unstack(fill_value=0)
    fig = go.Figure()
    order = [d for d in heaviest.index[:top]] + (["other"] if "other" in series.columns else [])
    for i, dst in enumerate(order):
        fig.add_trace(go.Scatter(x=series.index, y=series[dst], name=esc(dst), stackgroup="bytes", mode="lines",
                                 line={"width": 0.5, "color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate=f"{esc(dst)}<br>%{{x}}<br>%{{y:,}} bytes<extra></extra>"))
    fig.update_yaxes(title=f"bytes per {bucket}")
    return finish(fig, f"{title} · {frame['_bytes'].sum():,.0f} bytes")


def _alert_frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    rows = []
    for alert in data:
        severity = getattr(alert.severity, "value", alert.severity)
        rows.append({"severity": severity, "first_seen": alert.first_seen, "rule_id": alert.rule_id,
                     "status": getattr(alert.status, "value", alert.status)})
    return pd.DataFrame(rows, columns=["severity", "first_seen", "rule_id", "status"])


def alert_trend(alerts: Any, freq: str = "1D", title: str = "Alerts by severity") -> go.Figure:
    """New alerts per period (by first_seen), stacked by severity in fixed severity colours."""
    frame = _alert_frame(alerts)
    if frame.empty:
        return empty_figure(title, "no alerts")
    when = times(frame, "first_seen")
    counts = frame.assign(_when=when).groupby([pd.Grouper(key="_when", freq=freq), "severity"]).size()
    counts = counts.unstack(fill_value=0)
    fig = go.Figure()
    for severity in SEVERITY_ORDER:
        if severity in counts.columns:
            fig.add_trace(go.Bar(x=counts.index, y=counts[severity], name=severity,
                                 marker_color=SEVERITY_COLORS[severity]))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"alerts per {freq}")
    return finish(fig, f"{title} · {len(frame):,} alerts", height=340)
