"""The destination base class: config model, secrets, timing, error shaping; one hook, `_send`.

As papermill's engines do, the public `send()` owns timing, HTTP status handling and error
redaction, and leaves `_send(event)` to each destination. `_send` raises `DeliveryError` (retryable
or not) or returns what the destination called the message (a Jira key, an SNS message id).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.alerts.model import Alert, Severity, entities
from workbench.registry import Registry
from workbench.routing.secrets import Redactor
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    import httpx

    from workbench.alerts.outbox import Delivery

EventKind = Literal["trigger", "update", "resolve"]
HEADER_SECRET = "header:"  # `secrets` key prefix of a header whose value came from a reference


class DeliveryError(RuntimeError):
    """A failed send. `retryable` False means retrying cannot help (bad request, unknown key)."""

    def __init__(self, message: str, retryable: bool = True, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable, self.status_code = retryable, status_code


class DestinationConfig(BaseModel):
    """Keys every destination accepts; each type adds its own (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    min_severity: Severity = Field(Severity.info, description="send only alerts at least this severe")
    events: list[EventKind] | None = Field(None, description="which events go here (default per type)")
    timeout_s: float | None = Field(None, gt=0, description="per request; default routing.timeout_s")
    secret_env: str | None = Field(None, description="environment variable holding the main secret")


@dataclass
class Event:
    """One thing to tell a destination: an alert, and whether it was triggered, updated or resolved."""

    delivery: Delivery
    alert: Alert
    report_url: str | None = None
    trigger_remote_id: str | None = None  # what the destination called this alert's trigger

    @property
    def kind(self) -> str:
        return self.delivery.kind


@dataclass
class SendResult:
    ok: bool
    latency_ms: float
    remote_id: str | None = None
    error: str | None = None
    retryable: bool = True
    status_code: int | None = None


@dataclass
class Context:
    """What a destination gets besides its own config."""

    workspace: Any = None
    timeout_s: float = 10.0
    redactor: Redactor = field(default_factory=Redactor)


class Destination(ABC):
    type: ClassVar[str]
    Config: ClassVar[type[DestinationConfig]] = DestinationConfig
    secret_fields: ClassVar[tuple[str, ...]] = ()
    """Fields that must be secret references; their values are redacted from every error."""
    main_secret: ClassVar[str | None] = None
    """The field `secret_env: NAME` fills."""
    url_fields: ClassVar[tuple[str, ...]] = ()
    """Fields holding URLs; checked at config load for an http(s) scheme."""
    default_events: ClassVar[tuple[str, ...]] = ("trigger", "resolve")

    def __init__(self, name: str, config: DestinationConfig, secrets: dict[str, str], context: Context) -> None:
        from workbench.routing.secrets import is_reference

        # `secrets` holds every resolved secret and URL field; the secret ones (and any URL that came
        # from a reference) are scrubbed from every error this process shows or stores.
        self.name, self.config, self.secrets, self.context = name, config, secrets, context
        login = getattr(config, "user", None) or getattr(config, "username", None)
        for fld, value in secrets.items():
            if fld in self.secret_fields or fld.startswith(HEADER_SECRET) or is_reference(getattr(config, fld, None)):
                context.redactor.add(value)
                if fld in self.secret_fields and isinstance(login, str):
                    context.redactor.add_basic(login, value)  # Jira basic auth, SMTP AUTH: encoded forms
        self._client: httpx.Client | None = None

    @classmethod
    def secret_required(cls, config: DestinationConfig, field: str) -> bool:
        """Whether a secret field must be given (email's password only comes with a username)."""
        return True

    def __repr__(self) -> str:  # never the secrets
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(self.config.events) if self.config.events is not None else self.default_events

    @property
    def timeout_s(self) -> float:
        return self.config.timeout_s or self.context.timeout_s

    def wants(self, alert: Alert, kind: str) -> bool:
        return kind in self.events and alert.severity >= self.config.min_severity

    def send(self, event: Event) -> SendResult:
        began = time.perf_counter()
        try:
            remote_id = self._send(event)
        except DeliveryError as exc:
            return SendResult(False, _ms(began), error=self.context.redactor(exc), retryable=exc.retryable,
                              status_code=exc.status_code)
        except Exception as exc:  # noqa: BLE001 - a destination bug parks one delivery, not the run
            return SendResult(False, _ms(began), error=self.context.redactor(f"{type(exc).__name__}: {exc}"),
                              retryable=_transient(exc))
        return SendResult(True, _ms(began), remote_id=remote_id)

    @abstractmethod
    def _send(self, event: Event) -> str | None: ...

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ---- HTTP, shared by the webhook-style destinations -----------------------------------------
    @property
    def http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout_s), follow_redirects=False,
                                        headers={"User-Agent": "mantissa-workbench/alert-routing"})
        return self._client

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST; 2xx returns, 408/429/5xx and transport errors are retryable, other codes are not."""
        import httpx

        try:
            response = self.http.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"timed out after {self.timeout_s:g}s posting to {url} ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"could not reach {url}: {type(exc).__name__}: {exc}") from None
        if response.is_success:
            return response
        code = response.status_code
        body = " ".join(response.text[:200].split())
        retryable = code in (408, 425, 429) or code >= 500
        raise DeliveryError(f"{url} answered HTTP {code}{': ' + body if body else ''}", retryable, code)


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 3)


def _transient(exc: Exception) -> bool:
    return isinstance(exc, OSError | TimeoutError | ConnectionError)


# ---- what every message says ---------------------------------------------------------------------
def first_entity(alert: Alert, kind: str) -> str | None:
    values = sorted(v for k, v in entities(alert) if k == kind)
    return values[0] if values else None


def headline(event: Event) -> str:
    """`[HIGH] title` / `Resolved: title` / `Updated (×12): title` — plain, unescaped."""
    alert = event.alert
    if event.kind == "resolve":
        return f"Resolved ({alert.status.value}): {alert.title}"
    if event.kind == "update":
        return f"Updated (×{alert.count}) [{alert.severity.value.upper()}]: {alert.title}"
    return f"[{alert.severity.value.upper()}] {alert.title}"


def facts(event: Event) -> list[tuple[str, str]]:
    """Label → value pairs, unescaped: severity, rule, principal, source IP, count, seen, account,
    then the fields the rule's `alert` section chose."""
    alert = event.alert
    rows = [("Severity", alert.severity.value), ("Rule", alert.rule_id), ("Status", alert.status.value)]
    for label, kind in (("Principal", "principal"), ("Source IP", "ip")):
        if value := first_entity(alert, kind):
            rows.append((label, value))
    rows.append(("Count", str(alert.count)))
    if alert.account:
        rows.append(("Account", alert.account))
    rows.append(("First seen", iso_z(alert.first_seen)))
    rows.append(("Last seen", iso_z(alert.last_seen)))
    shown = {v for _, v in rows}
    for key, value in alert.fields.items():
        if value is not None and str(value) not in shown:
            rows.append((str(key), value if isinstance(value, str) else _compact(value)))
    return rows


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


def alert_document(event: Event, sent_at: str) -> dict[str, Any]:
    """The machine-readable body (webhook, SNS, jsonl): JSON encoding is its escaping."""
    alert = event.alert
    return {
        "event": event.kind, "delivery_id": event.delivery.id, "sent_at": sent_at,
        "report_url": event.report_url,
        "alert": {"id": alert.id, "rule_id": alert.rule_id, "title": alert.title,
                  "severity": alert.severity.value, "status": alert.status.value, "count": alert.count,
                  "first_seen": iso_z(alert.first_seen), "last_seen": iso_z(alert.last_seen),
                  "account": alert.account, "group_keys": alert.group_keys, "fields": alert.fields,
                  "tags": alert.tags, "principal": first_entity(alert, "principal"),
                  "source_ip": first_entity(alert, "ip"), "version": alert.version},
    }


DESTINATIONS: Registry[type[Destination]] = Registry("destination type")
