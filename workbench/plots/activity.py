"""CloudTrail activity plots: timeline, eventName/service breakdown, hour × day heatmap, source IPs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.plots._style import (
    ERROR_COLOR,
    PALETTE,
    as_frame,
    column,
    empty_figure,
    esc,
    esc_series,
    finish,
    principals,
    short,
    times,
)

MAX_TIMELINE_POINTS = 20_000  # beyond this a browser tab gets sluggish; the rest is summarised


def _service(frame: pd.DataFrame) -> pd.Series:
    return column(frame, "eventsource", "service").fillna("").astype(str).str.replace(".amazonaws.com", "", regex=False)


def _hover(frame: pd.DataFrame, when: pd.Series) -> pd.Series:
    """One escaped hover line per event: when, who, from where, what, and the error if any."""
    who = principals(frame).map(lambda p: esc(short(p, 64)))
    parts = [
        when.dt.strftime("%Y-%m-%d %H:%M:%SZ"),
        "principal: " + who,
        "from: " + esc_series(column(frame, "sourceipaddress", "srcaddr")),
        "call: " + esc_series(column(frame, "eventsource")) + " " + esc_series(column(frame, "eventname")),
        "region: " + esc_series(column(frame, "awsregion", "region")),
    ]
    hover = parts[0]
    for part in parts[1:]:
        hover = hover + "<br>" + part
    error = esc_series(column(frame, "errorcode"))
    message = esc_series(column(frame, "errormessage")).str.slice(0, 160)
    agent = esc_series(column(frame, "useragent")).str.slice(0, 120)
    hover = hover + error.where(error == "", "<br>error: " + error + " " + message)
    return hover + agent.where(agent == "", "<br>agent: " + agent)


def _is_flows(frame: pd.DataFrame) -> bool:
    return {"srcaddr", "dstaddr"} <= set(frame.columns) and "eventname" not in frame.columns


def _port(value: Any) -> str:
    try:
        return f":{int(value)}"
    except (TypeError, ValueError):  # no port column, NULL, or ICMP's "-"
        return ""


MAX_FLOW_ROWS = 30  # destinations drawn one per row; the rest share an "other destinations" row


def flow_timeline(data: Any, title: str = "VPC flow timeline") -> go.Figure:
    """VPC flows over time (by `start`), one row per destination address:port, accepted flows in the
    palette's blue and rejected ones as a warning-coloured ✕; hover shows source, protocol, bytes."""
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no VPC flows in this window")
    missing = [c for c in ("srcaddr", "dstaddr") if c not in frame.columns]
    if missing:
        raise ValueError(f"flow_timeline needs VPC flow columns {', '.join(missing)}; got "
                         f"{', '.join(map(str, frame.columns))}: select srcaddr, dstaddr (and start, dstport, action)")
    frame = frame.head(MAX_TIMELINE_POINTS).reset_index(drop=True)
    when = times(frame, "start" if "start" in frame.columns else None)
    port = column(frame, "dstport").map(_port)
    dest = esc_series(column(frame, "dstaddr")) + port
    busiest = dest.value_counts().index[:MAX_FLOW_ROWS]
    dest = dest.where(dest.isin(busiest), "other destinations")
    action = column(frame, "action").fillna("").astype(str).str.upper()
    hover = (when.dt.strftime("%Y-%m-%d %H:%M:%SZ") + "<br>" + esc_series(column(frame, "srcaddr")) + " → " + dest
             + "<br>protocol " + esc_series(column(frame, "protocol")) + " · " + esc_series(action)
             + "<br>bytes " + esc_series(column(frame, "bytes")) + " · packets " + esc_series(column(frame, "packets")))
    frame = frame.assign(_when=when, _dest=dest, _hover=hover, _rejected=action == "REJECT")
    fig = go.Figure()
    for rejected, part in frame.groupby("_rejected", sort=True):
        style = ({"size": 10, "symbol": "x", "color": ERROR_COLOR} if rejected
                 else {"size": 7, "color": PALETTE[0], "opacity": 0.75})
        fig.add_trace(go.Scattergl(x=part["_when"], y=part["_dest"], mode="markers", marker=style,
                                   name="rejected" if rejected else "accepted / no action recorded",
                                   hovertext=part["_hover"], hoverinfo="text"))
    fig.update_yaxes(categoryorder="category descending", title="destination")
    fig.update_xaxes(title="flow start (UTC)")
    rows = frame["_dest"].nunique()
    return finish(fig, f"{title} · {len(frame):,} flows to {rows} destinations",
                  height=max(300, min(900, 120 + 22 * rows)))


