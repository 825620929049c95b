"""The CloudTrail rule pack as per-event Python functions, the way Panther and StreamAlert run rules.

Each function takes one event (a dict from the lake, JSON documents parsed lazily and at most once
per event — kinder to the loop than a real deployment, which parses every record whole) and
returns how many output rows the rule's SQL would produce for it (0 = no match; rules that
UNNEST a list produce one row per element). The benchmark checks these counts against the SQL
pack's row counts, so the two really do the same work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_MISSING = object()


class Event:
    """One lake row with its JSON documents parsed on first use."""

    __slots__ = ("row", "_req", "_resp")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self._req: Any = _MISSING
        self._resp: Any = _MISSING

    def __getitem__(self, key: str) -> Any:
        return self.row.get(key)

    @property
    def req(self) -> Any:
        if self._req is _MISSING:
            self._req = _loads(self.row.get("requestparameters"))
        return self._req

    @property
    def resp(self) -> Any:
        if self._resp is _MISSING:
            self._resp = _loads(self.row.get("responseelements"))
        return self._resp

    def who(self, field: str) -> Any:
        identity = self.row.get("useridentity")
        return identity.get(field) if identity else None

    def issuer_arn(self) -> Any:
        context = self.who("sessioncontext") or {}
        return (context.get("sessionissuer") or {}).get("arn")


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def path(doc: Any, *keys: str | int) -> Any:
    """json_extract: walk keys/indexes, None when absent."""
    for key in keys:
        if isinstance(key, int):
            doc = doc[key] if isinstance(doc, list) and len(doc) > key else None
        else:
            doc = doc.get(key) if isinstance(doc, dict) else None
        if doc is None:
            return None
    return doc


def scalar(doc: Any, *keys: str | int) -> str | None:
    """json_extract_scalar: a string/number/bool as text, None for objects, arrays and absent."""
    value = path(doc, *keys)
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ok(e: Event, source: str, *names: str) -> bool:
    return e["eventsource"] == source and e["eventname"] in names and e["errorcode"] is None


ADMIN = re.compile(r"arn:aws.*:iam::aws:policy/AdministratorAccess\Z", re.S)
ACL = re.compile(r'"x-amz-acl"\s*:\s*\[?\s*"(public-read|public-read-write|authenticated-read)"')
OPEN = re.compile(r'"cidrIp(v6)?"\s*:\s*"(0\.0\.0\.0/0|::/0)"')
BIG_TYPE = re.compile(r"^(p[0-9]|g[0-9]|dl[0-9]|trn[0-9]|inf[0-9]|f[0-9]|vt[0-9]|x[0-9]|u-|hpc[0-9])")
BIG_SIZE = re.compile(r"\.(metal.*|(2[4-9]|[3-9][0-9]|[0-9]{3})xlarge)$")
PAB = re.compile(r'"(BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)"\s*:\s*"?false')
ALLOW = re.compile(r'"Effect"\s*:\s*"Allow"')
ANY_ACTION = re.compile(r'"Action"\s*:\s*\[?\s*"\*(:\*)?"')
ANY_RESOURCE = re.compile(r'"Resource"\s*:\s*\[?\s*"\*"')
ACCOUNT = re.compile(r'(?:arn:aws[a-z-]*:(?:iam|sts)::|")([0-9]{12})[:"]')
STAR_PRINCIPAL = re.compile(r'"(AWS|Principal)"\s*:\s*(\[[^\]]*)?"\*"')


def logging_tampered(e: Event) -> int:
    return _ok(e, "cloudtrail.amazonaws.com", "StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")


def console_login_failure(e: Event) -> int:
    return (e["eventsource"] == "signin.amazonaws.com" and e["eventname"] == "ConsoleLogin"
            and scalar(e.resp, "ConsoleLogin") == "Failure")


def get_password_data(e: Event) -> int:
    return e["eventsource"] == "ec2.amazonaws.com" and e["eventname"] == "GetPasswordData"


def instance_connect_key(e: Event) -> int:
    return (_ok(e, "ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", "SendSerialConsoleSSHPublicKey")
            and e.who("invokedby") is None)


def serial_console(e: Event) -> int:
    return _ok(e, "ec2.amazonaws.com", "EnableSerialConsoleAccess")


def unusual_instance_type(e: Event) -> int:
    if e["eventsource"] != "ec2.amazonaws.com" or e["eventname"] != "RunInstances":
        return 0
    kind = scalar(e.req, "instanceType") or scalar(e.resp, "instancesSet", "items", 0, "instanceType")
    return kind is not None and bool(BIG_TYPE.search(kind) or BIG_SIZE.search(kind))


def user_data_modified(e: Event) -> int:
    return (_ok(e, "ec2.amazonaws.com", "ModifyInstanceAttribute")
            and (path(e.req, "userData") is not None or scalar(e.req, "attribute") == "userData"))


def detector_deleted(e: Event) -> int:
    return _ok(e, "guardduty.amazonaws.com", "DeleteDetector")


def _for_another_user(e: Event) -> bool:
    target = scalar(e.req, "userName")
    return target is not None and (e.who("type") != "IAMUser" or e.who("username") is None
                                   or target != e.who("username"))


def access_key_for_another(e: Event) -> int:
    return _ok(e, "iam.amazonaws.com", "CreateAccessKey") and _for_another_user(e)


def login_profile_for_another(e: Event) -> int:
    return _ok(e, "iam.amazonaws.com", "CreateLoginProfile", "UpdateLoginProfile") and _for_another_user(e)


def admin_policy(e: Event) -> int:
    if not _ok(e, "iam.amazonaws.com", "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"):
        return 0
    arn = scalar(e.req, "policyArn")
    return arn is not None and bool(ADMIN.match(arn))


def inline_allows_all(e: Event) -> int:
    if not _ok(e, "iam.amazonaws.com", "PutUserPolicy", "PutRolePolicy", "PutGroupPolicy"):
        return 0
    doc = scalar(e.req, "policyDocument")
    return doc is not None and bool(ALLOW.search(doc) and ANY_ACTION.search(doc) and ANY_RESOURCE.search(doc))


def role_trust_external(e: Event) -> int:
    if not _ok(e, "iam.amazonaws.com", "CreateRole", "UpdateAssumeRolePolicy"):
        return 0
    policy = scalar(e.req, "policyDocument") or scalar(e.req, "assumeRolePolicyDocument") or ""
    outside = set(ACCOUNT.findall(policy)) - {e["recipientaccountid"]}
    return bool(outside or STAR_PRINCIPAL.search(policy))


def trust_anchor(e: Event) -> int:
    return (e["eventsource"] == "rolesanywhere.amazonaws.com" and e["errorcode"] is None
            and (e["eventname"] == "CreateTrustAnchor"
                 or (e["eventname"] == "UpdateTrustAnchor" and path(e.req, "source") is not None)))


def root_usage(e: Event) -> int:
    return e.who("type") == "Root" and e.who("invokedby") is None and (
        e["eventtype"] is not None and e["eventtype"] != "AwsServiceEvent")


def bucket_acl_public(e: Event) -> int:
    if not _ok(e, "s3.amazonaws.com", "PutBucketAcl"):
        return 0
    text = e["requestparameters"] or ""
    return ("acs.amazonaws.com/groups/global/AllUsers" in text
            or "acs.amazonaws.com/groups/global/AuthenticatedUsers" in text or bool(ACL.search(text)))


def bucket_policy_public(e: Event) -> int:
    if not _ok(e, "s3.amazonaws.com", "PutBucketPolicy"):
        return 0
    statements = path(e.req, "bucketPolicy", "Statement")
    statements = statements if isinstance(statements, list) else [statements]
    rows = 0
    for stmt in statements:
        if scalar(stmt, "Effect") != "Allow":
            continue
        aws = path(stmt, "Principal", "AWS")
        if (scalar(stmt, "Principal") == "*" or scalar(aws) == "*"
                or (aws is not None and '"*"' in json.dumps(aws))):
            rows += 1
    return rows


def public_access_block(e: Event) -> int:
    if e["eventsource"] != "s3.amazonaws.com" or e["errorcode"] is not None:
        return 0
    name = e["eventname"]
    return name in ("DeleteBucketPublicAccessBlock", "DeleteAccountPublicAccessBlock") or (
        name in ("PutBucketPublicAccessBlock", "PutAccountPublicAccessBlock")
        and bool(PAB.search(e["requestparameters"] or "")))


def secret_values(e: Event) -> int:
    if e["eventsource"] != "secretsmanager.amazonaws.com" or e["eventname"] not in ("GetSecretValue",
                                                                                      "BatchGetSecretValue"):
        return 0
    ids = path(e.req, "secretIdList")
    return len(ids) if isinstance(ids, list) else 1


def ssm_decryption(e: Event) -> int:
    if (e["eventsource"] != "ssm.amazonaws.com"
            or e["eventname"] not in ("GetParameter", "GetParameters", "GetParametersByPath")
            or scalar(e.req, "withDecryption") != "true"):
        return 0
    names = path(e.req, "names")
    return len(names) if isinstance(names, list) else 1


def _ssm(e: Event, name: str) -> int:
    return _ok(e, "ssm.amazonaws.com", name) and e.who("invokedby") is None


def ssm_send_command(e: Event) -> int:
    return _ssm(e, "SendCommand")


def ssm_start_session(e: Event) -> int:
    return _ssm(e, "StartSession")


def federation_token(e: Event) -> int:
    return _ok(e, "sts.amazonaws.com", "GetFederationToken")


def security_group_open(e: Event) -> int:
    return _ok(e, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress") and bool(
        OPEN.search(e["requestparameters"] or ""))


def _new_user_admin_grant(e: Event) -> int:
    """One side of the CreateUser→admin self-join; the loop joins them per account and user."""
    if not _ok(e, "iam.amazonaws.com", "AttachUserPolicy", "AddUserToGroup"):
        return 0
    if e["eventname"] == "AttachUserPolicy":
        return bool(ADMIN.match(scalar(e.req, "policyArn") or "\n"))
    return bool(re.search("(?i)admin", scalar(e.req, "groupName") or ""))


# rule id → per-event function (row count). The self-join rule is evaluated as two per-event
# predicates plus a join over the matches, as a streaming engine keeps state for it.
RULES: dict[str, Callable[[Event], int]] = {
    "cloudtrail-logging-tampered": logging_tampered,
    "console-login-failure-burst": console_login_failure,
    "ec2-get-password-data-burst": get_password_data,
    "ec2-instance-connect-ssh-key-pushed": instance_connect_key,
    "ec2-serial-console-access-enabled": serial_console,
    "ec2-unusual-instance-types-launched": unusual_instance_type,
    "ec2-user-data-modified": user_data_modified,
    "guardduty-detector-deleted": detector_deleted,
    "iam-access-key-created-for-another-user": access_key_for_another,
    "iam-admin-policy-attached": admin_policy,
    "iam-inline-policy-allows-all": inline_allows_all,
    "iam-login-profile-for-another-user": login_profile_for_another,
    "iam-new-user-given-admin": _new_user_admin_grant,
    "iam-role-trust-external-account": role_trust_external,
    "iam-roles-anywhere-trust-anchor-created": trust_anchor,
    "root-account-usage": root_usage,
    "s3-bucket-acl-made-public": bucket_acl_public,
    "s3-bucket-policy-made-public": bucket_policy_public,
    "s3-public-access-block-deleted": public_access_block,
    "secretsmanager-get-secret-value-burst": secret_values,
    "security-group-opened-to-internet": security_group_open,
    "ssm-get-parameters-decryption-burst": ssm_decryption,
    "ssm-send-command": ssm_send_command,
    "ssm-start-session": ssm_start_session,
    "sts-get-federation-token": federation_token,
}

# Rules whose SQL output is not one row per matching event (a join): their counts are not compared.
NOT_COMPARABLE = {"iam-new-user-given-admin"}
