"""Evidence plots (plotly). Each takes a DataFrame (a hunt's or an investigation's frame) or an Alert
(its evidence rows) and returns a `plotly.graph_objects.Figure`:

    from workbench import plots
    plots.activity_timeline(frame)          # events over time by eventName, coloured by service, errors ✕
    plots.event_breakdown(frame)            # services and top eventNames
    plots.hour_day_heatmap(frame)           # off-hours activity stands out
    plots.source_ips_per_principal(frame)
    plots.entity_graph(frame)               # principal → API call → resource (Sankey)
    plots.flow_bytes(vpc_frame)             # bytes per destination over time
    plots.flow_timeline(vpc_frame)          # each flow by start time and destination, rejects ✕
    plots.alert_trend(store.list(limit=None))

Figures use transparent backgrounds and mid-tone colours so they read in light and dark themes, and
escape every log-derived string (see `_style`). `figure_bundle(fig)` is the display bundle the
playbooks emit; the investigation report turns it into HTML with plotly.js included once.
"""

from __future__ import annotations

from typing import Any

from workbench.plots._style import TEMPLATE, as_frame, esc
from workbench.plots.activity import (
    activity_timeline,
    event_breakdown,
    flow_timeline,
    hour_day_heatmap,
    source_ips_per_principal,
)
from workbench.plots.network import alert_trend, entity_graph, flow_bytes

PLOTLY_MIME = "application/vnd.plotly.v1+json"

__all__ = ["PLOTLY_MIME", "TEMPLATE", "activity_timeline", "alert_trend", "as_frame", "entity_graph", "esc",
           "event_breakdown", "figure_bundle", "flow_bytes", "flow_timeline", "hour_day_heatmap", "source_ips_per_principal"]


def figure_bundle(fig: Any) -> dict[str, Any]:
    """The MIME bundle JupyterLab's plotly renderer draws (interactive) and the report exporter converts."""
    import json

    import plotly.io as pio

    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else "figure"
    # to_json escapes '</' and such, so the JSON can sit inside a <script> of the HTML report.
    return {PLOTLY_MIME: json.loads(pio.to_json(fig, validate=False)), "text/plain": f"<plot: {title}>"}
