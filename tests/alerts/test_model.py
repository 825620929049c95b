"""The Alert record and its lifecycle rules, independent of any backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from workbench.alerts import (
    EVIDENCE_ROW_CAP,
    STORES,
    Alert,
    InvalidTransition,
    Severity,
    Status,
    entities,
    get_store,
)
from workbench.alerts.model import TRANSITIONS, check_transition
from workbench.config import ConfigError, load_settings

from .conftest import build_alert


def test_severity_is_ordered_by_rank() -> None:
    assert sorted(["critical", "info", "high", "low", "medium"], key=lambda s: Severity(s).rank) == [
        "info", "low", "medium", "high", "critical"]
    assert Severity.low < Severity.medium <= Severity.medium < Severity.critical
    assert max(Severity.high, Severity.info) == Severity.high


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("new", "acknowledged", True), ("new", "resolved", True), ("acknowledged", "investigating", True),
    ("investigating", "false_positive", True), ("resolved", "new", True), ("false_positive", "new", True),
    ("acknowledged", "new", False), ("investigating", "acknowledged", False), ("resolved", "investigating", False),
    ("false_positive", "resolved", False), ("resolved", "resolved", True),
])
def test_transitions(current: str, target: str, allowed: bool) -> None:
    if allowed:
        check_transition("a", Status(current), Status(target))
    else:
        with pytest.raises(InvalidTransition, match=f"alert 'a' is {current}: cannot move to {target}"):
            check_transition("a", Status(current), Status(target))


def test_every_status_can_eventually_close() -> None:
    for status in Status:
        reachable, frontier = {status}, [status]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()] - reachable:
                reachable.add(nxt)
                frontier.append(nxt)
        assert Status.resolved in reachable


def test_times_become_utc_and_naive_times_are_refused() -> None:
    plus2 = timezone(timedelta(hours=2))
    alert = build_alert(first_seen=datetime(2026, 1, 1, 2, tzinfo=plus2), last_seen=datetime(2026, 1, 1, 3, tzinfo=plus2))
    assert alert.first_seen == datetime(2026, 1, 1, tzinfo=UTC) and alert.first_seen.tzinfo == UTC
    with pytest.raises(ValueError, match="first_seen"):
        build_alert(first_seen=datetime(2026, 1, 1))


def test_evidence_rows_from_a_dataframe_are_capped_and_plain_json() -> None:
    frame = pd.DataFrame({"eventtime": pd.date_range("2026-01-01", periods=80, freq="min", tz="UTC"),
                          "n": np.arange(80, dtype="int64"), "raw": [b"bytes"] * 80})
    alert = build_alert(evidence={"rows": frame.to_dict("records")})
    assert len(alert.evidence.rows) == EVIDENCE_ROW_CAP
    assert alert.evidence.rows[1] == {"eventtime": "2026-01-01T00:01:00+00:00", "n": 1, "raw": "bytes"}
    assert Alert.from_json(alert.to_json()) == alert
    gaps = build_alert(evidence={"rows": [{"t": pd.NaT, "x": np.nan, "n": pd.NA, "i": np.int32(7)}]})
    assert gaps.evidence.rows == [{"t": None, "x": None, "n": None, "i": 7}]


def test_entities_read_group_keys_and_fields() -> None:
    alert = build_alert(group_keys={"useridentity.arn": "arn:aws:iam::1:user/a", "eventname": "X"},
                        fields={"accessKeyId": "AKIA1", "sourceIPAddress": "192.0.2.1", "count": 3})
    assert entities(alert) == {("principal", "arn:aws:iam::1:user/a"), ("accesskey", "AKIA1"),
                               ("ip", "192.0.2.1")}


def test_every_backend_is_reachable_by_name_and_typos_are_named(workspace) -> None:
    assert STORES.names() == ["dynamodb", "sqlite"]
    for name in STORES.names():
        assert STORES.get(name).name == name
    with pytest.raises(ConfigError, match="store.backend: unknown alert store backend 'dynamo' — did you mean 'dynamodb'"):
        get_store(load_settings(workspace, environ={"MANTISSA_STORE__BACKEND": "dynamo"}))
    default = get_store(load_settings(workspace, environ={}))
    assert default.name == "sqlite" and default.path == workspace / "state" / "alerts.sqlite"
    default.close()
