"""Incremental S3 ingest against a moto server on loopback: key+ETag skips, watermarks, digests."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from workbench.cli import lake as lake_cli
from workbench.config import ConfigError, load_settings
from workbench.lake import ingest
from workbench.lake.manifest import Manifest

from .helpers import ct_record, lake_rows, records_doc

ORG = "AWSLogs/o-aa111bb222"
ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1", "eu-west-1")


class Calls:
    """Counts the S3 API calls a real boto3 client makes (botocore's event hooks, no stubbing)."""

    def __init__(self, client: Any) -> None:
        self.gets: list[str] = []
        self.get_threads: set[str] = set()
        self.list_threads: set[str] = set()
        self.lists: list[dict] = []
        self._lock = threading.Lock()
        client.meta.events.register("provide-client-params.s3.GetObject", self._get)
        client.meta.events.register("provide-client-params.s3.ListObjectsV2", self._list)

    def _get(self, params: dict, **_: Any) -> None:
        with self._lock:
            self.gets.append(params["Key"])
            self.get_threads.add(threading.current_thread().name)

    def _list(self, params: dict, **_: Any) -> None:
        with self._lock:
            self.lists.append(dict(params))
            self.list_threads.add(threading.current_thread().name)

    def reset(self) -> None:
        self.gets.clear()
        self.lists.clear()


def _key(account: str, region: str, day: str, n: int) -> str:
    stamp = day.replace("-", "")
    return (f"{ORG}/{account}/CloudTrail/{region}/{day.replace('-', '/')}/"
            f"{account}_CloudTrail_{region}_{stamp}T{n % 24:02d}{n % 60:02d}Z_{n:04x}.json.gz")


def _put_log(s3: Any, key: str, n: int, day: str = "2024-03-04") -> None:
    body = records_doc([ct_record(n * 10 + i, day=day, eventID=f"{key}-{i}") for i in range(2)])
    s3.put_object(Bucket=s3.bucket, Key=key, Body=gzip.compress(body.encode()))


def _put_digest(s3: Any, account: str, region: str, day: str) -> str:
    """A digest file laid out as CloudTrail log file integrity validation delivers it."""
    stamp = day.replace("-", "")
    key = (f"{ORG}/{account}/CloudTrail-Digest/{region}/{day.replace('-', '/')}/"
           f"{account}_CloudTrail-Digest_{region}_org-trail_us-east-1_{stamp}T010000Z.json.gz")
    digest = {"awsAccountId": account, "digestStartTime": f"{day}T00:00:00Z", "digestEndTime": f"{day}T01:00:00Z",
              "digestS3Bucket": s3.bucket, "digestS3Object": key, "digestSignatureAlgorithm": "SHA256withRSA",
              "digestPublicKeyFingerprint": "a" * 32, "logFiles": [], "previousDigestS3Bucket": None,
              "previousDigestS3Object": None, "previousDigestHashValue": None,
              "previousDigestHashAlgorithm": None, "previousDigestSignature": None}
    s3.put_object(Bucket=s3.bucket, Key=key, Body=gzip.compress(json.dumps(digest).encode()))
    return key


@pytest.fixture()
def org_trail(aws_env: str) -> Any:
    """An organization trail bucket: 2 accounts × 2 regions × 3 log objects, and a digest each."""
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    # The moto server lives for the session: a bucket of its own keeps other tests' objects out.
    s3.bucket = f"org-trail-{uuid.uuid4().hex[:12]}"
    s3.uri = f"s3://{s3.bucket}/{ORG}/"
    s3.create_bucket(Bucket=s3.bucket)
    n = 0
    for account in ACCOUNTS:
        for region in REGIONS:
            for _ in range(3):
                _put_log(s3, _key(account, region, "2024-03-04", n), n)
                n += 1
            _put_digest(s3, account, region, "2024-03-04")
    return s3


def test_second_run_over_unchanged_prefix_downloads_nothing(org_trail: Any, lake: Path) -> None:
    calls = Calls(org_trail)
    first = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    assert len(calls.gets) == first.objects_downloaded == first.files_read == 12
    assert first.records == {"cloudtrail": 24}
    assert first.digests_skipped == 4 and not first.quarantined  # counted, never downloaded or quarantined
    assert not any("CloudTrail-Digest" in k for k in calls.gets)
    calls.reset()
    again = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    assert calls.gets == [] and again.objects_downloaded == 0
    assert again.total_records == 0 and not again.quarantined
    assert len(lake_rows(lake, "cloudtrail")) == 24
    assert "downloaded" not in again.format()


def test_streams_resume_after_their_watermark(org_trail: Any, lake: Path) -> None:
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    manifest = Manifest(lake)
    marks = manifest.watermarks(f"s3://{org_trail.bucket}/")
    manifest.close()
    stream = f"{org_trail.uri}111111111111/CloudTrail/us-east-1/"
    assert marks[stream] == sorted(_key("111111111111", "us-east-1", "2024-03-04", n) for n in range(3))[-1]
    assert len(marks) == 8  # 4 log streams and 4 digest streams

    calls = Calls(org_trail)
    new = [_key("222222222222", "eu-west-1", "2024-03-05", 100 + i) for i in range(3)]
    for i, key in enumerate(new):
        _put_log(org_trail, key, 100 + i, day="2024-03-05")
    summary = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="1h")
    assert sorted(calls.gets) == sorted(new) and summary.records == {"cloudtrail": 6}
    stream_lists = [p for p in calls.lists if "Delimiter" not in p]
    assert len(stream_lists) == 8 and all("StartAfter" in p for p in stream_lists)
    # The watermark file was delivered at 2024-03-04T02:02Z: an hour before is the same day, whose
    # listing starts after "2024/03/04/"; a 3-hour look-back reaches back into 2024-03-03.
    assert {p["StartAfter"] for p in stream_lists if p["Prefix"] == stream[len(f"s3://{org_trail.bucket}/"):]} == {
        f"{ORG}/111111111111/CloudTrail/us-east-1/2024/03/04/"}
    calls.reset()
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="3h")
    assert calls.gets == [] and {p["StartAfter"] for p in calls.lists
                                  if p["Prefix"] == stream[len(f"s3://{org_trail.bucket}/"):] and "Delimiter" not in p} == {
        f"{ORG}/111111111111/CloudTrail/us-east-1/2024/03/03/"}


