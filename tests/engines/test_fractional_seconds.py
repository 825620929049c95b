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


def test_json_extract_scalar_inside_concat(local, lake, write_rows) -> None:
    """`->>` binds more loosely than `||` in DuckDB; the translation must keep Athena's grouping."""
    write_rows(lake, "cloudtrail", date(2026, 11, 20),
               [{"eventid": "e1", "eventtime": "2026-11-20T10:00:00Z", "requestparameters": '{"a": "mid"}'}])
    window = Window.between("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")
    sql = "SELECT concat('x-', json_extract_scalar(requestparameters, '$.a'), '-y') AS t FROM cloudtrail"
    assert local.run(sql, window).frame["t"].tolist() == ["x-mid-y"]
