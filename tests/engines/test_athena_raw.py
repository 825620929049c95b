"""Raw-log tables end to end on the executing Athena double: the synth's objects in AWS's delivered
layout go to (moto) S3, `mantissa athena setup --source raw` creates the raw tables and views, and
hunts and rules answer the same rows there as the local engine does over a lake ingested from the
same events."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from workbench.catalog import TABLES
from workbench.cli import app
from workbench.config import load_settings
from workbench.engines import get_engine
from workbench.synth import SynthOutput, generate, write_raw
from workbench.synth.delivered import delivered_settings, write_delivered
from workbench.timewindow import Window, iso_z

REPO = Path(__file__).resolve().parents[2]
END = "2026-11-26T02:00:00Z"
DAY = Window(datetime(2026, 11, 25, 2, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC))
SLICE = Window(datetime(2026, 11, 25, 22, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC))
ORG = "o-a1b2c3d4e5"


@pytest.fixture(scope="module")
def events() -> SynthOutput:
    """Four hours across midnight of a day with every scenario injected: deliveries cross a day, and
    few enough objects that each test uploads them quickly."""
    out = generate(1, seed=11, end=END, scale=0.5)
    lo, hi = SLICE.start, SLICE.end
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    keep = {
        "cloudtrail": [r for r in out.records["cloudtrail"] if iso_z(lo) <= r["eventTime"] < iso_z(hi)],
        "vpc_flow": [f for f in out.records["vpc_flow"] if lo_s <= f["start"] < hi_s],
        # Findings are few: keep the day's, so the table is not empty.
        "guardduty": out.records["guardduty"],
    }
    return replace(out, records=keep)


@pytest.fixture(scope="module")
def local(events: SynthOutput, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local engine over a lake ingested (single-host `mantissa ingest`) from the same events."""
    from workbench.config import Settings
    from workbench.lake import ingest

    root = tmp_path_factory.mktemp("lake-side")
    written = write_raw(events, root / "raw")
    ingest([p for paths in written.values() for p in paths], root / "lake")
    settings = Settings.model_validate({"workspace": root, "lake_path": "lake"})
    with get_engine("local", settings) as engine:
        yield engine


