"""Write synthetic records in the exact layout the raw Athena tables read (`workbench.catalog.raw`).

    out = generate(days=1, seed=7, end="2026-11-28")
    raw = delivered_settings(out.records, "s3://bucket/trail/", org_id="o-abcdefghij")
    write_delivered(out.records, Path("bucket/trail"), raw)      # then upload the folder to the location

The folder stands for the S3 location (the part before `AWSLogs/`); every object's key below it is
the one AWS would write, taken from the same `Layout` the table's `storage.location.template` is
built from, so the files and the DDL cannot drift apart.

- CloudTrail: a `{"Records": [...]}` gzip JSON file per account, region and five minutes, filed under
  the day it is delivered (the end of its five minutes), as CloudTrail does.
- VPC Flow Logs: a file per account, region and ten minutes (the longest aggregation interval), as
  space-delimited text with the header line and `-` for absent values, or as Parquet; plain or
  Hive-compatible folders, daily or hourly.
- GuardDuty: the findings themselves, one JSON object per line (GuardDuty's S3 export), a gzip file
  per account, region and hour.

Files carry no timestamps (gzip mtime 0), so the same records give the same bytes.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.catalog.raw import Layout, layout_of
from workbench.synth import ids
from workbench.synth.writer import _json, _write_gz

if TYPE_CHECKING:
    from workbench.config import RawSettings

CLOUDTRAIL_FILE_SECONDS = 300
FLOW_FILE_SECONDS = 600
GUARDDUTY_FILE_SECONDS = 3600
TABLES = ("cloudtrail", "vpc_flow", "guardduty")


def _epoch(iso: str) -> int:
    return int(datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())


def _batches(rows: Iterable[dict], key: Callable[[dict], tuple[str, str, int]], seconds: int
             ) -> dict[tuple[str, str, datetime], list[dict]]:
    """Rows grouped by (account, region, delivery time): the end of the `seconds`-long slot holding them."""
    out: dict[tuple[str, str, datetime], list[dict]] = defaultdict(list)
    for row in rows:
        account, region, moment = key(row)
        delivered = datetime.fromtimestamp((moment // seconds + 1) * seconds, tz=UTC)
        out[(account, region, delivered)].append(row)
    return out


def _path(root: Path, layout: Layout, account: str, region: str, delivered: datetime, name: str) -> Path:
    return root / layout.folder(account, region, delivered) / name


def write_cloudtrail(records: list[dict], root: Path, raw: RawSettings, seed: int = 0) -> list[Path]:
    rng = random.Random(f"delivered:cloudtrail:{seed}")
    layout = layout_of(raw, "cloudtrail")
    batches = _batches(records, lambda r: (r["recipientAccountId"], r["awsRegion"], _epoch(r["eventTime"])),
                       CLOUDTRAIL_FILE_SECONDS)
    paths = []
    for (account, region, delivered), batch in sorted(batches.items()):
        name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{ids.alnum(rng, 16)}.json.gz"
        paths.append(_write_gz(_path(root, layout, account, region, delivered, name), _json({"Records": batch})))
    return paths


def _flow_log_id(account: str) -> str:
    return "fl-" + hashlib.sha256(account.encode()).hexdigest()[:17]


def write_flows(flows: list[dict], root: Path, raw: RawSettings, seed: int = 0) -> list[Path]:
    rng = random.Random(f"delivered:vpc_flow:{seed}")
    layout = layout_of(raw, "vpc_flow")
    fields = list(raw.vpc_flow.fields)
    columns = [f.replace("-", "_") for f in fields]
    parquet = raw.vpc_flow.format == "parquet"
    batches = _batches(flows, lambda f: (f["account_id"], f["region"], f["start"]), FLOW_FILE_SECONDS)
    paths = []
    for (account, region, delivered), batch in sorted(batches.items()):
        stem = f"{account}_vpcflowlogs_{region}_{_flow_log_id(account)}_{delivered:%Y%m%dT%H%MZ}_{ids.hexid(rng, 8)}"
        if parquet:
            path = _path(root, layout, account, region, delivered, stem + ".log.parquet")
            _write_flow_parquet(path, batch, columns)
        else:
            lines = [" ".join(fields)] + [" ".join("-" if f.get(c) is None else str(f[c]) for c in columns)
                                          for f in batch]
            path = _write_gz(_path(root, layout, account, region, delivered, stem + ".log.gz"),
                             ("\n".join(lines) + "\n").encode())
        paths.append(path)
    return paths


def _write_flow_parquet(path: Path, batch: list[dict], columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.catalog import VPC_FLOW, arrow_type
    from workbench.catalog.raw import _PARQUET_INT32

    fields = [pa.field(c, pa.int32() if c in _PARQUET_INT32 else arrow_type(VPC_FLOW.column(c).type))
              for c in columns]
    schema = pa.schema(fields)
    table = pa.Table.from_pydict({c: [f.get(c) for f in batch] for c in columns}, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="gzip")


def write_findings(found: list[dict], root: Path, raw: RawSettings, seed: int = 0) -> list[Path]:
    rng = random.Random(f"delivered:guardduty:{seed}")
    layout = layout_of(raw, "guardduty")
    batches = _batches(found, lambda f: (f["accountId"], f["region"], _epoch(f["updatedAt"])), GUARDDUTY_FILE_SECONDS)
    paths = []
    for (account, region, delivered), batch in sorted(batches.items()):
        data = b"\n".join(_json(f) for f in batch) + b"\n"
        paths.append(_write_gz(_path(root, layout, account, region, delivered, f"{ids.uid(rng)}.jsonl.gz"), data))
    return paths


def write_delivered(records: dict[str, list[dict]], root: Path | str, raw: RawSettings, seed: int = 0,
                    tables: Iterable[str] = TABLES) -> dict[str, list[Path]]:
    """The records (as `generate` returns them) as delivered objects under `root`, laid out as `raw` says."""
    root = Path(root)
    writers: dict[str, Callable[[list[dict], Path, RawSettings, int], list[Path]]] = {
        "cloudtrail": write_cloudtrail, "vpc_flow": write_flows, "guardduty": write_findings}
    out = {}
    for table in tables:
        if table not in writers:
            raise ValueError(f"no delivered layout for {table!r} (known: {', '.join(writers)})")
        out[table] = writers[table](records.get(table, []), root, raw, seed)
    return out


def delivered_settings(records: dict[str, list[dict]], location: str, **options: Any) -> RawSettings:
    """Raw settings whose projection covers the records: their accounts, regions and first day.

    `options` are further `athena.raw` keys (org_id, vpc_flow={...}). The first day is the first
    event's: a file is delivered on its events' day or later, never before.
    """
    from workbench.config import RawSettings

    accounts: set[str] = set()
    regions: set[str] = set()
    days: list[date] = []
    for rec in records.get("cloudtrail", []):
        accounts.add(rec["recipientAccountId"])
        regions.add(rec["awsRegion"])
    for flow in records.get("vpc_flow", []):
        accounts.add(flow["account_id"])
        regions.add(flow["region"])
    for finding in records.get("guardduty", []):
        accounts.add(finding["accountId"])
        regions.add(finding["region"])
    for table, key in (("cloudtrail", "eventTime"), ("guardduty", "updatedAt")):
        if records.get(table):
            days.append(date.fromisoformat(min(r[key] for r in records[table])[:10]))
    if records.get("vpc_flow"):
        days.append(datetime.fromtimestamp(min(f["start"] for f in records["vpc_flow"]), tz=UTC).date())
    if not days:
        raise ValueError("no records to lay out: generate some first (workbench.synth.generate)")
    return RawSettings.model_validate({"location": location, "accounts": sorted(accounts),
                                       "regions": sorted(regions), "start": min(days), **options})


def upload(root: Path | str, location: str, s3: Any) -> int:
    """Put every file under `root` at the same key below the s3:// `location`; returns the count."""
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    count = 0
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            key = "/".join(p for p in (prefix, path.relative_to(root).as_posix()) if p)
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            count += 1
    return count
