"""Backup and restore as JSON lines: one record per line, same format for every backend.

    {"type": "header", "format": "mantissa-alerts", "version": 2, "exported_at": "...", "backend": "..."}
    {"type": "alert", "alert": {...full Alert...}, "event_ids": ["...", ...]}
    {"type": "checkpoint", "rule_id": "...", "end": "..."}
    {"type": "run", "run": {...run record...}}
    {"type": "delivery", "delivery": {...full Delivery: status, attempts, next_attempt_at, lease...}}
    {"type": "attempt", "attempt": {...DeliveryAttempt: when, outcome, latency...}}
    {"type": "routed", "alert_id": "...", "version": 3, "routed_at": "..."}

Version 2 added the delivery outbox (delivery, attempt, routed); version 1 files, which have none
of those lines, still import. Without the routed versions a restored workspace would route every
alert again, and without the deliveries a parked one could never be redelivered.

Import is idempotent: an alert is created when absent, replaced only by a newer version, event ids
are merged; checkpoints and runs are upserts; a delivery is created when absent and replaced only
by a newer copy (`updated_at`); an attempt is added once; a routed version only moves up. A bad
line is reported with its number and skipped — the rest of the file still loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from workbench.alerts.model import Alert, utcnow
from workbench.alerts.outbox import Delivery, DeliveryAttempt
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.alerts.base import AlertStore

FORMAT = "mantissa-alerts"
FORMAT_VERSION = 2
RECORD_TYPES = ("header", "alert", "checkpoint", "run", "delivery", "attempt", "routed")


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    checkpoints: int = 0
    runs: int = 0
    deliveries: dict[str, int] = field(default_factory=lambda: {"created": 0, "replaced": 0, "unchanged": 0})
    attempts_added: int = 0
    attempts_present: int = 0
    routed_moved: int = 0
    routed_current: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"alerts: {self.created} created, {self.replaced} replaced, {self.unchanged} unchanged; "
                f"{self.checkpoints} checkpoints, {self.runs} runs")
        d = self.deliveries
        if sum(d.values()) or self.attempts_added + self.attempts_present + self.routed_moved + self.routed_current:
            text += (f"; deliveries: {d['created']} created, {d['replaced']} replaced, {d['unchanged']} unchanged; "
                     f"{self.attempts_added} attempts added ({self.attempts_present} already there); "
                     f"{self.routed_moved} routed versions moved ({self.routed_current} already current)")
        return text + (f"; {len(self.errors)} bad lines skipped" if self.errors else "")


def export_jsonl(store: AlertStore, fp: IO[str]) -> dict[str, int]:
    """Write every alert (with its event ids), checkpoint, run, and the whole delivery outbox;
    returns counts per record type."""
    counts = dict.fromkeys(RECORD_TYPES[1:], 0)
    _line(fp, {"type": "header", "format": FORMAT, "version": FORMAT_VERSION,
               "exported_at": utcnow().isoformat(), "backend": store.name})
    for alert_id in sorted(store.all_ids()):
        alert = store._read(alert_id)
        if alert is None:  # deleted between listing and reading
            continue
        _line(fp, {"type": "alert", "alert": json.loads(alert.to_json()),
                   "event_ids": sorted(store.event_ids(alert_id))})
        counts["alert"] += 1
    for rule_id, end in sorted(store.checkpoints().items()):
        _line(fp, {"type": "checkpoint", "rule_id": rule_id, "end": end.isoformat()})
        counts["checkpoint"] += 1
    for doc in reversed(store._run_docs(None, None)):
        fp.write('{"type": "run", "run": ' + doc + "}\n")
        counts["run"] += 1
    for delivery in sorted(store.deliveries(limit=None), key=lambda d: d.order_key):
        _line(fp, {"type": "delivery", "delivery": json.loads(delivery.to_json())})
        counts["delivery"] += 1
    for attempt in store.delivery_attempts():
        _line(fp, {"type": "attempt", "attempt": json.loads(attempt.model_dump_json())})
        counts["attempt"] += 1
    for alert_id, (version, routed_at) in sorted(store.routed_marks().items()):
        _line(fp, {"type": "routed", "alert_id": alert_id, "version": version, "routed_at": routed_at.isoformat()})
        counts["routed"] += 1
    return counts


def _line(fp: IO[str], record: dict[str, Any]) -> None:
    fp.write(json.dumps(record, sort_keys=True) + "\n")


def _restore(store: AlertStore, kind: str | None, record: dict[str, Any], report: ImportReport) -> None:
    if kind == "header":
        if record.get("format") != FORMAT or record.get("version", 0) > FORMAT_VERSION:
            raise ValueError(f"not a {FORMAT} v1–v{FORMAT_VERSION} export (header {record}); a newer "
                             "workbench wrote it — upgrade this one")
    elif kind == "alert":
        outcome = store.restore_alert(Alert.model_validate(record["alert"]), record.get("event_ids", []))
        setattr(report, outcome, getattr(report, outcome) + 1)
    elif kind == "checkpoint":
        store.set_checkpoint(record["rule_id"], parse_time(record["end"]))
        report.checkpoints += 1
    elif kind == "run":
        store.save_run(record["run"])
        report.runs += 1
    elif kind == "delivery":
        report.deliveries[store.restore_delivery(Delivery.model_validate(record["delivery"]))] += 1
    elif kind == "attempt":
        if store.restore_attempt(DeliveryAttempt.model_validate(record["attempt"])):
            report.attempts_added += 1
        else:
            report.attempts_present += 1
    elif kind == "routed":
        at = record.get("routed_at")
        if store.restore_routed(str(record["alert_id"]), record["version"], parse_time(at) if at else None):
            report.routed_moved += 1
        else:
            report.routed_current += 1
    else:
        raise ValueError(f"unknown record type {kind!r} (expected {', '.join(RECORD_TYPES)})")


def import_jsonl(store: AlertStore, fp: IO[str], source: str | None = None) -> ImportReport:
    report = ImportReport()
    where = source or getattr(fp, "name", "<input>")
    for number, raw in enumerate(fp, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            kind = record.get("type") if isinstance(record, dict) else None
            _restore(store, kind, record, report)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            report.errors.append(f"{where}:{number}: {_detail(exc)}")
    return report


def _detail(exc: Exception) -> str:
    """One line naming the bad fields, e.g. `Delivery: kind: Value error, event kind must be ...`."""
    if isinstance(exc, ValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(record)'}: {e['msg']}" for e in exc.errors()]
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return f"{exc.title}: {'; '.join(problems[:3])}{more}"
    if isinstance(exc, KeyError):
        return f"missing field {exc}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
