"""The rest of the CloudTrail pack as per-event Python, and every threshold rule's group key.

`MORE`: rule id → per-event function returning the SQL rule's row count for the event, as in
_python_rules.py. `KEYED`: threshold rule id → function returning, for each output row the SQL
would produce for the event, (group key, distinct value); the loop feeds these to per-group
sliding windows (deques), the way a streaming rule engine keeps threshold state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from _python_rules import OPEN, Event, _ok, path, scalar

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation",
          "UnauthorizedAccess", "Forbidden"}
RECON = re.compile(r"^(List|Describe|Get)")
LAMBDA = re.compile(r"^(UpdateFunctionCode|UpdateFunctionConfiguration|AddPermission|AddLayerVersionPermission"
                    r"|PublishLayerVersion)[0-9v]*$")
DISABLED = re.compile(r'"(status|Status)"\s*:\s*"DISABLED"')
USER_ID = re.compile(r'"userId"\s*:\s*"([0-9]{12})"')
ALL = re.compile(r'"group"\s*:\s*"all"')
Key = tuple[tuple[Any, ...], Any]


def _login(e: Event) -> bool:
    return e["eventsource"] == "signin.amazonaws.com" and e["eventname"] == "ConsoleLogin"


def _console_principal(e: Event) -> Any:
    return e.who("username") or e.who("arn") or e.who("principalid")


def bedrock(e: Event) -> int:
    return (e["eventsource"] == "bedrock.amazonaws.com" and e["eventname"] in (
        "InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream")
        and (e.who("accesskeyid") or "").startswith("AKIA"))


def config_stopped(e: Event) -> int:
    return _ok(e, "config.amazonaws.com", "StopConfigurationRecorder", "DeleteConfigurationRecorder",
               "DeleteDeliveryChannel")


def config_rule_deleted(e: Event) -> int:
    return _ok(e, "config.amazonaws.com", "DeleteConfigRule", "DeleteConformancePack",
               "DeleteOrganizationConfigRule", "DeleteOrganizationConformancePack") and e.who("invokedby") is None


def login_without_mfa(e: Event) -> int:
    if not _login(e) or e.who("type") != "IAMUser" or scalar(e.resp, "ConsoleLogin") != "Success":
        return 0
    extra = _loads(e["additionaleventdata"])
    return scalar(extra, "MFAUsed") == "No" and scalar(extra, "SamlProviderArn") is None


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def ebs_encryption(e: Event) -> int:
    return _ok(e, "ec2.amazonaws.com", "DisableEbsEncryptionByDefault")


def snapshot_shared(e: Event) -> int:
    if not _ok(e, "ec2.amazonaws.com", "ModifySnapshotAttribute", "ModifyImageAttribute"):
        return 0
    added = path(e.req, "createVolumePermission", "add") or path(e.req, "launchPermission", "add")
    text = json.dumps(added, separators=(",", ":")) if added is not None else ""
    outside = set(USER_ID.findall(text)) - {e["recipientaccountid"]}
    return bool(outside or ALL.search(text))


def detector_updated(e: Event) -> int:
    if e["eventsource"] != "guardduty.amazonaws.com" or e["errorcode"] is not None:
        return 0
    name = e["eventname"]
    return name in ("DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount", "DisassociateMembers",
                    "DeleteMembers", "StopMonitoringMembers", "DeletePublishingDestination") or (
        name in ("UpdateDetector", "UpdateMemberDetectors")
        and (scalar(e.req, "enable") == "false" or bool(DISABLED.search(e["requestparameters"] or ""))))


def findings_suppressed(e: Event) -> int:
    return (_ok(e, "guardduty.amazonaws.com", "CreateFilter", "UpdateFilter")
            and (scalar(e.req, "action") or "").upper() == "ARCHIVE")


def kms_disabled(e: Event) -> int:
    return _ok(e, "kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion")


def lambda_by_human(e: Event) -> int:
    if (e["eventsource"] != "lambda.amazonaws.com" or e["errorcode"] is not None or e.who("invokedby") is not None
            or not LAMBDA.search(e["eventname"] or "")):
        return 0
    issuer = ((e.who("sessioncontext") or {}).get("sessionissuer") or {}).get("username") or ""
    return (e.who("type") in ("IAMUser", "Root", "FederatedUser") or issuer.startswith("AWSReservedSSO_")
            or e["sessioncredentialfromconsole"] == "true")


def organizations_leave(e: Event) -> int:
    return e["eventsource"] == "organizations.amazonaws.com" and e["eventname"] in (
        "LeaveOrganization", "RemoveAccountFromOrganization")


def rds_snapshot_shared(e: Event) -> int:
    if (not _ok(e, "rds.amazonaws.com", "ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute")
            or scalar(e.req, "attributeName") != "restore"):
        return 0
    values = path(e.req, "valuesToAdd")
    return isinstance(values, list) and bool({str(v) for v in values} - {e["recipientaccountid"]})


def route53_logging(e: Event) -> int:
    return _ok(e, "route53resolver.amazonaws.com", "DeleteResolverQueryLogConfig",
               "DisassociateResolverQueryLogConfig")


def lifecycle_expiry(e: Event) -> int:
    if not _ok(e, "s3.amazonaws.com", "PutBucketLifecycle"):
        return 0
    rules = path(e.req, "LifecycleConfiguration", "Rule")
    rows = 0
    for rule in rules if isinstance(rules, list) else [rules]:
        if scalar(rule, "Status") != "Enabled":
            continue
        if (_int(scalar(rule, "Expiration", "Days")) < 365 or scalar(rule, "Expiration", "Date") is not None  # noqa: PLR2004
                or _int(scalar(rule, "NoncurrentVersionExpiration", "NoncurrentDays")) < 365):  # noqa: PLR2004
            rows += 1
    return rows


def _int(text: str | None) -> float:
    try:
        return int(text) if text is not None else float("inf")
    except ValueError:
        return float("inf")


def versioning_suspended(e: Event) -> int:
    return (_ok(e, "s3.amazonaws.com", "PutBucketVersioning")
            and scalar(e.req, "VersioningConfiguration", "Status") == "Suspended")


def admin_ports(e: Event) -> int:
    if not _ok(e, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"):
        return 0
    perms = path(e.req, "ipPermissions", "items")
    rows = 0
    for perm in perms if isinstance(perms, list) else []:
        if not OPEN.search(json.dumps(perm, separators=(",", ":"))):
            continue
        proto = scalar(perm, "ipProtocol")
        low, high = _int(scalar(perm, "fromPort")), _int(scalar(perm, "toPort"))
        if proto == "-1" or (proto in ("tcp", "6") and any(low <= p <= high for p in (22, 3389))):
            rows += 1
    return rows


def securityhub_disabled(e: Event) -> int:
    return _ok(e, "securityhub.amazonaws.com", "DisableSecurityHub", "BatchDisableStandards",
               "DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount")


def flow_logs_deleted(e: Event) -> int:
    return _ok(e, "ec2.amazonaws.com", "DeleteFlowLogs")


MORE: dict[str, Callable[[Event], int]] = {
    "bedrock-invocation-with-long-term-key": bedrock,
    "config-recorder-stopped": config_stopped,
    "config-rule-deleted": config_rule_deleted,
    "console-login-without-mfa": login_without_mfa,
    "ebs-default-encryption-disabled": ebs_encryption,
    "ec2-snapshot-or-ami-shared": snapshot_shared,
    "guardduty-detector-updated": detector_updated,
    "guardduty-findings-suppressed": findings_suppressed,
    "kms-key-disabled-or-scheduled-deletion": kms_disabled,
    "lambda-changed-by-human": lambda_by_human,
    "organizations-leave": organizations_leave,
    "rds-snapshot-shared": rds_snapshot_shared,
    "route53-resolver-query-logging-deleted": route53_logging,
    "s3-lifecycle-expiry-added": lifecycle_expiry,
    "s3-versioning-suspended": versioning_suspended,
    "security-group-opened-admin-ports": admin_ports,
    "securityhub-disabled": securityhub_disabled,
    "vpc-flow-logs-deleted": flow_logs_deleted,
}


# -- threshold rules: (group key, distinct value) per output row ---------------------------------


def k_access_denied(e: Event) -> list[Key]:
    code = e["errorcode"]
    if (code is None or not (code in DENIED or code.endswith("UnauthorizedOperation"))
            or e.who("invokedby") is not None or e.who("arn") is None):
        return []
    return [((e["recipientaccountid"], e.who("arn")), e["eventname"])]


def k_recon(e: Event) -> list[Key]:
    if (e["managementevent"] != "true" or e.who("invokedby") is not None or e.who("arn") is None
            or (e["sessioncredentialfromconsole"] or "false") == "true" or not RECON.search(e["eventname"] or "")):
        return []
    return [((e["recipientaccountid"], e.who("arn")), e["eventname"])]


def k_getobject(e: Event) -> list[Key]:
    if e["eventname"] != "GetObject" or not _ok(e, "s3.amazonaws.com", "GetObject") or e.who("invokedby") is not None:
        return []
    arn = e.who("arn")
    return [((arn if arn is not None else f"anonymous@{e['sourceipaddress']}", scalar(e.req, "bucketName")), None)]


def _failure(e: Event) -> bool:
    return _login(e) and scalar(e.resp, "ConsoleLogin") == "Failure"


def k_login_failures(e: Event) -> list[Key]:
    return [((e["recipientaccountid"], _console_principal(e)), None)] if _failure(e) else []


def k_login_failures_ip(e: Event) -> list[Key]:
    return [((e["sourceipaddress"],), None)] if _failure(e) else []


def k_password_data(e: Event) -> list[Key]:
    if e["eventsource"] != "ec2.amazonaws.com" or e["eventname"] != "GetPasswordData":
        return []
    return [((e["recipientaccountid"], e.who("arn")), scalar(e.req, "instanceId"))]


def _listed(e: Event, list_key: str, fallbacks: list[Any]) -> list[Any]:
    values = path(e.req, list_key)
    if isinstance(values, list):
        return [v if isinstance(v, str) else json.dumps(v) for v in values]
    return [next((f for f in fallbacks if f is not None), "unspecified")]


def k_secrets(e: Event) -> list[Key]:
    if e["eventsource"] != "secretsmanager.amazonaws.com" or e["eventname"] not in ("GetSecretValue",
                                                                                      "BatchGetSecretValue"):
        return []
    filters = path(e.req, "filters")
    ids = _listed(e, "secretIdList", [scalar(e.req, "secretId"),
                                      json.dumps(filters, separators=(",", ":")) if filters is not None else None])
    return [((e["recipientaccountid"], e.who("arn")), v) for v in ids]


def k_parameters(e: Event) -> list[Key]:
    if (e["eventsource"] != "ssm.amazonaws.com"
            or e["eventname"] not in ("GetParameter", "GetParameters", "GetParametersByPath")
            or scalar(e.req, "withDecryption") != "true"):
        return []
    names = _listed(e, "names", [scalar(e.req, "name"), scalar(e.req, "path")])
    return [((e["recipientaccountid"], e.who("arn")), v) for v in names]


KEYED: dict[str, Callable[[Event], list[Key]]] = {
    "access-denied-burst": k_access_denied,
    "recon-burst": k_recon,
    "s3-getobject-burst": k_getobject,
    "console-login-failure-burst": k_login_failures,
    "console-login-failure-burst-per-ip": k_login_failures_ip,
    "ec2-get-password-data-burst": k_password_data,
    "secretsmanager-get-secret-value-burst": k_secrets,
    "ssm-get-parameters-decryption-burst": k_parameters,
}
# console-success-after-failures (a success after five failures of one principal) keeps its own
# per-principal state in the loop; iam-new-user-given-admin is a join (see _python_rules.py).
