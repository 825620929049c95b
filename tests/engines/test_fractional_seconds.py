"""Event times with fractional seconds (GuardDuty writes milliseconds) fall on the right side of a bound."""

from __future__ import annotations

from datetime import date

from workbench.timewindow import Window


def test_millisecond_times_respect_half_open_bounds(local, lake, write_rows) -> None:
    rows = [
        {"id": "at-start", "updatedat": "2026-11-20T10:00:00.250Z", "severity": 5.0},
        {"id": "inside", "updatedat": "2026-11-20T10:30:00Z", "severity": 5.0},
        {"id": "at-end", "updatedat": "2026-11-20T11:00:00.000Z", "severity": 5.0},
        {"id": "before", "updatedat": "2026-11-20T09:59:59.999Z", "severity": 5.0},
    ]
    write_rows(lake, "guardduty", date(2026, 11, 20), rows)
    window = Window.between("2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z")
    found = local.run("SELECT id FROM guardduty ORDER BY id", window).frame["id"].tolist()
    assert found == ["at-start", "inside"]
