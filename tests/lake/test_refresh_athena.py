"""`mantissa lake refresh` over the executing Athena double: raw rows → the S3 lake, by hour.

The source is a table of the catalog's columns partitioned by event day in `mantissa_raw` (what
the raw-log views give), holding events delivered twice; the target is the lake table
`mantissa.cloudtrail` as `mantissa athena setup` creates it. Every check reads the lake back
through Athena (the double), so it sees what a detection run would.
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from workbench.catalog import TABLES, arrow_schema, get_table
from workbench.catalog.ddl import create_database_ddl, create_table_ddl
from workbench.config import load_settings
from workbench.engines.base import EngineError
from workbench.lake.refresh import refresh
from workbench.lake.refresh.checkpoint import checkpoint_store
from workbench.lake.refresh.layout import FILE_PREFIX
from workbench.lake.refresh.statements import Batch, ctas_sql

DAY = datetime(2026, 3, 2, tzinfo=UTC)
SOURCE = "mantissa_raw"


class Killed(Exception):
    """Stands for the process dying between two steps of a refresh."""


def parquet(rows: list[dict]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(get_table("cloudtrail"))), sink)
    return sink.getvalue()


def event(when: datetime, eid: str | None = None, name: str = "GetObject") -> dict:
    return {"eventid": eid or str(uuid.uuid4()), "eventtime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventsource": "s3.amazonaws.com", "eventname": name, "recipientaccountid": "111122223333",
            "useridentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"}}


@pytest.fixture()
def lake(athena_double, workspace: Path) -> SimpleNamespace:  # noqa: ANN001
    double = athena_double
    # S3 calls go to moto; the Athena endpoint is the double's.
    settings = double.settings(load_settings(workspace, environ={})).model_copy(
        update={"s3_endpoint_url": double.s3_endpoint_url})
    raw = f"s3://{double.lake_bucket}/raw-parquet/"
    for sql in (create_database_ddl(SOURCE), create_table_ddl(TABLES["cloudtrail"], raw, SOURCE),
                create_database_ddl("mantissa"),
                create_table_ddl(TABLES["cloudtrail"], settings.athena.lake_location, "mantissa")):
        execution = double.query(sql)
        assert execution.state == "SUCCEEDED", execution.reason
    rng = random.Random(19)
    day = [event(DAY + timedelta(seconds=rng.randrange(86400))) for _ in range(400)]
    day += [event(DAY + timedelta(hours=h, minutes=m)) for h in (0, 23) for m in (0, 59)]  # edges
    day += [event(DAY + timedelta(minutes=m + 2)) for m in range(0, 1440, 5)]  # every slot holds rows
    twice = rng.sample(day, 25)  # CloudTrail delivered these twice, in another object
    outside = [event(DAY - timedelta(seconds=1)), event(DAY + timedelta(days=1))]

    def deliver(rows: list[dict], name: str) -> None:
        for key in sorted({r["eventtime"][:10] for r in rows}):
            y, m, d = key.split("-")
            double.put(f"{raw}cloudtrail/year={y}/month={m}/day={d}/{name}.parquet",
                       parquet([r for r in rows if r["eventtime"].startswith(key)]))

    deliver(day, "first")
    deliver(twice, "again")
    deliver(outside, "edges")
    return SimpleNamespace(double=double, settings=settings, raw=raw, deliver=deliver,
                           expected=sorted(r["eventid"] for r in day))


def lake_ids(lake: SimpleNamespace) -> list[str]:
    cursor = lake.double.connect(schema_name="mantissa").cursor()
    cursor.execute("SELECT eventid FROM cloudtrail WHERE year = '2026' AND month = '03' AND day = '02'")
    return sorted(r[0] for r in cursor.fetchall())


def lake_files(lake: SimpleNamespace) -> list[str]:
    bucket = lake.double.lake_bucket
    listed = lake.double.s3.list_objects_v2(Bucket=bucket, Prefix="lake/cloudtrail/year=2026/month=03/day=02/")
    return [o["Key"].rsplit("/", 1)[-1] for o in listed.get("Contents", [])]


def ctas(lake: SimpleNamespace) -> list[str]:
    return [s for s in lake.double.statements if s.lstrip().upper().startswith("CREATE TABLE")]


def test_a_day_refreshes_into_the_lake_once_per_event(lake: SimpleNamespace) -> None:
    summary = refresh(lake.settings, DAY, DAY + timedelta(days=1))
    assert lake_ids(lake) == lake.expected  # every event of the day, the twice-delivered once
    assert len(ctas(lake)) == 3  # 24 hours in batches of 8: 96 slot partitions per statement
    assert all(e.state == "SUCCEEDED" for e in lake.double.executions)
    files = lake_files(lake)
    assert files and all(f.startswith(FILE_PREFIX) and f.endswith(".parquet") for f in files)
    assert {f[len(FILE_PREFIX):len(FILE_PREFIX) + 4] for f in files} >= {"0000", "2355"}
    hours = summary.tables[0].hours
    assert [h.hour for h in hours] == [f"2026-03-02T{h:02d}" for h in range(24)]
    assert sorted(checkpoint_store(lake.settings).done("cloudtrail")) == [h.hour for h in hours]
    staged = lake.double.s3.list_objects_v2(Bucket=lake.double.lake_bucket, Prefix="lake/_refresh/")
    assert staged.get("KeyCount", 0) == 0  # staging emptied after each batch
    # Each batch wrote 96 partitions; one hour more would pass Athena's limit of 100.
    nine = Batch(tuple(DAY + timedelta(hours=h) for h in range(9)))
    refused = lake.double.query(ctas_sql(TABLES["cloudtrail"], nine, "mantissa", SOURCE,
                                         f"s3://{lake.double.lake_bucket}/nine-hours/"), database="mantissa")
    assert refused.state == "FAILED" and "HIVE_TOO_MANY_OPEN_PARTITIONS" in refused.reason


def test_re_running_and_overlapping_windows_neither_duplicate_nor_lose(lake: SimpleNamespace) -> None:
    refresh(lake.settings, DAY, DAY + timedelta(days=1))
    files = sorted(lake_files(lake))
    refresh(lake.settings, DAY, DAY + timedelta(days=1))
    assert lake_ids(lake) == lake.expected
    assert sorted(lake_files(lake)) == files  # the same names, overwritten
    # A late delivery into hours 06–07, and a window that overlaps the day's first refresh part-way.
    late = [event(DAY + timedelta(hours=6, minutes=30)), event(DAY + timedelta(hours=7, minutes=1))]
    lake.deliver(late, "late")
    refresh(lake.settings, DAY + timedelta(hours=5, minutes=30), DAY + timedelta(hours=7, minutes=10))
    assert lake_ids(lake) == sorted(lake.expected + [e["eventid"] for e in late])


def test_a_failed_statement_leaves_the_lake_whole_and_a_re_run_finishes(lake: SimpleNamespace) -> None:
    refresh(lake.settings, DAY, DAY + timedelta(days=1))
    before = lake_ids(lake)

    def fail_the_ctas(step: str) -> None:
        if step == "cleared":
            lake.double.fail_next("HIVE_CURSOR_ERROR: injected failure")

    with pytest.raises(EngineError, match="injected failure"):
        refresh(lake.settings, DAY, DAY + timedelta(days=1), after_step=fail_the_ctas)
    assert lake_ids(lake) == before  # staging was cleared; the lake is only touched by a publish
    refresh(lake.settings, DAY, DAY + timedelta(days=1))
    assert lake_ids(lake) == lake.expected


def test_killed_between_statements_the_scheduled_run_resumes_from_the_checkpoint(lake: SimpleNamespace) -> None:
    def die(step: str) -> None:
        if step == "published 2026-03-02T09":
            raise Killed(step)

    # 23:00 has settled (refresh.settle 20m); with no checkpoint it starts refresh.first_run (24h) back.
    now = DAY + timedelta(days=1, minutes=25)
    settings = lake.settings
    with pytest.raises(Killed):
        refresh(settings, now=now, after_step=die)
    done = checkpoint_store(settings).done("cloudtrail")
    assert sorted(done) == [f"2026-03-02T{h:02d}" for h in range(10)]  # batch 1 whole, batch 2 to 09
    assert set(lake_ids(lake)) < set(lake.expected)
    executed = len(lake.double.statements)
    summary = refresh(settings, now=now)
    # 10–23 were due; 08 and 09 are done again beside them (refresh.redo 2h, for late deliveries).
    assert [h.hour for h in summary.tables[0].hours] == [f"2026-03-02T{h:02d}" for h in range(8, 24)]
    assert lake_ids(lake) == lake.expected
    assert len(ctas(lake)) == 2 + 2  # 08–15 staged again from its start, then 16–23
    assert refresh(settings, now=now).tables[0].hours == []  # nothing left
    assert len(lake.double.statements) > executed


def test_the_cli_refreshes_a_window_and_says_what_it_did(lake: SimpleNamespace, monkeypatch) -> None:  # noqa: ANN001
    from workbench.cli import app

    lake.double.env(monkeypatch)
    monkeypatch.setenv("MANTISSA_S3_ENDPOINT_URL", lake.double.s3_endpoint_url)
    result = CliRunner().invoke(app, ["lake", "refresh", "--start", "2026-03-02T22:00Z", "--end", "2026-03-03T00:00Z"])
    assert result.exit_code == 0, result.output
    assert "cloudtrail: 2 hour(s) 2026-03-02T22:00 → 2026-03-02T23:59 refreshed" in result.output
    assert "3 Athena statement(s)" in result.output  # drop, CTAS, drop
    bad = CliRunner().invoke(app, ["lake", "refresh", "--start", "2026-03-02T22:00Z"])
    assert bad.exit_code == 2 and "give both --start and --end" in bad.output


def test_rules_over_the_refreshed_lake_answer_as_over_the_local_lake(athena_double, demo_lake, demo_lake_settings,
                                                                    workspace: Path) -> None:  # noqa: ANN001
    from workbench.engines.base import get_engine
    from workbench.rules.loader import load_rules
    from workbench.timewindow import Window

    double = athena_double
    day = datetime(2026, 11, 19, tzinfo=UTC)
    folder = demo_lake.lake / "cloudtrail" / "year=2026" / "month=11" / "day=19"
    raw = f"s3://{double.lake_bucket}/raw-parquet/"
    double.upload(folder, f"{raw}cloudtrail/year=2026/month=11/day=19/")
    settings = double.settings(load_settings(workspace, environ={})).model_copy(
        update={"s3_endpoint_url": double.s3_endpoint_url})
    for sql in (create_database_ddl(SOURCE), create_table_ddl(TABLES["cloudtrail"], raw, SOURCE),
                create_database_ddl("mantissa"),
                create_table_ddl(TABLES["cloudtrail"], settings.athena.lake_location, "mantissa")):
        assert double.query(sql).state == "SUCCEEDED"
    refresh(settings, day, day + timedelta(days=1))

    window = Window(day, day + timedelta(days=1))
    local = get_engine("local", demo_lake_settings)
    athena = get_engine("athena", settings)
    rules = [r for r in load_rules([Path(__file__).resolve().parents[2] / "rules" / "aws" / "cloudtrail"]).enabled()
             if r.threshold is None and r.new_terms is None]
    hunts = ["SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname",
             "SELECT eventid FROM cloudtrail WHERE errorcode IS NOT NULL"]
    with_rows = empty = 0
    for sql in hunts + [r.query for r in rules]:
        expected = local.run(sql, window).frame
        if expected.empty:
            if empty == 2:
                continue  # two rules silent on both engines are enough; the rest cost time alone
            empty += 1
        else:
            with_rows += 1
        got = athena.run(sql, window).frame
        key = "eventid" if "eventid" in expected.columns else expected.columns[0]
        assert sorted(map(str, got[key])) == sorted(map(str, expected[key])), sql
        if "n" in expected.columns:
            assert dict(zip(got[key], got["n"], strict=True)) == dict(zip(expected[key], expected["n"], strict=True))
    assert with_rows >= len(hunts) + 3  # the injected attacks of the demo day alert on both


def test_refresh_reads_an_organisation_trail_through_the_raw_views(athena_double, workspace: Path) -> None:  # noqa: ANN001
    """The real source: the synth's objects in AWS's delivered layout, `<table>_raw` and its view in
    mantissa_raw (as `mantissa athena setup --source raw` writes them), across midnight."""
    from workbench.catalog.raw import raw_ddl
    from workbench.synth import generate
    from workbench.synth.delivered import delivered_settings, write_delivered
    from workbench.timewindow import iso_z

    double = athena_double
    start, end = datetime(2026, 11, 25, 22, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC)
    records = generate(1, seed=11, end="2026-11-26T02:00:00Z", scale=0.5).records
    trail = [r for r in records["cloudtrail"] if iso_z(start) <= r["eventTime"] < iso_z(end)]
    location = f"s3://{double.lake_bucket}/org-trail/"
    raw = delivered_settings({"cloudtrail": trail}, location, org_id="o-a1b2c3d4e5")
    write_delivered({"cloudtrail": trail}, workspace / "delivered", raw, seed=11, tables=["cloudtrail"])
    double.upload(workspace / "delivered", location)
    settings = double.settings(load_settings(workspace, environ={}))
    settings = settings.model_copy(update={"athena": settings.athena.model_copy(update={"raw": raw}),
                                           "s3_endpoint_url": double.s3_endpoint_url})
    for sql in [create_database_ddl(SOURCE), *raw_ddl(settings.athena, SOURCE, ["cloudtrail"]),
                create_database_ddl("mantissa"),
                create_table_ddl(TABLES["cloudtrail"], settings.athena.lake_location, "mantissa")]:
        execution = double.query(sql)
        assert execution.state == "SUCCEEDED", execution.reason

    summary = refresh(settings, start, end)
    assert [h.hour for h in summary.tables[0].hours] == ["2026-11-25T22", "2026-11-25T23", "2026-11-26T00",
                                                         "2026-11-26T01"]
    cursor = double.connect(schema_name="mantissa").cursor()
    cursor.execute("SELECT eventid FROM cloudtrail WHERE year = '2026' AND month = '11' AND day IN ('25', '26')")
    in_lake = sorted(r[0] for r in cursor.fetchall())
    assert in_lake == sorted({r["eventID"] for r in trail})
    assert len(in_lake) > 100


def test_guardduty_findings_refresh_once_per_finding_update(athena_double, workspace: Path) -> None:  # noqa: ANN001
    from workbench.catalog.raw import raw_ddl
    from workbench.synth import generate
    from workbench.synth.delivered import delivered_settings, write_delivered

    double = athena_double
    start, end = datetime(2026, 11, 25, 8, tzinfo=UTC), datetime(2026, 11, 26, 0, tzinfo=UTC)
    findings = generate(1, seed=11, end="2026-11-26T02:00:00Z", scale=0.5).records["guardduty"]
    location = f"s3://{double.lake_bucket}/findings/"
    raw = delivered_settings({"guardduty": findings}, location)
    write_delivered({"guardduty": findings}, workspace / "delivered", raw, seed=11, tables=["guardduty"])
    double.upload(workspace / "delivered", location)
    settings = double.settings(load_settings(workspace, environ={}))
    settings = settings.model_copy(update={"athena": settings.athena.model_copy(update={"raw": raw}),
                                           "s3_endpoint_url": double.s3_endpoint_url})
    for sql in [create_database_ddl(SOURCE), *raw_ddl(settings.athena, SOURCE, ["guardduty"]),
                create_database_ddl("mantissa"),
                create_table_ddl(TABLES["guardduty"], settings.athena.lake_location, "mantissa")]:
        execution = double.query(sql)
        assert execution.state == "SUCCEEDED", execution.reason

    refresh(settings, start, end, ["guardduty"])
    refresh(settings, start, end, ["guardduty"])  # again: replaced, not added to
    cursor = double.connect(schema_name="mantissa").cursor()
    cursor.execute("SELECT id, updatedat FROM guardduty WHERE year = '2026' AND month = '11' AND day = '25'")
    in_lake = sorted(cursor.fetchall())
    expected = sorted({(f["id"], f["updatedAt"]) for f in findings if "2026-11-25T08" <= f["updatedAt"] < "2026-11-26"})
    assert in_lake == expected and len(expected) >= 3


def test_the_playbook_refreshes_a_window(lake: SimpleNamespace, monkeypatch) -> None:  # noqa: ANN001
    from workbench.playbooks import run_playbook

    lake.double.env(monkeypatch)  # the kernel inherits the environment
    monkeypatch.setenv("MANTISSA_S3_ENDPOINT_URL", lake.double.s3_endpoint_url)
    notebook = run_playbook("lake-refresh", {"start": "2026-03-02T00:00Z", "end": "2026-03-03T00:00Z"},
                            settings=load_settings())
    assert notebook.is_file() and "cloudtrail: 24 hour(s)" in notebook.read_text()
    assert lake_ids(lake) == lake.expected
