"""Backup → restore into an empty workspace loses nothing, compared record by record (the delivery
outbox included: a parked delivery can be redelivered after restore); archives are verified before
anything is written; config secrets never reach the archive."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.ops.conftest import T0, make_alert
from workbench.alerts import AlertStore, get_store
from workbench.backup import BackupError, backup, redact_config, restore
from workbench.cli.alerts import register as register_alerts
from workbench.config import Settings, load_settings
from workbench.history import QueryHistory, QueryRecord
from workbench.routing import deliver
from workbench.schedule import ScheduleState

REPO = Path(__file__).resolve().parents[2]
CONFIG = """\
# a comment that could have held an old token: never copied
engine: local
detection: {interval: 30m}
routing:
  max_attempts: 1
  destinations:
    trail: {type: jsonl, path: state/deliveries.jsonl}
    chat: {type: slack, webhook_url: "${env:OPS_SLACK_URL}", min_severity: high}
  routes:
    - match: {rule_id: "mantissa-*"}
      to: chat
    - to: trail
"""


def populate(ws: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A workspace with something in every part a backup covers."""
    monkeypatch.setenv("OPS_SLACK_URL", "https://hooks.slack.invalid/T000/B000/secret")
    (ws / "mantissa.yaml").write_text(CONFIG)
    (ws / "schedule.yaml").write_text((REPO / "schedule.yaml").read_text())
    rule = next((REPO / "rules" / "aws" / "cloudtrail").glob("*.yaml"))
    (ws / "rules" / "team").mkdir(parents=True)
    shutil.copy(rule, ws / "rules" / "team" / rule.name)
    shutil.copy(REPO / "rules" / "tuning.yaml", ws / "rules" / "tuning.yaml")
    settings = load_settings(ws)
    trail = settings.workspace / "state" / "deliveries.jsonl"
    with get_store(settings) as store:
        for i in range(5):
            if i == 3:
                # The first three alerts reach the trail; then it breaks (a folder where the file
                # should be), so the last two alerts' deliveries park (max_attempts: 1).
                assert deliver(settings, store).sent.delivered == 3  # type: ignore[union-attr]
                trail.rename(trail.with_name("delivered-before-the-break.jsonl"))
                trail.mkdir()
            store.upsert_alert(make_alert(f"a-bk-{i}", last_seen=T0 + timedelta(minutes=i)), [f"e{i}", f"e{i}b"])
        assert deliver(settings, store).sent.parked == 2  # type: ignore[union-attr]
        assert len(store.deliveries(status="parked", limit=None)) == 2
        store.acknowledge("a-bk-1", actor="ana")
        store.add_note("a-bk-1", "looked at it — benign CI key", actor="ana")
        store.set_status("a-bk-2", "false_positive", actor="bo", reason="known scanner")
        store.set_checkpoint("aws.iam.access_key_created", T0 + timedelta(hours=1))
        for i in range(3):
            store.save_run({"id": f"run-{i}", "started": T0 + timedelta(minutes=15 * i), "status": "ok",
                            "window_start": T0, "window_end": T0 + timedelta(minutes=15), "rules_run": 10})
    history = QueryHistory(settings.state / "history.sqlite")
    for i in range(4):
        history.record(QueryRecord(kind="athena", status="ok", sql=f"SELECT {i}", rows=i, user="ana",
                                   bytes_scanned=1000 * i, notes=["n"] if i else []))
    ScheduleState(settings.state).record("detect", last_slot=T0, last_started=T0, last_finished=T0,
                                         last_status="ok")
    (settings.runs / "detect").mkdir(parents=True)
    (settings.runs / "detect" / "detect-20261128T0900Z.ipynb").write_text('{"cells": []}')
    return settings


def store_records(settings: Settings) -> dict[str, Any]:
    with get_store(settings) as store:
        return {"alerts": {i: (json.loads(store.get(i).to_json()), sorted(store.event_ids(i)))
                           for i in sorted(store.all_ids())},
                "checkpoints": store.checkpoints(), "runs": store.list_runs(limit=None),
                "deliveries": {d.id: d.model_dump(mode="json") for d in store.deliveries(limit=None)},
                "attempts": sorted((a.model_dump(mode="json") for a in store.delivery_attempts()),
                                   key=lambda a: (a["at"], a["delivery_id"], a["attempt"])),
                "routed": store.routed_marks()}


