"""Ops fixtures: a workspace with a SQLite alert store holding one real alert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workbench.alerts import Alert, AlertStore, get_store
from workbench.config import Settings, load_settings

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def make_alert(alert_id: str = "a-ops-1", **overrides: Any) -> Alert:
    data: dict[str, Any] = {
        "id": alert_id, "rule_id": "aws.iam.access_key_created", "title": f"Access key created ({alert_id})",
        "severity": "high", "first_seen": T0, "last_seen": T0 + timedelta(minutes=5),
        # moto's default account, the one the tests' credentials act in (cross-account: test_respond.py)
        "group_keys": {"principal": "arn:aws:iam::123456789012:user/build-bot"},
        "fields": {"sourceIPAddress": "203.0.113.7"}, "tags": ["attack.t1098"], "account": "123456789012",
        "evidence": {"rows": [{"eventid": "e1", "eventname": "CreateAccessKey"}], "sql": "SELECT 1"},
    }
    data.update(overrides)
    return Alert.model_validate(data)


@pytest.fixture()
def settings(workspace: Path) -> Settings:
    return load_settings(workspace, environ={})


@pytest.fixture()
def store(settings: Settings) -> Iterator[AlertStore]:
    with get_store(settings) as opened:
        opened.upsert_alert(make_alert(), ["e1"])
        yield opened
