"""Fast, realistic synthetic CloudTrail objects for the benchmarks.

The records look like what AWS delivers (camelCase fields, a `userIdentity` with session context for
assumed roles, request/response documents, read-only majority, some AccessDenied errors) and are
written as gzip `{"Records": [...]}` objects the way CloudTrail delivers them to S3. Same count and
seed → same files, so a data set is generated once and reused from its cache folder.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import random
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"]
REGIONS = ["us-east-1", "us-east-1", "us-west-2", "eu-west-1"]
AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/s3.ls",
    "Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.6",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.4",
    "console.amazonaws.com",
    "Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
]
# (eventSource, eventName, readOnly, requestParameters)
CALLS = [
    ("s3.amazonaws.com", "GetObject", True, {"bucketName": "data-lake-raw", "key": "k/part-0001.parquet"}),
    ("s3.amazonaws.com", "ListObjects", True, {"bucketName": "data-lake-raw", "prefix": "k/"}),
    ("s3.amazonaws.com", "PutObject", False, {"bucketName": "ci-artifacts", "key": "build/app.zip"}),
    ("ec2.amazonaws.com", "DescribeInstances", True, {"maxResults": 1000, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", True, {"securityGroupSet": {}}),
    ("iam.amazonaws.com", "GetUser", True, {"userName": "deploy-bot"}),
    ("iam.amazonaws.com", "ListRoles", True, None),
    ("iam.amazonaws.com", "AttachUserPolicy", False,
     {"userName": "deploy-bot", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ("sts.amazonaws.com", "AssumeRole", True,
     {"roleArn": "arn:aws:iam::111111111111:role/ci-deploy", "roleSessionName": "gh-actions"}),
    ("sts.amazonaws.com", "GetCallerIdentity", True, None),
    ("kms.amazonaws.com", "Decrypt", True, {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    ("lambda.amazonaws.com", "Invoke", False, {"functionName": "ingest-handler"}),
    ("cloudtrail.amazonaws.com", "LookupEvents", True, {"maxResults": 50}),
    ("signin.amazonaws.com", "ConsoleLogin", False, None),
]


def _identity(rng: random.Random, account: str) -> dict:
    if rng.random() < 0.45:
        name = rng.choice(["alice", "bob", "carol", "deploy-bot", "backup"])
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{rng.randrange(10**15):015d}",
            "arn": f"arn:aws:iam::{account}:user/{name}",
            "accountId": account,
            "accessKeyId": f"AKIA{rng.randrange(10**15):015d}",
            "userName": name,
        }
    role = rng.choice(["ci-deploy", "ReadOnly", "Admin", "lambda-exec", "backup-role"])
    session = rng.choice(["gh-actions", "alice@example.com", "i-0abc1234def567890", "botocore-session"])
    role_id = f"AROA{rng.randrange(10**15):015d}"
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": f"ASIA{rng.randrange(10**15):015d}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role", "principalId": role_id, "arn": f"arn:aws:iam::{account}:role/{role}",
                "accountId": account, "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2024-03-01T08:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def records(count: int, seed: int = 7, start: datetime | None = None, days: int = 7) -> Iterator[dict]:
    """`count` CloudTrail records spread over `days` days, in time order (generated lazily)."""
    rng = random.Random(seed)
    start = start or datetime(2024, 3, 4, tzinfo=UTC)
    span = days * 86400
    identities = [_identity(rng, rng.choice(ACCOUNTS)) for _ in range(300)]
    ips = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
           for _ in range(500)]
    offsets = sorted(rng.randrange(span) for _ in range(count))
    for offset in offsets:
        source, name, read_only, params = rng.choice(CALLS)
        ident = rng.choice(identities)
        account = ident["accountId"]
        when = (start + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rec = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": when,
            "eventSource": source,
            "eventName": name,
            "awsRegion": rng.choice(REGIONS),
            "sourceIPAddress": rng.choice(ips),
            "userAgent": rng.choice(AGENTS),
            "requestParameters": params,
            "responseElements": None,
            "requestID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "eventID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": source != "s3.amazonaws.com",
            "recipientAccountId": account,
            "eventCategory": "Data" if source == "s3.amazonaws.com" else "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.us-east-1.amazonaws.com",
            },
        }
        if rng.random() < 0.04:
            rec["errorCode"] = "AccessDenied"
            rec["errorMessage"] = f"User: {ident['arn']} is not authorized to perform: {name}"
        elif name == "AssumeRole":
            rec["responseElements"] = {
                "credentials": {"accessKeyId": "ASIAEXAMPLE", "expiration": "Mar 4, 2024, 9:00:00 AM"},
                "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:gh-actions"},
            }
        if source == "s3.amazonaws.com":
            rec["resources"] = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{params['bucketName']}/x"}]
            rec["additionalEventData"] = {"bytesTransferredIn": 0, "x-amz-id-2": "abc"}
        yield rec


def write_objects(root: Path, count: int, per_object: int = 5000, seed: int = 7) -> list[Path]:
    """Gzip CloudTrail objects under `root`, laid out like a trail's S3 prefix."""
    recs = records(count, seed)
    paths = []
    for i in range(0, count, per_object):
        chunk = list(itertools.islice(recs, per_object))
        day = chunk[0]["eventTime"][:10].replace("-", "/")
        path = root / "AWSLogs" / "111111111111" / "CloudTrail" / "us-east-1" / day / (
            f"111111111111_CloudTrail_us-east-1_{i // per_object:06d}.json.gz")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(orjson.dumps({"Records": chunk}), compresslevel=6, mtime=0))
        paths.append(path)
    return paths


def cached_objects(cache: Path, count: int, seed: int = 7) -> Path:
    """The folder of objects for (count, seed), generating it on first use."""
    root = cache / f"cloudtrail-{count}-{seed}"
    done = cache / f"cloudtrail-{count}-{seed}.complete"  # beside the data: it is not a log object
    if not done.exists():
        write_objects(root, count, seed=seed)
        done.write_text("ok")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    print(cached_objects(args.out, args.records))


def default_cache() -> Path:
    return Path(os.environ.get("MANTISSA_BENCH_CACHE", Path(tempfile.gettempdir()) / "mantissa-bench"))


@dataclass
class Measured:
    name: str
    wall_s: float
    peak_mb: float
    output: dict


def measure(name: str, argv: list[str], poll_s: float = 0.02) -> Measured:
    """Run `argv` in a subprocess; its peak memory is the largest sum of RSS over its process tree
    (the ingest's worker processes count), sampled every `poll_s`. The child prints one JSON line."""
    import psutil

    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(poll_s)
    wall = time.perf_counter() - started
    out, _ = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {child.returncode}")
    return Measured(name, wall, peak / 2**20, json.loads(out.strip().splitlines()[-1]))


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in rows]
    return "\n".join(out)
