"""Synthetic records written as AWS delivers them, and the raw views' labels over those files.

The round trips read every object back and find each record exactly once. The view tests load the
objects' partition values (parsed from their keys with the table's own template) and event times
into DuckDB as the raw table, run the view's SQL (transpiled from Athena), and check every record
is labelled with its event's day, once — including those CloudTrail delivers into the next day.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from typer.testing import CliRunner

from workbench.catalog import TABLES, arrow_type
from workbench.catalog.raw import ACCOUNT, DATE, HOUR, REGION, create_view_ddl, layout_of, raw_columns
from workbench.cli import app
from workbench.config import RawSettings
from workbench.engines.dialect import READ_DIALECT, write_dialect_for
from workbench.synth import SynthOutput, generate
from workbench.synth.delivered import (
    CLOUDTRAIL_FILE_SECONDS,
    delivered_settings,
    upload,
    write_delivered,
)

LOCATION = "s3://org-logs/trail/"
ORG = "o-a1b2c3d4e5"


@pytest.fixture(scope="module")
def day() -> SynthOutput:
    """A quiet day and a bit, ending past midnight, so deliveries cross a day boundary."""
    return generate(1, seed=11, end="2026-11-26T02:00:00Z", scale=0.3)


def _partitions(layout_root: Path, path: Path, settings: RawSettings, table: str) -> dict[str, str]:
    """The projected partition values of an object, read from its key with the table's template."""
    template = layout_of(settings, table).template()
    pattern = re.escape(template)
    for name in (ACCOUNT, REGION, DATE, HOUR):
        pattern = pattern.replace(re.escape(f"${{{name}}}"), f"(?P<{name}>.+?)")
    match = re.fullmatch(pattern + "/[^/]+", path.relative_to(layout_root).as_posix())
    assert match, f"{path} is not under the template {template}"
    return match.groupdict()


def _read_cloudtrail(path: Path) -> list[dict]:
    return json.loads(gzip.decompress(path.read_bytes()))["Records"]


def _read_flows(path: Path, settings: RawSettings) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert lines[0].split() == settings.vpc_flow.fields
    names = [f.replace("-", "_") for f in lines[0].split()]
    return [dict(zip(names, line.split(" "), strict=True)) for line in lines[1:]]


def test_cloudtrail_org_trail_files_hold_five_minutes_under_their_delivery_day(day: SynthOutput,
                                                                                 tmp_path: Path) -> None:
    settings = delivered_settings(day.records, LOCATION, org_id=ORG)
    paths = write_delivered(day.records, tmp_path, settings, tables=["cloudtrail"])["cloudtrail"]
    seen = []
    late = 0
    for path in paths:
        parts = _partitions(tmp_path, path, settings, "cloudtrail")
        assert path.relative_to(tmp_path).parts[:3] == ("AWSLogs", ORG, parts[ACCOUNT])
        assert path.name.startswith(f"{parts[ACCOUNT]}_CloudTrail_{parts[REGION]}_")
        records = _read_cloudtrail(path)
        assert {r["recipientAccountId"] for r in records} == {parts[ACCOUNT]}
        assert {r["awsRegion"] for r in records} == {parts[REGION]}
        times = [datetime.fromisoformat(r["eventTime"]) for r in records]
        delivered = datetime.strptime(path.name.split("_")[3], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        assert all(0 < (delivered - t).total_seconds() <= CLOUDTRAIL_FILE_SECONDS for t in times)
        assert parts[DATE] == f"{delivered:%Y/%m/%d}"
        late += sum(f"{t:%Y/%m/%d}" != parts[DATE] for t in times)
        seen += [r["eventID"] for r in records]
    assert sorted(seen) == sorted(r["eventID"] for r in day.records["cloudtrail"])
    assert late > 0, "the day's last minutes are delivered into the next day's folder"


@pytest.mark.parametrize(("fmt", "hive", "hourly"), [
    ("text", False, False), ("text", True, True), ("parquet", False, True), ("parquet", True, False)])
def test_flow_logs_round_trip_in_each_layout(day: SynthOutput, tmp_path: Path, fmt: str, hive: bool,
                                             hourly: bool) -> None:
    settings = delivered_settings(day.records, LOCATION, vpc_flow={"format": fmt, "hive": hive, "hourly": hourly})
    paths = write_delivered(day.records, tmp_path, settings, tables=["vpc_flow"])["vpc_flow"]
    rows = []
    for path in paths:
        parts = _partitions(tmp_path, path, settings, "vpc_flow")
        assert (HOUR in parts and parts[HOUR] is not None) == hourly
        assert ("aws-account-id=" in path.as_posix()) == hive
        assert path.name.endswith(".log.parquet" if fmt == "parquet" else ".log.gz")
        batch = _read_flows(path, settings)
        assert {str(r["account_id"]) for r in batch} == {parts[ACCOUNT]}
        rows += batch
    expected = day.records["vpc_flow"]
    assert len(rows) == len(expected)
    key = ("interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "start")
    as_text = sorted(tuple(str(r[k]) for k in key) for r in rows)
    assert as_text == sorted(tuple(str(r[k]) for k in key) for r in expected)
    if fmt == "text":  # AWS writes '-' for an absent value
        assert any(r["sublocation_type"] == "-" for r in rows)
    else:
        assert pq.read_schema(paths[0]).field("protocol").type == pa.int32()


def test_guardduty_export_is_one_finding_per_line(day: SynthOutput, tmp_path: Path) -> None:
    settings = delivered_settings(day.records, LOCATION)
    paths = write_delivered(day.records, tmp_path, settings, tables=["guardduty"])["guardduty"]
    found = []
    for path in paths:
        assert path.name.endswith(".jsonl.gz")
        parts = _partitions(tmp_path, path, settings, "guardduty")
        lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        findings = [json.loads(line) for line in lines]
        assert {f["accountId"] for f in findings} == {parts[ACCOUNT]}
        found += findings
    assert sorted(f["id"] for f in found) == sorted(f["id"] for f in day.records["guardduty"])


def test_same_records_give_the_same_bytes(day: SynthOutput, tmp_path: Path) -> None:
    settings = delivered_settings(day.records, LOCATION)
    first = write_delivered(day.records, tmp_path / "a", settings, seed=3)
    second = write_delivered(day.records, tmp_path / "b", settings, seed=3)
    for table in first:
        assert [p.relative_to(tmp_path / "a") for p in first[table]] == \
               [p.relative_to(tmp_path / "b") for p in second[table]]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first[table], second[table], strict=True))