def test_late_delivery_inside_the_lookback_is_ingested(org_trail: Any, lake: Path) -> None:
    later = _key("111111111111", "us-east-1", "2024-03-06", 200)
    _put_log(org_trail, later, 200, day="2024-03-06")
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    # Delivered late into a day before the watermark: the 2-day look-back lists it, 1 hour would not.
    late = _key("111111111111", "us-east-1", "2024-03-05", 201)
    _put_log(org_trail, late, 201, day="2024-03-05")
    calls = Calls(org_trail)
    short = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="1h")
    assert calls.gets == [] and short.total_records == 0
    wide = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="2d")
    assert calls.gets == [late] and wide.records == {"cloudtrail": 2}


def test_object_overwritten_with_new_content_is_downloaded_again(org_trail: Any, lake: Path) -> None:
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    key = _key("111111111111", "us-east-1", "2024-03-04", 1)
    _put_log(org_trail, key, 77)  # same key, new bytes: a new ETag
    calls = Calls(org_trail)
    summary = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="2d")
    assert calls.gets == [key] and summary.records == {"cloudtrail": 2}


def test_copy_of_ingested_bytes_is_downloaded_once_then_skipped_by_etag(org_trail: Any, lake: Path) -> None:
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    source = _key("111111111111", "us-east-1", "2024-03-04", 0)
    copy = _key("111111111111", "us-east-1", "2024-03-04", 50)
    org_trail.copy_object(Bucket=org_trail.bucket, Key=copy, CopySource={"Bucket": org_trail.bucket, "Key": source})
    calls = Calls(org_trail)
    first = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="2d")
    assert calls.gets == [copy] and first.total_records == 0 and first.files_skipped == 13
    calls.reset()
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="2d")
    assert calls.gets == []


