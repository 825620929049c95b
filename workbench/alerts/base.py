"""The store interface. Lifecycle rules, upsert merging and optimistic concurrency live here once;
a backend supplies storage hooks (`_read`, `_write`, `_record_events`, ...), as papermill's engines
leave one hook to subclasses.

Concurrency: every change is a read-modify-write guarded by the alert's `version`. `_write` stores
the new record only if the stored version is still the one that was read (SQLite: `UPDATE ... WHERE
version = ?` inside `BEGIN IMMEDIATE`; DynamoDB: a `ConditionExpression`). On a lost race the whole
read-modify-write is retried after a short jittered pause, so two analysts acting at once both land.
"""

from __future__ import annotations

import contextlib
import difflib
import random
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from workbench.alerts.filters import AlertFilter, enum_value, parse_order
from workbench.alerts.model import (
    Alert,
    AlertNotFound,
    AuditEntry,
    ConcurrencyError,
    Note,
    Status,
    UpsertOutcome,
    check_transition,
    entities,
    utcnow,
)
from workbench.alerts.outbox import Outbox
from workbench.alerts.paging import Page, decode_token, encode_token, fingerprint
from workbench.registry import Registry
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.config import Settings

RUN_TIME_KEYS = ("started", "finished", "window_start", "window_end")
# Audit actions the store itself writes; record_action refuses them so reports can trust them.
_LIFECYCLE_ACTIONS = frozenset({"created", "recurred", "reopened", "assigned", "note", *(s.value for s in Status)})

def merge_rows(old: list[dict], new: list[dict], cap: int) -> list[dict]:
    import json

    seen = {json.dumps(row, sort_keys=True) for row in old}
    merged = list(old)
    for row in new:
        if len(merged) >= cap:
            break
        key = json.dumps(row, sort_keys=True)
        if key not in seen:
            seen.add(key)
            merged.append(row)
    return merged


def merge_upsert(current: Alert | None, incoming: Alert, total: int, actor: str) -> tuple[Alert | None, str]:
    """The record after detection saw `incoming` with `total` distinct events; None when unchanged."""
    from workbench.alerts.model import EVIDENCE_ROW_CAP

    now = utcnow()
    if current is None:
        created = incoming.model_copy(deep=True)
        created.count, created.version, created.created_at, created.updated_at = total, 1, now, now
        created.audit.append(AuditEntry(who=actor, when=now, action="created",
                                        changes={"count": [None, total], "status": [None, created.status.value]}))
        return created, "new"
    first, last = min(current.first_seen, incoming.first_seen), max(current.last_seen, incoming.last_seen)
    if total == current.count and first == current.first_seen and last == current.last_seen:
        return None, "unchanged"
    draft = current.model_copy(deep=True)
    draft.count, draft.first_seen, draft.last_seen = total, first, last
    if total != current.count:
        # Fresh events: carry the latest query's evidence, keep the rows already shown to analysts.
        draft.evidence = incoming.evidence.model_copy(update={
            "rows": merge_rows(current.evidence.rows, incoming.evidence.rows, EVIDENCE_ROW_CAP)})
        draft.fields = {**current.fields, **incoming.fields}
        changes: dict[str, Any] = {"count": [current.count, total]}
        if last != current.last_seen:
            changes["last_seen"] = [current.last_seen.isoformat(), last.isoformat()]
        action = "recurred"
        if total > current.count and current.status == Status.resolved:
            draft.status, changes["status"], action = Status.new, ["resolved", "new"], "reopened"
        draft.audit.append(AuditEntry(who=actor, when=now, action=action, changes=changes))
    draft.version, draft.updated_at = current.version + 1, now
    return draft, "updated"