def history_rows(settings: Settings) -> list[tuple]:
    con = sqlite3.connect(settings.state / "history.sqlite")
    try:
        return con.execute("SELECT * FROM queries ORDER BY id").fetchall()
    finally:
        con.close()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_workspace(a: Settings, b: Settings) -> None:
    assert store_records(b) == store_records(a)
    assert history_rows(b) == history_rows(a)
    assert files(b.workspace / "rules") == files(a.workspace / "rules")
    assert files(b.runs) == files(a.runs)
    assert (b.state / "schedule.json").read_bytes() == (a.state / "schedule.json").read_bytes()
    assert (b.workspace / "schedule.yaml").read_bytes() == (a.workspace / "schedule.yaml").read_bytes()
    import yaml

    assert yaml.safe_load((b.workspace / "mantissa.yaml").read_text()) == yaml.safe_load(CONFIG)


def test_round_trip_loses_nothing(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = populate(workspace, monkeypatch)
    report = backup(tmp_path / "out" / "b.tar.gz", source)
    assert report.counts == {"rule files": 2, "notebooks": 1, "alerts": 5, "checkpoints": 1, "runs": 3,
                             "deliveries": 5, "delivery attempts": 5, "routed versions": 5,
                             "history rows": 4, "schedule jobs": 1}
    with tarfile.open(report.destination) as tar:
        names = tar.getnames()
        assert names[0] == "manifest.json"
        config = tar.extractfile("config/mantissa.yaml").read().decode()  # type: ignore[union-attr]
    assert "old token" not in config and "${env:OPS_SLACK_URL}" in config

    target = tmp_path / "empty-workspace"
    monkeypatch.delenv("OPS_SLACK_URL")  # another machine: the secret is not there yet
    restored = restore(report.destination, target)
    assert restored.ok, restored.lines()
    assert restored.missing_env == ["OPS_SLACK_URL"] and "OPS_SLACK_URL" in restored.lines()[-1]
    monkeypatch.setenv("OPS_SLACK_URL", "https://hooks.slack.invalid/T000/B000/secret")
    assert "5 created" in restored.alerts
    assert_same_workspace(source, load_settings(target))

    again = restore(report.destination, target)  # idempotent: nothing new, nothing clobbered
    assert again.ok and again.written == {} and "5 unchanged" in again.alerts
    assert "deliveries: 0 created, 0 replaced, 5 unchanged" in again.alerts
    assert store_records(load_settings(target)) == store_records(source)

    # The restored workspace's trail works: the parked deliveries go out, and only those (the three
    # delivered before the backup are not sent twice).
    monkeypatch.setenv("MANTISSA_WORKSPACE", str(target))
    monkeypatch.chdir(target)
    cli = area_app(register_alerts)
    result = CliRunner().invoke(cli, ["alerts", "redeliver", "--all-parked"])
    assert result.exit_code == 0, result.output
    assert "requeued 2 deliveries" in result.output and "0 parked in all" in result.output
    sent = [json.loads(line) for line in (target / "state" / "deliveries.jsonl").read_text().splitlines()]
    assert sorted(d["alert"]["id"] for d in sent if d["event"] == "trigger") == ["a-bk-3", "a-bk-4"]
    with get_store(load_settings(target)) as store:
        triggers = [d for d in store.deliveries(limit=None) if d.kind == "trigger"]
        assert {d.alert_id: d.status.value for d in triggers} == {f"a-bk-{i}": "delivered" for i in range(5)}


def test_round_trip_through_s3(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               aws_env: str) -> None:
    source = populate(workspace, monkeypatch)
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=aws_env)
    bucket = f"backups-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    report = backup(f"s3://{bucket}/mantissa/b.tar.gz", source, s3_client=s3)
    assert report.destination == f"s3://{bucket}/mantissa/b.tar.gz"
    assert s3.head_object(Bucket=bucket, Key="mantissa/b.tar.gz")["ContentLength"] == report.bytes
    target = tmp_path / "from-s3"
    assert restore(f"s3://{bucket}/mantissa/b.tar.gz", target, s3_client=s3).ok
    assert_same_workspace(source, load_settings(target))


def _rewrite(archive: Path, change: dict[str, bytes]) -> None:
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    members.update(change)
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(("change", "message"), [
    ({"store/alerts.jsonl": b'{"type": "header"}\n'}, "'store/alerts.jsonl' is 19 bytes, manifest.json says"),
    ({"rules/extra.yaml": b"id: x\n"}, "member .rules/extra.yaml. is not in manifest.json"),
    ({"../evil": b"x"}, "refusing member"),
], ids=["altered", "added", "escape"])
def test_damaged_archive_writes_nothing(change: dict[str, bytes], message: str, settings: Settings,
                                        store: AlertStore, tmp_path: Path) -> None:
    report = backup(tmp_path / "b.tar.gz", settings)
    _rewrite(Path(report.destination), change)
    target = tmp_path / "target"
    with pytest.raises(BackupError, match=message):
        restore(report.destination, target)
    assert not target.exists()