def test_downloads_run_in_parallel_threads_with_the_same_result(org_trail: Any, lake: Path,
                                                                tmp_path: Path) -> None:
    calls = Calls(org_trail)
    serial = ingest([org_trail.uri], tmp_path / "serial", s3_client=org_trail, workers=1,
                    s3_parallel=1)
    assert calls.get_threads == {threading.current_thread().name}
    calls.get_threads.clear()
    parallel = ingest([org_trail.uri], lake, s3_client=org_trail, workers=2, batch_bytes=200,
                      s3_parallel=4)
    assert len(calls.get_threads) > 1 and all(t.startswith("ingest-fetch") for t in calls.get_threads)
    assert len(calls.list_threads) > 1 and all(t.startswith("ingest-list") for t in calls.list_threads)
    assert parallel.records == serial.records == {"cloudtrail": 24}
    assert sorted(r["eventid"] for r in lake_rows(lake, "cloudtrail")) == sorted(
        r["eventid"] for r in lake_rows(tmp_path / "serial", "cloudtrail"))
    assert not list((lake / "_staging").glob("*/_spool/*"))


def test_missing_bucket_and_empty_prefix_are_named(org_trail: Any, lake: Path) -> None:
    from workbench.lake import SourceNotFound

    with pytest.raises(SourceNotFound, match=r"s3://no-such-bucket-x/AWSLogs/: bucket 'no-such-bucket-x' does not"):
        ingest(["s3://no-such-bucket-x/AWSLogs/"], lake, s3_client=org_trail)
    with pytest.raises(SourceNotFound, match=f"s3://{org_trail.bucket}/elsewhere/: no objects under this prefix"):
        ingest([f"s3://{org_trail.bucket}/elsewhere/"], lake, s3_client=org_trail)
    assert not (lake / "_manifest.sqlite").exists()


def test_digest_file_in_a_local_folder_is_counted_not_quarantined(tmp_path: Path, lake: Path) -> None:
    folder = tmp_path / "AWSLogs" / "111111111111"
    log = folder / "CloudTrail" / "us-east-1" / "2024" / "03" / "04" / "a.json"
    digest = folder / "CloudTrail-Digest" / "us-east-1" / "2024" / "03" / "04" / "d.json"
    for path, body in ((log, records_doc([ct_record(1)])), (digest, json.dumps({"logFiles": []}))):
        path.parent.mkdir(parents=True)
        path.write_text(body)
    summary = ingest([tmp_path / "AWSLogs"], lake, workers=1)
    assert summary.records == {"cloudtrail": 1} and summary.digests_skipped == 1 and not summary.quarantined
    assert "skipped 1 CloudTrail digest files" in summary.format()


def test_s3_endpoint_and_lookback_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"MANTISSA_S3_ENDPOINT_URL": "http://127.0.0.1:9",
                                        "MANTISSA_S3_LOOKBACK": "2d", "MANTISSA_S3_PARALLEL": "4"})
    assert (settings.s3_endpoint_url, settings.s3_lookback, settings.s3_parallel) == ("http://127.0.0.1:9", "2d", 4)
    with pytest.raises(ConfigError, match=r"s3_lookback: .*cannot read duration 'soon'"):
        load_settings(tmp_path, {"MANTISSA_S3_LOOKBACK": "soon"})
    with pytest.raises(ConfigError, match="s3_parallel"):
        load_settings(tmp_path, {"MANTISSA_S3_PARALLEL": "0"})


