"""Builders for detection tests: CloudTrail records as delivered, a throwaway lake, a real store."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.rules import Rule

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def console_failure(user: str, when: datetime, ip: str = "198.51.100.7") -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": "111122223333",
                         "arn": f"arn:aws:iam::111122223333:user/{user}", "userName": user},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        "errorMessage": "Failed authentication",
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Failure"},
        "additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"},
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{user}{when.isoformat()}{ip}")),
        "readOnly": False,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    }


def api_call(name: str, source: str, when: datetime, user: str = "alice", **extra: Any) -> dict[str, Any]:
    record = console_failure(user, when)
    record.update({"eventSource": source, "eventName": name, "eventType": "AwsApiCall",
                   "errorMessage": None, "responseElements": None, "additionalEventData": None,
                   "userAgent": "aws-cli/2.15.0", "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                                             f"{name}{user}{when}"))})
    record.update(extra)
    return record


BURST_RULE = {
    "id": "console-login-failure-burst",
    "title": "Console login failures for one user",
    "severity": "medium",
    "tags": ["attack.t1110"],
    "query": """
        SELECT eventtime, eventid, useridentity.username AS username, sourceipaddress
        FROM cloudtrail
        WHERE eventname = 'ConsoleLogin'
          AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'
    """,
    "threshold": {"count": 10, "window": "5m", "group_by": ["username"]},
    "alert": {"title": "{count} failed console logins for {username}", "fields": ["username", "sourceipaddress"]},
}

ROOT_RULE = {
    "id": "iam-user-created",
    "title": "IAM user created",
    "severity": "low",
    "query": "SELECT eventtime, eventid, useridentity.arn AS actor FROM cloudtrail WHERE eventname = 'CreateUser'",
    "dedup": {"keys": ["actor"], "period": "1h"},
    "alert": {"title": "{actor} created a user", "fields": ["actor"]},
}


def rule(data: dict[str, Any], **changes: Any) -> Rule:
    return Rule.from_dict({**data, **changes}, source=Path("rules/aws/cloudtrail/x.yaml"))


def burst(user: str, start: datetime, n: int, step: timedelta = timedelta(seconds=20)) -> list[dict[str, Any]]:
    return [console_failure(user, start + i * step) for i in range(n)]


def publisher(lake: Path, double: Any = None) -> Callable[[list[dict[str, Any]]], None]:
    """Deliver CloudTrail records to a test lake as they arrive (and to the Athena double's bucket)."""
    from workbench.lake import write_records

    def publish(records: list[dict[str, Any]]) -> None:
        if records:
            write_records("cloudtrail", records, lake)
            if double is not None:
                double.upload(lake, double.lake_location)

    return publish