class AlertStore(Outbox, ABC):
    """Alert state, lifecycle, the detection runner's bookkeeping (checkpoints and runs) and the
    delivery outbox (`Outbox`: what routing queued for each destination, and every attempt)."""

    name: ClassVar[str]
    max_attempts: ClassVar[int] = 100

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # ---- hooks a backend implements ------------------------------------------------------------
    @abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """Groups one read-modify-write; SQLite serialises it, DynamoDB relies on `_write`'s condition."""

    @abstractmethod
    def _read(self, alert_id: str) -> Alert | None: ...

    @abstractmethod
    def _write(self, alert: Alert, expected_version: int | None) -> bool:
        """Store `alert` if the stored version equals `expected_version` (None: only if absent)."""

    @abstractmethod
    def _record_events(self, alert_id: str, event_ids: set[str]) -> int:
        """Remember event ids for an alert; returns how many were not known before."""

    @abstractmethod
    def _event_count(self, alert_id: str) -> int: ...

    @abstractmethod
    def event_ids(self, alert_id: str) -> set[str]: ...

    @abstractmethod
    def _page(self, flt: AlertFilter, order: str, descending: bool, limit: int | None, offset: int,
              after: list[Any] | None) -> tuple[list[Alert], list[Any] | None, int]:
        """Up to `limit` matching alerts strictly after the keyset position `after` (None: from the
        start, skipping `offset`). Returns them, the position to resume from (None: nothing left),
        and how many index entries were examined."""

    @abstractmethod
    def _count(self, flt: AlertFilter) -> int: ...

    @abstractmethod
    def _alert_ids_with_entity(self, kind: str, value: str) -> set[str]: ...

    @abstractmethod
    def rule_ids(self) -> list[str]:
        """The rule ids that have alerts, sorted (for a rule filter's choices), without reading alerts."""

    @abstractmethod
    def all_ids(self) -> Iterator[str]: ...

    @abstractmethod
    def get_checkpoint(self, rule_id: str) -> datetime | None: ...

    @abstractmethod
    def _put_checkpoint(self, rule_id: str, end: datetime) -> None: ...

    @abstractmethod
    def checkpoints(self) -> dict[str, datetime]: ...

    @abstractmethod
    def _put_run(self, run_id: str, started: datetime, doc: str) -> None: ...

    @abstractmethod
    def _run_docs(self, limit: int | None, since: datetime | None) -> list[str]:
        """Run records as stored JSON, newest first."""

    def close(self) -> None:
        """Release connections; stores are also context managers."""
        return None

    def __enter__(self) -> AlertStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- detection ----------------------------------------------------------------------------
    def upsert_alert(self, alert: Alert, event_ids: Iterable[str], actor: str = "detector") -> UpsertOutcome:
        """Create or update an alert from detection; idempotent for the same alert and events."""
        ids = {str(e) for e in event_ids}
        added = 0
        for attempt in range(self.max_attempts):
            with self._transaction():
                current = self._read(alert.id)
                added += self._record_events(alert.id, ids)
                total = self._event_count(alert.id)
                merged, action = merge_upsert(current, alert, total, actor)
                if merged is None:
                    assert current is not None
                    return UpsertOutcome(alert_id=alert.id, action=action, events_added=added,
                                         count=current.count, status=current.status)
                if self._write(merged, current.version if current else None):
                    return UpsertOutcome(alert_id=alert.id, action=action, events_added=added,
                                         count=merged.count, status=merged.status)
            self._backoff(attempt)
        raise ConcurrencyError(f"alert '{alert.id}': gave up after {self.max_attempts} conflicting writes")

    # ---- reading ------------------------------------------------------------------------------
    def get(self, alert_id: str) -> Alert:
        alert = self._read(alert_id)
        if alert is None:
            raise AlertNotFound(alert_id, self.suggest_ids(alert_id))
        return alert

    def list(self, status: str | Sequence[str] | None = None, severity: str | None = None,
             min_severity: str | None = None, rule_id: str | None = None, assignee: str | None = None,
             since: str | datetime | None = None, until: str | datetime | None = None,
             text: str | None = None, limit: int | None = 100, offset: int = 0,
             order_by: str = "-last_seen", page_token: str | None = None, unassigned: bool = False) -> Page:
        """Alerts matching every given filter, ordered (prefix '-' = descending) and paged.

        The result is a `Page` (a list of alerts) whose `next_token`, passed back as `page_token`
        with the same filters and order, returns the next page; None means there is no more.
        Tokens cost one page to follow however deep; `offset` is kept for old callers and costs
        every skipped alert."""
        flt = AlertFilter.build(status, severity, min_severity, rule_id, assignee, since, until, text, unassigned)
        key, descending = parse_order(order_by)
        if limit is not None and limit < 1:
            raise ValueError(f"list: limit must be at least 1 (got {limit}); use None for everything")
        fp = fingerprint(self.name, flt, key, descending)
        after = decode_token(page_token, fp) if page_token is not None else None
        if after is not None and offset:
            raise ValueError("list: give either offset or page_token, not both (a token already says where to start)")
        items, last, scanned = self._page(flt, key, descending, limit, max(offset, 0), after)
        return Page(items, encode_token(fp, last) if last is not None else None, scanned)

    def count(self, status: str | Sequence[str] | None = None, severity: str | None = None,
              min_severity: str | None = None, rule_id: str | None = None, assignee: str | None = None,
              since: str | datetime | None = None, until: str | datetime | None = None,
              text: str | None = None, unassigned: bool = False) -> int:
        return self._count(AlertFilter.build(status, severity, min_severity, rule_id, assignee,
                                             since, until, text, unassigned))

    def related(self, alert_id: str, limit: int = 100) -> list[Alert]:
        """Other alerts sharing a principal, access key or source IP, most recent first."""
        alert = self.get(alert_id)
        mine = entities(alert)
        ids: set[str] = set()
        for kind, value in mine:
            ids |= self._alert_ids_with_entity(kind, value)
        ids.discard(alert_id)
        found = [a for a in (self._read(i) for i in ids) if a is not None and entities(a) & mine]
        return sorted(found, key=lambda a: (a.last_seen, a.id), reverse=True)[:limit]

    def suggest_ids(self, partial: str, limit: int = 3) -> list[str]:
        """Known ids close to a mistyped one: longest shared prefix first, then similar spelling."""
        known = list(self.all_ids())
        for size in range(len(partial), 2, -1):
            hits = sorted(i for i in known if i.startswith(partial[:size]))
            if hits:
                return hits[:limit]
        return difflib.get_close_matches(partial, known, n=limit, cutoff=0.6)

    # ---- analyst actions ----------------------------------------------------------------------
    def acknowledge(self, alert_id: str, actor: str) -> Alert:
        return self.set_status(alert_id, Status.acknowledged, actor)

    def assign(self, alert_id: str, assignee: str | None, actor: str) -> Alert:
        def change(draft: Alert) -> dict[str, Any] | None:
            if draft.assignee == (assignee or None):
                return None
            old, draft.assignee = draft.assignee, assignee or None
            return {"assignee": [old, draft.assignee]}

        return self._mutate(alert_id, actor, "assigned", change)

    def set_status(self, alert_id: str, status: str | Status, actor: str, reason: str | None = None) -> Alert:
        target = enum_value(Status, status, "status")
        if target == Status.false_positive and not (reason or "").strip():
            raise ValueError(f"alert '{alert_id}': marking a false positive needs a reason (--reason TEXT)")

        def change(draft: Alert) -> dict[str, Any] | None:
            check_transition(draft.id, draft.status, target)
            if draft.status == target:
                return None
            changes: dict[str, Any] = {"status": [draft.status.value, target.value]}
            if reason:
                changes["reason"] = reason
            draft.status = target
            return changes

        action = "reopened" if target == Status.new else target.value
        return self._mutate(alert_id, actor, action, change)

    def add_note(self, alert_id: str, text: str, actor: str) -> Alert:
        if not text.strip():
            raise ValueError(f"alert '{alert_id}': a note needs some text")

        def change(draft: Alert) -> dict[str, Any]:
            draft.notes.append(Note(who=actor, text=text))
            return {"note": [None, text]}

        return self._mutate(alert_id, actor, "note", change)

    def record_action(self, alert_id: str, actor: str, action: str, changes: dict[str, Any]) -> Alert:
        """Record something done about the alert outside the store (containment, a ticket filed...):
        appends an audit entry and bumps the version, racing writers retried like every change.
        Lifecycle actions (acknowledged, assigned, note...) are refused: those have their own methods,
        and reports read them as real state changes."""
        name = (action or "").strip()
        if not name or name in _LIFECYCLE_ACTIONS:
            taken = f"'{name}' is a lifecycle action (use set_status, assign or add_note)" if name else "it is empty"
            raise ValueError(f"alert '{alert_id}': cannot record action: {taken}; name it after what was "
                             "done, e.g. 'containment-executed'")
        if not (actor or "").strip():
            raise ValueError(f"alert '{alert_id}': action '{name}' needs an actor (who did it)")
        import json

        try:  # a value the audit trail cannot store fails here, before anything is written
            # Stored as JSON: hand back (and keep) what a later read returns, not the caller's objects.
            stored = json.loads(AuditEntry(who=actor, action=name, changes=dict(changes)).model_dump_json())["changes"]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"alert '{alert_id}': action '{name}': changes must be JSON values "
                             f"({str(exc).splitlines()[0]})") from None
        return self._mutate(alert_id, actor, name, lambda _draft: stored)

    def _mutate(self, alert_id: str, actor: str, action: str,
                change: Callable[[Alert], dict[str, Any] | None]) -> Alert:
        for attempt in range(self.max_attempts):
            with self._transaction():
                current = self._read(alert_id)
                if current is None:
                    raise AlertNotFound(alert_id, self.suggest_ids(alert_id))
                draft = current.model_copy(deep=True)
                changes = change(draft)
                if changes is None:
                    return current
                now = utcnow()
                draft.audit.append(AuditEntry(who=actor, when=now, action=action, changes=changes))
                draft.version, draft.updated_at = current.version + 1, now
                if self._write(draft, current.version):
                    return draft
            self._backoff(attempt)
        raise ConcurrencyError(f"alert '{alert_id}': gave up after {self.max_attempts} conflicting writes")

    @staticmethod
    def _backoff(attempt: int) -> None:
        # Jitter so that racing writers do not collide again in lock-step.
        time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** min(attempt, 6))))

    # ---- detection bookkeeping ----------------------------------------------------------------
    def set_checkpoint(self, rule_id: str, end: datetime, force: bool = False) -> datetime:
        """Record that `rule_id` is evaluated up to `end`. Only moves forward unless `force`, so a
        manual re-run of an old window never makes the scheduler re-scan what it already covered."""
        end = parse_time(end)
        current = self.get_checkpoint(rule_id)
        if force or current is None or end > current:
            self._put_checkpoint(rule_id, end)
            return end
        return current

    def save_run(self, run: dict[str, Any]) -> str:
        """Store a detection run record (upsert by `id`; one is made up when absent)."""
        import json

        from workbench.alerts.model import jsonable

        record = dict(run)
        started = parse_time(record.get("started") or utcnow())
        record["started"] = started
        record["id"] = str(record.get("id") or f"run-{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}")
        self._put_run(record["id"], started, json.dumps(record, default=jsonable, sort_keys=True))
        return record["id"]

    def list_runs(self, limit: int | None = 20, since: str | datetime | None = None) -> list[dict[str, Any]]:
        """Run records, newest first; the time keys (started, finished, window_*) come back as datetimes."""
        import json

        runs = []
        for doc in self._run_docs(limit, parse_time(since) if since else None):
            record = json.loads(doc)
            for key in RUN_TIME_KEYS:
                if isinstance(record.get(key), str):
                    record[key] = parse_time(record[key])
            runs.append(record)
        return runs

    # ---- backup -------------------------------------------------------------------------------
    def export_jsonl(self, fp: Any) -> dict[str, int]:
        from workbench.alerts.transfer import export_jsonl

        return export_jsonl(self, fp)

    def import_jsonl(self, fp: Any) -> Any:
        from workbench.alerts.transfer import import_jsonl

        return import_jsonl(self, fp)

    def restore_alert(self, alert: Alert, event_ids: Iterable[str]) -> str:
        """Put a backed-up alert back as it was: created when absent, replaced when the backup holds a
        newer version, else left alone. Returns created / replaced / unchanged."""
        ids = {str(e) for e in event_ids}
        for attempt in range(self.max_attempts):
            with self._transaction():
                self._record_events(alert.id, ids)
                current = self._read(alert.id)
                if current is not None and current.version >= alert.version:
                    return "unchanged"
                if self._write(alert, current.version if current else None):
                    return "created" if current is None else "replaced"
            self._backoff(attempt)
        raise ConcurrencyError(f"alert '{alert.id}': gave up after {self.max_attempts} conflicting writes")


STORES: Registry[type[AlertStore]] = Registry("alert store backend")
