"""One store fixture, parametrized over both backends: every test in this folder runs on each."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workbench.alerts import Alert, AlertStore, get_store
from workbench.config import Settings, load_settings

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def store_settings(workspace: Path, backend: str, endpoint: str | None = None) -> Settings:
    environ = {"MANTISSA_STORE__BACKEND": backend}
    if endpoint:
        # A fresh table per test keeps tests independent on the one session-wide moto server.
        environ |= {"MANTISSA_STORE__ENDPOINT_URL": endpoint,
                    "MANTISSA_STORE__TABLE_PREFIX": f"t{uuid.uuid4().hex[:10]}-"}
    return load_settings(workspace, environ=environ)


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend_settings(request: pytest.FixtureRequest, workspace: Path) -> Settings:
    endpoint = request.getfixturevalue("aws_env") if request.param == "dynamodb" else None
    return store_settings(workspace, request.param, endpoint)


@pytest.fixture()
def store(backend_settings: Settings) -> Iterator[AlertStore]:
    with get_store(backend_settings) as opened:
        yield opened


def build_alert(alert_id: str = "a-0001", **overrides: Any) -> Alert:
    """A realistic alert; any field can be overridden."""
    data: dict[str, Any] = {
        "id": alert_id, "rule_id": "aws.console_login_failures", "title": f"Failed logins ({alert_id})",
        "severity": "high", "first_seen": T0, "last_seen": T0 + timedelta(minutes=5),
        "group_keys": {"principal": "arn:aws:iam::111122223333:user/alice"},
        "fields": {"sourceIPAddress": "203.0.113.7"}, "tags": ["attack.t1110"], "account": "111122223333",
        "evidence": {"rows": [{"eventID": "e1", "eventName": "ConsoleLogin"}],
                     "sql": "SELECT eventid FROM cloudtrail", "query_id": "q-1", "bytes_scanned": 1024,
                     "window": {"start": T0, "end": T0 + timedelta(minutes=15)}},
    }
    data.update(overrides)
    return Alert.model_validate(data)


@pytest.fixture()
def make_alert() -> Callable[..., Alert]:
    return build_alert


def aws_credentials(mp: pytest.MonkeyPatch) -> None:
    """The same fake credentials as the `aws_env` fixture, for module-scoped stores."""
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module", params=["sqlite", "dynamodb"])
def module_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 moto_endpoint: str) -> Iterator[AlertStore]:
    """A store shared by the read-only tests of one module (saves creating a table per test)."""
    with pytest.MonkeyPatch.context() as mp:
        aws_credentials(mp)
        endpoint = moto_endpoint if request.param == "dynamodb" else None
        with get_store(store_settings(tmp_path_factory.mktemp("ws"), request.param, endpoint)) as opened:
            yield opened