def test_restore_keeps_a_different_file_unless_forced(workspace: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    source = populate(workspace, monkeypatch)
    archive = backup(tmp_path / "b.tar.gz", source).destination
    target = tmp_path / "busy"
    (target / "rules").mkdir(parents=True)
    (target / "rules" / "tuning.yaml").write_text("# ours\n")
    report = restore(archive, target)
    assert not report.ok and "tuning.yaml differs" in report.conflicts[0]
    assert (target / "rules" / "tuning.yaml").read_text() == "# ours\n"
    assert restore(archive, target, force=True).ok
    assert (target / "rules" / "tuning.yaml").read_bytes() == (workspace / "rules" / "tuning.yaml").read_bytes()


def test_missing_archive_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no such backup archive"):
        restore(tmp_path / "nope.tar.gz", tmp_path / "ws")


@pytest.mark.parametrize(("config", "expected", "redacted"), [
    ({"routing": {"destinations": {"pd": {"type": "pagerduty", "routing_key": "R0ut1ngKey"}}}},
     {"routing": {"destinations": {"pd": {"type": "pagerduty", "routing_key": "${env:PD_ROUTING_KEY}"}}}},
     ["routing.destinations.pd.routing_key → ${env:PD_ROUTING_KEY}"]),
    ({"x": {"webhook_url": "${env:HOOK}", "token": {"secret_env": "T"}, "password": "secretsmanager:p#k"}},
     {"x": {"webhook_url": "${env:HOOK}", "token": {"secret_env": "T"}, "password": "secretsmanager:p#k"}}, []),
    ({"nl": {"api_key_env": "ANTHROPIC_API_KEY", "max_repairs": 2}},
     {"nl": {"api_key_env": "ANTHROPIC_API_KEY", "max_repairs": 2}}, []),
    ({"hooks": [{"url": "https://bot:hunter2@example.org/x"}]},
     {"hooks": [{"url": "${env:HOOKS_URL}"}]}, ["hooks.0.url → ${env:HOOKS_URL}"]),
    ({"athena": {"workgroup": "primary", "endpoint_url": "http://127.0.0.1:5000"}},
     {"athena": {"workgroup": "primary", "endpoint_url": "http://127.0.0.1:5000"}}, []),
    ({"siem": {"url": "https://siem.example.com/in?token=abc123&v=2"}},
     {"siem": {"url": "${env:SIEM_URL}"}}, ["siem.url → ${env:SIEM_URL}"]),
    ({"feed": {"source": "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F"
                         "20261128&X-Amz-Signature=f00d"}},
     {"feed": {"source": "${env:FEED_SOURCE}"}}, ["feed.source → ${env:FEED_SOURCE}"]),
    ({"d": [{"url": "https://hooks.slack.com/services/T0/B0/xyz"}]},
     {"d": [{"url": "${env:D_URL}"}]}, ["d.0.url → ${env:D_URL}"]),
    ({"note": {"text": "post to https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y please"}},
     {"note": {"text": "${env:NOTE_TEXT}"}}, ["note.text → ${env:NOTE_TEXT}"]),
    ({"athena": {"lake_location": "s3://org-security-lake-111122223333/cloudtrail/",
                 "output_location": "s3://results/athena/"}, "routing": {"base_url": "https://wb.example.com/r/"}},
     {"athena": {"lake_location": "s3://org-security-lake-111122223333/cloudtrail/",
                 "output_location": "s3://results/athena/"}, "routing": {"base_url": "https://wb.example.com/r/"}}, []),
], ids=["literal-secret", "references-kept", "variable-names-kept", "url-password", "plain-settings",
        "query-token", "presigned-s3", "slack-path", "teams-in-text", "locations-kept"])
def test_redact_config(config: dict, expected: dict, redacted: list[str]) -> None:
    assert redact_config(config) == (expected, redacted)


def test_backup_without_config_or_history(settings: Settings, store: AlertStore, tmp_path: Path) -> None:
    report = backup(tmp_path, settings)  # a folder: the archive gets a dated name inside it
    assert Path(report.destination).parent == tmp_path and report.destination.endswith(".tar.gz")
    assert report.counts["alerts"] == 1 and "history rows" not in report.counts
    restored = restore(report.destination, tmp_path / "t")
    assert restored.ok and "1 created" in restored.alerts
    assert not (tmp_path / "t" / "mantissa.yaml").exists()
    with get_store(load_settings(tmp_path / "t", environ={})) as target:
        assert target.get("a-ops-1").to_json() == store.get("a-ops-1").to_json()
