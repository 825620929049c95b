"""Backup and restore: export → import into an empty store gives back every record, field for field."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from workbench.alerts import Alert, AlertStore, get_store

from .conftest import T0, store_settings


def _fill(store: AlertStore, make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert("a1", fields={"sourceIPAddress": "203.0.113.7", "userAgent": "<script>x</script>"}),
                       ["e1", "e2"])
    store.upsert_alert(make_alert("a2", severity="critical"), ["e3"])
    store.upsert_alert(make_alert("a2", last_seen=T0 + timedelta(hours=2)), ["e4"])
    store.add_note("a1", "looks like a spray; ünïcode and \"quotes\"", "ana")
    store.set_status("a2", "false_positive", "bo", reason="scanner")
    store.set_checkpoint("aws.console_login_failures", T0 + timedelta(hours=3))
    store.save_run({"started": T0, "finished": T0 + timedelta(seconds=3), "window_start": T0 - timedelta(minutes=30),
                    "window_end": T0, "rules_run": 2, "rules_failed": [], "alerts_new": 2, "status": "ok"})


def _snapshot(store: AlertStore) -> dict:
    return {
        "alerts": {i: store.get(i) for i in store.all_ids()},
        "events": {i: store.event_ids(i) for i in store.all_ids()},
        "checkpoints": store.checkpoints(),
        "runs": store.list_runs(limit=None),
    }


@pytest.mark.parametrize("target", ["sqlite", "dynamodb"])
def test_round_trip_record_by_record(store: AlertStore, make_alert: Callable[..., Alert], target: str,
                                     tmp_path: Path, request: pytest.FixtureRequest) -> None:
    _fill(store, make_alert)
    buffer = io.StringIO()
    counts = store.export_jsonl(buffer)
    assert counts == {"alert": 2, "checkpoint": 1, "run": 1}
    endpoint = request.getfixturevalue("aws_env") if target == "dynamodb" else None
    with get_store(store_settings(tmp_path / "restored", target, endpoint)) as empty:
        buffer.seek(0)
        report = empty.import_jsonl(buffer)
        assert (report.created, report.checkpoints, report.runs, report.errors) == (2, 1, 1, [])
        before, after = _snapshot(store), _snapshot(empty)
        for alert_id, alert in before["alerts"].items():
            assert after["alerts"][alert_id] == alert  # notes, audit, version, timestamps all equal
        assert after == before
        # Importing the same backup again changes nothing.
        buffer.seek(0)
        again = empty.import_jsonl(buffer)
        assert (again.created, again.replaced, again.unchanged) == (0, 0, 2)
        assert _snapshot(empty) == before


def test_import_replaces_older_versions_only_and_skips_bad_lines(store: AlertStore,
                                                                 make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert("a1"), ["e1"])
    buffer = io.StringIO()
    store.export_jsonl(buffer)
    backup_v1 = buffer.getvalue()
    store.acknowledge("a1", "ana")
    newer = io.StringIO()
    store.export_jsonl(newer)

    # An older backup never overwrites newer work.
    report = store.import_jsonl(io.StringIO(backup_v1))
    assert report.unchanged == 1 and store.get("a1").status.value == "acknowledged"

    lines = newer.getvalue().splitlines()
    broken = "\n".join([lines[0], "{not json", json.dumps({"type": "alert", "alert": {"id": "x"}}),
                        json.dumps({"type": "mystery"}), *lines[1:]]) + "\n"
    fresh = io.StringIO(broken)
    fresh.name = "backup.jsonl"
    store.set_status("a1", "investigating", "ana")
    report = store.import_jsonl(fresh)
    assert [e.split(":")[1] for e in report.errors] == ["2", "3", "4"]
    assert report.errors[0].startswith("backup.jsonl:2: ")
    assert "unknown record type 'mystery'" in report.errors[2]
    assert report.unchanged == 1  # the good lines after the bad ones still loaded
    assert "3 bad lines skipped" in report.summary()
