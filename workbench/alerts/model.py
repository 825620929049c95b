"""The alert record and its lifecycle, independent of where it is stored.

Lifecycle (decided here, enforced by every backend through `check_transition`):

    new ──► acknowledged ──► investigating ──► resolved
     │            │                │     └───► false_positive
     └────────────┴────────────────┴─► resolved | false_positive (closing early is fine)
    resolved | false_positive ──► new   (explicit reopen by an analyst)

Recurrence: when detection finds *new* events for a resolved alert, the store reopens it (status
back to `new`, audit action `reopened`) — the problem came back. A false positive is NOT reopened
by recurrence: the analyst judged that pattern benign, so count and last_seen move on silently
(audit action `recurred`) until someone reopens it by hand. Setting the status an alert already
has is a no-op (no audit entry, no version bump), so double-clicks are harmless.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

EVIDENCE_ROW_CAP = 50


class AlertStoreError(RuntimeError):
    """Base of the store's errors; messages name the alert and say what to do next."""


class AlertNotFound(AlertStoreError, KeyError):
    def __init__(self, alert_id: str, suggestions: list[str] | None = None) -> None:
        self.alert_id, self.suggestions = alert_id, suggestions or []
        super().__init__(alert_id)

    def __str__(self) -> str:
        hint = f" — did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        return f"unknown alert '{self.alert_id}'{hint} (list them with `mantissa alerts list`)"


class InvalidTransition(AlertStoreError, ValueError):
    """A status change the lifecycle does not allow."""


class ConcurrencyError(AlertStoreError):
    """Optimistic concurrency kept losing; the alert is under heavy concurrent edits."""


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:  # ordered by rank, not alphabetically
        if isinstance(other, Severity):
            return self.rank < other.rank
        return NotImplemented

    def __le__(self, other: object) -> bool:
        return self == other or self < other  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Severity):
            return self.rank > other.rank
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        return self == other or self > other  # type: ignore[operator]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Status(StrEnum):
    new = "new"
    acknowledged = "acknowledged"
    investigating = "investigating"
    resolved = "resolved"
    false_positive = "false_positive"

    @property
    def is_open(self) -> bool:
        return self not in (Status.resolved, Status.false_positive)


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.acknowledged, Status.investigating, Status.resolved, Status.false_positive}),
    Status.acknowledged: frozenset({Status.investigating, Status.resolved, Status.false_positive}),
    Status.investigating: frozenset({Status.resolved, Status.false_positive}),
    Status.resolved: frozenset({Status.new}),
    Status.false_positive: frozenset({Status.new}),
}


def check_transition(alert_id: str, current: Status, target: Status) -> None:
    if target != current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(
            f"alert '{alert_id}' is {current.value}: cannot move to {target.value} (allowed: {allowed})"
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def jsonable(value: Any) -> Any:
    """Evidence rows come from DataFrames: numpy scalars, Timestamps, bytes, NaT/NA. Make them plain JSON."""
    try:
        if value != value:  # NaT (and NaN) are the only values unequal to themselves
            return None
    except TypeError:  # pd.NA refuses to be a bool
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array
        return value.tolist()
    if hasattr(value, "isoformat"):  # pandas Timestamp without tz handled above via datetime
        return value.isoformat()
    return str(value)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    # NaN/Infinity are not JSON: they become null, as they would in any JSON consumer downstream.
    return json.loads(json.dumps(data, default=jsonable), parse_constant=lambda _: None)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    who: str
    when: AwareDatetime = Field(default_factory=utcnow)
    text: str

    _utc = field_validator("when")(_to_utc)


class AuditEntry(BaseModel):
    """One change: `changes` maps a field name to [old, new] (JSON values)."""

    model_config = ConfigDict(extra="forbid")

    who: str
    when: AwareDatetime = Field(default_factory=utcnow)
    action: str
    changes: dict[str, Any] = Field(default_factory=dict)

    _utc = field_validator("when")(_to_utc)


class EvidenceWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime

    _utc = field_validator("start", "end")(_to_utc)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, Any]] = Field(default_factory=list)
    sql: str | None = None
    query_id: str | None = None
    bytes_scanned: int | None = None
    window: EvidenceWindow | None = None

    @field_validator("rows", mode="before")
    @classmethod
    def _plain_capped(cls, rows: Any) -> list[dict[str, Any]]:
        rows = list(rows or [])[:EVIDENCE_ROW_CAP]
        return [_plain(dict(row)) for row in rows]


class Alert(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(min_length=1)
    rule_id: str = Field(min_length=1)
    title: str
    severity: Severity
    status: Status = Status.new
    assignee: str | None = None
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    count: int = Field(0, ge=0)
    group_keys: dict[str, str] = Field(default_factory=dict)
    evidence: Evidence = Field(default_factory=Evidence)
    fields: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    account: str | None = None
    notes: list[Note] = Field(default_factory=list)
    audit: list[AuditEntry] = Field(default_factory=list)
    version: int = Field(0, ge=0)
    created_at: AwareDatetime = Field(default_factory=utcnow)
    updated_at: AwareDatetime = Field(default_factory=utcnow)

    _utc = field_validator("first_seen", "last_seen", "created_at", "updated_at")(_to_utc)

    @field_validator("fields", mode="before")
    @classmethod
    def _plain_fields(cls, fields: Any) -> dict[str, Any]:
        return _plain(dict(fields or {}))

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Alert:
        return cls.model_validate_json(text)


class UpsertOutcome(BaseModel):
    """What `upsert_alert` did: `action` is new, updated or unchanged."""

    alert_id: str
    action: str
    events_added: int = 0
    count: int = 0
    status: Status = Status.new

    @property
    def is_new(self) -> bool:
        return self.action == "new"


# Keys whose values identify who/what acted; `related()` joins alerts on them.
_ENTITY_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("accesskey", ("accesskeyid", "accesskey")),
    ("ip", ("sourceipaddress", "sourceip", "srcaddr", "srcip", "ipaddress", "callerip", "ip")),
    ("principal", ("principal", "principalarn", "principalid", "arn", "userarn", "username",
                   "user", "useridentityarn", "identity")),
)


def _entity_kind(key: str) -> str | None:
    norm = "".join(ch for ch in key.lower() if ch.isalnum())
    for kind, names in _ENTITY_KINDS:
        if norm in names or any(norm.endswith(n) for n in names if len(n) > 4):
            return kind
    return None


def entities(alert: Alert) -> set[tuple[str, str]]:
    """(kind, value) pairs naming the principal, access key or source IP behind an alert."""
    found: set[tuple[str, str]] = set()
    for source in (alert.group_keys, alert.fields):
        for key, value in source.items():
            kind = _entity_kind(key)
            if kind and isinstance(value, str | int) and str(value).strip():
                found.add((kind, str(value).strip()))
    return found


def search_text(alert: Alert) -> str:
    """The lower-cased text `list(text=...)` matches against."""
    parts = [alert.id, alert.rule_id, alert.title, alert.assignee or "", alert.account or "",
             *alert.group_keys.values(), *alert.tags]
    return "\n".join(parts).lower()
