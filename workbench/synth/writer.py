"""Write generated records as AWS delivers them to S3, under a local folder laid out like the bucket.

- CloudTrail: `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand>.json.gz`
  holding `{"Records": [...]}`.
- VPC Flow Logs: `AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_<fl-id>_<ts>_<hash>.log.gz`
  with the v5 header line and `-` for absent values.
- GuardDuty: EventBridge envelopes, one per line, `AWSLogs/<acct>/GuardDuty/<region>/YYYY/MM/DD/<id>.jsonl.gz`
  (as an EventBridge → Firehose export delivers them).

CloudTrail delivers roughly every five minutes; we batch per hour instead so a week is a couple of
thousand objects rather than tens of thousands, which keeps `mantissa synth` fast without changing
any record. gzip headers carry no timestamp, so a seed reproduces the files byte for byte.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.synth import ids

try:  # orjson is what the lake parses with; five times faster than json at writing a week
    import orjson

    def _json(value: object) -> bytes:
        return orjson.dumps(value)
except ImportError:  # pragma: no cover - stdlib fallback, same bytes for our ASCII records
    def _json(value: object) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()
from workbench.synth.findings import envelope
from workbench.synth.flows import COLUMNS, V5_FIELDS
from workbench.synth.org import Org

DELIVERY_MINUTES = 60
GZIP_LEVEL = 4


def _write_gz(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
    return path


def _folder(root: Path, account: str, kind: str, region: str, moment: datetime) -> Path:
    return root / "AWSLogs" / account / kind / region / f"{moment:%Y}" / f"{moment:%m}" / f"{moment:%d}"


def _delivery(moment: datetime) -> datetime:
    """When the batch holding `moment` is delivered: the end of its delivery interval."""
    minute = (moment.minute // DELIVERY_MINUTES) * DELIVERY_MINUTES if DELIVERY_MINUTES < 60 else 0
    return moment.replace(minute=minute, second=0, microsecond=0) + timedelta(minutes=DELIVERY_MINUTES)


def write_cloudtrail(root: Path, records: list[dict], seed: int) -> list[Path]:
    rng = random.Random(f"writer:cloudtrail:{seed}")
    batches: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for rec in records:  # records arrive sorted by time; an hour's batch keys on its text prefix
        batches[(rec["recipientAccountId"], rec["awsRegion"], rec["eventTime"][:13])].append(rec)
    paths = []
    for (account, region, hour), batch in batches.items():
        delivered = _delivery(datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC))
        name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{ids.alnum(rng, 16)}.json.gz"
        data = _json({"Records": batch})
        paths.append(_write_gz(_folder(root, account, "CloudTrail", region, delivered) / name, data))
    return paths


def write_flows(root: Path, flows: list[dict], org: Org, seed: int) -> list[Path]:
    rng = random.Random(f"writer:flows:{seed}")
    batches: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    for flow in flows:
        batches[(flow["account_id"], flow["region"], flow["start"] // 3600)].append(flow)
    header = " ".join(V5_FIELDS)
    paths = []
    for (account, region, hour), batch in batches.items():
        delivered = datetime.fromtimestamp((hour + 1) * 3600, tz=UTC)
        flow_log = org.by_id(account).flow_log_id
        lines = [header] + [" ".join("-" if f[c] is None else str(f[c]) for c in COLUMNS) for f in batch]
        name = f"{account}_vpcflowlogs_{region}_{flow_log}_{delivered:%Y%m%dT%H%MZ}_{ids.hexid(rng, 8)}.log.gz"
        paths.append(_write_gz(_folder(root, account, "vpcflowlogs", region, delivered) / name,
                               ("\n".join(lines) + "\n").encode()))
    return paths


def write_findings(root: Path, found: list[dict], seed: int) -> list[Path]:
    rng = random.Random(f"writer:guardduty:{seed}")
    batches: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for f in found:
        batches[(f["accountId"], f["region"], f["updatedAt"][:10])].append(f)
    paths = []
    for (account, region, day), batch in batches.items():
        moment = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
        lines = [_json(envelope(rng, f)) for f in batch]
        paths.append(_write_gz(_folder(root, account, "GuardDuty", region, moment) / f"{ids.uid(rng)}.jsonl.gz",
                               b"\n".join(lines) + b"\n"))
    return paths
