"""`workbench.backtest("rule.yaml", ...)` runs the rule as tuned, like every other consumer."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench
from workbench.config import Settings
from workbench.engines import get_engine
from workbench.lake import write_records
from workbench.rules import RuleLoadError

RULE = """\
id: versioning-suspended-probe
title: Versioning suspended
description: PutBucketVersioning set Suspended, skipping the trusted admin roles.
severity: medium
tags: [attack.t1490]
runbook: Re-enable versioning and ask the bucket owner.
query: |
  SELECT eventtime, eventid, useridentity.sessioncontext.sessionissuer.arn AS role_arn
  FROM cloudtrail
  WHERE eventname = 'PutBucketVersioning'
    AND NOT contains(:trusted_admin_roles, coalesce(useridentity.sessioncontext.sessionissuer.arn, ''))
alert:
  title: "Versioning suspended by {role_arn}"
"""

TUNING = """\
allowlists:
  trusted_admin_roles:
    - arn:aws:iam::111122223333:role/platform-admin
rules:
  versioning-suspended-probe:
    severity: low
"""


def _event(n: int, role: str) -> dict:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole", "principalId": f"AROAEXAMPLE{role.upper()[:8]}:ops",
            "arn": f"arn:aws:sts::111122223333:assumed-role/{role}/ops", "accountId": "111122223333",
            "accessKeyId": f"ASIAEXAMPLE{n:09d}",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROAEXAMPLE{role.upper()[:8]}",
                                                 "arn": f"arn:aws:iam::111122223333:role/{role}",
                                                 "accountId": "111122223333", "userName": role},
                               "attributes": {"creationDate": "2026-03-13T09:00:00Z", "mfaAuthenticated": "true"}},
        },
        "eventTime": f"2026-03-13T10:0{n}:00Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketVersioning",
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.23", "userAgent": "aws-cli/2.15.30",
        "requestParameters": {"bucketName": "acme-backups", "versioning": "",
                              "VersioningConfiguration": {"Status": "Suspended"}},
        "responseElements": None, "eventID": f"6f1d2c3b-0000-4000-8000-00000000000{n}", "readOnly": False,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    }


@pytest.fixture()
def rule_folder(workspace: Path) -> Path:
    (workspace / "mantissa.yaml").write_text("{}\n", encoding="utf-8")
    folder = workspace / "rules"
    folder.mkdir()
    (folder / "probe.yaml").write_text(RULE, encoding="utf-8")
    (folder / "tuning.yaml").write_text(TUNING, encoding="utf-8")
    return folder


def test_backtest_from_a_path_binds_the_allowlist_of_the_nearest_tuning_file(rule_folder: Path) -> None:
    settings = Settings(workspace=rule_folder.parent)
    write_records("cloudtrail", [_event(1, "platform-admin"), _event(2, "WebTeam")], settings.lake)
    with get_engine("local", settings) as engine:
        result = workbench.backtest(rule_folder / "probe.yaml", "2026-03-13T09:00:00Z", "2026-03-13T12:00:00Z",
                                    engine=engine)
    rows = result.result.frame
    assert list(rows["role_arn"]) == ["arn:aws:iam::111122223333:role/WebTeam"]


def test_backtest_from_a_broken_path_raises_with_the_file_and_line(rule_folder: Path) -> None:
    broken = rule_folder / "broken.yaml"
    broken.write_text(RULE.replace("severity: medium", "severity: urgent"), encoding="utf-8")
    with pytest.raises(RuleLoadError) as caught:
        workbench.backtest(broken, "2026-03-13T09:00:00Z", "2026-03-13T12:00:00Z")
    assert "broken.yaml:4" in str(caught.value)