def test_settings_cover_what_was_written(day: SynthOutput) -> None:
    settings = delivered_settings(day.records, LOCATION)
    assert settings.start is not None and settings.start.isoformat() == "2026-11-25"
    assert set(settings.accounts) == {r["recipientAccountId"] for r in day.records["cloudtrail"]}
    assert "eu-west-1" in settings.regions


def test_upload_puts_each_file_at_its_key(moto_endpoint: str, aws_env: None, tmp_path: Path,
                                          day: SynthOutput) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="org-logs")
    settings = delivered_settings(day.records, LOCATION)
    written = write_delivered(day.records, tmp_path, settings, tables=["guardduty"])["guardduty"]
    assert upload(tmp_path, LOCATION, s3) == len(written)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="org-logs", Prefix="trail/AWSLogs/")["Contents"]}
    assert keys == {"trail/" + p.relative_to(tmp_path).as_posix() for p in written}


# --- the views' labels, over the files' partitions and event times -------------------------------

def _raw_table(con: duckdb.DuckDBPyConnection, table: str, settings: RawSettings, rows: list[dict]) -> None:
    """The raw table as Athena sees it: its data columns (NULL where the test needs none) and partitions."""
    columns = raw_columns(TABLES[table], settings)
    partitions = [ACCOUNT, REGION, DATE] + ([HOUR] if layout_of(settings, table).hourly else [])
    schema = pa.schema([pa.field(n, arrow_type(t)) for n, t in columns] + [pa.field(p, pa.string())
                                                                             for p in partitions])
    data = pa.Table.from_pylist(rows, schema=schema)
    con.execute("CREATE SCHEMA IF NOT EXISTS mantissa")
    con.register("staged", data)
    con.execute(f"CREATE TABLE mantissa.{table}_raw AS SELECT * FROM staged")
    con.unregister("staged")


def _view(con: duckdb.DuckDBPyConnection, table: str, settings: RawSettings) -> None:
    athena = create_view_ddl(table, settings)
    con.execute(sqlglot.transpile(athena, read=READ_DIALECT, write=write_dialect_for("duckdb"))[0])


def _label_rows(day: SynthOutput, tmp_path: Path, table: str, settings: RawSettings) -> list[dict]:
    paths = write_delivered(day.records, tmp_path, settings, tables=[table])[table]
    rows = []
    for path in paths:
        parts = _partitions(tmp_path, path, settings, table)
        if table == "cloudtrail":
            batch = [{"eventid": r["eventID"], "eventtime": r["eventTime"]} for r in _read_cloudtrail(path)]
        elif table == "guardduty":
            lines = gzip.decompress(path.read_bytes()).decode().splitlines()
            batch = [{"id": f["id"], "updatedat": f["updatedAt"], "resource": json.dumps(f["resource"])}
                     for f in map(json.loads, lines)]
        else:
            batch = [{"interface_id": str(r["interface_id"]), "start": int(r["start"]), "srcaddr": r["srcaddr"]}
                     for r in _read_flows(path, settings)]
        rows += [b | parts for b in batch]
    return rows


