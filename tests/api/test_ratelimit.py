"""The rate limiter on its own, with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workbench.api.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.day = datetime(2026, 12, 6, 23, 59, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.day


def test_requests_per_minute_slide_and_say_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 10**9, clock=clock.monotonic, today=clock.now)
    assert [limiter.admit("a") for _ in range(3)] == [None] * 3
    refusal = limiter.admit("a")
    assert refusal is not None and refusal.error == "rate_limited" and refusal.retry_after == 60
    assert limiter.admit("b") is None  # per identity
    clock.t += 30
    assert limiter.admit("a").retry_after == 30
    clock.t += 30.5  # the first three fall out of the window
    assert limiter.admit("a") is None


def test_bytes_per_day_seeded_from_history_and_reset_at_midnight() -> None:
    clock = Clock()
    asked: list[tuple[str, datetime]] = []

    def history(identity: str, day: datetime) -> int:
        asked.append((identity, day))
        return 900 if identity == "api:old" else 0

    limiter = RateLimiter(100, 1000, history, clock=clock.monotonic, today=clock.now)
    assert limiter.check_bytes("api:old") is None
    limiter.add_bytes("api:old", 150)
    refusal = limiter.check_bytes("api:old")
    assert refusal is not None and refusal.error == "scan_budget_exhausted" and refusal.retry_after == 60
    assert "1,050" in refusal.message
    assert asked == [("api:old", datetime(2026, 12, 6, tzinfo=UTC))]  # looked up once per day
    clock.day += timedelta(minutes=2)  # a new UTC day: the history is asked again
    assert limiter.check_bytes("api:old") is None
    assert asked[-1] == ("api:old", datetime(2026, 12, 7, tzinfo=UTC))
