"""Filters and ordering shared by `list()`/`count()`: SQLite turns them into SQL, DynamoDB applies
`AlertFilter.matches` to what its most selective index returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.alerts.model import Alert, Severity, Status, search_text
from workbench.registry import unknown_name_message
from workbench.timewindow import parse_time

# Status names that stand for several statuses (`--status open` is the backlog the daily report counts).
STATUS_GROUPS: dict[str, tuple[Status, ...]] = {
    "open": tuple(s for s in Status if s.is_open),
    "closed": tuple(s for s in Status if not s.is_open),
}
ORDER_KEYS = ("last_seen", "first_seen", "severity", "count", "created_at", "updated_at", "rule_id", "status")


def ts(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the time itself (for index columns and sort keys)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AlertFilter:
    """The filters `list()` and `count()` share. since/until select alerts active in [since, until)."""

    status: tuple[Status, ...] = ()
    severity: Severity | None = None
    min_severity: Severity | None = None
    rule_id: str | None = None
    assignee: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    unassigned: bool = False

    @classmethod
    def build(cls, status: str | Status | Sequence[str | Status] | None = None,
              severity: str | Severity | None = None, min_severity: str | Severity | None = None,
              rule_id: str | None = None, assignee: str | None = None,
              since: str | datetime | None = None, until: str | datetime | None = None,
              text: str | None = None, unassigned: bool = False) -> AlertFilter:
        if unassigned and assignee:
            raise ValueError(f"filters: assignee '{assignee}' and unassigned exclude each other; give one")
        statuses = [status] if isinstance(status, str | Status) else list(status or [])
        return cls(
            status=tuple(dict.fromkeys(one for s in statuses for one in statuses_of(s))),
            severity=enum_value(Severity, severity, "severity") if severity else None,
            min_severity=enum_value(Severity, min_severity, "severity") if min_severity else None,
            rule_id=rule_id or None,
            assignee=assignee or None,
            since=parse_time(since) if since else None,
            until=parse_time(until) if until else None,
            text=text.lower() if text else None,
            unassigned=bool(unassigned),
        )

    def matches(self, alert: Alert) -> bool:
        return (
            (not self.status or alert.status in self.status)
            and (self.severity is None or alert.severity == self.severity)
            and (self.min_severity is None or alert.severity >= self.min_severity)
            and (self.rule_id is None or alert.rule_id == self.rule_id)
            and (self.assignee is None or alert.assignee == self.assignee)
            and (not self.unassigned or not alert.assignee)
            and (self.since is None or alert.last_seen >= self.since)
            and (self.until is None or alert.first_seen < self.until)
            and (self.text is None or self.text in search_text(alert))
        )


def statuses_of(value: str | Status) -> tuple[Status, ...]:
    """One status, or the statuses a group name (open, closed) stands for."""
    if isinstance(value, str) and not isinstance(value, Status) and value in STATUS_GROUPS:
        return STATUS_GROUPS[value]
    try:
        return (Status(value),)
    except ValueError:
        raise ValueError(unknown_name_message("status", str(value), [*(m.value for m in Status), *STATUS_GROUPS]))\
            from None


def enum_value(kind: type, value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(unknown_name_message(what, str(value), [m.value for m in kind])) from None


def parse_order(order_by: str) -> tuple[str, bool]:
    """'-last_seen' → ('last_seen', descending=True)."""
    key, descending = (order_by[1:], True) if order_by.startswith("-") else (order_by, False)
    if key not in ORDER_KEYS:
        raise ValueError(unknown_name_message("order_by key", key, list(ORDER_KEYS)))
    return key, descending


def sort_value(alert: Alert, key: str) -> Any:
    return alert.severity.rank if key == "severity" else getattr(alert, key)
