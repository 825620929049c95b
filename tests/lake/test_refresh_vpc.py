"""`mantissa lake refresh` of VPC Flow Logs over the executing Athena double.

The source is the synth's flow logs in AWS's delivered layout (`write_delivered`: text with a
header line, or Parquet; plain or Hive-compatible folders; daily or hourly), read through
`vpc_flow_raw` and its view in mantissa_raw as `mantissa athena setup --source raw` creates them;
the target is the lake table `mantissa.vpc_flow`. A flow record has no id: the refresh keeps one
row per whole record. Every check reads the lake back through Athena (the double).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.engines.test_athena_raw import rows
from workbench.catalog import TABLES
from workbench.catalog.ddl import create_database_ddl, create_table_ddl
from workbench.config import load_settings
from workbench.engines.base import EngineError, get_engine
from workbench.lake.refresh import refresh
from workbench.lake.refresh.checkpoint import checkpoint_store
from workbench.lake.refresh.layout import FILE_PREFIX
from workbench.synth import SynthOutput, generate, write_raw
from workbench.synth.delivered import delivered_settings, write_delivered
from workbench.timewindow import Window

SOURCE = "mantissa_raw"
END = "2026-11-26T02:00:00Z"
START, STOP = datetime(2026, 11, 25, 22, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC)
# The fields the synth writes (AWS's v5 default format); the lake holds NULL in the catalog's others.
FIELDS = ("version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
          "packets", "bytes", "start", "end", "action", "log_status", "vpc_id", "subnet_id", "instance_id",
          "tcp_flags", "type", "pkt_srcaddr", "pkt_dstaddr", "region", "az_id", "sublocation_type",
          "sublocation_id", "pkt_src_aws_service", "pkt_dst_aws_service", "flow_direction", "traffic_path")
LAYOUTS = {"text-plain-daily": {"format": "text"},
           "parquet-hive-hourly": {"format": "parquet", "hive": True, "hourly": True}}


class Killed(Exception):
    """Stands for the process dying between two steps of a refresh."""


@pytest.fixture(scope="module")
def events() -> SynthOutput:
    """Four hours across midnight: flows delivered after midnight into the next day's folders."""
    out = generate(1, seed=11, end=END, scale=0.5)
    lo, hi = int(START.timestamp()), int(STOP.timestamp())
    flows = [f for f in out.records["vpc_flow"] if lo <= f["start"] < hi]
    return replace(out, records={"cloudtrail": [], "vpc_flow": flows, "guardduty": []})


def record(flow: dict) -> tuple:
    return tuple(flow.get(name) for name in FIELDS)


def flows_lake(athena_double: Any, workspace: Path, events: SynthOutput, **vpc_flow: Any) -> SimpleNamespace:
    double = athena_double
    location = f"s3://{double.lake_bucket}/flow-logs/"
    raw = delivered_settings(events.records, location, vpc_flow=vpc_flow)
    delivered = write_delivered(events.records, workspace / "delivered", raw, seed=11, tables=["vpc_flow"])
    double.upload(workspace / "delivered", location)
    settings = double.settings(load_settings(workspace, environ={}))
    settings = settings.model_copy(update={
        "athena": settings.athena.model_copy(update={"raw": raw}), "s3_endpoint_url": double.s3_endpoint_url,
        "refresh": settings.refresh.model_copy(update={"tables": ["vpc_flow"]})})
    from workbench.catalog.raw import raw_ddl

    for sql in [create_database_ddl(SOURCE), *raw_ddl(settings.athena, SOURCE, ["vpc_flow"]),
                create_database_ddl("mantissa"),
                create_table_ddl(TABLES["vpc_flow"], settings.athena.lake_location, "mantissa")]:
        execution = double.query(sql)
        assert execution.state == "SUCCEEDED", execution.reason
    objects = [p.relative_to(workspace / "delivered").as_posix() for p in delivered["vpc_flow"]]
    return SimpleNamespace(double=double, settings=settings, location=location, objects=objects,
                           expected=sorted(map(record, events.records["vpc_flow"]), key=repr))


def in_lake(lake: SimpleNamespace) -> list[tuple]:
    cursor = lake.double.connect(schema_name="mantissa").cursor()
    columns = ", ".join(f'"{name}"' for name in FIELDS)
    cursor.execute(f"SELECT {columns} FROM vpc_flow WHERE year = '2026' AND month = '11' AND day IN ('25', '26')")
    return sorted((tuple(row) for row in cursor.fetchall()), key=repr)