def _normal(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars
        return _normal(value.item())
    if isinstance(value, dict | list):
        return repr(value)
    return value


def rows(frame: pd.DataFrame) -> list[tuple]:
    out = [tuple(_normal(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    return sorted(out, key=repr)


def raw_workspace(workspace: Path, double: Any, monkeypatch: pytest.MonkeyPatch, events: SynthOutput,
                  tables: list[str], **layout: Any) -> SimpleNamespace:
    """Delivered objects for `tables` uploaded to the double's S3; mantissa.yaml reading them raw."""
    location = f"s3://{double.lake_bucket}/org-trail/"
    raw = delivered_settings(events.records, location, **layout)
    folder = workspace / "delivered"
    write_delivered(events.records, folder, raw, seed=11, tables=tables)
    double.upload(folder, location)
    config = {"athena": {"source": dict.fromkeys(tables, "raw"),
                         "raw": raw.model_dump(mode="json", exclude_none=True)}}
    (workspace / "mantissa.yaml").write_text(yaml.safe_dump(config))
    double.env(monkeypatch)
    result = CliRunner().invoke(app, ["athena", "setup"] + ([] if len(tables) < len(TABLES) else ["--source", "raw"]))
    assert result.exit_code == 0, result.output
    return SimpleNamespace(settings=load_settings(), location=location, raw=raw)


def test_setup_creates_raw_tables_and_views(workspace: Path, athena_double: Any, monkeypatch: pytest.MonkeyPatch,
                                            events: SynthOutput) -> None:
    raw_workspace(workspace, athena_double, monkeypatch, events, list(TABLES), org_id=ORG)
    catalog = athena_double.service.catalog
    for name in TABLES:
        assert catalog.table("mantissa", f"{name}_raw") is not None
        assert catalog.view("mantissa", name) is not None
    assert catalog.table("mantissa", "cloudtrail_raw").projected["log_account"].props["values"] == \
        ",".join(sorted({r["recipientAccountId"] for r in events.records["cloudtrail"]}))


def test_setup_again_applies_changed_settings(workspace: Path, athena_double: Any, monkeypatch: pytest.MonkeyPatch,
                                             events: SynthOutput) -> None:
    """A re-run after adding an account and a region recreates the raw table's projection."""
    raw_workspace(workspace, athena_double, monkeypatch, events, ["guardduty"])
    config = yaml.safe_load((workspace / "mantissa.yaml").read_text())
    config["athena"]["raw"]["accounts"].append("999988887777")
    config["athena"]["raw"]["regions"].append("ap-south-2")
    (workspace / "mantissa.yaml").write_text(yaml.safe_dump(config))
    result = CliRunner().invoke(app, ["athena", "setup"])
    assert result.exit_code == 0, result.output
    projected = athena_double.service.catalog.table("mantissa", "guardduty_raw").projected
    assert "999988887777" in projected["log_account"].props["values"].split(",")
    assert "ap-south-2" in projected["log_region"].props["values"].split(",")


KEYS = {
    "cloudtrail": "SELECT eventid, eventtime, eventname, useridentity.arn AS arn, sourceipaddress, "
                  "json_extract_scalar(requestparameters, '$.bucketName') AS bucket, errorcode, year, month, day "
                  "FROM cloudtrail",
    "vpc_flow": "SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, \"end\", "
                "action, log_status, flow_direction, traffic_path, sublocation_type, pkt_dst_aws_service, "
                "year, month, day FROM vpc_flow",
    "guardduty": "SELECT id, type, severity, updatedat, resourcetype, "
                 "json_extract_scalar(resource, '$.instanceDetails.instanceId') AS instance, year, month, day "
                 "FROM guardduty",
}


def same_answer(sql: str, local: Any, settings: Any, window: Window = DAY) -> int:
    with get_engine("athena", settings) as athena:
        on_raw = rows(athena.run(sql, window).frame)
    on_lake = rows(local.run(sql, window).frame)
    assert on_raw == on_lake
    return len(on_lake)


LAYOUTS = [
    ("cloudtrail", {}),
    ("cloudtrail", {"org_id": ORG}),
    ("vpc_flow", {"vpc_flow": {"format": "text"}}),
    ("vpc_flow", {"vpc_flow": {"format": "text", "hive": True, "hourly": True}}),
    ("vpc_flow", {"vpc_flow": {"format": "parquet", "hourly": True}}),
    ("vpc_flow", {"vpc_flow": {"format": "parquet", "hive": True}}),
    ("guardduty", {}),
]


@pytest.mark.parametrize(("table", "layout"), LAYOUTS, ids=["trail-account", "trail-org", "vpc-text-plain-daily",
                                                             "vpc-text-hive-hourly", "vpc-parquet-plain-hourly",
                                                             "vpc-parquet-hive-daily", "guardduty"])
def test_each_source_and_layout_answers_as_the_lake(workspace: Path, athena_double: Any,
                                                    monkeypatch: pytest.MonkeyPatch, events: SynthOutput,
                                                    local: Any, table: str, layout: dict) -> None:
    ws = raw_workspace(workspace, athena_double, monkeypatch, events, [table], **layout)
    assert same_answer(KEYS[table], local, ws.settings) == len(events.records[table]) > 0
    # A window across midnight: the rows delivered into the next day's folder are still found.
    night = Window(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), datetime(2026, 11, 26, 0, 30, tzinfo=UTC))
    same_answer(KEYS[table], local, ws.settings, night)


@pytest.fixture()
def all_raw(workspace: Path, athena_double: Any, monkeypatch: pytest.MonkeyPatch,
            events: SynthOutput) -> SimpleNamespace:
    """Every table read raw: an organisation trail, text flow logs, GuardDuty's export."""
    return raw_workspace(workspace, athena_double, monkeypatch, events, list(TABLES), org_id=ORG)


def test_hunts_answer_the_same_rows_on_raw_tables(all_raw: SimpleNamespace, local: Any) -> None:
    """The library's hunts (example values for required parameters), chosen where the lake answers
    rows so the comparison bites, and two that answer none."""
    from workbench.hunts import load_hunts

    firing, quiet = [], []
    for hunt in load_hunts().values():
        values = {k: p.example for k, p in hunt.parameters.items() if p.default is None}
        if any(v is None for v in values.values()):
            continue
        sql = hunt.bind(values)
        (firing if len(local.run(sql, SLICE).frame) else quiet).append(sql)
    assert len(firing) >= 3
    for sql in firing[:6] + quiet[:2]:
        same_answer(sql, local, all_raw.settings, SLICE)


def test_rules_answer_the_same_rows_on_raw_tables(all_raw: SimpleNamespace, local: Any) -> None:
    """Every rule's query over the slice, chosen where the lake answers rows (so the comparison bites),
    and a few of those that answer none."""
    from workbench.rules.loader import load_rules

    rules = load_rules([REPO / "rules"]).rules
    chosen, firing = [], 0
    for table in TABLES:
        answers = {r.id: len(local.run(r.query, SLICE).frame) for r in rules if r.table == table}
        fired = sorted(i for i, n in answers.items() if n)
        firing += len(fired)
        chosen += fired[:4] + sorted(i for i, n in answers.items() if not n)[:1]
    assert firing >= 3 and len(chosen) >= 8
    by_id = {r.id: r for r in rules}
    for rule_id in chosen:
        same_answer(by_id[rule_id].query, local, all_raw.settings, SLICE)


def test_projection_prunes_partitions(all_raw: SimpleNamespace, athena_double: Any, events: SynthOutput) -> None:
    """Athena reads only the folders a partition predicate names: an hour of the trail's day costs
    less than the day, and a day less than the slice."""
    def scanned(where: str) -> int:
        run = athena_double.query(f"SELECT count(*) FROM cloudtrail_raw {where}", database="mantissa")
        assert run.state == "SUCCEEDED", run
        return run.bytes_scanned

    everything = scanned("")
    day = scanned("WHERE log_date = '2026/11/26'")
    one_account = scanned(f"WHERE log_date = '2026/11/26' AND log_account = '{all_raw.raw.accounts[0]}'")
    assert 0 < one_account < day < everything


def test_hourly_flow_logs_prune_to_the_hour(workspace: Path, athena_double: Any, monkeypatch: pytest.MonkeyPatch,
                                            events: SynthOutput) -> None:
    """With hourly partitions an hour's flows cost about an hour's objects, not the day's."""
    raw_workspace(workspace, athena_double, monkeypatch, events, ["vpc_flow"],
                  vpc_flow={"format": "parquet", "hive": True, "hourly": True})

    def scanned(where: str) -> int:
        run = athena_double.query(f"SELECT count(*), sum(bytes) FROM vpc_flow_raw WHERE {where}", database="mantissa")
        assert run.state == "SUCCEEDED", run
        return run.bytes_scanned

    day = scanned("log_date = 'year=2026/month=11/day=26'")
    hour = scanned("log_date = 'year=2026/month=11/day=26' AND log_hour = '01'")
    assert 0 < hour < day / 1.5
