"""The lake refresh's S3 publish (moto S3) and its checkpoint records (file and moto DynamoDB)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from workbench.config import load_settings
from workbench.lake.refresh.checkpoint import HourDone, checkpoint_store, hour_key
from workbench.lake.refresh.publish import S3Location, clear, publish_hour, staged_slots

HOUR = datetime(2026, 3, 2, 14, tzinfo=UTC)


@pytest.fixture()
def s3(aws_env: str):  # noqa: ANN201
    client = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    bucket = f"b{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


def put(client, bucket: str, key: str, body: bytes = b"x") -> None:  # noqa: ANN001
    client.put_object(Bucket=bucket, Key=key, Body=body)


def keys(client, bucket: str, prefix: str) -> list[str]:  # noqa: ANN001
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def test_publish_makes_the_hours_files_exactly_the_staged_ones(s3) -> None:  # noqa: ANN001
    client, bucket = s3
    staging = S3Location.parse(f"s3://{bucket}/lake/_refresh/", "refresh.staging_location").child("cloudtrail")
    lake = S3Location.parse(f"s3://{bucket}/lake", "athena.lake_location")
    day = "lake/cloudtrail/year=2026/month=03/day=02/"
    put(client, bucket, staging.prefix + "slot=202603021400/q1_00000.parquet", b"a" * 10)
    put(client, bucket, staging.prefix + "slot=202603021400/q1_00001.parquet", b"b" * 20)
    put(client, bucket, staging.prefix + "slot=202603021455/q1_00000.parquet", b"c" * 30)
    put(client, bucket, staging.prefix + "slot=202603021455/_SUCCESS")            # a writer's marker
    put(client, bucket, staging.prefix + "slot=202603021500/q1_00000.parquet")    # the next hour
    put(client, bucket, day + "refresh-1410-0000.parquet", b"old")                # a previous run's slot
    put(client, bucket, day + "refresh-1500-0000.parquet", b"next hour")          # another hour
    put(client, bucket, day + "4b1d.parquet", b"ingested")                        # not the refresh's

    assert list(staged_slots(client, staging, HOUR)) == ["1400", "1455"]
    first = publish_hour(client, staging, lake, "cloudtrail", HOUR)
    assert (first.files, first.bytes, first.removed) == (3, 60, 1)
    assert keys(client, bucket, day) == [day + n for n in (
        "4b1d.parquet", "refresh-1400-0000.parquet", "refresh-1400-0001.parquet", "refresh-1455-0000.parquet",
        "refresh-1500-0000.parquet")]
    assert client.get_object(Bucket=bucket, Key=day + "refresh-1400-0001.parquet")["Body"].read() == b"b" * 20

    # Published again from a smaller staging: replaced, not added to.
    client.delete_object(Bucket=bucket, Key=staging.prefix + "slot=202603021400/q1_00001.parquet")
    again = publish_hour(client, staging, lake, "cloudtrail", HOUR)
    assert (again.files, again.removed) == (2, 1)
    assert [k for k in keys(client, bucket, day) if "refresh-14" in k] == [
        day + "refresh-1400-0000.parquet", day + "refresh-1455-0000.parquet"]

    assert clear(client, staging) == 4
    assert keys(client, bucket, staging.prefix) == []
    assert publish_hour(client, staging, lake, "cloudtrail", HOUR).removed == 2  # an hour now empty
    assert keys(client, bucket, day) == [day + "4b1d.parquet", day + "refresh-1500-0000.parquet"]


def test_a_location_that_is_not_s3_names_the_setting() -> None:
    with pytest.raises(ValueError, match="athena.lake_location must be an s3://bucket/prefix/ URI"):
        S3Location.parse("/tmp/lake", "athena.lake_location")


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_settings(request: pytest.FixtureRequest, workspace: Path):  # noqa: ANN201
    environ = {"MANTISSA_STORE__BACKEND": request.param}
    if request.param == "dynamodb":
        environ |= {"MANTISSA_STORE__ENDPOINT_URL": request.getfixturevalue("aws_env"),
                    "MANTISSA_STORE__TABLE_PREFIX": f"t{uuid.uuid4().hex[:10]}-"}
    return load_settings(workspace, environ=environ)


def test_checkpoints_record_each_published_hour_per_table(store_settings) -> None:  # noqa: ANN001
    store = checkpoint_store(store_settings)
    assert store.done("cloudtrail") == {} and store.last("cloudtrail") is None
    for h in (13, 14):
        store.mark(HourDone("cloudtrail", hour_key(HOUR.replace(hour=h)), files=2, bytes=10 * h, query_id=f"q{h}",
                            finished="2026-03-02T15:21:00Z"))
    store.mark(HourDone("guardduty", "2026-03-02T09", 1, 5, "g", "2026-03-02T15:21:00Z"))
    store.mark(HourDone("cloudtrail", "2026-03-02T14", files=3, bytes=99, query_id="q14b", finished="x"))  # redone
    done = checkpoint_store(store_settings).done("cloudtrail")  # a new process sees the same
    assert sorted(done) == ["2026-03-02T13", "2026-03-02T14"]
    assert (done["2026-03-02T14"].files, done["2026-03-02T14"].query_id) == (3, "q14b")
    assert store.last("cloudtrail") == "2026-03-02T14"
    assert list(store.done("guardduty")) == ["2026-03-02T09"]


def test_a_damaged_checkpoint_file_names_the_file_and_the_fix(workspace: Path) -> None:
    settings = load_settings(workspace, environ={})
    path = settings.state / "lake_refresh.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"cloudtrail": {')
    with pytest.raises(ValueError, match=r"lake_refresh.json: line 1: not valid JSON .* move the file aside"):
        checkpoint_store(settings).done("cloudtrail")


def test_the_scheduled_run_does_settled_unrecorded_hours_and_redoes_the_two_before(workspace: Path) -> None:
    from datetime import timedelta

    from workbench.lake.refresh.run import due_hours

    settings = load_settings(workspace, environ={})
    store = checkpoint_store(settings)
    now = datetime(2026, 3, 2, 12, 19, tzinfo=UTC)  # 11:00–12:00 ended 19 minutes ago: not settled
    first = due_hours(settings, store, "cloudtrail", now)
    assert (first[0], first[-1], len(first)) == (datetime(2026, 3, 1, 12, tzinfo=UTC),
                                                 datetime(2026, 3, 2, 10, tzinfo=UTC), 23)
    for hour in first:
        store.mark(HourDone("cloudtrail", hour_key(hour), 1, 1, "q", "t"))
    assert due_hours(settings, store, "cloudtrail", now) == []  # nothing new settled: nothing to do
    later = due_hours(settings, store, "cloudtrail", now + timedelta(minutes=2))
    assert later == [datetime(2026, 3, 2, h, tzinfo=UTC) for h in (9, 10, 11)]
