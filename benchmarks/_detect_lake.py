"""A synthetic CloudTrail lake for the detection benchmark, built column-wise so 10M events take
minutes, not hours.

The mix is what a busy AWS organisation's trail looks like to the rule pack: mostly read-only API
calls from roles and services (S3, EC2, STS, KMS, IAM reads), a few per cent AccessDenied, console
logins that mostly succeed — and, rarely, the events the pack hunts for (trail tampering, a
GuardDuty detector deleted, an admin policy attached, a public bucket ACL or policy, a security
group opened to the world, root usage, a burst of failed console logins), each beside near misses
that must *not* match (the same call with an error, a non-admin policy, a private ACL, root invoked
by a service). Files are written the way `workbench.lake` writes them (zstd, 128Ki-row row groups,
at most 250k rows a file, `cloudtrail/year=/month=/day=/`), each file's rows in the lake's order
(`workbench.lake.writer.SORT_KEYS`: by eventsource, eventname, then time).

Same N and seed → the same lake; `cached_lake()` builds it once under benchmarks/out/.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.catalog import arrow_schema, get_table
from workbench.lake.writer import sorted_for_lake

START = datetime(2024, 3, 4, tzinfo=UTC)
DAYS = 7
FILE_ROWS = 250_000
LAYOUT = "by-source"  # names the cached lake: a change of the writer's row order builds anew
ROW_GROUP = 128 * 1024
ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"]
REGIONS = ["us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/s3.ls",
    "Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.6",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.4",
    "aws-internal/3 aws-sdk-java/1.12.655 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.402-b08",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122",
    "Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
]

# Background calls: (weight, eventSource, eventName, readOnly, eventType, parameter maker index).
BACKGROUND = [
    (30, "s3.amazonaws.com", "GetObject", "true", "AwsApiCall", "object"),
    (12, "s3.amazonaws.com", "PutObject", "false", "AwsApiCall", "object"),
    (6, "s3.amazonaws.com", "ListObjects", "true", "AwsApiCall", "prefix"),
    (1, "s3.amazonaws.com", "GetBucketAcl", "true", "AwsApiCall", "bucket"),
    (10, "kms.amazonaws.com", "Decrypt", "true", "AwsApiCall", "kms"),
    (4, "kms.amazonaws.com", "GenerateDataKey", "true", "AwsApiCall", "kms"),
    (8, "sts.amazonaws.com", "AssumeRole", "true", "AwsApiCall", "role"),
    (3, "sts.amazonaws.com", "GetCallerIdentity", "true", "AwsApiCall", None),
    (6, "ec2.amazonaws.com", "DescribeInstances", "true", "AwsApiCall", "instances"),
    (2, "ec2.amazonaws.com", "DescribeSecurityGroups", "true", "AwsApiCall", "groups"),
    (1, "ec2.amazonaws.com", "RunInstances", "false", "AwsApiCall", "instances"),
    (2, "iam.amazonaws.com", "GetRole", "true", "AwsApiCall", "iamrole"),
    (1, "iam.amazonaws.com", "ListPolicies", "true", "AwsApiCall", None),
    (3, "lambda.amazonaws.com", "Invoke", "false", "AwsApiCall", "function"),
    (2, "logs.amazonaws.com", "PutLogEvents", "false", "AwsApiCall", "loggroup"),
    (2, "dynamodb.amazonaws.com", "GetItem", "true", "AwsApiCall", "ddb"),
    (1, "cloudtrail.amazonaws.com", "LookupEvents", "true", "AwsApiCall", None),
    (1, "cloudtrail.amazonaws.com", "DescribeTrails", "true", "AwsApiCall", None),
    (1, "guardduty.amazonaws.com", "ListDetectors", "true", "AwsApiCall", None),
    (1, "signin.amazonaws.com", "ConsoleLogin", "false", "AwsConsoleSignIn", None),
    (1, "kms.amazonaws.com", "Decrypt", "true", "AwsServiceEvent", "kms"),
    (1, "secretsmanager.amazonaws.com", "GetSecretValue", "true", "AwsApiCall", "secret"),
    (1, "ssm.amazonaws.com", "GetParameter", "true", "AwsApiCall", "parameter"),
    (1, "ec2.amazonaws.com", "ModifyInstanceAttribute", "false", "AwsApiCall", "attribute"),
    (1, "iam.amazonaws.com", "CreateRole", "false", "AwsApiCall", "trust"),
]

POOL = 20_000  # distinct request documents per call: real trails repeat themselves a lot


def _params(kind: str | None, rng: np.random.Generator) -> str | None:
    """One request document of `kind`, as the lake stores it (compact JSON text)."""
    n = int(rng.integers(1_000_000))
    docs = {
        None: None,
        "object": {"bucketName": f"data-lake-{n % 40}", "key": f"raw/{n % 977}/part-{n:07d}.parquet",
                   "Host": f"data-lake-{n % 40}.s3.us-east-1.amazonaws.com"},
        "prefix": {"bucketName": f"data-lake-{n % 40}", "prefix": f"raw/{n % 977}/", "list-type": "2"},
        "bucket": {"bucketName": f"data-lake-{n % 40}", "acl": ""},
        "kms": {"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::data-lake-{n % 40}/raw/{n}"},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        "role": {"roleArn": f"arn:aws:iam::{ACCOUNTS[n % 4]}:role/svc-{n % 60}",
                 "roleSessionName": f"session-{n % 5000}", "durationSeconds": 3600},
        "instances": {"instancesSet": {"items": [{"instanceId": f"i-{n:017x}"}]}, "filterSet": {}},
        "groups": {"securityGroupIdSet": {"items": [{"groupId": f"sg-{n:017x}"}]}},
        "iamrole": {"roleName": f"svc-{n % 60}"},
        "function": {"functionName": f"arn:aws:lambda:us-east-1:{ACCOUNTS[n % 4]}:function:fn-{n % 80}",
                     "invocationType": "RequestResponse"},
        "loggroup": {"logGroupName": f"/aws/lambda/fn-{n % 80}", "logStreamName": f"2024/03/04/[$LATEST]{n:032x}"},
        "ddb": {"tableName": f"table-{n % 25}", "key": {"pk": {"S": f"user#{n}"}}},
        "secret": {"secretId": f"prod/app-{n % 30}/db"},
        "parameter": {"name": f"/app/{n % 50}/config", "withDecryption": n % 3 == 0},
        "attribute": {"instanceId": f"i-{n:017x}", "disableApiTermination": {"value": n % 2 == 0}},
        "trust": {"roleName": f"svc-new-{n % 300}", "assumeRolePolicyDocument": json.dumps(
            {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]})},
    }
    doc = docs[kind]
    return None if doc is None else json.dumps(doc, separators=(",", ":"))


def _identities(rng: np.random.Generator) -> list[dict]:
    """IAM users, assumed roles and AWS services; root is injected separately."""
    out: list[dict] = []
    for i in range(400):
        account = ACCOUNTS[i % 4]
        kind = rng.choice(["IAMUser", "AssumedRole", "AssumedRole", "AssumedRole", "AWSService"])
        if kind == "IAMUser":
            name = f"user-{i}"
            out.append({"type": "IAMUser", "principalid": f"AIDA{i:016d}", "arn": f"arn:aws:iam::{account}:user/{name}",
                        "accountid": account, "accesskeyid": f"AKIA{i:016d}", "username": name})
        elif kind == "AssumedRole":
            role = f"svc-{i % 60}"
            out.append({"type": "AssumedRole", "principalid": f"AROA{i:016d}:session-{i}",
                        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/session-{i}",
                        "accountid": account, "accesskeyid": f"ASIA{i:016d}",
                        "sessioncontext": {"attributes": {"mfaauthenticated": "false",
                                                          "creationdate": "2024-03-04T00:00:00Z"},
                                           "sessionissuer": {"type": "Role", "principalid": f"AROA{i:016d}",
                                                             "arn": f"arn:aws:iam::{account}:role/{role}",
                                                             "accountid": account, "username": role}}})
        else:
            out.append({"type": "AWSService", "invokedby": rng.choice(
                ["lambda.amazonaws.com", "cloudformation.amazonaws.com", "autoscaling.amazonaws.com"])})
    return out


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """`n` random UUID strings, built as bytes without a Python loop."""
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    raw = hexdigits[rng.integers(0, 16, size=(n, 36), dtype=np.uint8)]
    raw[:, [8, 13, 18, 23]] = ord("-")
    return pa.array(raw.view("S36").ravel(), type=pa.binary(36)).cast(pa.string())


@dataclass
class Special:
    """One injected event: a column → value override on a background row."""

    values: dict


def _specials(rng: np.random.Generator, n: int) -> list[Special]:
    """The events the pack looks for, with near misses, about one in 20k events in all."""
    def call(source: str, name: str, params: dict | None, **extra: object) -> Special:
        return Special({"eventsource": source, "eventname": name, "readonly": "false",
                        "requestparameters": None if params is None else json.dumps(params), **extra})

    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    public_acl = {"bucketName": "exfil-drop", "AccessControlPolicy": {"AccessControlList": {"Grant": [
        {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}}
    public_policy = {"bucketName": "exfil-drop", "bucketPolicy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exfil-drop/*"}]}}
    private_policy = {"bucketName": "logs", "bucketPolicy": {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*"}]}}
    open_sg = {"groupId": "sg-0123", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
               "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}
    closed_sg = {"groupId": "sg-0456", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                 "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}}
    denied = {"errorcode": "AccessDenied", "errormessage": "not authorized"}
    root = {"type": "Root", "principalid": "111111111111", "arn": "arn:aws:iam::111111111111:root",
            "accountid": "111111111111"}
    kinds = [
        call("cloudtrail.amazonaws.com", "StopLogging", {"name": "org-trail"}),
        call("cloudtrail.amazonaws.com", "DeleteTrail", {"name": "org-trail"}, **denied),
        call("guardduty.amazonaws.com", "DeleteDetector", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}),
        call("iam.amazonaws.com", "AttachUserPolicy", {"userName": "mallory", "policyArn": admin}),
        call("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "svc-1", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        call("s3.amazonaws.com", "PutBucketAcl", public_acl),
        call("s3.amazonaws.com", "PutBucketAcl", {"bucketName": "logs", "x-amz-acl": ["private"]}),
        call("s3.amazonaws.com", "PutBucketPolicy", public_policy),
        call("s3.amazonaws.com", "PutBucketPolicy", private_policy),
        call("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", open_sg),
        call("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", closed_sg),
        call("iam.amazonaws.com", "ListUsers", None, useridentity=root, eventtype="AwsApiCall"),
        call("s3.amazonaws.com", "GetBucketAcl", None, useridentity={**root, "invokedby": "s3.amazonaws.com"}),
        call("signin.amazonaws.com", "ConsoleLogin", None, eventtype="AwsConsoleSignIn",
             responseelements='{"ConsoleLogin":"Failure"}', errormessage="Failed authentication"),
        call("ec2.amazonaws.com", "GetPasswordData", {"instanceId": "i-0win"}),
        call("ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", {"instanceId": "i-0abc", "instanceOSUser": "ec2-user"}),
        call("ec2.amazonaws.com", "EnableSerialConsoleAccess", None),
        call("ec2.amazonaws.com", "RunInstances", {"instanceType": "p4d.24xlarge", "instancesSet": {"items": [{"maxCount": 8}]}}),
        call("ec2.amazonaws.com", "RunInstances", {"instanceType": "t3.micro", "instancesSet": {"items": [{"maxCount": 1}]}}),
        call("ec2.amazonaws.com", "ModifyInstanceAttribute", {"instanceId": "i-0abc", "userData": "<sensitiveDataRemoved>"}),
        call("iam.amazonaws.com", "CreateAccessKey", {"userName": "admin-bob"}),
        call("iam.amazonaws.com", "PutUserPolicy", {"userName": "mallory", "policyName": "all", "policyDocument":
             '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'}),
        call("iam.amazonaws.com", "CreateLoginProfile", {"userName": "svc-batch", "passwordResetRequired": False}),
        call("iam.amazonaws.com", "CreateRole", {"roleName": "vendor", "assumeRolePolicyDocument":
             '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"}}]}'}),
        call("rolesanywhere.amazonaws.com", "CreateTrustAnchor", {"name": "ext-ca", "source": {"sourceType": "CERTIFICATE_BUNDLE"}}),
        call("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", {"bucketName": "exfil-drop"}),
        call("ssm.amazonaws.com", "GetParameters", {"names": ["/prod/db/password", "/prod/api/key"], "withDecryption": True}),
        call("ssm.amazonaws.com", "SendCommand", {"documentName": "AWS-RunShellScript", "instanceIds": ["i-0abc"]}),
        call("ssm.amazonaws.com", "StartSession", {"target": "i-0abc"}),
        call("sts.amazonaws.com", "GetFederationToken", {"name": "temp", "durationSeconds": 129600}),
        call("iam.amazonaws.com", "CreateUser", {"userName": "mallory"}),
    ]
    count = max(len(kinds), n // 20_000)
    return [kinds[int(i)] for i in rng.integers(0, len(kinds), size=count)]


def build_lake(lake: Path, events: int, seed: int = 7) -> dict:
    """Write `events` CloudTrail events over one week into `lake`, a day at a time so memory stays
    bounded at 10M events; returns build stats."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    schema = arrow_schema(get_table("cloudtrail"))
    pools = {i: pa.array([_params(b[5], rng) for _ in range(POOL if b[5] else 1)], type=pa.string())
             for i, b in enumerate(BACKGROUND)}
    identities = pa.array(_identities(rng), type=schema.field("useridentity").type)
    ips = pa.array([f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 255, size=(2000, 4))])
    files = 0
    for day in range(DAYS):
        count = events // DAYS + (1 if day < events % DAYS else 0)
        table = _day_table(rng, count, START + timedelta(days=day), schema, pools, identities, ips)
        table = _inject(table, _specials(rng, count), rng, schema)
        files += _write_day(table, lake, START + timedelta(days=day))
    return {"events": events, "files": files, "build_s": round(time.perf_counter() - started, 1),
            "bytes": sum(p.stat().st_size for p in lake.rglob("*.parquet"))}


