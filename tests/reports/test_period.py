"""Report periods: a day, an ISO week, a month; defaults are the last complete one."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.reports import period


@pytest.mark.parametrize(("kind", "when", "first", "last", "label"), [
    ("daily", "2026-11-19", date(2026, 11, 19), date(2026, 11, 19), "2026-11-19"),
    ("daily", "2026-11-19T23:59:59Z", date(2026, 11, 19), date(2026, 11, 19), "2026-11-19"),
    ("weekly", "2026-W47", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
    ("weekly", "2026-11-19", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
    ("weekly", "2027-01-01", date(2026, 12, 28), date(2027, 1, 3), "2026-W53"),
    ("monthly", "2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
    ("monthly", "2024-02-10", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
], ids=["day", "day-from-time", "iso-week", "week-of-day", "week-across-years", "month", "leap-february"])
def test_periods(kind: str, when: str, first: date, last: date, label: str) -> None:
    p = period(kind, when)
    assert (p.first, p.last, p.label) == (first, last, label)
    assert (p.end - p.start).days == len(p.days)


@pytest.mark.parametrize(("kind", "first", "label"), [
    ("daily", date(2026, 11, 27), "2026-11-27"),
    ("weekly", date(2026, 11, 16), "2026-W47"),
    ("monthly", date(2026, 10, 1), "2026-10"),
], ids=["yesterday", "last-week", "last-month"])
def test_default_is_the_last_complete_period(kind: str, first: date, label: str) -> None:
    p = period(kind, None, today=date(2026, 11, 28))
    assert (p.first, p.label) == (first, label)


@pytest.mark.parametrize(("kind", "when", "message"), [
    ("daily", "19/11/2026", "expected YYYY-MM-DD"),
    ("weekly", "2026-W60", "no such ISO week"),
    ("monthly", "2026-13", "MM from 01 to 12"),
    ("dialy", "2026-11-19", "did you mean 'daily'"),
], ids=["bad-day", "bad-week", "bad-month", "unknown-kind"])
def test_bad_periods_say_what_is_expected(kind: str, when: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        period(kind, when)
