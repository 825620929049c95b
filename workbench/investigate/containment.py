"""Suggested containment steps, as text for a person to weigh. Nothing here acts on AWS: the
containment module (dry-run unless confirmed) comes later and will take these as its input."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from workbench.investigate.subjects import Subjects

_INTERNAL_PREFIXES = ("10.", "192.168.", "127.") + tuple(f"172.{n}." for n in range(16, 32))


@dataclass(frozen=True)
class Step:
    action: str
    why: str
    command: str = ""  # the AWS CLI a responder would run after review; values shell-quoted


def _q(value: str) -> str:
    return shlex.quote(value)


def _fields(alert: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for row in [*alert.evidence.rows[:5], alert.fields, alert.group_keys]:
        merged.update({k: v for k, v in row.items() if isinstance(v, str | int) and str(v)})
    return merged


def suggest(alert: Any, subjects: Subjects) -> list[Step]:
    """Steps in the order a responder takes them: stop the credential, then undo what it changed."""
    steps: list[Step] = []
    f = _fields(alert)
    for key in subjects.access_keys:
        user = next((p.rsplit("/", 1)[-1] for p in subjects.principals if ":user/" in p), None)
        steps.append(Step(f"Deactivate access key {key}", "it signed calls in this alert",
                          f"aws iam update-access-key --access-key-id {_q(key)} --status Inactive"
                          + (f" --user-name {_q(user)}" if user else "")))
    for principal in subjects.principals:
        if ":assumed-role/" in principal:
            role = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
            steps.append(Step(f"Revoke active sessions of role {role}",
                              "temporary credentials stay valid until they expire; revoking denies older sessions",
                              f"IAM console → Roles → {role} → Revoke active sessions (adds AWSRevokeOlderSessions)"))
        elif ":user/" in principal:
            user = principal.rsplit("/", 1)[-1]
            steps.append(Step(f"Disable console access of IAM user {user} and attach a deny-all policy",
                              "stops further use while the account is reviewed",
                              f"aws iam delete-login-profile --user-name {_q(user)}; aws iam attach-user-policy "
                              f"--user-name {_q(user)} --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
        elif principal.endswith(":root"):
            steps.append(Step("Secure the root user", "root has no permission boundary",
                              "rotate the root password, enable MFA, delete any root access keys"))
    if f.get("new_access_key_id"):
        steps.append(Step(f"Deactivate the newly created access key {f['new_access_key_id']}",
                          "a key created by the actor may be its persistence",
                          f"aws iam update-access-key --access-key-id {_q(str(f['new_access_key_id']))} --status Inactive"
                          + (f" --user-name {_q(str(f['target_user']))}" if f.get("target_user") else "")))
    if f.get("new_user"):
        steps.append(Step(f"Disable the new IAM user {f['new_user']}", "a user created by the actor may be persistence",
                          f"aws iam attach-user-policy --user-name {_q(str(f['new_user']))} "
                          "--policy-arn arn:aws:iam::aws:policy/AWSDenyAll"))
    for ip in subjects.ips:
        if not ip.startswith(_INTERNAL_PREFIXES):
            steps.append(Step(f"Block {ip} where it can reach you",
                              "the calls or traffic came from this address",
                              f"add a deny rule for {ip}/32 to the network ACLs and WAF IP sets in scope; "
                              f"an aws:SourceIp deny in an SCP stops API calls from it"))
    for instance in subjects.instances:
        steps.append(Step(f"Isolate instance {instance}", "it is named in the evidence",
                          f"snapshot its volumes first, then: aws ec2 modify-instance-attribute --instance-id "
                          f"{_q(instance)} --groups <quarantine-security-group-id>"))
    steps += _undo_steps(f)
    if not steps:
        steps.append(Step("No automatic suggestion", "the alert names no principal, key, IP or resource "
                          "this module knows how to contain; decide from the evidence"))
    return steps


def _undo_steps(f: dict[str, Any]) -> list[Step]:
    """Reverse the change the alert is about, when its fields say which resource changed."""
    steps = []
    if f.get("group_id"):
        port = f.get("from_port")
        steps.append(Step(f"Revoke the opened ingress on {f['group_id']}",
                          "the rule exposes the port to the internet",
                          f"aws ec2 revoke-security-group-ingress --group-id {_q(str(f['group_id']))} "
                          f"--protocol {_q(str(f.get('ip_protocol') or 'tcp'))}"
                          + (f" --port {_q(str(port))}" if port not in (None, "") else "") + " --cidr 0.0.0.0/0"))
    bucket = f.get("bucket") or f.get("bucket_name")
    if bucket:
        steps.append(Step(f"Restore Block Public Access on bucket {bucket}", "public access was granted or unblocked",
                          f"aws s3api put-public-access-block --bucket {_q(str(bucket))} --public-access-block-"
                          "configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
                          "RestrictPublicBuckets=true"))
    if f.get("trail_name"):
        steps.append(Step(f"Restart logging on trail {f['trail_name']}", "CloudTrail logging was stopped or changed",
                          f"aws cloudtrail start-logging --name {_q(str(f['trail_name']))}"))
    if f.get("detector_id"):
        steps.append(Step("Re-enable GuardDuty in the region", f"detector {f['detector_id']} was deleted or suspended",
                          "aws guardduty create-detector --enable"
                          + (f" --region {_q(str(f['awsregion']))}" if f.get("awsregion") else "")))
    if f.get("flow_log_ids"):
        steps.append(Step("Recreate the deleted VPC flow logs", f"flow logs {f['flow_log_ids']} were deleted",
                          "aws ec2 create-flow-logs … (same VPCs and destination as before)"))
    if f.get("policy_arn") and f.get("target"):
        steps.append(Step(f"Detach {f['policy_arn']} from {f['target']}", "an admin policy was attached",
                          f"aws iam detach-user-policy --user-name {_q(str(f['target']))} "
                          f"--policy-arn {_q(str(f['policy_arn']))}"))
    return steps
