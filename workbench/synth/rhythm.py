"""When people and machines are busy: office hours in the team's time zone, quiet weekends, nightly jobs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workbench.synth.org import TEAM_TIMEZONE

TEAM_TZ = ZoneInfo(TEAM_TIMEZONE)
NIGHTLY_LOCAL_HOUR = 2
WEEKEND_HUMAN_FACTOR = 0.06

# Share of peak human activity by local hour of a weekday: a morning ramp, a lunch dip, an evening tail.
_HUMAN_BY_HOUR = (0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.04, 0.15, 0.5, 0.9, 1.0, 1.0,
                  0.7, 0.9, 1.0, 1.0, 0.8, 0.5, 0.25, 0.12, 0.08, 0.06, 0.03, 0.02)


def local(moment: datetime) -> datetime:
    return moment.astimezone(TEAM_TZ)


def is_weekend(moment: datetime) -> bool:
    return local(moment).weekday() >= 5


def human_weight(hour_start: datetime) -> float:
    """0..1: how busy the humans are in this UTC hour."""
    here = local(hour_start)
    weight = _HUMAN_BY_HOUR[here.hour]
    return weight * WEEKEND_HUMAN_FACTOR if here.weekday() >= 5 else weight


def workload_weight(hour_start: datetime) -> float:
    """Machines never sleep, but follow customer traffic a little."""
    base = 0.55 + 0.45 * _HUMAN_BY_HOUR[local(hour_start).hour]
    return base * 0.75 if is_weekend(hour_start) else base


def is_nightly_hour(hour_start: datetime) -> bool:
    return local(hour_start).hour == NIGHTLY_LOCAL_HOUR


def hours(start: datetime, end: datetime) -> list[datetime]:
    out, at = [], start
    while at < end:
        out.append(at)
        at += timedelta(hours=1)
    return out
