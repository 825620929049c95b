from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workbench.registry import Registry, UnknownPluginError
from workbench.timewindow import Window, parse_duration, parse_time


def test_registry_suggests_closest_name() -> None:
    reg: Registry[int] = Registry("engine")
    reg.register("local", 1)
    reg.register("athena", 2)
    assert reg.get("athena") == 2
    with pytest.raises(UnknownPluginError) as err:
        reg.get("athen")
    assert "unknown engine 'athen' — did you mean 'athena'?" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15m", timedelta(minutes=15)), ("24h", timedelta(hours=24)), ("7d", timedelta(days=7)),
     ("1w", timedelta(weeks=1)), ("90s", timedelta(seconds=90))],
    ids=["minutes", "hours", "days", "weeks", "seconds"],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_bad_duration_says_how() -> None:
    with pytest.raises(ValueError, match="e.g. 15m"):
        parse_duration("fortnight")


def test_window_days_cross_month() -> None:
    window = Window.between("2026-10-31T23:00:00Z", "2026-11-02T00:00:00Z")
    assert window.days() == [date(2026, 10, 31), date(2026, 11, 1)]


def test_window_from_options() -> None:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert Window.from_options(window="1h", now=now) == Window(now - timedelta(hours=1), now)
    assert Window.from_options(default="24h", now=now).start == now - timedelta(hours=24)
    with pytest.raises(ValueError, match="not both"):
        Window.from_options(window="1h", start="2026-11-01")
    with pytest.raises(ValueError, match="not after"):
        Window.between("2026-11-02", "2026-11-01")


def test_naive_times_are_utc() -> None:
    assert parse_time("2026-11-28T09:30:00").tzinfo == UTC
    assert parse_time("2026-11-28T09:30:00Z") == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
