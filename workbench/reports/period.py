"""The time a report covers: a UTC day, an ISO week or a calendar month, and its file label.

    period("daily", "2026-11-19")     # [2026-11-19, 2026-11-20)          label 2026-11-19
    period("weekly", "2026-W47")      # [Mon 2026-11-16, Mon 2026-11-23)  label 2026-W47
    period("weekly", "2026-11-19")    # the ISO week holding that day     label 2026-W47
    period("monthly", "2026-11")      # [2026-11-01, 2026-12-01)          label 2026-11

Without a date a report covers the last *complete* period (yesterday, last week, last month): the
morning checklist reads the day that just ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from workbench.registry import unknown_name_message

KINDS = ("daily", "weekly", "monthly")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # first day covered
    last: date  # last day covered (inclusive)
    label: str  # the report's file stem

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def previous(self) -> Period:
        return period(self.kind, self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.kind} {self.label} [{self.start:%Y-%m-%d}, {self.end:%Y-%m-%d})"


def _day(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"date {value!r}: expected YYYY-MM-DD (or YYYY-Www for a week, YYYY-MM for a "
                         "month)") from None


def period(kind: str, when: str | date | datetime | None = None, today: date | None = None) -> Period:
    """The period of `kind` holding `when` (a day, `YYYY-Www`, `YYYY-MM`), else the last complete one."""
    if kind not in KINDS:
        raise ValueError(unknown_name_message("report", kind, list(KINDS)))
    today = today or datetime.now(UTC).date()
    text = when.strip() if isinstance(when, str) else when
    if kind == "daily":
        day = _day(text) if text else today - timedelta(days=1)
        return Period(kind, day, day, day.isoformat())
    if kind == "weekly":
        if isinstance(text, str) and (m := _WEEK.match(text)):
            try:
                monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            except ValueError:
                raise ValueError(f"week {text!r}: no such ISO week") from None
        else:
            day = _day(text) if text else today - timedelta(days=7)
            monday = day - timedelta(days=day.isoweekday() - 1)
        year, week, _ = monday.isocalendar()
        return Period(kind, monday, monday + timedelta(days=6), f"{year}-W{week:02d}")
    if isinstance(text, str) and (m := _MONTH.match(text)):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"month {text!r}: expected YYYY-MM with MM from 01 to 12")
        first = date(year, month, 1)
    else:
        day = _day(text) if text else today.replace(day=1) - timedelta(days=1)
        first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(kind, first, following - timedelta(days=1), f"{first:%Y-%m}")
