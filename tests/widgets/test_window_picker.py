"""The window picker shows the window in force, whoever set it, and `%wb window` reads durations as people
write them."""

from __future__ import annotations

import pytest

from workbench.session import Session, SessionError
from workbench.timewindow import compact_duration, parse_duration
from workbench.widgets import WindowPicker

DEMO = ("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")


@pytest.fixture()
def session(demo_settings) -> Session:
    return Session(demo_settings)


def test_a_fixed_window_highlights_fixed_not_a_preset(session: Session) -> None:
    picker = WindowPicker(session)
    assert picker.mode.value == "24h" and picker.fixed_row.layout.display == "none"
    session.set_window(*DEMO)  # as `%wb window START END` does, behind the picker's back
    assert picker.mode.value == "fixed" and picker.fixed_row.layout.display == ""
    assert (picker.start.value, picker.end.value) == DEMO
    assert "fixed [2026-11-18T00:00:00Z" in picker.status.value


def test_fixed_prefills_the_window_in_force(session: Session) -> None:
    session.set_window(*DEMO)
    picker = WindowPicker(session)
    assert picker.mode.value == "fixed" and (picker.start.value, picker.end.value) == DEMO
    picker.mode.value = "7d"
    assert session.rolling() == "7d"
    current = session.window()
    picker.mode.value = "fixed"  # pins the rolling window now in force, not the one the picker was made with
    assert picker.start.value == current.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert session.rolling() == "7d"  # nothing changes until Apply
    picker.apply.click()
    assert session.rolling() is None and str(session.window()).startswith(f"[{picker.start.value}")


def test_a_duration_that_is_not_a_preset_highlights_none(session: Session) -> None:
    picker = WindowPicker(session)
    session.set_window("3 days")
    assert session.rolling() == "3d" and picker.mode.value is None and "last 3d" in picker.status.value


@pytest.mark.parametrize(("text", "compact", "hours"), [
    ("3 days", "3d", 72), ("3d", "3d", 72), ("90 minutes", "90m", 1.5), ("2 hours", "2h", 2), ("1 week", "1w", 168),
    ("15m", "15m", 0.25),
], ids=["days", "d", "minutes", "hours", "week", "m"])
def test_durations_as_people_write_them(text: str, compact: str, hours: float) -> None:
    assert compact_duration(text) == compact
    assert parse_duration(text).total_seconds() == hours * 3600


def test_wb_window_in_two_words(session: Session) -> None:
    from workbench.magics import wb_command

    wb_command(session, ["window", "3", "days"])
    assert session.rolling() == "3d"
    with pytest.raises(SessionError, match=r"cannot read time '3'.*e\.g\. %wb window 3d"):
        wb_command(session, ["window", "3", "fortnights"])
