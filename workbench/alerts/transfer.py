"""Backup and restore as JSON lines: one record per line, same format for every backend.

    {"type": "header", "format": "mantissa-alerts", "version": 1, "exported_at": "..."}
    {"type": "alert", "alert": {...full Alert...}, "event_ids": ["...", ...]}
    {"type": "checkpoint", "rule_id": "...", "end": "..."}
    {"type": "run", "run": {...run record...}}

Import is idempotent: an alert is created when absent, replaced only by a newer version, event ids
are merged; checkpoints and runs are upserts. A bad line is reported with its number and skipped —
the rest of the file still loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from workbench.alerts.model import Alert, utcnow
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.alerts.base import AlertStore

FORMAT = "mantissa-alerts"
FORMAT_VERSION = 1


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    checkpoints: int = 0
    runs: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"alerts: {self.created} created, {self.replaced} replaced, {self.unchanged} unchanged; "
                f"{self.checkpoints} checkpoints, {self.runs} runs")
        return text + (f"; {len(self.errors)} bad lines skipped" if self.errors else "")


def export_jsonl(store: AlertStore, fp: IO[str]) -> dict[str, int]:
    """Write every alert (with its event ids), checkpoint and run; returns counts per record type."""
    counts = {"alert": 0, "checkpoint": 0, "run": 0}
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
    return counts


def _line(fp: IO[str], record: dict[str, Any]) -> None:
    fp.write(json.dumps(record, sort_keys=True) + "\n")


def import_jsonl(store: AlertStore, fp: IO[str], source: str | None = None) -> ImportReport:
    report = ImportReport()
    where = source or getattr(fp, "name", "<input>")
    for number, raw in enumerate(fp, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            kind = record.get("type") if isinstance(record, dict) else None
            if kind == "header":
                if record.get("format") != FORMAT or record.get("version", 0) > FORMAT_VERSION:
                    raise ValueError(f"not a {FORMAT} v{FORMAT_VERSION} export (header {record})")
            elif kind == "alert":
                outcome = store.restore_alert(Alert.model_validate(record["alert"]), record.get("event_ids", []))
                setattr(report, outcome, getattr(report, outcome) + 1)
            elif kind == "checkpoint":
                store.set_checkpoint(record["rule_id"], parse_time(record["end"]))
                report.checkpoints += 1
            elif kind == "run":
                store.save_run(record["run"])
                report.runs += 1
            else:
                raise ValueError(f"unknown record type {kind!r} (expected header, alert, checkpoint, run)")
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            report.errors.append(f"{where}:{number}: {detail}")
    return report