def activity_timeline(data: Any, color_by: str = "eventsource", title: str = "Activity timeline") -> go.Figure:
    """Events over time, one row per eventName, coloured by service (or `color_by`), errors marked ✕.

    Given VPC flows (srcaddr/dstaddr and no eventName), it draws `flow_timeline` instead; given neither,
    it says which columns it needs rather than drawing one unlabelled line.
    """
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no events in this window")
    if _is_flows(frame):
        return flow_timeline(frame, title="VPC flow timeline" if title == "Activity timeline" else title)
    if "eventname" not in frame.columns and "type" not in frame.columns:
        raise ValueError(f"activity_timeline draws CloudTrail events (an eventname column) or VPC flows (srcaddr, "
                         f"dstaddr); got {', '.join(map(str, frame.columns))}: select eventtime, eventname, eventsource, "
                         "or use plots.flow_bytes / plots.alert_trend for other frames")
    frame = frame.head(MAX_TIMELINE_POINTS).reset_index(drop=True)
    when = times(frame)
    frame = frame.assign(_when=when, _hover=_hover(frame, when),
                         _name=esc_series(column(frame, "eventname", "type")),
                         _group=_service(frame) if color_by == "eventsource" else esc_series(column(frame, color_by)))
    errors = column(frame, "errorcode").fillna("").astype(str) != ""
    fig = go.Figure()
    for i, (group, part) in enumerate(frame[~errors].groupby("_group", sort=True)):
        fig.add_trace(go.Scattergl(
            x=part["_when"], y=part["_name"], mode="markers", name=esc(group) or "(none)",
            marker={"size": 8, "color": PALETTE[i % len(PALETTE)], "opacity": 0.85},
            hovertext=part["_hover"], hoverinfo="text"))
    if errors.any():
        part = frame[errors]
        fig.add_trace(go.Scattergl(
            x=part["_when"], y=part["_name"], mode="markers", name="error / denied",
            marker={"size": 11, "symbol": "x", "color": ERROR_COLOR, "line": {"width": 1}},
            hovertext=part["_hover"], hoverinfo="text"))
    fig.update_yaxes(categoryorder="category descending", title=None)
    fig.update_xaxes(title=None)
    rows = frame["_name"].nunique()
    return finish(fig, f"{title} · {len(frame):,} events", height=max(300, min(900, 120 + 22 * rows)))


def event_breakdown(data: Any, top: int = 20, title: str = "Calls by service and eventName") -> go.Figure:
    """Counts per service (left) and the top eventNames (right), errors stacked in a warning colour."""
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no events in this window")
    frame = frame.assign(_service=esc_series(_service(frame)), _name=esc_series(column(frame, "eventname", "type")),
                         _error=column(frame, "errorcode").fillna("").astype(str) != "")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("services", f"top {top} eventNames"),
                        horizontal_spacing=0.18)
    services = frame["_service"].value_counts().head(top)[::-1]
    fig.add_trace(go.Bar(x=services.values, y=services.index, orientation="h", name="calls",
                         marker_color=PALETTE[0], showlegend=False), row=1, col=1)
    names = frame.groupby(["_name", "_error"]).size().unstack(fill_value=0)
    names = names.loc[names.sum(axis=1).sort_values(ascending=False).index[:top][::-1]]
    fig.add_trace(go.Bar(x=names.get(False, pd.Series(0, index=names.index)).values, y=names.index,
                         orientation="h", name="succeeded", marker_color=PALETTE[0]), row=1, col=2)
    if True in names.columns:
        fig.add_trace(go.Bar(x=names[True].values, y=names.index, orientation="h", name="error / denied",
                             marker_color=ERROR_COLOR), row=1, col=2)
    fig.update_layout(barmode="stack")
    return finish(fig, title, height=max(320, min(900, 110 + 20 * max(len(services), len(names)))))


def hour_day_heatmap(data: Any, title: str = "Activity by hour of day (UTC) and day",
                     work_hours: tuple[int, int] = (8, 18)) -> go.Figure:
    """Events per hour-of-day × day; the working-hours band is outlined so off-hours activity stands out."""
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no events in this window")
    when = times(frame).dropna()
    grid = pd.crosstab(when.dt.strftime("%Y-%m-%d"), when.dt.hour).reindex(columns=range(24), fill_value=0)
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=list(range(24)), y=list(grid.index), colorscale="Viridis",
        hovertemplate="%{y} %{x}:00Z<br>%{z} events<extra></extra>", colorbar={"title": "events"}))
    start, end = work_hours
    fig.add_shape(type="rect", x0=start - 0.5, x1=end - 0.5, y0=-0.5, y1=len(grid) - 0.5,
                  line={"color": "#8A8F98", "dash": "dot", "width": 2})
    fig.update_xaxes(title="hour (UTC)", dtick=2)
    fig.update_yaxes(title=None, autorange="reversed", type="category")
    return finish(fig, f"{title} · dotted box: {start:02d}–{end:02d}h", height=max(260, 90 + 28 * len(grid)))


def source_ips_per_principal(data: Any, top: int = 15, title: str = "Source IPs per principal") -> go.Figure:
    """For each principal (most distinct IPs first), its calls stacked by source IP."""
    frame = as_frame(data)
    if frame.empty:
        return empty_figure(title, "no events in this window")
    frame = frame.assign(_who=principals(frame).map(lambda p: esc(short(p or "(unknown)", 56))),
                         _ip=esc_series(column(frame, "sourceipaddress", "srcaddr")))
    counts = frame.groupby(["_who", "_ip"]).size().rename("calls").reset_index()
    order = counts.groupby("_who")["_ip"].nunique().sort_values(ascending=False).head(top)
    counts = counts[counts["_who"].isin(order.index)]
    fig = go.Figure()
    for i, (ip, part) in enumerate(counts.groupby("_ip", sort=True)):
        fig.add_trace(go.Bar(y=part["_who"], x=part["calls"], name=ip or "(none)", orientation="h",
                             marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate="%{y}<br>" + (ip or "(none)").replace("%", "%%") + ": %{x} calls<extra></extra>"))
    fig.update_layout(barmode="stack", showlegend=counts["_ip"].nunique() <= 30)
    fig.update_yaxes(categoryorder="array", categoryarray=list(order.index[::-1]), title=None)
    fig.update_xaxes(title="calls")
    return finish(fig, f"{title} · {len(order)} principals", height=max(260, 120 + 28 * len(order)))
