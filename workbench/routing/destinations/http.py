"""HTTP API destinations: a generic signed webhook and PagerDuty Events API v2."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from workbench.routing import escaping
from workbench.routing.destinations.base import (
    DESTINATIONS,
    HEADER_SECRET,
    DeliveryError,
    Destination,
    DestinationConfig,
    Event,
    alert_document,
    first_entity,
    headline,
)
from workbench.timewindow import iso_z

SIGNATURE_HEADER = "X-Mantissa-Signature"
TIMESTAMP_HEADER = "X-Mantissa-Timestamp"
DELIVERY_HEADER = "X-Mantissa-Delivery"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` + HMAC-SHA256(secret, raw body), hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (constant-time compare); the body carries `sent_at`, so a receiver can
    also refuse stale replays, and `delivery_id` (also a header) lets it drop duplicates."""
    return hmac.compare_digest(sign(secret, body), header or "")


class WebhookConfig(DestinationConfig):
    url: Any = Field(description="the receiver's URL (may be a secret reference)")
    secret: Any = Field(None, description="secret: the HMAC-SHA256 signing key")
    headers: dict[str, Any] = Field(default_factory=dict, description="extra headers; a credential (Authorization, "
                                    "X-Api-Key…) only as a secret reference")


class Webhook(Destination):
    """POSTs the alert as JSON; `X-Mantissa-Signature: sha256=<hex>` signs the exact bytes sent,
    `X-Mantissa-Timestamp` is the Unix time of sending (also inside the signed body as `sent_at`)."""

    type = "webhook"
    Config = WebhookConfig
    secret_fields = ("secret",)
    main_secret = "secret"
    url_fields = ("url",)
    default_events = ("trigger", "update", "resolve")

    def body(self, event: Event, now: float) -> bytes:
        doc = alert_document(event, datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"))
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()

    def _send(self, event: Event) -> str | None:
        now = time.time()
        body = self.body(event, now)
        given: dict[str, Any] = self.config.headers  # type: ignore[attr-defined]
        extra = {k: self.secrets.get(f"{HEADER_SECRET}{k}", v) for k, v in given.items()}
        headers = {**extra, "Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(self.secrets["secret"], body), TIMESTAMP_HEADER: str(int(now)),
                   DELIVERY_HEADER: event.delivery.id}
        self.post(self.secrets["url"], content=body, headers=headers)
        return None


_PD_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info", "info": "info"}


class PagerDutyConfig(DestinationConfig):
    routing_key: Any = Field(None, description="secret: the service's Events API v2 integration key")
    events_url: str = Field("https://events.pagerduty.com/v2/enqueue", description="Events API v2 endpoint")
    source: str = Field("mantissa", description="payload.source: where the alert comes from")


class PagerDuty(Destination):
    """Events API v2: `trigger` with dedup_key = alert id (an update re-triggers the same incident,
    which PagerDuty folds in), `resolve` with the same key when the alert is closed."""

    type = "pagerduty"
    Config = PagerDutyConfig
    secret_fields = ("routing_key",)
    main_secret = "routing_key"
    url_fields = ("events_url",)

    def payload(self, event: Event) -> dict[str, Any]:
        alert = event.alert
        body: dict[str, Any] = {"routing_key": self.secrets["routing_key"], "dedup_key": alert.id,
                                "event_action": "resolve" if event.kind == "resolve" else "trigger"}
        if event.kind == "resolve":
            return body
        body["payload"] = {
            "summary": escaping.one_line(headline(event), 1024),
            "source": self.config.source,  # type: ignore[attr-defined]
            "severity": _PD_SEVERITY[alert.severity.value],
            "timestamp": iso_z(alert.last_seen),
            "component": alert.rule_id,
            "group": alert.account or "aws",
            "class": "security-alert",
            "custom_details": {"count": alert.count, "principal": first_entity(alert, "principal"),
                               "source_ip": first_entity(alert, "ip"), "first_seen": iso_z(alert.first_seen),
                               "tags": alert.tags, "fields": alert.fields, "group_keys": alert.group_keys},
        }
        if event.report_url:
            body["links"] = [{"href": event.report_url, "text": "Investigation report"}]
        return body

    def _send(self, event: Event) -> str | None:
        response = self.post(self.config.events_url, json=self.payload(event))  # type: ignore[attr-defined]
        try:
            answer = response.json()
        except ValueError:
            return None
        if isinstance(answer, dict) and answer.get("status") not in (None, "success"):
            raise DeliveryError(f"PagerDuty refused the event: {answer.get('message')}", retryable=False)
        return answer.get("dedup_key") if isinstance(answer, dict) else None


DESTINATIONS.register("webhook", Webhook)
DESTINATIONS.register("pagerduty", PagerDuty)