@pytest.mark.parametrize(("table", "options"), [
    ("cloudtrail", {"org_id": ORG}),
    ("vpc_flow", {"vpc_flow": {"hive": True, "hourly": True}}),
    ("vpc_flow", {"vpc_flow": {"format": "parquet"}}),
    ("guardduty", {}),
], ids=["cloudtrail-org", "vpc-hive-hourly", "vpc-parquet", "guardduty"])
def test_view_labels_every_record_with_its_event_day_once(day: SynthOutput, tmp_path: Path, table: str,
                                                          options: dict) -> None:
    settings = delivered_settings(day.records, LOCATION, **options)
    rows = _label_rows(day, tmp_path, table, settings)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _raw_table(con, table, settings, rows)
    _view(con, table, settings)
    time_column = TABLES[table].time_column
    labelled = con.execute(f'SELECT "{time_column}", year, month, day FROM mantissa.{table}').fetchall()
    assert len(labelled) == len(rows)
    for when, year, month, day_of_month in labelled:
        moment = (datetime.fromtimestamp(when, tz=UTC) if isinstance(when, int)
                  else datetime.fromisoformat(when.replace("Z", "+00:00")))
        assert (year, month, day_of_month) == (f"{moment:%Y}", f"{moment:%m}", f"{moment:%d}")
    # The labels come from the folder (so predicates on them prune): rows in a file delivered after
    # midnight carry the day before, so the second branch is exercised.
    late = 0
    for row in rows:
        when = row[time_column]
        event_day = (datetime.fromtimestamp(when, tz=UTC) if isinstance(when, int)
                     else datetime.fromisoformat(when.replace("Z", "+00:00"))).strftime("%Y%m%d")
        late += event_day != re.sub(r"\D", "", row[DATE])
    if table != "guardduty":  # a quiet day has too few findings to be sure one crosses midnight
        assert late > 0
    if table == "guardduty":
        assert con.execute("SELECT count(*) FROM mantissa.guardduty WHERE resourcetype IS NULL").fetchone() == (0,)


def test_window_over_the_view_answers_what_the_events_say(day: SynthOutput, tmp_path: Path) -> None:
    """The window rewrite's year/month/day predicates, applied to the view, keep exactly the window's
    events: the 23:45–00:15 window spans the folder change."""
    from workbench.engines.window import bound_to_window
    from workbench.timewindow import Window

    settings = delivered_settings(day.records, LOCATION, org_id=ORG)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _raw_table(con, "cloudtrail", settings, _label_rows(day, tmp_path, "cloudtrail", settings))
    _view(con, "cloudtrail", settings)
    con.execute("SET schema = 'mantissa'")
    window = Window(datetime(2026, 11, 25, 23, 45, tzinfo=UTC), datetime(2026, 11, 26, 0, 15, tzinfo=UTC))
    got = {r[0] for r in con.execute(bound_to_window("SELECT eventid FROM cloudtrail", window, "duckdb")).fetchall()}
    expected = {r["eventID"] for r in day.records["cloudtrail"]
                if "2026-11-25T23:45:00" <= r["eventTime"][:19] < "2026-11-26T00:15:00"}
    assert expected and got == expected


def test_synth_cli_writes_the_delivered_layout(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text(f"athena:\n  raw:\n    location: {LOCATION}\n    org_id: {ORG}\n"
                                             "    vpc_flow: {format: parquet, hive: true}\n")
    out = workspace / "bucket"
    result = CliRunner().invoke(app, ["synth", "--layout", "delivered", "--out", str(out), "--days", "1",
                                      "--end", "2026-11-26", "--scale", "0.05"])
    assert result.exit_code == 0, result.output
    assert any((out / "AWSLogs" / ORG).rglob("*.json.gz"))
    assert any((out / "AWSLogs").glob("aws-account-id=*/aws-service=vpcflowlogs/*/year=*/month=*/day=*/*.parquet"))
    assert "source: raw" in result.stdout and f"location: {LOCATION}" in result.stdout
    assert not (workspace / "lake").exists()


def test_synth_cli_delivered_needs_out(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--layout", "delivered", "--days", "1"])
    assert result.exit_code == 2
    assert "--out" in result.output