def _day_table(rng: np.random.Generator, events: int, day: datetime, schema: pa.Schema,
               pools: dict[int, pa.Array], identities: pa.Array, ips: pa.Array) -> pa.Table:
    weights = np.array([b[0] for b in BACKGROUND], dtype=float)
    call_of = rng.choice(len(BACKGROUND), size=events, p=weights / weights.sum())
    offsets = np.sort(rng.integers(0, 86400, size=events))
    times = pa.array(np.datetime64(day.replace(tzinfo=None), "s") + offsets.astype("timedelta64[s]"))
    error = rng.random(events) < 0.03
    # Each row's request document: a draw from its call's pool, gathered back into row order.
    param_index = rng.integers(0, POOL, size=events)
    rows_by_call = [np.nonzero(call_of == i)[0] for i in range(len(BACKGROUND))]
    gathered = pa.concat_arrays([pools[i].take(pa.array(param_index[rows] % len(pools[i])))
                                 for i, rows in enumerate(rows_by_call)])
    params = gathered.take(pa.array(np.argsort(np.concatenate(rows_by_call), kind="stable")))

    def pick(values: list, index: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.string()).take(pa.array(index))

    columns = {
        "eventversion": pick(["1.09"], np.zeros(events, dtype=np.int64)),
        "useridentity": identities.take(pa.array(rng.integers(0, len(identities), size=events))),
        "eventtime": pc.strftime(times, format="%Y-%m-%dT%H:%M:%SZ"),
        "eventsource": pick([b[1] for b in BACKGROUND], call_of),
        "eventname": pick([b[2] for b in BACKGROUND], call_of),
        "awsregion": pick(REGIONS, rng.integers(0, len(REGIONS), size=events)),
        "sourceipaddress": ips.take(pa.array(rng.integers(0, len(ips), size=events))),
        "useragent": pick(AGENTS, rng.integers(0, len(AGENTS), size=events)),
        "errorcode": pick([None, "AccessDenied"], error.astype(np.int64)),
        "errormessage": pick([None, "User is not authorized to perform this operation"], error.astype(np.int64)),
        "requestparameters": params,
        "requestid": _uuids(rng, events),
        "eventid": _uuids(rng, events),
        "readonly": pick([b[3] for b in BACKGROUND], call_of),
        "eventtype": pick([b[4] for b in BACKGROUND], call_of),
        "managementevent": pick(["true", "false"], (call_of < 4).astype(np.int64)),
        "recipientaccountid": pick(ACCOUNTS, rng.integers(0, len(ACCOUNTS), size=events)),
        "eventcategory": pick(["Management", "Data"], (call_of < 4).astype(np.int64)),
    }
    return pa.table({f.name: columns.get(f.name, pa.nulls(events, f.type)) for f in schema}, schema=schema)


