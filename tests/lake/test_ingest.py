"""Idempotent re-ingest, S3 through the moto server, parallel workers, write_records, the CLI."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import boto3
import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import area_app
from workbench.cli import lake as lake_cli
from workbench.lake import MANIFEST_FILE, SourceNotFound, ingest, lake_tables, write_records

from .helpers import VPC_V2_HEADER, arrow_rows, ct_record, finding, lake_rows, records_doc, vpc_v2_line, write


def test_reingest_adds_nothing(tmp_path: Path, lake: Path) -> None:
    src = write(tmp_path / "in" / "ct.json.gz", records_doc([ct_record(i) for i in range(10)]), gz=True)
    first = ingest([src], lake)
    assert first.records["cloudtrail"] == 10 and first.files_skipped == 0
    again = ingest([src], lake)
    assert again.total_records == 0 and again.files_skipped == 1 and again.files_read == 0
    copy = tmp_path / "elsewhere" / "renamed.gz"
    copy.parent.mkdir()
    copy.write_bytes(src.read_bytes())
    renamed = ingest([copy, src], lake)  # same bytes under another name: still the same object
    assert renamed.files_skipped == 2 and renamed.total_records == 0
    assert len(lake_rows(lake, "cloudtrail")) == 10
    assert "skipped 2 objects already ingested" in renamed.format()
    with sqlite3.connect(lake / MANIFEST_FILE) as db:
        assert db.execute("SELECT source, records FROM objects").fetchall() == [(str(src), 10)]


def test_missing_path_is_named_and_nothing_is_written(tmp_path: Path, lake: Path) -> None:
    good = write(tmp_path / "ct.json", records_doc([ct_record(1)]))
    with pytest.raises(SourceNotFound, match="nope.json.gz"):
        ingest([good, tmp_path / "nope.json.gz"], lake)
    assert lake_tables(lake) == {}


def test_parallel_workers_match_sequential(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for n in range(6):
        recs = [ct_record(i, day=f"2024-03-0{1 + n % 3}", eventID=f"e{n}-{i}") for i in range(200)]
        write(folder / f"ct{n}.json.gz", records_doc(recs), gz=True)
    serial = ingest([folder], tmp_path / "serial", workers=1)
    parallel = ingest([folder], tmp_path / "parallel", workers=2, batch_bytes=1)
    assert serial.records == parallel.records == {"cloudtrail": 1200}
    assert parallel.files_read == 6 and parallel.files_written >= 6
    key = sorted(r["eventid"] for r in lake_rows(tmp_path / "parallel", "cloudtrail"))
    assert key == sorted(r["eventid"] for r in lake_rows(tmp_path / "serial", "cloudtrail"))
    assert not (tmp_path / "parallel" / "_staging").exists() or not any((tmp_path / "parallel" / "_staging").iterdir())


def test_parallel_ingest_beside_a_thread_holding_duckdb(tmp_path: Path) -> None:
    """A process whose other threads hold native state (the Athena test double's DuckDB workers, a
    kernel's I/O threads) does not fork its ingest workers: a forked child crashed there."""
    import threading

    import duckdb

    from workbench.lake.ingest import _start_method

    stop = threading.Event()

    def hold_duckdb() -> None:
        connection = duckdb.connect()
        connection.execute("SELECT 42").fetchall()
        stop.wait(60)
        connection.close()

    holder = threading.Thread(target=hold_duckdb, daemon=True)
    holder.start()
    try:
        assert _start_method() != "fork"
        folder = tmp_path / "in"
        for n in range(3):
            write(folder / f"ct{n}.json.gz", records_doc([ct_record(i, eventID=f"t{n}-{i}") for i in range(50)]), gz=True)
        summary = ingest([folder], tmp_path / "lake", workers=2, batch_bytes=1)
        assert summary.records == {"cloudtrail": 150}
        assert len(lake_rows(tmp_path / "lake", "cloudtrail")) == 150
    finally:
        stop.set()
        holder.join(10)


def test_small_buffers_spill_many_partitions_without_loss(tmp_path: Path, lake: Path) -> None:
    recs = [ct_record(i, day=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(600)]
    src = write(tmp_path / "ct.json", records_doc(recs))
    summary = ingest([src], lake, batch_rows=32, max_open=3, max_pending_bytes=400_000, file_rows=150)
    assert summary.records["cloudtrail"] == 600
    rows = arrow_rows(lake, "cloudtrail")
    assert sorted(r["eventid"] for r in rows) == sorted(r["eventID"] for r in recs)
    assert all(r["eventtime"].startswith(f"{r['year']}-{r['month']}-{r['day']}") for r in rows)


def test_write_records_for_each_table(lake: Path) -> None:
    ct = write_records("cloudtrail", [ct_record(1), {"eventName": "NoTime", "eventSource": "x"}], lake)
    assert ct.records == {"cloudtrail": 1} and ct.quarantined == {"missing_event_time": 1}
    gd = write_records("guardduty", [finding(1)], lake)
    assert gd.records == {"guardduty": 1}
    flows = [{"version": 2, "account-id": "111111111111", "srcaddr": "10.0.0.1", "dstport": "22",
              "start": 1709546400, "end": 1709546460, "action": "REJECT", "log-status": "OK"},
             {"version": "2", "account_id": "111111111111", "srcaddr": "10.0.0.2", "dstport": 443,
              "start": "1709550000", "action": "ACCEPT", "pkt_src_aws_service": "-"}]
    vpc = write_records("VPC_FLOW", flows, lake)
    assert vpc.records == {"vpc_flow": 2}
    rows = sorted(lake_rows(lake, "vpc_flow"), key=lambda r: r["srcaddr"])
    assert [r["dstport"] for r in rows] == [22, 443] and rows[1]["pkt_src_aws_service"] is None
    assert rows[0]["account_id"] == rows[1]["account_id"] == "111111111111"
    with pytest.raises(KeyError, match="did you mean"):
        write_records("cloudtrial", [], lake)


def test_s3_prefix_through_moto(aws_env: str, tmp_path: Path, lake: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    s3.create_bucket(Bucket="trail-bucket")
    prefix = "AWSLogs/111111111111/CloudTrail/us-east-1/2024/03/04/"
    s3.put_object(Bucket="trail-bucket", Key=prefix + "a.json.gz",
                  Body=gzip.compress(records_doc([ct_record(i) for i in range(3)]).encode()))
    s3.put_object(Bucket="trail-bucket", Key=prefix + "b.json.gz", Body=b"\x1f\x8b truncated")
    s3.put_object(Bucket="trail-bucket", Key="AWSLogs/flow/f.log",
                  Body=(VPC_V2_HEADER + "\n" + vpc_v2_line(1) + "\n").encode())
    s3.put_object(Bucket="trail-bucket", Key=prefix, Body=b"")  # a console folder marker
    summary = ingest(["s3://trail-bucket/AWSLogs/"], lake, s3_client=s3)
    assert summary.records == {"cloudtrail": 3, "vpc_flow": 1}
    assert summary.files_read == 3 and sum(summary.quarantined.values()) == 1
    again = ingest(["s3://trail-bucket/AWSLogs/"], lake, s3_client=s3)
    assert again.files_skipped == 3 and again.total_records == 0
    with pytest.raises(SourceNotFound, match="no objects"):
        ingest(["s3://trail-bucket/nothing-here/"], lake, s3_client=s3)
    assert not list((lake / "_staging").glob("*/_spool/*"))


def _cli() -> typer.Typer:
    return area_app(lake_cli.register)


def test_cli_ingest_prints_summary_and_quarantine(workspace: Path) -> None:
    write(workspace / "logs" / "ct.jsonl", json.dumps(ct_record(1)) + "\nnot json\n")
    result = CliRunner().invoke(_cli(), ["ingest", "logs", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "ingested 1 records" in result.output and "quarantined 1 entries" in result.output
    assert str(workspace / "lake" / "_quarantine") in result.output
    assert len(lake_rows(workspace / "lake", "cloudtrail")) == 1


def test_cli_missing_path_fails_naming_it(workspace: Path) -> None:
    result = CliRunner().invoke(_cli(), ["ingest", "missing-folder", "--lake", str(workspace / "other")])
    assert result.exit_code == 2
    assert "missing-folder" in result.output


def test_stale_staging_of_a_killed_run_is_cleared(tmp_path: Path, lake: Path) -> None:
    import os

    stale = lake / "_staging" / "20200101T000000Z-dead" / "x" / "cloudtrail"
    stale.mkdir(parents=True)
    (stale / "part.parquet").write_bytes(b"never published")
    old = 1_000_000_000
    os.utime(lake / "_staging" / "20200101T000000Z-dead", (old, old))
    ingest([write(tmp_path / "ct.json", records_doc([ct_record(1)]))], lake)
    assert not (lake / "_staging" / "20200101T000000Z-dead").exists()
    assert len(lake_rows(lake, "cloudtrail")) == 1
