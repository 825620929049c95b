"""Generated logs go through the real ingest into a Parquet lake and answer the runbook's hunts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from workbench.config import load_settings
from workbench.engines import get_engine
from workbench.synth import SynthReport, load_ground_truth, synthesize
from workbench.timewindow import Window

END = "2026-11-26T00:00:00Z"
PRIV_ESC_SQL = """
SELECT eventtime, eventname, useridentity.username AS username, sourceipaddress
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('CreateUser','AttachUserPolicy','PutUserPolicy','CreateAccessKey','AddUserToGroup',
                    'AttachRolePolicy','CreateLoginProfile','UpdateAssumeRolePolicy')
ORDER BY eventtime
"""


@pytest.fixture()
def synthesized(workspace: Path) -> SynthReport:
    return synthesize(workspace / "lake", days=1, seed=9, end=END, scale=0.1)


def test_raw_objects_are_laid_out_like_s3(synthesized: SynthReport) -> None:
    raw = synthesized.raw_dir
    trails = list(raw.glob("AWSLogs/*/CloudTrail/*/2026/11/*/*_CloudTrail_*_2026*Z_*.json.gz"))
    flows = list(raw.glob("AWSLogs/*/vpcflowlogs/us-east-1/2026/11/*/*_vpcflowlogs_us-east-1_fl-*.log.gz"))
    findings = list(raw.glob("AWSLogs/*/GuardDuty/*/2026/11/*/*.jsonl.gz"))
    assert len(trails) == synthesized.files["cloudtrail"] and flows and findings
    import gzip

    header = gzip.decompress(flows[0].read_bytes()).split(b"\n", 1)[0].decode()
    assert header.startswith("version account-id interface-id srcaddr dstaddr") and header.endswith("traffic-path")
    assert gzip.decompress(trails[0].read_bytes()).startswith(b'{"Records":[')


def test_everything_generated_is_ingested_and_nothing_quarantined(synthesized: SynthReport) -> None:
    summary = synthesized.ingest
    assert dict(summary.records) == synthesized.counts
    assert summary.total_quarantined == 0 and not summary.errors
    assert synthesized.truth_path == synthesized.lake.parent / "ground_truth.json"
    assert load_ground_truth(synthesized.truth_path) == synthesized.truth
    assert not list(synthesized.lake.rglob("ground_truth*"))


def test_resynthesizing_the_same_seed_adds_nothing(synthesized: SynthReport) -> None:
    again = synthesize(synthesized.lake, days=1, seed=9, end=END, scale=0.1)
    assert again.ingest.total_records == 0 and again.ingest.files_skipped == sum(synthesized.files.values())


def test_lake_is_queryable_with_duckdb(synthesized: SynthReport) -> None:
    lake = synthesized.lake
    truth = synthesized.truth.scenario("leaked-key")
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT eventid FROM read_parquet('{lake}/cloudtrail/**/*.parquet', hive_partitioning = true) "
        "WHERE sourceipaddress = ?", [truth.attacker_ips[0]]).fetchall()
    assert {r[0] for r in rows} == set(truth.event_ids)
    scan = synthesized.truth.scenario("port-scan")
    count = con.execute(
        f"SELECT count(DISTINCT dstport) FROM read_parquet('{lake}/vpc_flow/**/*.parquet', hive_partitioning = true) "
        "WHERE srcaddr = ? AND action = 'REJECT'", [scan.attacker_ips[0]]).fetchone()[0]
    assert count >= 200


def test_runbook_hunts_find_the_leaked_key_scenario(synthesized: SynthReport, workspace: Path) -> None:
    truth = synthesized.truth.scenario("leaked-key")
    engine = get_engine("local", load_settings(workspace))
    window = Window.between(synthesized.truth.start, synthesized.truth.end)
    ip = truth.attacker_ips[0]

    by_ip = engine.run(f"SELECT eventid, eventname FROM cloudtrail WHERE sourceipaddress = '{ip}'", window)
    assert set(by_ip.frame["eventid"]) == set(truth.event_ids)

    victim = truth.compromised
    assert victim is not None
    trace = engine.run(f"SELECT eventname, sourceipaddress FROM cloudtrail "
                       f"WHERE useridentity.arn = '{victim.arn}' ORDER BY eventtime", window)
    attacker_rows = trace.frame[trace.frame["sourceipaddress"] == ip]
    assert attacker_rows.iloc[0]["eventname"] == truth.answers["first_malicious_call"]
    assert {"CreateUser", "AttachUserPolicy"} <= set(attacker_rows["eventname"])

    escalation = engine.run(PRIV_ESC_SQL, window).frame
    injected = escalation[escalation["sourceipaddress"] == ip]
    assert list(injected["eventname"]) == ["CreateUser", "AttachUserPolicy", "CreateAccessKey", "CreateLoginProfile"]
