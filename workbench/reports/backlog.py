"""The open backlog: every alert still open *now* (new, acknowledged, investigating) — what the
morning checklist starts from, whatever day the rest of the report covers.

It is the set `store.list(status="open")` returns, so its count is `mantissa alerts list --status
open`'s. Order: not yet acknowledged first, then worst severity, then longest waiting. Age is the
time since the alert was raised (`created_at`): how long it has waited in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workbench.alerts.model import Alert, Status, entities
from workbench.investigate.layout import plural
from workbench.reports.common import SEVERITIES, investigation_link

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

AGES: list[tuple[str, timedelta | None]] = [("under 1 day", timedelta(days=1)), ("1–3 days", timedelta(days=3)),
                                            ("3–7 days", timedelta(days=7)), ("over 7 days", None)]


def age_bucket(age: timedelta) -> str:
    return next(label for label, upper in AGES if upper is None or age < upper)


def age_text(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def backlog_order(alert: Alert) -> tuple[int, int, datetime]:
    return (alert.status != Status.new, -alert.severity.rank, alert.created_at)


@dataclass
class Backlog:
    as_of: datetime
    alerts: list[Alert]  # in backlog order

    @property
    def total(self) -> int:
        return len(self.alerts)

    @property
    def unacknowledged(self) -> int:
        return sum(a.status == Status.new for a in self.alerts)

    def age(self, alert: Alert) -> timedelta:
        return max(self.as_of - alert.created_at, timedelta(0))

    def by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for a in self.alerts:
            counts[a.severity.value] += 1
        return counts

    def grid(self) -> list[dict[str, Any]]:
        """Severity × age, with how many of each severity nobody has acknowledged yet."""
        rows = []
        for severity in SEVERITIES:
            mine = [a for a in self.alerts if a.severity.value == severity]
            if not mine:
                continue
            row: dict[str, Any] = {"severity": severity, "open": len(mine),
                                   "not acknowledged": sum(a.status == Status.new for a in mine)}
            for label, _ in AGES:
                row[label] = sum(age_bucket(self.age(a)) == label for a in mine)
            rows.append(row)
        return rows

    @property
    def oldest(self) -> Alert | None:
        return min(self.alerts, key=lambda a: a.created_at) if self.alerts else None

    def headline(self) -> str:
        if not self.alerts:
            return f"Open backlog at {self.as_of:%Y-%m-%d %H:%M} UTC: none — every alert is resolved or closed"
        sev = ", ".join(f"{n} {s}" for s, n in self.by_severity().items() if n)
        oldest = self.oldest
        waited = age_text(self.age(oldest)) if oldest else "—"
        return (f"Open backlog at {self.as_of:%Y-%m-%d %H:%M} UTC: {plural(self.total, 'alert')} ({sev}); "
                f"{self.unacknowledged} not yet acknowledged; oldest waiting {waited}")

    def rows(self, settings: Settings, ip_text: Any = None) -> list[dict[str, Any]]:
        """One row per open alert, for the report's table; `ip_text` labels the source IPs."""
        out = []
        for a in self.alerts:
            ips = sorted(v for k, v in entities(a) if k == "ip")
            source = [(ip, ip_text(ip) if ip_text else "") for ip in ips[:3]]
            out.append({"severity": a.severity.value, "status": a.status.value, "waiting": age_text(self.age(a)),
                        "title": a.title, "rule": a.rule_id, "count": a.count, "last_seen": a.last_seen,
                        "assignee": a.assignee or "", "source": source, "id": a.id,
                        "investigation": investigation_link(settings, a.id)})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "total": self.total, "unacknowledged": self.unacknowledged,
                "by_severity": self.by_severity(), "grid": self.grid(),
                "queue": [{"id": a.id, "severity": a.severity.value, "status": a.status.value} for a in self.alerts]}


def open_backlog(store: AlertStore, now: datetime | None = None) -> Backlog:
    alerts = store.list(status="open", limit=None, order_by="-severity")
    return Backlog(now or datetime.now(UTC), sorted(alerts, key=backlog_order))
