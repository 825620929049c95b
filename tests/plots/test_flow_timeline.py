"""`activity_timeline` given VPC flows draws them (by start time, destination and action) instead of one
unlabelled line, and a frame it cannot draw gets an error that says what it needs."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import plots
from workbench.engines import get_engine
from workbench.timewindow import Window

WINDOW = Window.between("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")


@pytest.fixture(scope="module")
def flows(demo_site) -> pd.DataFrame:
    with get_engine("local", demo_site.settings) as engine:
        return engine.run("SELECT start, \"end\", srcaddr, dstaddr, dstport, protocol, packets, bytes, action "
                          "FROM vpc_flow ORDER BY start LIMIT 3000", WINDOW).frame


def test_timeline_of_flows_draws_each_flow_by_destination_and_action(flows: pd.DataFrame) -> None:
    fig = plots.activity_timeline(flows)
    assert "VPC flow timeline · 3,000 flows" in fig.layout.title.text
    assert sum(len(t.x) for t in fig.data) == len(flows)  # every flow is a point
    names = {t.name for t in fig.data}
    assert names <= {"rejected", "accepted / no action recorded"} and names
    rejected = int((flows["action"] == "REJECT").sum())
    assert sum(len(t.x) for t in fig.data if t.name == "rejected") == rejected
    first = pd.Timestamp(min(min(t.x) for t in fig.data)).tz_localize("UTC")  # plotly keeps naive UTC
    assert first == pd.to_datetime(flows["start"].min(), unit="s", utc=True)  # epoch seconds read as times
    labels = {y for t in fig.data for y in t.y}
    assert any(":" in label for label in labels) and fig.layout.yaxis.title.text == "destination"
    assert "→" in fig.data[0].hovertext[0] and "bytes" in fig.data[0].hovertext[0]


def test_flow_timeline_caps_the_rows(flows: pd.DataFrame) -> None:
    fig = plots.flow_timeline(flows)
    assert len({y for t in fig.data for y in t.y}) <= plots.activity.MAX_FLOW_ROWS + 1


def test_a_frame_without_events_or_flows_is_refused_with_what_to_select() -> None:
    with pytest.raises(ValueError, match=r"activity_timeline draws CloudTrail events .* got count, srcaddr"):
        plots.activity_timeline(pd.DataFrame({"count": [3], "srcaddr": ["10.0.0.1"]}))


def test_flow_hover_escapes_log_text() -> None:
    frame = pd.DataFrame({"start": [1763539200], "srcaddr": ["<img src=x onerror=alert(1)>"],
                          "dstaddr": ["10.0.0.9"], "dstport": [None], "action": ["REJECT"]})
    fig = plots.activity_timeline(frame)
    assert "<img" not in fig.data[0].hovertext[0] and "&lt;img" in fig.data[0].hovertext[0]
    assert list(fig.data[0].y) == ["10.0.0.9"]