def _inject(table: pa.Table, specials: list[Special], rng: np.random.Generator, schema: pa.Schema) -> pa.Table:
    """Overwrite random rows with the special events, plus one burst of 12 failed console logins
    by one principal, 40 rows apart (well inside five minutes at these rates)."""
    rows = rng.choice(table.num_rows, size=len(specials), replace=False)
    patch = table.take(pa.array(rows)).to_pylist()
    for row, special in zip(patch, specials, strict=True):
        row.update(special.values)
    first = int(rng.integers(0, max(1, table.num_rows - 12 * 40)))
    burst_rows = [r for r in range(first, first + 12 * 40, 40) if r < table.num_rows and r not in set(rows)]
    burst = table.take(pa.array(burst_rows, type=pa.int64())).to_pylist()
    for row in burst:
        row.update({"eventsource": "signin.amazonaws.com", "eventname": "ConsoleLogin",
                    "eventtype": "AwsConsoleSignIn", "requestparameters": None, "errorcode": None, "recipientaccountid": "222222222222",
                    "responseelements": '{"ConsoleLogin":"Failure"}', "errormessage": "Failed authentication",
                    "useridentity": {"type": "IAMUser", "username": "victim", "accountid": "222222222222",
                                     "arn": "arn:aws:iam::222222222222:user/victim", "principalid": "AIDAVICTIM"}})
    keep = np.ones(table.num_rows, dtype=bool)
    keep[rows] = False
    keep[burst_rows] = False
    patched = pa.Table.from_pylist(patch + burst, schema=schema)
    # Back into time order (stable), as a trail delivers within a day.
    return pa.concat_tables([table.filter(pa.array(keep)), patched]).sort_by([("eventtime", "ascending")])


def _write_day(table: pa.Table, lake: Path, day: datetime) -> int:
    folder = lake / "cloudtrail" / f"year={day.year:04d}" / f"month={day.month:02d}" / f"day={day.day:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for i in range(0, max(table.num_rows, 1), FILE_ROWS):
        pq.write_table(sorted_for_lake("cloudtrail", table.slice(i, FILE_ROWS)), folder / f"part-{i // FILE_ROWS:04d}.parquet",
                       compression="zstd", row_group_size=ROW_GROUP)
        files += 1
    return files


def cached_lake(out: Path, events: int, seed: int = 7) -> tuple[Path, dict]:
    """The lake for (events, seed) under `out`, built on first use; returns (lake, build stats)."""
    lake = out / f"detect-lake-{events}-{seed}-{LAYOUT}"
    stamp = lake / "BUILT.json"
    if stamp.exists():
        return lake, {**json.loads(stamp.read_text()), "cached": True}
    shutil.rmtree(lake, ignore_errors=True)
    lake.mkdir(parents=True)
    stats = build_lake(lake, events, seed)
    stamp.write_text(json.dumps(stats))
    return lake, {**stats, "cached": False}