def test_cli_ingest_reaches_s3_through_the_endpoint_setting(org_trail: Any, workspace: Path,
                                                            monkeypatch: pytest.MonkeyPatch, aws_env: str) -> None:
    monkeypatch.setenv("MANTISSA_S3_ENDPOINT_URL", aws_env)
    app = area_app(lake_cli.register)
    first = CliRunner().invoke(app, ["ingest", org_trail.uri, "--no-progress"])
    assert first.exit_code == 0, first.output
    assert "downloaded 12 objects from S3" in first.output and "skipped 4 CloudTrail digest files" in first.output
    again = CliRunner().invoke(app, ["ingest", org_trail.uri, "--no-progress"])
    assert again.exit_code == 0, again.output
    assert "downloaded" not in again.output and "skipped 12 objects already ingested" in again.output


def test_object_that_failed_to_download_holds_the_watermark(org_trail: Any, lake: Path) -> None:
    stream_prefix = f"{ORG}/111111111111/CloudTrail/us-east-1/"
    later = [_key("111111111111", "us-east-1", "2024-03-06", 300 + i) for i in range(2)]
    for i, key in enumerate(later):
        _put_log(org_trail, key, 300 + i, day="2024-03-06")
    failing = _key("111111111111", "us-east-1", "2024-03-04", 1)

    def refuse(params: dict, **_: Any) -> None:
        if params["Key"] == failing:  # the network drops this one download
            raise ConnectionResetError("connection reset by peer")

    org_trail.meta.events.register("provide-client-params.s3.GetObject", refuse)
    first = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="1h")
    org_trail.meta.events.unregister("provide-client-params.s3.GetObject", refuse)
    assert first.quarantined == {"unreadable_file": 1} and first.records == {"cloudtrail": 26}
    manifest = Manifest(lake)
    mark = manifest.watermarks(f"s3://{org_trail.bucket}/")[f"s3://{org_trail.bucket}/{stream_prefix}"]
    manifest.close()
    assert mark == _key("111111111111", "us-east-1", "2024-03-04", 0)  # the last key before the failure
    calls = Calls(org_trail)
    second = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="1h")
    assert calls.gets == [failing] and second.records == {"cloudtrail": 2}


def test_ingest_playbook_runs_the_scheduled_ingest(org_trail: Any, workspace: Path, aws_env: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.playbooks import PlaybookError, run_playbook
    from workbench.schedule.spec import load_schedule

    job = next(j for j in load_schedule(Path(__file__).resolve().parents[2] / "schedule.yaml").jobs
               if j.name == "ingest")
    assert (job.playbook, job.cron, job.enabled) == ("ingest", "*/5 * * * *", False)  # needs the team's prefix
    monkeypatch.setenv("MANTISSA_S3_ENDPOINT_URL", aws_env)  # the kernel inherits the environment
    run_playbook("ingest", {"sources": [org_trail.uri]}, settings=load_settings())
    assert len(lake_rows(workspace / "lake", "cloudtrail")) == 24
    with pytest.raises(PlaybookError, match="the ingest job has no sources"):
        run_playbook("ingest", {}, settings=load_settings())


def test_two_keys_with_the_same_bytes_in_one_run_are_both_recorded(org_trail: Any, lake: Path) -> None:
    source = _key("111111111111", "us-east-1", "2024-03-04", 0)
    copy = _key("111111111111", "us-east-1", "2024-03-04", 60)
    org_trail.copy_object(Bucket=org_trail.bucket, Key=copy, CopySource={"Bucket": org_trail.bucket, "Key": source})
    first = ingest([org_trail.uri], lake, s3_client=org_trail, workers=1)
    assert first.objects_downloaded == 13 and first.records == {"cloudtrail": 24}
    calls = Calls(org_trail)
    ingest([org_trail.uri], lake, s3_client=org_trail, workers=1, s3_lookback="2d")
    assert calls.gets == []
