"""How far the lake refresh has published: detection scheduled behind it reads only settled hours.

With `detection.behind_refresh`, the scheduled catch-up (`mantissa detect`, the detect playbook,
the schedule's detect job) evaluates windows only up to `refreshed_until`: the end of the last
hour every refreshed table (`refresh.tables`) has published without a gap since detection's
oldest checkpoint. An hour is refreshed once `refresh.settle` has passed after its end, so its
events have arrived: detection over it needs no lookback for delivery delay (`detection.lookback:
0m`), and each window is read once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.config import Settings
from workbench.lake.refresh.checkpoint import CheckpointStore, checkpoint_store, hour_key
from workbench.lake.refresh.statements import HOUR


def refreshed_until(settings: Settings, since: datetime | None = None,
                    store: CheckpointStore | None = None) -> datetime | None:
    """The end of the refreshed hours from `since` on (the hour holding it, or the lake's first
    refreshed hour if later), for every table together; None when a table has none yet. Without
    `since`, from the latest refreshed hour's run of hours."""
    store = store or checkpoint_store(settings)
    ends = []
    for table in settings.refresh.tables:
        done = set(store.done(table))
        if not done:
            return None
        first = _hour(min(done))
        if since is None:
            hour = _hour(max(done))
        else:  # detection cannot wait for hours before the refresh began: the lake has none
            hour = max(since.astimezone(UTC).replace(minute=0, second=0, microsecond=0), first)
        while hour_key(hour) in done:
            hour += HOUR
        ends.append(hour)
    return min(ends) if ends else None


def _hour(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=UTC)
