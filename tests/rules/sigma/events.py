"""Realistic CloudTrail records for the Sigma import tests, as CloudTrail delivers them."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT = "111122223333"
_serial = itertools.count(1)

IAM_USER = {"type": "IAMUser", "principalId": "AIDAEXAMPLEDAVE00001",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/dave", "accountId": ACCOUNT,
            "accessKeyId": "AKIAEXAMPLEDAVE00001", "userName": "dave"}
ROOT = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEROOT00001"}
ASSUMED_ROLE = {
    "type": "AssumedRole", "principalId": "AROAEXAMPLEDEPLOY001:ci-session",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ci_deployer/ci-session", "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEDEPLOY001",
    "sessionContext": {
        "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEDEPLOY001",
                          "arn": f"arn:aws:iam::{ACCOUNT}:role/ci_deployer", "accountId": ACCOUNT,
                          "userName": "ci_deployer"},
        "attributes": {"creationDate": "2026-03-09T06:55:00Z", "mfaAuthenticated": "false"}},
}


def identity(name: str) -> dict[str, Any]:
    return {**IAM_USER, "principalId": f"AIDAEXAMPLE{name.upper():0<9}"[:20],
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "userName": name}


def event(source: str, name: str, *, at: datetime | None = None, who: dict[str, Any] | None = None,
          ip: str = "203.0.113.77", request: Any = None, response: Any = None,
          error: str | None = None, **extra: Any) -> dict[str, Any]:
    """One management event; `eventID` is unique, so tests can tell which events alerted."""
    n = next(_serial)
    when = at or datetime(2026, 3, 9, 8, 0, tzinfo=UTC) + timedelta(seconds=n)
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": copy.deepcopy(who or IAM_USER),
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
        "requestParameters": request,
        "responseElements": response,
        "requestID": f"REQ{n:013d}",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = f"User: {record['userIdentity'].get('arn')} is not authorized to perform: {name}"
    record.update(extra)
    return record


def console_login(result: str, *, ip: str = "203.0.113.150", who: dict[str, Any] | None = None,
                  at: datetime | None = None) -> dict[str, Any]:
    who = who or {k: v for k, v in IAM_USER.items() if k != "arn"} | {"accessKeyId": ""}
    record = event("signin.amazonaws.com", "ConsoleLogin", at=at, who=who, ip=ip,
                   response={"ConsoleLogin": result},
                   additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home",
                                        "MobileVersion": "No", "MFAUsed": "No"},
                   eventType="AwsConsoleSignIn", readOnly=False)
    if result == "Failure":
        record["errorMessage"] = "Failed authentication"
    return record
