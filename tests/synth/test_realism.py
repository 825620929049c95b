"""Volumes, mixes and rhythms in plausible ranges; records shaped as AWS delivers them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from workbench.synth import SynthOutput
from workbench.synth.flows import COLUMNS
from workbench.synth.rhythm import local


def background(out: SynthOutput) -> list[dict]:
    injected = {e for s in out.truth.scenarios for e in s.event_ids}
    return [r for r in out.records["cloudtrail"] if r["eventID"] not in injected]


def test_weekday_volume_at_scale_one(weekday: SynthOutput) -> None:
    counts = weekday.counts()
    assert 10_000 <= counts["cloudtrail"] <= 20_000
    assert 2_000 <= counts["vpc_flow"] <= 10_000
    assert 1 <= counts["guardduty"] <= 20


def test_read_only_majority_and_low_error_rate(weekday: SynthOutput) -> None:
    recs = background(weekday)
    read_only = sum(r["readOnly"] for r in recs) / len(recs)
    errors = sum("errorCode" in r or "errorMessage" in r for r in recs) / len(recs)
    assert 0.6 < read_only < 0.97
    assert 0.002 < errors < 0.03
    codes = Counter(r.get("errorCode") for r in recs if "errorCode" in r)
    assert {"AccessDenied", "Client.UnauthorizedOperation"} <= set(codes)


def test_office_hours_peak_and_weekend_dip(week: SynthOutput) -> None:
    humans = [r for r in background(week) if "AWSReservedSSO" in r["userIdentity"].get("arn", "")
              or r["userIdentity"]["type"] == "IAMUser"]
    by_hour = Counter(local(datetime.fromisoformat(r["eventTime"].replace("Z", "+00:00"))).hour for r in humans)
    office = sum(by_hour[h] for h in range(10, 16)) / 6
    night = sum(by_hour[h] for h in range(0, 6)) / 6
    assert office > 8 * max(night, 1)
    per_day = Counter(r["eventTime"][:10] for r in background(week))
    weekend = (per_day["2026-11-21"] + per_day["2026-11-22"]) / 2
    weekdays = sum(per_day[f"2026-11-{d}"] for d in range(23, 28)) / 5
    assert weekend < 0.7 * weekdays


def test_identity_and_event_type_mix(weekday: SynthOutput) -> None:
    recs = weekday.records["cloudtrail"]
    assert {"IAMUser", "AssumedRole", "AWSService", "WebIdentityUser"} <= {r["userIdentity"]["type"] for r in recs}
    assert {"AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"} <= {r["eventType"] for r in recs}
    assert any("AWSReservedSSO_" in r["userIdentity"].get("arn", "") for r in recs)
    assert any(r["userIdentity"].get("invokedBy") == "config.amazonaws.com" for r in recs)
    sources = Counter(r["eventSource"] for r in recs)
    for source in ("s3.amazonaws.com", "kms.amazonaws.com", "sts.amazonaws.com", "ec2.amazonaws.com",
                   "iam.amazonaws.com", "lambda.amazonaws.com", "logs.amazonaws.com", "signin.amazonaws.com"):
        assert sources[source] > 0, source
    data = [r for r in recs if r["eventCategory"] == "Data"]
    assert data and all(r["managementEvent"] is False and r["eventSource"] == "s3.amazonaws.com" for r in data)
    gets = [r for r in data if r["eventName"] == "GetObject"]
    assert all(r["additionalEventData"]["bytesTransferredOut"] >= 0 and r["resources"] for r in gets)


def test_console_logins_with_and_without_mfa(week: SynthOutput) -> None:
    logins = [r for r in background(week) if r["eventName"] == "ConsoleLogin"]
    outcomes = Counter(r["responseElements"]["ConsoleLogin"] for r in logins)
    mfa = Counter(r["additionalEventData"]["MFAUsed"] for r in logins)
    assert outcomes["Success"] > outcomes["Failure"] > 0
    assert mfa["Yes"] > 0 and mfa["No"] > 0
    failed = next(r for r in logins if r["responseElements"]["ConsoleLogin"] == "Failure")
    assert failed["errorMessage"] == "Failed authentication" and "errorCode" not in failed


def test_records_carry_the_delivered_fields(weekday: SynthOutput) -> None:
    api = next(r for r in weekday.records["cloudtrail"]
               if r["eventSource"] == "ec2.amazonaws.com" and "tlsDetails" in r)
    for key in ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID",
                "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"):
        assert key in api, key
    assert set(api["tlsDetails"]) == {"tlsVersion", "cipherSuite", "clientProvidedHostHeader"}
    role = next(r for r in weekday.records["cloudtrail"] if r["userIdentity"]["type"] == "AssumedRole")
    assert role["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] in ("true", "false")


def test_flows_are_version_5_with_accept_and_reject(weekday: SynthOutput) -> None:
    rows = weekday.records["vpc_flow"]
    assert all(set(r) == set(COLUMNS) and r["version"] == 5 for r in rows[:500])
    actions = Counter(r["action"] for r in rows)
    assert actions["ACCEPT"] > actions["REJECT"] > 0
    assert {"ingress", "egress"} <= {r["flow_direction"] for r in rows}
    internal = [r for r in rows if r["srcaddr"].startswith("10.") and r["dstaddr"].startswith("10.")]
    assert internal and any(not r["srcaddr"].startswith("10.") for r in rows)


def test_findings_have_the_full_structure(weekday: SynthOutput) -> None:
    for f in weekday.records["guardduty"]:
        for key in ("schemaVersion", "accountId", "region", "partition", "id", "arn", "type", "resource",
                    "service", "severity", "createdAt", "updatedAt", "title", "description"):
            assert key in f, key
        assert f["resource"]["resourceType"] and f["service"]["action"]["actionType"]
        assert {"eventFirstSeen", "eventLastSeen", "count"} <= set(f["service"])
    background_types = {f["type"] for f in weekday.records["guardduty"]
                        if f["id"] not in {i for s in weekday.truth.scenarios for i in s.finding_ids}}
    assert background_types <= {"Recon:EC2/PortProbeUnprotectedPort", "UnauthorizedAccess:EC2/SSHBruteForce"}
