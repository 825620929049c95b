"""Incremental S3 ingest benchmark on a moto server on 127.0.0.1 (no AWS account, no network).

    .venv/bin/python benchmarks/s3_ingest.py [--objects 5000] [--new 100] [--parallel 8]

Fills an organization-trail layout (`AWSLogs/o-.../<account>/CloudTrail/<region>/YYYY/MM/DD/`,
10 accounts × 4 regions, plus one CloudTrail digest file per stream and day) with small gzip
CloudTrail objects, then ingests the prefix three times: first run, second run over the unchanged
prefix (target: 0 objects downloaded), and a run after `--new` objects arrive (target: `--new`
downloaded). GetObject and ListObjectsV2 calls are counted with botocore's event hooks.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _cloudtrail_data import table  # noqa: E402

ORG = "AWSLogs/o-aa111bb222"
ACCOUNTS = [f"{100000000000 + i * 11111:012d}" for i in range(10)]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
BUCKET = "bench-org-trail"


def record(account: str, region: str, when: str, n: int) -> dict:
    return {"eventVersion": "1.09", "eventTime": when, "eventSource": "sts.amazonaws.com",
            "eventName": "GetCallerIdentity", "awsRegion": region, "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.15.0", "requestParameters": None, "responseElements": None,
            "requestID": f"req-{n}", "eventID": f"00000000-0000-4000-8000-{n:012d}", "readOnly": True,
            "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": account,
                             "arn": f"arn:aws:iam::{account}:user/bench", "userName": "bench"}}


def log_object(n: int) -> tuple[str, bytes]:
    """The n-th log object: streams round-robin, one delivery per stream every 30 minutes (so the prefix spans days)."""
    account = ACCOUNTS[n % len(ACCOUNTS)]
    region = REGIONS[(n // len(ACCOUNTS)) % len(REGIONS)]
    slot = n // (len(ACCOUNTS) * len(REGIONS))
    day, minute = divmod(slot * 30, 24 * 60)
    stamp = time.gmtime(1709510400 + day * 86400 + minute * 60)  # from 2024-03-04
    key = (f"{ORG}/{account}/CloudTrail/{region}/{time.strftime('%Y/%m/%d', stamp)}/"
           f"{account}_CloudTrail_{region}_{time.strftime('%Y%m%dT%H%MZ', stamp)}_{n:08x}.json.gz")
    body = {"Records": [record(account, region, time.strftime("%Y-%m-%dT%H:%M:00Z", stamp), n)]}
    return key, gzip.compress(json.dumps(body).encode())


def digest_objects(count: int) -> list[tuple[str, bytes]]:
    out = []
    days = {time.strftime("%Y/%m/%d", time.gmtime(1709510400 + d * 86400))
            for d in range((count // (len(ACCOUNTS) * len(REGIONS)) + 1) * 30 // 1440 + 1)}
    for account in ACCOUNTS:
        for region in REGIONS:
            for day in sorted(days):
                stamp = day.replace("/", "")
                key = (f"{ORG}/{account}/CloudTrail-Digest/{region}/{day}/"
                       f"{account}_CloudTrail-Digest_{region}_org_us-east-1_{stamp}T000000Z.json.gz")
                out.append((key, gzip.compress(json.dumps({"awsAccountId": account, "logFiles": []}).encode())))
    return out


def put_all(s3: Any, objects: list[tuple[str, bytes]]) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kv: s3.put_object(Bucket=BUCKET, Key=kv[0], Body=kv[1]), objects))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    from workbench.lake import ingest

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                          config=Config(max_pool_connections=max(10, args.parallel)))
        s3.create_bucket(Bucket=BUCKET)
        started = time.perf_counter()
        digests = digest_objects(args.objects)
        put_all(s3, [log_object(n) for n in range(args.objects)] + digests)
        print(f"put {args.objects:,} log objects and {len(digests):,} digest files into moto "
              f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        counts = {"GetObject": 0, "ListObjectsV2": 0}
        lock = threading.Lock()

        def counter(name: str) -> Any:
            def count(**_: Any) -> None:
                with lock:
                    counts[name] += 1
            return count

        for name in counts:
            s3.meta.events.register(f"provide-client-params.s3.{name}", counter(name))
        rows = []
        with tempfile.TemporaryDirectory(prefix="s3-ingest-bench-") as tmp:
            lake = Path(tmp) / "lake"
            for label, added in (("first run", 0), ("second run (unchanged)", 0), (f"after {args.new} new", args.new)):
                if added:
                    put_all(s3, [log_object(n) for n in range(args.objects, args.objects + added)])
                for name in counts:
                    counts[name] = 0
                summary = ingest([f"s3://{BUCKET}/{ORG}/"], lake, s3_client=s3, workers=args.workers,
                                 s3_parallel=args.parallel)
                rows.append([label, f"{summary.objects_downloaded:,}", f"{counts['GetObject']:,}",
                             f"{summary.files_skipped:,}", f"{summary.digests_skipped:,}",
                             f"{counts['ListObjectsV2']:,}", f"{summary.total_records:,}",
                             f"{summary.elapsed_s:.1f}"])
        print(table(rows, ["run", "downloaded", "GetObject calls", "skipped (key+ETag)", "digests skipped",
                           "list calls", "records", "seconds"]))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
