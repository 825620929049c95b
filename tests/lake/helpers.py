"""Helpers for the lake tests: realistic delivered objects, reading the lake back, fidelity checks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb


def ct_record(i: int, day: str = "2024-03-04", **extra: Any) -> dict:
    """A CloudTrail record as delivered (camelCase, assumed-role identity, JSON documents)."""
    rec = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:session-{i}",
            "arn": f"arn:aws:sts::111111111111:assumed-role/Admin/session-{i}",
            "accountId": "111111111111",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "userName": "Admin",
                                  "arn": "arn:aws:iam::111111111111:role/Admin", "accountId": "111111111111"},
                "attributes": {"creationDate": f"{day}T00:00:00Z", "mfaAuthenticated": "true"},
            },
        },
        "eventTime": f"{day}T{i % 24:02d}:00:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "ListUsers",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"maxItems": 100, "pathPrefix": "/"},
        "responseElements": None,
        "requestID": f"req-{i}",
        "eventID": f"evt-{i}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111111111111",
    }
    rec.update(extra)
    return rec


def finding(i: int, updated: str = "2024-03-05T10:00:00.000Z") -> dict:
    return {
        "schemaVersion": "2.0", "accountId": "111111111111", "region": "us-east-1", "partition": "aws",
        "id": f"finding-{i}", "arn": f"arn:aws:guardduty:us-east-1:111111111111:detector/d/finding/f{i}",
        "type": "Recon:EC2/PortProbeUnprotectedPort", "severity": 2, "title": "Unprotected port probed",
        "description": "A port is being probed.", "createdAt": "2024-03-05T09:00:00.000Z", "updatedAt": updated,
        "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": f"i-{i:08d}"}},
        "service": {"serviceName": "guardduty", "count": 3, "archived": False},
    }


def write(path: Path, data: bytes | str, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def records_doc(records: list[dict]) -> str:
    return json.dumps({"Records": records})


def ndjson(objs: list[Any]) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


VPC_V2_HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
                 "start end action log-status")


def vpc_v2_line(i: int, start: int = 1709546400, action: str = "ACCEPT") -> str:
    return (f"2 111111111111 eni-0a1b2c3d 10.0.0.{i % 250 + 1} 203.0.113.9 {40000 + i} 443 6 10 840 "
            f"{start + i} {start + i + 60} {action} OK")


def lake_rows(lake: Path, table: str, where: str = "true") -> list[dict]:
    files = str(lake / table / "**" / "*.parquet")
    con = duckdb.connect()
    try:
        rel = con.sql(f"SELECT * FROM read_parquet('{files}', hive_partitioning = true, hive_types_autocast = false) WHERE {where}")
        cols = rel.columns
        return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()



def arrow_rows(lake: Path, table: str) -> list[dict]:
    """The lake's rows through pyarrow (maps stay lists of pairs), with the partition from the path."""
    import pyarrow.parquet as pq

    rows = []
    for path in sorted((lake / table).glob("year=*/month=*/day=*/*.parquet")):
        part = {kv.split("=")[0]: kv.split("=")[1] for kv in path.parts[-4:-1]}
        rows += [{**r, **part} for r in pq.read_table(path).to_pylist()]
    return rows


def _same_scalar(stored: Any, original: Any) -> bool:
    if original is None or isinstance(original, str):
        return stored == original
    if isinstance(stored, str):
        return json.loads(stored) == original  # a bool/number/object kept as its JSON text
    return stored == original


def _check(stored: Any, original: Any, path: str, extra: dict, problems: list[str]) -> None:
    if path in extra:
        if extra[path] != original:
            problems.append(f"{path}: extra holds {extra[path]!r}, expected {original!r}")
    elif isinstance(original, dict) and isinstance(stored, dict):
        lower = {k.lower(): k for k in stored}
        for key, value in original.items():
            sub = f"{path}.{key}"
            if sub in extra:
                if extra[sub] != value:
                    problems.append(f"{sub}: extra holds {extra[sub]!r}, expected {value!r}")
            elif key.lower() in lower:
                _check(stored[lower[key.lower()]], value, sub, extra, problems)
            else:
                problems.append(f"{sub}: neither in its column nor in extra")
    elif isinstance(original, dict) and isinstance(stored, list):  # a map column
        if dict(stored) != {k: v if isinstance(v, str) or v is None else json.dumps(v, separators=(",", ":"))
                            for k, v in original.items()}:
            problems.append(f"{path}: map {stored!r} != {original!r}")
    elif isinstance(original, list) and isinstance(stored, list):
        if len(original) != len(stored):
            problems.append(f"{path}: {len(stored)} items stored, {len(original)} delivered")
        for i, (s, o) in enumerate(zip(stored, original, strict=False)):
            _check(s, o, f"{path}.{i}", extra, problems)
    elif not _same_scalar(stored, original):
        problems.append(f"{path}: stored {stored!r}, delivered {original!r}")


def recover_problems(original: dict, row: dict, json_columns: frozenset[str] = frozenset(),
                     key_name: Any = str.lower) -> list[str]:
    """Every field of `original` that cannot be read back from `row` (its column or `extra`)."""
    extra = json.loads(row["extra"]) if row.get("extra") else {}
    problems: list[str] = []
    for key, value in original.items():
        if key in extra:
            if extra[key] != value:
                problems.append(f"{key}: extra holds {extra[key]!r}, expected {value!r}")
            continue
        column = key_name(key)
        if extra.get(f"{column}_as_delivered") == value:
            continue  # a time stored in the canonical spelling, the delivered one kept in extra
        if column not in row or column in ("extra", "year", "month", "day"):
            problems.append(f"{key}: neither in a column nor in extra")
        elif column in json_columns:
            stored = row[column]
            if (None if stored is None else json.loads(stored)) != value:
                problems.append(f"{key}: JSON column holds {stored!r}, delivered {value!r}")
        else:
            _check(row[column], value, key, extra, problems)
    return problems
