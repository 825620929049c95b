"""A table written by layout 1 (four ALL-projected GSIs, every alert under kind="alert") is refused
with the command to run, and `migrate_layout` moves it to layout 2 without losing anything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from workbench.alerts import AlertStoreError, get_store
from workbench.alerts.dynamodb_migrate import migrate_layout
from workbench.alerts.filters import ts
from workbench.config import Settings

from .conftest import T0, build_alert, store_settings

_OLD_INDEXES = {"by_kind": "kind", "by_status": "status", "by_severity": "severity", "by_rule": "rule_id"}


def _layout1_table(settings: Settings, n: int) -> None:
    """The table and items exactly as the layout-1 store wrote them."""
    db = boto3.resource("dynamodb", endpoint_url=settings.store.endpoint_url, region_name="us-east-1")
    name = f"{settings.store.table_prefix}alerts"
    db.meta.client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "ts", *_OLD_INDEXES.values())],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": i, "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": a, "KeyType": "HASH"},
                                               {"AttributeName": "ts", "KeyType": "RANGE"}]}
                                for i, a in _OLD_INDEXES.items()])
    table = db.Table(name)
    for i in range(n):
        seen = T0 + timedelta(minutes=i)
        alert = build_alert(f"m{i:03d}", severity=["low", "high"][i % 2], status=["new", "acknowledged"][i % 3 == 0],
                            rule_id=f"r.{i % 3}", first_seen=seen, last_seen=seen, version=1 + i % 2,
                            assignee="bo" if i == 4 else None)
        item = {"pk": f"ALERT#{alert.id}", "sk": "#ALERT", "kind": "alert", "ts": f"{ts(alert.last_seen)}#{alert.id}",
                "status": alert.status.value, "severity": alert.severity.value, "rule_id": alert.rule_id,
                "version": alert.version, "doc": alert.to_json()}
        if alert.assignee:
            item["assignee"] = alert.assignee
        table.put_item(Item=item)
        table.put_item(Item={"pk": f"ALERT#{alert.id}", "sk": f"EVENT#e{i}"})
    table.put_item(Item={"pk": "RUN#run-1", "sk": "#RUN", "kind": "run", "ts": f"{ts(T0)}#run-1",
                         "doc": '{"id": "run-1", "started": "2026-11-28T09:00:00Z"}'})


def test_layout1_table_is_refused_then_migrated(aws_env: str, workspace: Path) -> None:
    settings = store_settings(workspace, "dynamodb", aws_env)
    _layout1_table(settings, 13)
    with pytest.raises(AlertStoreError, match=r"uses alert layout 1.*mantissa alerts migrate-store"):
        get_store(settings)
    messages: list[str] = []
    report = migrate_layout(settings, progress=messages.append)
    assert (report.from_layout, report.alerts) == (1, 13)
    assert sorted(report.deleted_indexes) == ["by_rule", "by_severity", "by_status"]
    assert "q_all" in report.created_indexes and any("creating index" in m for m in messages)
    with get_store(settings) as store:
        assert store.count() == 13 and store.count(status="acknowledged") == 5 and store.count(assignee="bo") == 1
        pages, token = [], None
        while True:
            page = store.list(limit=4, page_token=token)
            pages += [a.id for a in page]
            if not (token := page.next_token):
                break
        assert pages == [f"m{i:03d}" for i in range(12, -1, -1)]
        assert store.event_ids("m004") == {"e4"} and [r["id"] for r in store.list_runs()] == ["run-1"]
        store.acknowledge("m001", "ana")  # version 2 → 3 through the new write path
        assert store.count(status="acknowledged") == 6 and store.get("m001").version == 3
    again = migrate_layout(settings)  # re-running is harmless and recounts
    assert (again.from_layout, again.alerts, again.created_indexes, again.deleted_indexes) == (2, 13, [], [])
    with get_store(settings) as store:
        assert store.count(status="acknowledged") == 6 and store.count() == 13


def test_cli_names_the_migration_and_runs_it(aws_env: str, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from tests.helpers import area_app
    from workbench.cli.alerts import register

    settings = store_settings(workspace, "dynamodb", aws_env)
    _layout1_table(settings, 3)
    for key, value in (("BACKEND", "dynamodb"), ("ENDPOINT_URL", aws_env), ("TABLE_PREFIX", settings.store.table_prefix)):
        monkeypatch.setenv(f"MANTISSA_STORE__{key}", value)
    app, runner = area_app(register), CliRunner()
    refused = runner.invoke(app, ["alerts", "list"])
    assert refused.exit_code == 1 and "run `mantissa alerts migrate-store` once" in refused.stderr
    migrated = runner.invoke(app, ["alerts", "migrate-store"])
    assert migrated.exit_code == 0 and "layout 1 -> 2; 3 alerts rewritten" in migrated.stdout
    listed = runner.invoke(app, ["alerts", "list", "--limit", "2"])
    assert listed.exit_code == 0 and "1-2 of 3" in listed.stdout and "--page-token" in listed.stdout
