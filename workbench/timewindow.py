"""Time windows: '24h', '15m', '7d' or explicit ISO start/end, always timezone-aware UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

MAX_SPAN = timedelta(days=3660)
"""No window spans more than ten years, whatever asks for it: listing a window's days (its
partitions) costs time in proportion to its span, and `0001-01-01 … 9999-12-31` is 3.6 million
of them. The guard's own, configurable limit (`guard.max_window`) is far smaller."""

_UNIT_SECONDS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
                 "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
                 "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
                 "d": 86400, "day": 86400, "days": 86400,
                 "w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800}
# "3d", "3 days", "90 minutes": how people write a duration, in a notebook or on a command line.
_DURATION = re.compile(rf"^\s*(\d+(?:\.\d+)?)\s*({'|'.join(sorted(_UNIT_SECONDS, key=len, reverse=True))})\s*$",
                       re.IGNORECASE)


def parse_duration(text: str | timedelta) -> timedelta:
    """'15m' → 15 minutes; '3 days', '90 minutes' and '2 weeks' too. Units: s, m, h, d, w."""
    if isinstance(text, timedelta):
        return text
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"cannot read duration {text!r}: use a number and a unit, e.g. 15m, 24h, 3d "
                         "(or '3 days', '90 minutes')")
    try:
        return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()])
    except OverflowError:
        raise ValueError(f"duration {text!r} is too long: give at most {MAX_SPAN.days} days") from None


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text))


def compact_duration(text: str) -> str:
    """'3 days' → '3d', '90 minutes' → '90m': the one spelling windows are shown and compared in."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"cannot read duration {text!r}: use a number and a unit, e.g. 15m, 24h, 3d")
    unit = match.group(2).lower()
    short = "m" if unit.startswith("min") or unit == "m" else unit[0]
    return f"{match.group(1)}{short}"


def parse_time(value: str | datetime | date) -> datetime:
    """An ISO 8601 date or datetime (naive means UTC), or 'now'."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    if text.lower() == "now":
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"cannot read time {value!r}: use ISO 8601, e.g. 2026-11-28 or 2026-11-28T09:30:00Z"
        ) from None
    return parse_time(parsed)


def iso_z(moment: datetime) -> str:
    """CloudTrail's own timestamp form: 2026-11-28T09:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    """A half-open interval [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"window end {iso_z(self.end)} is not after its start {iso_z(self.start)}")
        if self.end - self.start > MAX_SPAN:
            raise ValueError(f"window {iso_z(self.start)} … {iso_z(self.end)} spans {(self.end - self.start).days:,} "
                             f"days, more than any window may ({MAX_SPAN.days:,}): narrow it")

    @classmethod
    def last(cls, duration: str | timedelta, now: datetime | None = None) -> Window:
        end = parse_time(now) if now else datetime.now(UTC)
        length = parse_duration(duration)
        if length > MAX_SPAN:
            raise ValueError(f"window of {duration} is longer than any window may be ({MAX_SPAN.days:,} days): "
                             "narrow it")
        return cls(end - length, end)

    @classmethod
    def between(cls, start: str | datetime, end: str | datetime | None = None) -> Window:
        return cls(parse_time(start), parse_time(end) if end is not None else datetime.now(UTC))

    @classmethod
    def from_options(
        cls,
        window: str | None = None,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
        default: str | None = None,
        now: datetime | None = None,
    ) -> Window | None:
        """The one place CLI flags and magic options (--window | --start/--end) become a Window."""
        if window and (start or end):
            raise ValueError("give either --window or --start/--end, not both")
        if start or end:
            if not start:
                raise ValueError("--end needs --start")
            return cls.between(start, end)
        if window or default:
            return cls.last(window or default, now=now)  # type: ignore[arg-type]
        return None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def days(self) -> list[date]:
        """Every UTC day the window touches (the partitions it must read)."""
        last = (self.end - timedelta(microseconds=1)).date()
        day, out = self.start.date(), []
        while day <= last:
            out.append(day)
            day += timedelta(days=1)
        return out

    def __str__(self) -> str:
        return f"[{iso_z(self.start)}, {iso_z(self.end)})"