def lake_files(lake: SimpleNamespace) -> list[str]:
    listed = lake.double.s3.list_objects_v2(Bucket=lake.double.lake_bucket, Prefix="lake/vpc_flow/")
    return sorted(o["Key"].removeprefix("lake/vpc_flow/") for o in listed.get("Contents", []))


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_flows_refresh_into_the_lake_once_per_record_and_a_re_run_replaces(
        athena_double: Any, workspace: Path, events: SynthOutput, layout: dict) -> None:
    lake = flows_lake(athena_double, workspace, events, **layout)
    summary = refresh(lake.settings, START, STOP, ["vpc_flow"])
    assert [h.hour for h in summary.tables[0].hours] == ["2026-11-25T22", "2026-11-25T23", "2026-11-26T00",
                                                         "2026-11-26T01"]
    got = in_lake(lake)
    assert got == lake.expected and len(got) > 100  # the flows delivered past midnight included
    files = lake_files(lake)
    assert {f.split("/")[2] for f in files} == {"day=25", "day=26"}  # partitioned by the flow's start day
    names = [f.rsplit("/", 1)[-1] for f in files]
    assert all(n.startswith(FILE_PREFIX) and n.endswith(".parquet") for n in names)
    assert {n[len(FILE_PREFIX):len(FILE_PREFIX) + 4] for n in names} >= {"2200", "2355", "0000", "0155"}

    # One object delivered again under another name (a copy, or a second flow log on the same
    # interfaces into the same bucket): its records equal others in every field, so they are not added.
    bucket = lake.double.lake_bucket
    prefix = lake.location.removeprefix(f"s3://{bucket}/")
    first = prefix + lake.objects[len(lake.objects) // 2]
    suffix = ".log.parquet" if layout["format"] == "parquet" else ".log.gz"
    lake.double.s3.copy_object(Bucket=bucket, Key=first.removesuffix(suffix) + "-copy" + suffix,
                               CopySource={"Bucket": bucket, "Key": first})
    refresh(lake.settings, START, STOP, ["vpc_flow"])
    assert in_lake(lake) == lake.expected
    assert lake_files(lake) == files  # the same names, overwritten


def test_overlapping_windows_and_a_late_delivery_neither_duplicate_nor_lose(
        athena_double: Any, workspace: Path, events: SynthOutput) -> None:
    lake = flows_lake(athena_double, workspace, events, format="text")
    refresh(lake.settings, START, STOP, ["vpc_flow"])
    # A flow of 23:41 delivered late, into the next day's 00:50 folder (the raw view's late branch).
    late = dict(events.records["vpc_flow"][0], srcport=65001, start=int(datetime(2026, 11, 25, 23, 41,
                                                                                 tzinfo=UTC).timestamp()))
    late["end"] = late["start"] + 30
    folder = workspace / "late"
    raw = lake.settings.athena.raw
    written = write_delivered({"vpc_flow": [late]}, folder, raw, seed=12, tables=["vpc_flow"])["vpc_flow"][0]
    key = written.relative_to(folder).as_posix().replace("/2026/11/25/", "/2026/11/26/")
    lake.double.upload(written, lake.location + key)
    # Overlaps the first refresh part-way on both sides.
    refresh(lake.settings, START + timedelta(minutes=50), STOP - timedelta(minutes=70), ["vpc_flow"])
    assert in_lake(lake) == sorted(lake.expected + [record(late)], key=repr)


def test_killed_or_failed_between_statements_a_re_run_finishes_without_doubles(
        athena_double: Any, workspace: Path, events: SynthOutput) -> None:
    lake = flows_lake(athena_double, workspace, events, format="parquet", hive=True)
    settings = lake.settings.model_copy(update={"refresh": lake.settings.refresh.model_copy(
        update={"first_run": "4h"})})
    now = STOP + timedelta(minutes=25)  # 01:00 has settled (refresh.settle 20m): 22:00–01:59 are due

    def die(step: str) -> None:
        if step == "published 2026-11-25T23":
            raise Killed(step)

    with pytest.raises(Killed):
        refresh(settings, now=now, after_step=die)
    assert sorted(checkpoint_store(settings).done("vpc_flow")) == ["2026-11-25T22", "2026-11-25T23"]
    partial = in_lake(lake)
    assert 0 < len(partial) < len(lake.expected) and set(partial) < set(lake.expected)

    def fail_the_ctas(step: str) -> None:
        if step == "cleared":
            lake.double.fail_next("HIVE_CURSOR_ERROR: injected failure")

    with pytest.raises(EngineError, match="injected failure"):
        refresh(settings, now=now, after_step=fail_the_ctas)
    assert in_lake(lake) == partial  # a failed CTAS leaves the lake as it was

    summary = refresh(settings, now=now)  # 00–01 due, 22–23 done again (refresh.redo 2h)
    assert [h.hour for h in summary.tables[0].hours] == ["2026-11-25T22", "2026-11-25T23", "2026-11-26T00",
                                                         "2026-11-26T01"]
    assert in_lake(lake) == lake.expected
    assert refresh(settings, now=now).tables[0].hours == []


@pytest.fixture()
def local(events: SynthOutput, tmp_path: Path) -> Iterator[Any]:
    """The local engine over a lake `mantissa ingest` wrote from the same flows."""
    from workbench.config import Settings
    from workbench.lake import ingest

    written = write_raw(events, tmp_path / "raw")
    ingest(written["vpc_flow"], tmp_path / "lake")
    with get_engine("local", Settings.model_validate({"workspace": tmp_path, "lake_path": "lake"})) as engine:
        yield engine


def test_rules_over_the_refreshed_flows_answer_as_over_the_ingested_lake(
        athena_double: Any, workspace: Path, events: SynthOutput, local: Any) -> None:
    from workbench.rules.loader import load_rules

    lake = flows_lake(athena_double, workspace, events, format="text", hive=True, hourly=True)
    refresh(lake.settings, START, STOP, ["vpc_flow"])
    window = Window(START, STOP)
    columns = ", ".join(f'"{name}"' for name in FIELDS)
    rules = [r for r in load_rules([Path(__file__).resolve().parents[2] / "rules"]).enabled()
             if r.table == "vpc_flow" and r.new_terms is None]
    queries = [f"SELECT {columns}, year, month, day FROM vpc_flow",
               "SELECT action, protocol, count(*) AS n, sum(bytes) AS total FROM vpc_flow GROUP BY 1, 2"]
    firing = 0
    with get_engine("athena", lake.settings) as athena:
        for sql in queries + [r.query for r in rules]:
            expected = local.run(sql, window).frame
            got = athena.run(sql, window).frame
            assert list(got.columns) == list(expected.columns), sql
            assert rows(got) == rows(expected), sql
            firing += not expected.empty
    assert len(local.run(queries[0], window).frame) == len(events.records["vpc_flow"])
    assert firing >= len(queries) + 1  # the port-scan rule's rows, on both
