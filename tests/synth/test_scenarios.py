"""Every scenario's ground truth points at records that exist and say what the truth claims."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from workbench.registry import UnknownPluginError
from workbench.synth import DEFAULT_SCENARIOS, SCENARIOS, SynthOutput, generate, load_ground_truth
from workbench.synth.ids import is_attacker_space
from workbench.synth.org import UNUSED_REGIONS

PRIV_ESC = ("CreateUser", "AttachUserPolicy", "PutUserPolicy", "CreateAccessKey", "AddUserToGroup",
            "AttachRolePolicy", "CreateLoginProfile", "UpdateAssumeRolePolicy")


def events_of(out: SynthOutput, name: str) -> list[dict]:
    wanted = set(out.truth.scenario(name).event_ids)
    return [r for r in out.records["cloudtrail"] if r["eventID"] in wanted]


@pytest.mark.parametrize("name", DEFAULT_SCENARIOS, ids=list(DEFAULT_SCENARIOS))
def test_truth_points_at_existing_records(week: SynthOutput, name: str) -> None:
    truth = week.truth.scenario(name)
    assert truth.techniques and all(t.startswith("T1") for t in truth.techniques)
    assert truth.event_ids or truth.flow_count
    recs = events_of(week, name)
    assert len(recs) == len(truth.event_ids) == len(set(truth.event_ids))
    assert week.truth.start <= truth.start <= truth.end < week.truth.end
    finding_ids = {f["id"] for f in week.records["guardduty"]}
    assert set(truth.finding_ids) <= finding_ids
    if truth.first_malicious_call:
        first = next(r for r in recs if r["eventID"] == truth.first_malicious_call.event_id)
        assert first["eventName"] == truth.first_malicious_call.event_name
        assert first["eventTime"] == truth.first_malicious_call.event_time >= truth.start
        # nothing from the attacker's addresses comes before the first malicious call
        assert first["eventTime"] <= min([r["eventTime"] for r in recs if r["sourceIPAddress"] in truth.attacker_ips]
                                         or [first["eventTime"]])
    assert all(is_attacker_space(ip) for ip in truth.attacker_ips)
    compromised = truth.compromised
    if compromised:
        assert any(r["userIdentity"].get("arn") == compromised.arn for r in recs)
    assert truth.answers.get("initial_access_ip") in truth.attacker_ips + [None]


def test_attacker_ips_never_appear_in_background(week: SynthOutput) -> None:
    injected = {e for s in week.truth.scenarios for e in s.event_ids}
    attackers = {ip for s in week.truth.scenarios for ip in s.attacker_ips}
    assert not [r for r in week.records["cloudtrail"] if r["sourceIPAddress"] in attackers
                and r["eventID"] not in injected]
    assert len(attackers) == sum(len(s.attacker_ips) for s in week.truth.scenarios)


def test_leaked_key_recon_escalation_exfiltration(week: SynthOutput) -> None:
    truth = week.truth.scenario("leaked-key")
    recs = events_of(week, "leaked-key")
    assert {r["sourceIPAddress"] for r in recs} == set(truth.attacker_ips)
    names = Counter(r["eventName"] for r in recs)
    assert names["GetCallerIdentity"] >= 1 and sum(n.startswith(("List", "Describe")) for n in names) >= 8
    escalation = [r for r in recs if r["eventSource"] == "iam.amazonaws.com" and r["eventName"] in PRIV_ESC]
    assert [r["eventName"] for r in escalation] == ["CreateUser", "AttachUserPolicy", "CreateAccessKey",
                                                     "CreateLoginProfile"]
    assert escalation[1]["requestParameters"]["policyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert escalation[2]["responseElements"]["accessKey"]["userName"] == truth.answers["backdoor_user"]
    victim = truth.compromised
    assert victim and all(r["userIdentity"]["accessKeyId"] == victim.access_key_id for r in escalation)
    gets = [r for r in recs if r["eventName"] == "GetObject"]
    assert len(gets) >= 100
    assert {r["requestParameters"]["bucketName"] for r in gets} == {truth.answers["exfiltrated_bucket"]}
    assert sum(r["additionalEventData"]["bytesTransferredOut"] for r in gets) > 1_000_000_000


def test_console_brute_force_then_success_without_mfa_then_new_key(week: SynthOutput) -> None:
    truth = week.truth.scenario("console-brute-force")
    recs = sorted(events_of(week, "console-brute-force"), key=lambda r: r["eventTime"])
    logins = [r for r in recs if r["eventName"] == "ConsoleLogin"]
    outcomes = [r["responseElements"]["ConsoleLogin"] for r in logins]
    assert outcomes.count("Failure") >= 20 and outcomes[-1] == "Success" and "Success" not in outcomes[:-1]
    assert logins[-1]["additionalEventData"]["MFAUsed"] == "No"
    assert {r["userIdentity"]["userName"] for r in logins} == {truth.answers["compromised_principal"]}
    key = next(r for r in recs if r["eventName"] == "CreateAccessKey")
    assert key["requestParameters"]["userName"] == truth.answers["persistence_target"]
    assert key["requestParameters"]["userName"] != truth.answers["compromised_principal"]


def test_logging_tampering_and_flows_stop(week: SynthOutput) -> None:
    truth = week.truth.scenario("logging-tampering")
    names = [r["eventName"] for r in events_of(week, "logging-tampering")]
    for call in ("StopLogging", "UpdateTrail", "DeleteDetector", "DeleteFlowLogs", "DeleteTrail"):
        assert call in names, call
    delete = next(r for r in events_of(week, "logging-tampering") if r["eventName"] == "DeleteFlowLogs")
    cutoff = delete["eventTime"]
    dev = week.truth.accounts["dev"]
    from workbench.timewindow import parse_time

    stop = int(parse_time(cutoff).timestamp())
    assert not [f for f in week.records["vpc_flow"] if f["account_id"] == dev and f["start"] >= stop]
    assert truth.answers["flow_log_deleted"] in json.dumps(delete["requestParameters"])


def test_public_bucket_exposed_then_read_anonymously(week: SynthOutput) -> None:
    truth = week.truth.scenario("public-bucket")
    recs = events_of(week, "public-bucket")
    bucket = truth.answers["exposed_bucket"]
    acl = next(r for r in recs if r["eventName"] == "PutBucketAcl")
    assert "http://acs.amazonaws.com/groups/global/AllUsers" in json.dumps(acl["requestParameters"])
    policy = next(r for r in recs if r["eventName"] == "PutBucketPolicy")
    assert policy["requestParameters"]["bucketPolicy"]["Statement"][0]["Principal"] == "*"
    assert any(r["eventName"] == "DeleteBucketPublicAccessBlock" for r in recs)
    anonymous = [r for r in recs if r["userIdentity"].get("accountId") == "anonymous"]
    assert {r["sourceIPAddress"] for r in anonymous} == set(truth.attacker_ips)
    assert {r["requestParameters"]["bucketName"] for r in anonymous} == {bucket}
    assert min(r["eventTime"] for r in anonymous) > policy["eventTime"]


def test_port_scan_in_flows(week: SynthOutput) -> None:
    truth = week.truth.scenario("port-scan")
    scan = [f for f in week.records["vpc_flow"] if f["srcaddr"] == truth.answers["scanner_ip"]]
    assert len(scan) == truth.flow_count
    assert len({f["dstport"] for f in scan}) >= 200
    assert sum(f["action"] == "REJECT" for f in scan) / len(scan) > 0.95
    assert {f["interface_id"] for f in scan} == {truth.answers["target_interface"]}


def test_crypto_mining_and_lateral_movement(week: SynthOutput) -> None:
    runs = [r for r in events_of(week, "crypto-mining") if r["eventName"] == "RunInstances"]
    assert runs and all(r["awsRegion"] in UNUSED_REGIONS for r in runs)
    assert any(r["requestParameters"]["instanceType"].startswith(("p3", "p4d", "g4dn", "g5")) for r in runs)
    lateral = {r["eventName"] for r in events_of(week, "lateral-movement")}
    assert {"SendCommand", "StartSession", "SendSSHPublicKey"} <= lateral


def test_ground_truth_stays_out_of_the_log_data(week: SynthOutput) -> None:
    blob = json.dumps(week.records["cloudtrail"][:20000]) + json.dumps(week.records["guardduty"])
    for marker in ("ground_truth", "leaked-key", "T1078", "scenario"):
        assert marker not in blob


def test_ground_truth_round_trip_and_errors(week: SynthOutput, tmp_path: Path) -> None:
    path = week.truth.write(tmp_path / "ground_truth.json")
    assert load_ground_truth(path) == week.truth
    assert load_ground_truth(tmp_path) == week.truth  # the folder beside the lake works too
    (tmp_path / "bad.json").write_text('{"seed": 1}')
    with pytest.raises(ValueError, match="bad.json"):
        load_ground_truth(tmp_path / "bad.json")
    with pytest.raises(FileNotFoundError, match="mantissa synth"):
        load_ground_truth(tmp_path / "missing.json")
    with pytest.raises(KeyError, match="did you mean 'port-scan'"):
        week.truth.scenario("port-scna")


def test_every_registered_scenario_is_reachable_and_unknown_names_suggest() -> None:
    assert set(DEFAULT_SCENARIOS) == set(SCENARIOS.names())
    with pytest.raises(UnknownPluginError, match="did you mean 'leaked-key'"):
        generate(1, seed=1, end="2026-11-25", scale=0.05, scenarios=["leaked-kye"])
