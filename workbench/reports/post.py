"""A report's short summary, posted to the configured destinations (`mantissa report ... --post`).

The summary travels as an info-severity message shaped like an alert (rule id `mantissa-report`), so
every destination type formats it with the code that formats alerts (Slack blocks, Teams cards,
email, webhooks, JSON lines) and escapes it the same way. It is sent directly, not through the
outbox: it is not an alert, is never stored, and must not appear in delivery statistics. Which
destinations: `reports.post_to` in mantissa.yaml, else every routing destination (list chat
destinations there if a ticketing one would open a ticket per report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import Settings

REPORT_RULE_ID = "mantissa-report"


@dataclass
class PostResult:
    destination: str
    ok: bool
    error: str | None = None
    latency_ms: float = 0.0

    def format(self) -> str:
        return f"posted to {self.destination}" if self.ok else f"post to {self.destination} FAILED: {self.error}"


def summary_alert(kind: str, label: str, lines: list[str], now: datetime | None = None) -> Any:
    from workbench.alerts.model import Alert, Severity

    now = now or datetime.now(UTC)
    return Alert(id=f"{REPORT_RULE_ID}-{kind}-{label}", rule_id=REPORT_RULE_ID, severity=Severity.info,
                 title=f"Mantissa {kind} report {label}",
                 first_seen=now, last_seen=now, count=1, tags=["mantissa:ops", "report"],
                 fields={"summary": "\n".join(lines), "report": f"{kind} {label}"})


def post_summary(settings: Settings, kind: str, label: str, lines: list[str], link: str,
                 now: datetime | None = None) -> list[PostResult]:
    """Send the summary to each chosen destination; one failure does not stop the others."""
    from workbench.alerts.outbox import Delivery
    from workbench.config import ConfigError
    from workbench.routing import Event, build_router

    router = build_router(settings)
    if router is None:
        raise ConfigError("routing: no destinations configured (or routing.enabled is false); add "
                          "routing.destinations to mantissa.yaml to post report summaries")
    wanted = settings.reports.post_to
    unknown = sorted(set(wanted or []) - set(router.destinations))
    if unknown:
        raise ConfigError(f"reports.post_to: unknown destination(s) {', '.join(unknown)}; configured: "
                          f"{', '.join(sorted(router.destinations))}")
    alert = summary_alert(kind, label, lines, now)
    results = []
    with router:
        for name in wanted if wanted is not None else sorted(router.destinations):
            dest = router.destinations[name]
            sent = dest.send(Event(Delivery.new(alert, name, "trigger", "report", now), alert, report_url=link))
            results.append(PostResult(name, sent.ok, sent.error, sent.latency_ms))
    return results
