"""Every input shape AWS delivers lands in the right table with the right values."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from workbench.catalog import TABLES, arrow_schema
from workbench.lake import ingest, lake_tables

from .helpers import (
    VPC_V2_HEADER,
    ct_record,
    finding,
    lake_rows,
    ndjson,
    records_doc,
    vpc_v2_line,
    write,
)

CT = [ct_record(i) for i in range(5)]
FINDINGS = [finding(i) for i in range(3)]


def _envelope(f: dict) -> dict:
    return {"version": "0", "id": "ev-1", "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
            "account": "111111111111", "time": "2024-03-05T10:00:01Z", "region": "us-east-1",
            "resources": [], "detail": f}


SHAPES = [
    ("ct.json", records_doc(CT), False, "cloudtrail", 5),
    ("ct.json.gz", records_doc(CT), True, "cloudtrail", 5),
    ("ct-noext", records_doc(CT), True, "cloudtrail", 5),  # gzip by magic bytes, not by name
    ("ct-pretty.json", json.dumps({"Records": CT}, indent=2), False, "cloudtrail", 5),
    ("ct.jsonl", ndjson(CT), False, "cloudtrail", 5),
    ("ct.jsonl.gz", ndjson(CT), True, "cloudtrail", 5),
    ("ct-eventbridge.jsonl", ndjson([{"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
                                      "detail": r} for r in CT]), False, "cloudtrail", 5),
    ("gd-array.json", json.dumps(FINDINGS), False, "guardduty", 3),
    ("gd-single.json", json.dumps(FINDINGS[0], indent=2), False, "guardduty", 1),
    ("gd-envelope.json", json.dumps(_envelope(FINDINGS[1])), False, "guardduty", 1),
    ("gd-envelopes.jsonl.gz", ndjson([_envelope(f) for f in FINDINGS]), True, "guardduty", 3),
    ("gd-findings.jsonl", ndjson(FINDINGS), False, "guardduty", 3),
    ("flow-v2.log", "\n".join([VPC_V2_HEADER] + [vpc_v2_line(i) for i in range(4)]) + "\n", False, "vpc_flow", 4),
    ("flow-v2.log.gz", "\n".join([VPC_V2_HEADER] + [vpc_v2_line(i) for i in range(4)]), True, "vpc_flow", 4),
    ("flow-v5.txt",
     "region az-id start srcaddr dstaddr pkt-src-aws-service flow-direction traffic-path tcp-flags action\n"
     "us-east-1 use1-az1 1709546400 10.0.0.1 52.95.1.1 - egress 8 19 ACCEPT\n"
     "us-east-1 use1-az2 1709550000 10.0.0.2 52.95.1.2 S3 ingress - 2 REJECT\n", False, "vpc_flow", 2),
]


@pytest.mark.parametrize(("name", "body", "gz", "table", "count"), SHAPES, ids=[s[0] for s in SHAPES])
def test_shape_lands_in_its_table(tmp_path: Path, lake: Path, name: str, body: str, gz: bool, table: str,
                                  count: int) -> None:
    src = write(tmp_path / "in" / name, body, gz)
    summary = ingest([src], lake)
    assert dict(summary.records) == {table: count}
    assert not summary.quarantined
    assert len(lake_rows(lake, table)) == count
    for path in lake_tables(lake)[table]:
        assert pq.read_schema(path).remove_metadata() == arrow_schema(TABLES[table])


def test_cloudtrail_columns_and_partitions(tmp_path: Path, lake: Path) -> None:
    recs = [ct_record(1, "2024-03-04"), ct_record(2, "2024-12-31", errorCode="AccessDenied")]
    ingest([write(tmp_path / "a.json.gz", records_doc(recs), gz=True)], lake)
    rows = {r["eventid"]: r for r in lake_rows(lake, "cloudtrail")}
    first, second = rows["evt-1"], rows["evt-2"]
    assert (first["year"], first["month"], first["day"]) == ("2024", "03", "04")
    assert sorted(p.parts[-4:-1] for p in lake_tables(lake)["cloudtrail"]) == [
        ("year=2024", "month=03", "day=04"), ("year=2024", "month=12", "day=31")]
    assert first["useridentity"]["sessioncontext"]["sessionissuer"]["username"] == "Admin"
    assert first["useridentity"]["sessioncontext"]["attributes"]["mfaauthenticated"] == "true"
    assert first["readonly"] == "true" and first["managementevent"] == "true"
    assert first["requestparameters"] == '{"maxItems":100,"pathPrefix":"/"}'
    assert first["responseelements"] is None and first["extra"] is None
    assert second["errorcode"] == "AccessDenied"


def test_guardduty_columns(tmp_path: Path, lake: Path) -> None:
    ingest([write(tmp_path / "f.json", json.dumps([finding(7)]))], lake)
    (row,) = lake_rows(lake, "guardduty")
    assert row["id"] == "finding-7" and row["severity"] == 2.0 and row["resourcetype"] == "Instance"
    assert json.loads(row["resource"]) == finding(7)["resource"]
    assert json.loads(row["service"]) == finding(7)["service"]
    assert (row["year"], row["month"], row["day"]) == ("2024", "03", "05")


def test_eventbridge_envelope_is_kept_in_extra(tmp_path: Path, lake: Path) -> None:
    ingest([write(tmp_path / "e.json", json.dumps(_envelope(finding(1))))], lake)
    (row,) = lake_rows(lake, "guardduty")
    envelope = json.loads(row["extra"])["eventbridge"]
    assert envelope["detail-type"] == "GuardDuty Finding" and envelope["id"] == "ev-1"


def test_vpc_flow_values_nulls_and_unknown_fields(tmp_path: Path, lake: Path) -> None:
    body = ("version srcaddr dstaddr srcport dstport protocol start end action log-status future-field\n"
            "5 10.0.0.1 10.0.0.2 443 - 6 1709546400 1709546460 ACCEPT OK hello\n")
    ingest([write(tmp_path / "flow.log", body)], lake)
    (row,) = lake_rows(lake, "vpc_flow")
    assert row["version"] == 5 and row["srcport"] == 443 and row["dstport"] is None
    assert row["start"] == 1709546400 and row["protocol"] == 6 and row["action"] == "ACCEPT"
    assert row["log_status"] == "OK" and row["account_id"] is None
    assert json.loads(row["extra"]) == {"future-field": "hello"}
    assert (row["year"], row["month"], row["day"]) == ("2024", "03", "04")


def test_folder_is_read_recursively(tmp_path: Path, lake: Path) -> None:
    write(tmp_path / "in" / "a" / "ct.json.gz", records_doc(CT[:2]), gz=True)
    write(tmp_path / "in" / "b" / "c" / "gd.json", json.dumps(FINDINGS))
    write(tmp_path / "in" / "flow.log", VPC_V2_HEADER + "\n" + vpc_v2_line(1) + "\n")
    summary = ingest([tmp_path / "in"], lake)
    assert dict(summary.records) == {"cloudtrail": 2, "guardduty": 3, "vpc_flow": 1}
    assert summary.files_read == 3
