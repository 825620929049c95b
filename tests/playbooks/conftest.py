"""A tiny lake: two root-account calls (one alert from rules/aws/cloudtrail/root-account-usage.yaml)
and an IAM user's call that no bundled rule matches."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from tests.helpers import area_app

ROOT = {"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root",
        "accountId": "111122223333"}
ALICE = {"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE0001", "userName": "alice",
         "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"}


def event(event_id: str, when: str, source: str, name: str, identity: dict, event_type: str) -> dict:
    return {"eventVersion": "1.08", "userIdentity": identity, "eventTime": when, "eventSource": source,
            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.24",
            "userAgent": "Mozilla/5.0", "requestParameters": None, "responseElements": None,
            "eventID": event_id, "readOnly": False, "eventType": event_type, "managementEvent": True,
            "recipientAccountId": "111122223333", "eventCategory": "Management"}


EVENTS = [
    event("0b7e6a2c-0001-4c1e-9a51-5f3e0c1d2a01", "2026-03-02T09:14:07Z", "signin.amazonaws.com",
          "ConsoleLogin", ROOT, "AwsConsoleSignIn"),
    event("0b7e6a2c-0002-4c1e-9a51-5f3e0c1d2a02", "2026-03-02T09:16:40Z", "iam.amazonaws.com",
          "CreateAccessKey", ROOT, "AwsApiCall"),
    event("0b7e6a2c-0003-4c1e-9a51-5f3e0c1d2a03", "2026-03-02T09:20:00Z", "iam.amazonaws.com",
          "ListUsers", ALICE, "AwsApiCall"),
]


@pytest.fixture()
def lake_workspace(workspace: Path) -> Path:
    from workbench.config import load_settings
    from workbench.lake import write_records

    summary = write_records("cloudtrail", EVENTS, load_settings().lake)
    assert not getattr(summary, "quarantined_total", 0), summary
    return workspace


@pytest.fixture()
def cli() -> typer.Typer:
    """The detect/schedule commands on a fresh app."""
    from workbench.cli.detect import register

    return area_app(register)
