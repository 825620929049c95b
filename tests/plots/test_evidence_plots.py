"""Evidence plots on real engine output from the demo lake, and escaping of hostile log text."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from tests.widgets.demo_site import HOSTILE_ALERT
from workbench import plots
from workbench.alerts import get_store
from workbench.engines import get_engine
from workbench.investigate.queries import CLOUDTRAIL_COLUMNS
from workbench.timewindow import Window

WINDOW = Window.between("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")


@pytest.fixture(scope="module")
def activity(demo_site) -> pd.DataFrame:
    with get_engine("local", demo_site.settings) as engine:
        return engine.run(f"SELECT {CLOUDTRAIL_COLUMNS} FROM cloudtrail ORDER BY eventtime LIMIT 4000", WINDOW).frame


@pytest.fixture(scope="module")
def flows(demo_site) -> pd.DataFrame:
    with get_engine("local", demo_site.settings) as engine:
        return engine.run("SELECT start, srcaddr, dstaddr, dstport, bytes FROM vpc_flow LIMIT 5000", WINDOW).frame


@pytest.fixture(scope="module")
def hostile_activity(hostile_site) -> pd.DataFrame:
    with get_engine("local", hostile_site.settings) as engine:
        return engine.run(f"SELECT {CLOUDTRAIL_COLUMNS} FROM cloudtrail",
                          Window.between("2026-03-01", "2026-03-03")).frame


CLOUDTRAIL_PLOTS = [plots.activity_timeline, plots.event_breakdown, plots.hour_day_heatmap,
                    plots.source_ips_per_principal, plots.entity_graph]


@pytest.mark.parametrize("plot", CLOUDTRAIL_PLOTS, ids=lambda f: f.__name__)
def test_cloudtrail_plots_draw_the_frame(plot, activity: pd.DataFrame) -> None:
    fig = plot(activity)
    assert isinstance(fig, go.Figure) and fig.data
    assert fig.layout.title.text
    # Transparent backgrounds: the figure takes the light or dark notebook's own background.
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"


def test_timeline_counts_every_event_and_marks_errors(activity: pd.DataFrame) -> None:
    fig = plots.activity_timeline(activity)
    assert sum(len(trace.x) for trace in fig.data) == len(activity)
    errors = [t for t in fig.data if t.name == "error / denied"]
    n_errors = int((activity["errorcode"].fillna("") != "").sum())
    assert n_errors > 0 and len(errors[0].x) == n_errors and errors[0].marker.symbol == "x"


def test_heatmap_cells_sum_to_the_events(activity: pd.DataFrame) -> None:
    fig = plots.hour_day_heatmap(activity)
    assert int(fig.data[0].z.sum()) == len(activity)
    assert list(fig.data[0].x) == list(range(24))


def test_breakdown_and_source_ips_agree_with_pandas(activity: pd.DataFrame) -> None:
    fig = plots.event_breakdown(activity, top=200)
    assert sum(fig.data[0].x) == len(activity)  # services panel
    per_principal = plots.source_ips_per_principal(activity, top=1000)
    assert sum(sum(t.x) for t in per_principal.data) == len(activity)  # unknown principals included


def test_entity_graph_links_principals_to_calls(activity: pd.DataFrame) -> None:
    sankey = plots.entity_graph(activity, top=1000).data[0]
    first_level = activity.groupby(["principal", "eventname"]).size()
    labels = list(sankey.node.customdata)
    principal_links = [v for s, v in zip(sankey.link.source, sankey.link.value, strict=True)
                       if labels[s].startswith("principal: ")]
    assert sum(principal_links) == int(first_level.sum()) + int(activity["principal"].isna().sum())


def test_flow_bytes_keep_the_total(flows: pd.DataFrame) -> None:
    fig = plots.flow_bytes(flows, top=5)
    assert len(fig.data) == 6  # five heaviest destinations and "other"
    assert sum(sum(t.y) for t in fig.data) == int(flows["bytes"].sum())


def test_alert_trend_by_severity(demo_site) -> None:
    with get_store(demo_site.settings) as store:
        alerts = store.list(limit=None)
    fig = plots.alert_trend(alerts)
    by_name = {t.name: sum(t.y) for t in fig.data}
    for severity, count in by_name.items():
        assert count == sum(1 for a in alerts if a.severity.value == severity)
    assert fig.data[-1].marker.color == plots._style.SEVERITY_COLORS[fig.data[-1].name]


def test_a_plot_takes_an_alert(demo_site) -> None:
    with get_store(demo_site.settings) as store:
        alert = store.list(limit=1, order_by="-severity")[0]
    fig = plots.activity_timeline(alert)
    assert sum(len(t.x) for t in fig.data) == len(alert.evidence.rows)


def test_empty_input_says_so() -> None:
    fig = plots.activity_timeline(pd.DataFrame())
    assert not fig.data and fig.layout.annotations[0].text == "no events in this window"
    assert plots.flow_bytes(pd.DataFrame()).layout.annotations[0].text.startswith("no VPC flow")


@pytest.mark.parametrize("plot", CLOUDTRAIL_PLOTS, ids=lambda f: f.__name__)
def test_hover_text_and_labels_escape_log_fields(plot, hostile_activity: pd.DataFrame) -> None:
    payload = plot(hostile_activity).to_json()
    text = json.loads(payload)
    flat = json.dumps(text)
    assert not re.search(r"<script|<img", flat, re.IGNORECASE), plot.__name__
    if plot in (plots.activity_timeline, plots.event_breakdown, plots.entity_graph):
        assert "&lt;script&gt;" in flat


def test_timeline_hover_shows_the_payload_as_text(hostile_activity: pd.DataFrame) -> None:
    fig = plots.activity_timeline(hostile_activity)
    hovers = [h for t in fig.data for h in t.hovertext]
    assert any("agent: &lt;script&gt;alert('xss')&lt;/script&gt;" in h for h in hovers)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in h for h in hovers)


def test_figure_bundle_is_json_safe_inside_a_script(hostile_site) -> None:
    with get_store(hostile_site.settings) as store:
        alert = store.get(HOSTILE_ALERT)
    bundle = plots.figure_bundle(plots.activity_timeline(alert))
    assert set(bundle) == {plots.PLOTLY_MIME, "text/plain"}
    assert "</script" not in json.dumps(bundle[plots.PLOTLY_MIME])
