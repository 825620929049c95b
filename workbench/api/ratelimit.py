"""Per-identity limits of the query API: requests per minute, and bytes scanned per UTC day.

Requests: a sliding window of the last minute's request times per identity (exact, and small: at
most `requests_per_minute` times are kept). Bytes: a per-day counter per identity, seeded on first
sight from the query history, so a restarted server does not hand out a fresh day's budget.
A refusal says when to come back (`retry_after`, whole seconds, for the Retry-After header).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Refusal:
    error: str
    message: str
    retry_after: int


class RateLimiter:
    def __init__(self, requests_per_minute: int, bytes_per_day: int,
                 scanned_today: Callable[[str, datetime], int] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.requests_per_minute = requests_per_minute
        self.bytes_per_day = bytes_per_day
        self._scanned_today = scanned_today  # identity, day start → bytes already scanned (history)
        self._clock, self._now = clock, today
        self._lock = threading.Lock()
        self._requests: dict[str, deque[float]] = {}
        self._bytes: dict[str, tuple[datetime, int]] = {}

    def admit(self, identity: str) -> Refusal | None:
        """Count one request; a Refusal when the identity is over its per-minute limit."""
        now = self._clock()
        with self._lock:
            recent = self._requests.setdefault(identity, deque())
            while recent and recent[0] <= now - 60:
                recent.popleft()
            if len(recent) >= self.requests_per_minute:
                wait = max(1, math.ceil(recent[0] + 60 - now))
                return Refusal("rate_limited", f"more than {self.requests_per_minute} requests in a minute from "
                               f"'{identity}'; retry in {wait}s (api.requests_per_minute)", wait)
            recent.append(now)
        return None

    def _day(self) -> tuple[datetime, datetime]:
        now = self._now()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return now, start

    def _used(self, identity: str, day: datetime) -> int:
        # Called under the lock; the history lookup happens once per identity and day.
        seen = self._bytes.get(identity)
        if seen is None or seen[0] != day:
            used = self._scanned_today(identity, day) if self._scanned_today else 0
            self._bytes[identity] = (day, used)
            return used
        return seen[1]

    def check_bytes(self, identity: str) -> Refusal | None:
        """A Refusal when the identity has scanned its day's budget already."""
        now, day = self._day()
        with self._lock:
            used = self._used(identity, day)
        if used < self.bytes_per_day:
            return None
        wait = max(1, math.ceil((day + timedelta(days=1) - now).total_seconds()))
        return Refusal("scan_budget_exhausted", f"'{identity}' scanned {used:,} bytes today, its budget is "
                       f"{self.bytes_per_day:,} (api.bytes_per_day); retry after midnight UTC, in {wait}s", wait)

    def add_bytes(self, identity: str, scanned: int) -> None:
        _, day = self._day()
        with self._lock:
            used = self._used(identity, day)
            self._bytes[identity] = (day, used + max(0, scanned))
