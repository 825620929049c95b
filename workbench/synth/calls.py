"""The API calls background activity makes, each with the request/response AWS records for it.

A `Call` knows its event source and name, whether CloudTrail marks it read-only, whether it is a data
event, and builds `requestParameters`, `responseElements`, `resources` and `additionalEventData`
shaped as AWS sends them. The mixes at the bottom weight calls per kind of actor, read-only heavy.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from workbench.synth import ids
from workbench.synth.org import Account

Payload = tuple[dict | None, dict | None, list[dict] | None, dict | None]
Builder = Callable[[random.Random, Account, str], Payload]

OBJECT_PREFIXES = ("exports/2026/", "reports/daily/", "uploads/", "invoices/", "images/", "etl/staging/",
                   "backups/db/", "artifacts/build-")
EXTENSIONS = (".json", ".csv.gz", ".parquet", ".pdf", ".png", ".tar.gz")


@dataclass(frozen=True, slots=True)
class Call:
    source: str
    name: str
    read_only: bool
    build: Builder
    data: bool = False

    @property
    def service(self) -> str:
        return self.source.split(".", 1)[0]


def _none(rng: random.Random, acct: Account, region: str) -> Payload:
    return None, None, None, None


def _params(request: dict | None) -> Builder:
    return lambda rng, acct, region: (request, None, None, None)


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def s3_resources(acct_id: str, bucket: str, key: str | None = None) -> list[dict]:
    out = [] if key is None else [{"type": "AWS::S3::Object", "ARN": f"{bucket_arn(bucket)}/{key}"}]
    return out + [{"accountId": acct_id, "type": "AWS::S3::Bucket", "ARN": bucket_arn(bucket)}]


def s3_additional(rng: random.Random, bytes_in: int = 0, bytes_out: int = 0) -> dict:
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": bytes_in, "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": ids.alnum(rng, 76), "bytesTransferredOut": bytes_out}


def object_key(rng: random.Random) -> str:
    return f"{rng.choice(OBJECT_PREFIXES)}{ids.hexid(rng, 8)}{rng.choice(EXTENSIONS)}"


def _s3_bucket_call(extra: dict) -> Builder:
    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        bucket = rng.choice(acct.buckets)
        req = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", **extra}
        return req, None, s3_resources(acct.id, bucket), s3_additional(rng)
    return build


def _list_buckets(rng: random.Random, acct: Account, region: str) -> Payload:
    return {"Host": f"s3.{region}.amazonaws.com"}, None, None, s3_additional(rng)


def get_object(rng: random.Random, acct: Account, region: str, bucket: str | None = None,
               key: str | None = None, size: int | None = None) -> Payload:
    bucket = bucket or rng.choice(acct.buckets)
    key = key or object_key(rng)
    size = size if size is not None else int(rng.lognormvariate(10, 1.6))
    return ({"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "key": key}, None,
            s3_resources(acct.id, bucket, key), s3_additional(rng, bytes_out=size))


def _put_object(rng: random.Random, acct: Account, region: str) -> Payload:
    bucket, key = rng.choice(acct.buckets), object_key(rng)
    req = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "key": key}
    resp = {"x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id":
                f"arn:aws:kms:{region}:{acct.id}:key/{acct.kms_key_ids[0]}",
            "x-amz-server-side-encryption-bucket-key-enabled": "true"}
    return req, resp, s3_resources(acct.id, bucket, key), s3_additional(rng, bytes_in=int(rng.lognormvariate(9, 1.5)))


def _list_objects(rng: random.Random, acct: Account, region: str) -> Payload:
    bucket = rng.choice(acct.buckets)
    req = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "list-type": "2",
           "prefix": rng.choice(OBJECT_PREFIXES), "delimiter": "/", "encoding-type": "url"}
    return req, None, s3_resources(acct.id, bucket), s3_additional(rng)


def kms_key_arn(acct: Account, region: str, rng: random.Random) -> str:
    return f"arn:aws:kms:{region}:{acct.id}:key/{rng.choice(acct.kms_key_ids)}"


def _kms(with_key: bool, spec: bool = False) -> Builder:
    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        arn = kms_key_arn(acct, region, rng)
        req: dict = {"encryptionContext": {"aws:s3:arn": bucket_arn(rng.choice(acct.buckets))},
                     "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        if with_key:
            req = {"keyId": arn, **req}
        if spec:
            req = {"keyId": arn, "encryptionContext": req["encryptionContext"], "keySpec": "AES_256"}
        return req, None, [{"accountId": acct.id, "type": "AWS::KMS::Key", "ARN": arn}], None
    return build


def _assume_role(rng: random.Random, acct: Account, region: str) -> Payload:
    role = rng.choice(acct.workload_roles)
    session = f"{role.name}-{ids.hexid(rng, 8)}"
    key = ids.access_key_id(rng, temporary=True)
    req = {"roleArn": role.arn, "roleSessionName": session, "durationSeconds": 3600}
    resp = {"credentials": {"accessKeyId": key, "sessionToken": ids.alnum(rng, 64),
                            "expiration": "Dec 31, 2026, 11:59:59 PM"},
            "assumedRoleUser": {"assumedRoleId": f"{role.principal_id}:{session}",
                                "arn": f"arn:aws:sts::{acct.id}:assumed-role/{role.name}/{session}"}}
    return req, resp, [{"accountId": acct.id, "type": "AWS::IAM::Role", "ARN": role.arn}], None


def _pick(attr: str, key: str, extra: dict | None = None) -> Builder:
    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        return {key: rng.choice(getattr(acct, attr)), **(extra or {})}, None, None, None
    return build


def _role_param(key: str = "roleName") -> Builder:
    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        return {key: rng.choice(acct.workload_roles).name}, None, None, None
    return build


def _instances_param(rng: random.Random, acct: Account, region: str) -> Payload:
    inst = rng.choice(acct.instances)
    return {"instancesSet": {"items": [{"instanceId": inst.id}]}}, None, None, None


def _state_change(target: str) -> Builder:
    codes = {"running": (0, "pending", 80, "stopped"), "stopped": (64, "stopping", 16, "running")}

    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        inst = rng.choice(acct.instances)
        now, now_name, prev, prev_name = codes[target]
        resp = {"requestId": ids.uid(rng), "instancesSet": {"items": [{
            "instanceId": inst.id, "currentState": {"code": now, "name": now_name},
            "previousState": {"code": prev, "name": prev_name}}]}}
        return {"instancesSet": {"items": [{"instanceId": inst.id}]}}, resp, None, None
    return build


def _create_tags(rng: random.Random, acct: Account, region: str) -> Payload:
    inst = rng.choice(acct.instances)
    req = {"resourcesSet": {"items": [{"resourceId": inst.id}]},
           "tagSet": {"items": [{"key": rng.choice(("Owner", "CostCenter", "Environment")),
                                 "value": rng.choice(("platform", "data", acct.name))}]}}
    return req, {"requestId": ids.uid(rng), "_return": True}, None, None


def _sg_ingress(rng: random.Random, acct: Account, region: str) -> Payload:
    # Background rules open ports to internal ranges only; opening to 0.0.0.0/0 is left to attacks.
    sg, port = rng.choice(acct.security_groups), rng.choice((5432, 6379, 8080, 443))
    req = {"groupId": sg, "ipPermissions": {"items": [{
        "ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {},
        "ipRanges": {"items": [{"cidrIp": acct.cidr, "description": "internal"}]},
        "ipv6Ranges": {}, "prefixListIds": {}}]}}
    resp = {"requestId": ids.uid(rng), "_return": True, "securityGroupRuleSet": {"items": [{
        "groupOwnerId": acct.id, "groupId": sg, "securityGroupRuleId": ids.resource_id(rng, "sgr"),
        "isEgress": False, "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": acct.cidr}]}}
    return req, resp, None, None


def _filter_logs(rng: random.Random, acct: Account, region: str) -> Payload:
    fn = rng.choice(acct.functions)
    return ({"logGroupName": f"/aws/lambda/{fn}", "startTime": 1764300000000, "interleaved": True},
            None, None, None)


def _change_set(execute: bool) -> Builder:
    def build(rng: random.Random, acct: Account, region: str) -> Payload:
        stack = rng.choice(acct.stacks)
        name = f"deploy-{ids.hexid(rng, 10)}"
        if execute:
            return {"changeSetName": name, "stackName": stack}, None, None, None
        arn = f"arn:aws:cloudformation:{region}:{acct.id}:changeSet/{name}/{ids.uid(rng)}"
        req = {"stackName": stack, "templateURL": f"https://s3.amazonaws.com/{acct.buckets[0]}/cfn/{stack}.yaml",
               "capabilities": ["CAPABILITY_IAM"], "changeSetName": name, "changeSetType": "UPDATE"}
        return req, {"id": arn, "stackId": f"arn:aws:cloudformation:{region}:{acct.id}:stack/{stack}/{ids.uid(rng)}"}, None, None
    return build


def _update_code(rng: random.Random, acct: Account, region: str) -> Payload:
    fn = rng.choice(acct.functions)
    req = {"functionName": fn, "s3Bucket": acct.buckets[0], "s3Key": f"lambda/{fn}-{ids.hexid(rng, 7)}.zip",
           "publish": False, "dryRun": False}
    resp = {"functionName": fn, "functionArn": f"arn:aws:lambda:{region}:{acct.id}:function:{fn}",
            "runtime": "python3.12", "handler": "app.handler", "codeSize": rng.randrange(20_000, 9_000_000),
            "version": "$LATEST", "codeSha256": ids.alnum(rng, 43) + "=", "state": "Active",
            "lastUpdateStatus": "InProgress"}
    return req, resp, None, None


def _lambda_fn(rng: random.Random, acct: Account, region: str) -> Payload:
    return {"functionName": rng.choice(acct.functions)}, None, None, None


def _create_log_stream(rng: random.Random, acct: Account, region: str) -> Payload:
    fn = rng.choice(acct.functions)
    return ({"logGroupName": f"/aws/lambda/{fn}",
             "logStreamName": f"2026/11/28/[$LATEST]{ids.hexid(rng, 32)}"}, None, None, None)


def _ecr_token(rng: random.Random, acct: Account, region: str) -> Payload:
    return {"registryIds": [acct.id]}, None, None, None


def _get_secret(rng: random.Random, acct: Account, region: str) -> Payload:
    secret = rng.choice(acct.secrets)
    return {"secretId": f"arn:aws:secretsmanager:{region}:{acct.id}:secret:{secret}"}, None, None, None


def _metric_data(rng: random.Random, acct: Account, region: str) -> Payload:
    return ({"metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2",
             "metricName": "CPUUtilization"}, "period": 300, "stat": "Average"}}],
             "startTime": "Nov 27, 2026, 12:00:00 PM", "endTime": "Nov 28, 2026, 12:00:00 PM"},
            None, None, None)


EC2, S3, IAM, STS = "ec2.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com"
CALLS: dict[str, Call] = {c.name: c for c in (
    Call(STS, "GetCallerIdentity", True, _none),
    Call(STS, "AssumeRole", True, _assume_role),
    Call(EC2, "DescribeInstances", True, _params({"instancesSet": {}, "filterSet": {}})),
    Call(EC2, "DescribeSecurityGroups", True, _params({"securityGroupSet": {}, "securityGroupIdSet": {},
                                                       "filterSet": {}})),
    Call(EC2, "DescribeVpcs", True, _params({"vpcSet": {}, "filterSet": {}})),
    Call(EC2, "DescribeSubnets", True, _params({"subnetSet": {}, "filterSet": {}})),
    Call(EC2, "DescribeVolumes", True, _params({"volumeSet": {}, "filterSet": {}})),
    Call(EC2, "DescribeRegions", True, _params({"regionSet": {}, "allRegions": False})),
    Call(EC2, "DescribeImages", True, _params({"executableBySet": {}, "imagesSet": {},
                                               "ownersSet": {"items": [{"owner": "self"}]}})),
    Call(EC2, "DescribeTags", True, _params({"filterSet": {"items": [{"name": "resource-id"}]}})),
    Call(EC2, "CreateTags", False, _create_tags),
    Call(EC2, "StartInstances", False, _state_change("running")),
    Call(EC2, "StopInstances", False, _state_change("stopped")),
    Call(EC2, "AuthorizeSecurityGroupIngress", False, _sg_ingress),
    Call(S3, "ListBuckets", True, _list_buckets),
    Call(S3, "GetBucketLocation", True, _s3_bucket_call({"location": ""})),
    Call(S3, "GetBucketPolicy", True, _s3_bucket_call({"policy": ""})),
    Call(S3, "GetBucketAcl", True, _s3_bucket_call({"acl": ""})),
    Call(S3, "GetBucketEncryption", True, _s3_bucket_call({"encryption": ""})),
    Call(S3, "ListObjects", True, _list_objects, data=True),
    Call(S3, "GetObject", True, get_object, data=True),
    Call(S3, "PutObject", False, _put_object, data=True),
    Call(IAM, "ListUsers", True, _none),
    Call(IAM, "ListRoles", True, _none),
    Call(IAM, "GetRole", True, _role_param()),
    Call(IAM, "ListAttachedRolePolicies", True, _role_param()),
    Call(IAM, "ListPolicies", True, _params({"scope": "Local", "onlyAttached": False})),
    Call("lambda.amazonaws.com", "ListFunctions20150331", True, _none),
    Call("lambda.amazonaws.com", "GetFunction20150331v2", True, _lambda_fn),
    Call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", False, _update_code),
    Call("logs.amazonaws.com", "DescribeLogGroups", True, _params({"limit": 50})),
    Call("logs.amazonaws.com", "FilterLogEvents", True, _filter_logs),
    Call("logs.amazonaws.com", "CreateLogStream", False, _create_log_stream),
    Call("monitoring.amazonaws.com", "GetMetricData", True, _metric_data),
    Call("monitoring.amazonaws.com", "DescribeAlarms", True, _params({"maxRecords": 100})),
    Call("cloudformation.amazonaws.com", "DescribeStacks", True, _pick("stacks", "stackName")),
    Call("cloudformation.amazonaws.com", "DescribeStackEvents", True, _pick("stacks", "stackName")),
    Call("cloudformation.amazonaws.com", "ListStacks", True, _none),
    Call("cloudformation.amazonaws.com", "CreateChangeSet", False, _change_set(False)),
    Call("cloudformation.amazonaws.com", "DescribeChangeSet", True, _pick("stacks", "stackName",
                                                                         {"changeSetName": "deploy"})),
    Call("cloudformation.amazonaws.com", "ExecuteChangeSet", False, _change_set(True)),
    Call("kms.amazonaws.com", "Decrypt", True, _kms(False)),
    Call("kms.amazonaws.com", "GenerateDataKey", True, _kms(True, spec=True)),
    Call("kms.amazonaws.com", "ListAliases", True, _none),
    Call("ssm.amazonaws.com", "GetParameter", True, _pick("parameters", "name", {"withDecryption": True})),
    Call("ssm.amazonaws.com", "GetParameters", True,
         lambda rng, a, r: ({"names": rng.sample(a.parameters, 2), "withDecryption": True}, None, None, None)),
    Call("ssm.amazonaws.com", "DescribeInstanceInformation", True, _none),
    Call("secretsmanager.amazonaws.com", "GetSecretValue", True, _get_secret),
    Call("dynamodb.amazonaws.com", "DescribeTable", True, _pick("tables", "tableName")),
    Call("dynamodb.amazonaws.com", "ListTables", True, _none),
    Call("ecr.amazonaws.com", "GetAuthorizationToken", True, _ecr_token),
    Call("ecr.amazonaws.com", "DescribeRepositories", True, _none),
    Call("cloudtrail.amazonaws.com", "LookupEvents", True, _params({"maxResults": 50})),
    Call("cloudtrail.amazonaws.com", "DescribeTrails", True, _params({"includeShadowTrails": True})),
    Call("guardduty.amazonaws.com", "ListDetectors", True, _none),
)}

# Relative weights per actor kind. Read-only calls dominate, as in any real account.
HUMAN_MIX = {
    "GetCallerIdentity": 6, "DescribeInstances": 10, "DescribeSecurityGroups": 5, "DescribeVpcs": 3,
    "DescribeSubnets": 3, "DescribeVolumes": 2, "DescribeRegions": 2, "ListBuckets": 4,
    "GetBucketLocation": 3, "GetBucketPolicy": 1, "GetBucketAcl": 1, "GetBucketEncryption": 1,
    "ListObjects": 5, "GetObject": 6, "PutObject": 2, "ListRoles": 2, "ListUsers": 1, "GetRole": 2,
    "ListAttachedRolePolicies": 1, "ListPolicies": 0.5, "ListFunctions20150331": 3,
    "GetFunction20150331v2": 2, "DescribeLogGroups": 3, "FilterLogEvents": 3, "GetMetricData": 5,
    "DescribeAlarms": 2, "DescribeStacks": 4, "ListStacks": 1, "ListAliases": 1, "Decrypt": 2,
    "GetParameter": 2, "DescribeInstanceInformation": 1, "DescribeTable": 1, "ListTables": 1,
    "DescribeRepositories": 1, "LookupEvents": 0.5, "CreateTags": 0.6, "StartInstances": 0.25,
    "StopInstances": 0.25, "AuthorizeSecurityGroupIngress": 0.1, "GetSecretValue": 0.2,
}
CI_MIX = {
    "GetCallerIdentity": 5, "DescribeStacks": 15, "DescribeStackEvents": 10, "CreateChangeSet": 2,
    "DescribeChangeSet": 4, "ExecuteChangeSet": 2, "PutObject": 6, "GetObject": 4, "ListObjects": 3,
    "GetAuthorizationToken": 2, "UpdateFunctionCode20150331v2": 1, "GetFunction20150331v2": 2,
    "DescribeImages": 2, "GetParameters": 3, "Decrypt": 2,
}
WORKLOAD_MIX = {
    "GetObject": 30, "PutObject": 12, "ListObjects": 4, "Decrypt": 15, "GenerateDataKey": 8,
    "GetParameter": 4, "GetSecretValue": 1, "DescribeTable": 2, "CreateLogStream": 3,
    "GetCallerIdentity": 2, "DescribeTags": 1, "GetAuthorizationToken": 1,
}
CONFIG_MIX = {
    "DescribeInstances": 4, "DescribeSecurityGroups": 4, "DescribeVolumes": 2, "DescribeVpcs": 1,
    "DescribeSubnets": 1, "GetBucketAcl": 3, "GetBucketPolicy": 3, "GetBucketEncryption": 2,
    "GetRole": 2, "ListAttachedRolePolicies": 2,
}


def mix(weights: dict[str, float]) -> tuple[list[Call], list[float]]:
    """Calls and cumulative weights, ready for `random.choices(..., cum_weights=...)`."""
    calls, cum, total = [], [], 0.0
    for name, weight in weights.items():
        total += weight
        calls.append(CALLS[name])
        cum.append(total)
    return calls, cum
