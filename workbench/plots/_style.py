"""What every evidence plot shares: a theme readable on light and dark JupyterLab, escaping of log
text, and the coercions that let a plot take a DataFrame, an Alert or a list of alerts.

Escaping: plotly draws hover text, axis categories, legend names and Sankey labels through its own
small HTML parser (`<br>`, `<b>`, `<a href>` …). A log field is attacker-controlled (a user agent, an
error message, a bucket name), so every string that came from a log is HTML-escaped before plotly
sees it; plotly turns `&lt;` back into a visible `<`, so the text shows as written and never as markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

# Mid-lightness colours (Okabe-Ito based) that keep their contrast on white and on #111 backgrounds.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#6A3D9A", "#B15928", "#1B9E77", "#E7298A"]
SEVERITY_COLORS = {"critical": "#C62828", "high": "#EF6C00", "medium": "#F9A825", "low": "#1E88E5",
                   "info": "#8E8E8E"}
SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]
ERROR_COLOR = "#D55E00"
_GRID = "rgba(128,128,128,0.25)"
_TEXT = "#8A8F98"  # a grey that reads on both themes; the theme's own text colour is unknown here

TEMPLATE = go.layout.Template(layout=go.Layout(
    # Transparent backgrounds take the notebook's (light or dark) colour, in Lab and in reports.
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
    font={"family": "Helvetica, Arial, sans-serif", "size": 12, "color": _TEXT},
    colorway=PALETTE,
    xaxis={"gridcolor": _GRID, "zerolinecolor": _GRID, "linecolor": _GRID, "automargin": True},
    yaxis={"gridcolor": _GRID, "zerolinecolor": _GRID, "linecolor": _GRID, "automargin": True},
    legend={"bgcolor": "rgba(0,0,0,0)"},
    hoverlabel={"font": {"family": "Menlo, Consolas, monospace", "size": 11}},
    margin={"l": 10, "r": 10, "t": 48, "b": 10},
))

PRINCIPAL_COLUMNS = ("principal", "actor_arn", "principalarn", "userarn", "arn", "useridentity", "username",
                     "user_name", "principal_name")
TIME_COLUMNS = ("eventtime", "updatedat", "start", "time", "timestamp", "first_seen")


def esc(value: Any) -> str:
    """A log value as plotly-safe text (None/NaN → '')."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN/NaT
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=False)


def esc_series(series: pd.Series) -> pd.Series:
    return series.map(esc)


def short(text: str, width: int = 48) -> str:
    """Long ARNs shortened in the middle, so the interesting ends (account, user) stay visible."""
    return text if len(text) <= width else text[: width // 2 - 1] + "…" + text[-(width // 2):]


def finish(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title={"text": esc(title), "x": 0.01}, height=height)
    return fig


def empty_figure(title: str, why: str) -> go.Figure:
    """A figure that says why there is nothing to draw, instead of an empty set of axes."""
    fig = go.Figure()
    fig.add_annotation(text=esc(why), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title, height=220)


def as_frame(data: Any) -> pd.DataFrame:
    """A DataFrame from a DataFrame, an Alert (its evidence rows), or a list of dict rows."""
    if isinstance(data, pd.DataFrame):
        return data.copy()
    evidence = getattr(data, "evidence", None)
    if evidence is not None and hasattr(evidence, "rows"):
        return pd.DataFrame(evidence.rows)
    if isinstance(data, Iterable) and not isinstance(data, str | bytes | dict):
        return pd.DataFrame(list(data))
    raise TypeError(f"expected a DataFrame or an Alert, got {type(data).__name__}")


def times(frame: pd.DataFrame, column: str | None = None) -> pd.Series:
    """Event times as UTC Timestamps: ISO strings (CloudTrail, GuardDuty) or epoch seconds (VPC flows)."""
    name = column or next((c for c in TIME_COLUMNS if c in frame.columns), None)
    if name is None:
        raise KeyError(f"no time column: expected one of {', '.join(TIME_COLUMNS)}; got {', '.join(map(str, frame.columns))}")
    col = frame[name]
    if pd.api.types.is_numeric_dtype(col):
        return pd.to_datetime(col, unit="s", utc=True)
    return pd.to_datetime(col, utc=True, errors="coerce", format="ISO8601")


def principal_of(value: Any) -> str:
    """The principal from a column value: an ARN string, or a useridentity struct (dict)."""
    if isinstance(value, dict):
        return str(value.get("arn") or value.get("username") or value.get("principalid") or "")
    return "" if value is None or value != value else str(value)


def principals(frame: pd.DataFrame) -> pd.Series:
    for name in PRINCIPAL_COLUMNS:
        if name in frame.columns:
            return frame[name].map(principal_of)
    return pd.Series([""] * len(frame), index=frame.index)


def column(frame: pd.DataFrame, *names: str, default: Any = "") -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    return pd.Series([default] * len(frame), index=frame.index)


def resources_of(row: dict[str, Any]) -> list[str]:
    """What a CloudTrail call touched: its `resources` ARNs, else well-known request parameters."""
    found: list[str] = []
    listed = row.get("resources")
    if listed is None or isinstance(listed, str | float):  # missing, NA or NaN
        listed = []
    for item in list(listed):
        arn = item.get("arn") if isinstance(item, dict) else None
        if arn:
            arn = str(arn)
            # Objects of one bucket would each be a node of their own; the bucket is the resource.
            if arn.startswith("arn:aws:s3:::") and "/" in arn:
                arn = arn.split("/", 1)[0]
            if arn not in found:
                found.append(arn)
    if found:
        return found
    params: Any = row.get("requestparameters")
    if isinstance(params, str) and params.startswith("{"):
        try:
            params = json.loads(params)
        except ValueError:
            params = None
    if isinstance(params, dict):
        for key in ("bucketName", "instanceId", "userName", "roleName", "groupId", "policyArn", "keyId",
                    "secretId", "name", "trailName", "functionName", "detectorId", "dBInstanceIdentifier"):
            value = params.get(key)
            if isinstance(value, str | int) and str(value):
                found.append(f"{key}={value}")
        items = (params.get("instancesSet") or {}).get("items") if isinstance(params.get("instancesSet"), dict) else None
        for item in items or []:
            if isinstance(item, dict) and item.get("instanceId"):
                found.append(f"instanceId={item['instanceId']}")
    return found
