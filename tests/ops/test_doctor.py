"""`mantissa doctor`: a healthy workspace passes every check; each check fails with its own message
on a workspace broken for it (one row per breakage)."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.alerts import get_store
from workbench.catalog import TABLES, arrow_schema
from workbench.config import load_settings
from workbench.doctor import run_doctor
from workbench.engines.local import partition_dir
from workbench.schedule import ScheduleState, last_slot

NOW = datetime(2026, 11, 28, 12, 7, tzinfo=UTC)
CONFIG = """\
engine: local
detection: {interval: 15m}
routing:
  destinations:
    trail: {type: jsonl, path: state/deliveries.jsonl}
"""
SCHEDULE = 'timezone: UTC\njobs:\n  - {name: detect, cron: "*/15 * * * *", playbook: detect}\n'


def write_day(ws: Path, table: str, day: date, rows: int = 3, at: datetime | None = None) -> Path:
    """`rows` events of `table` on `day`, the newest at `at` (default: noon)."""
    folder = partition_dir(ws / "lake", table, day)
    folder.mkdir(parents=True, exist_ok=True)
    spec = TABLES[table]
    newest = at or datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    times = [newest - timedelta(minutes=i) for i in range(rows)]
    values = [int(t.timestamp()) if table == "vpc_flow" else f"{t:%Y-%m-%dT%H:%M:%SZ}" for t in times]
    pq.write_table(pa.Table.from_pylist([{spec.time_column: v} for v in values], schema=arrow_schema(spec)),
                   folder / "part-0.parquet")
    return folder


def save_run(ws: Path, started: datetime, status: str = "ok", **extra: object) -> None:
    with get_store(load_settings(ws, environ={})) as store:
        store.save_run({"id": f"run-{started:%H%M%S}-{status}", "started": started, "status": status,
                        "window_start": started - timedelta(minutes=15), "window_end": started,
                        "rules_run": 10, **extra})


def healthy(ws: Path) -> Path:
    (ws / "mantissa.yaml").write_text(CONFIG)
    (ws / "schedule.yaml").write_text(SCHEDULE)
    for table in TABLES:
        write_day(ws, table, NOW.date() - timedelta(days=1))
        write_day(ws, table, NOW.date(), at=NOW - timedelta(minutes=9))
    save_run(ws, NOW - timedelta(minutes=6))
    slot = last_slot("*/15 * * * *", NOW)
    ScheduleState(ws / "state").record("detect", last_slot=slot, last_started=slot, last_finished=slot,
                                       last_status="ok")
    return ws


@pytest.fixture()
def ws(workspace: Path) -> Path:
    return healthy(workspace)


def doctor(ws: Path, check: str | None = None, **kwargs: object) -> list:
    return run_doctor(ws, now=NOW, only=[check] if check else None, **kwargs)  # type: ignore[arg-type]


def test_healthy_workspace_passes_every_check(ws: Path) -> None:
    results = doctor(ws)
    assert [r.name for r in results] == ["config", "engine", "table cloudtrail", "table vpc_flow",
                                         "table guardduty", "rules", "destinations", "detection", "scheduler"]
    assert all(r.level == "ok" for r in results), "\n".join(r.format() for r in results)
    assert results[2].format() == "✓ table cloudtrail: newest event 9m ago (2026-11-28T11:58Z), within 60m"


# ---- breakages ---------------------------------------------------------------------------------------
def _config(text: str) -> Callable[[Path], None]:
    return lambda ws: (ws / "mantissa.yaml").write_text(text)


def _drop_today(table: str) -> Callable[[Path], None]:
    def breaker(ws: Path) -> None:
        import shutil

        shutil.rmtree(partition_dir(ws / "lake", table, NOW.date()))
    return breaker


def _drop_table(ws: Path) -> None:
    import shutil

    shutil.rmtree(ws / "lake" / "cloudtrail")


def _empty_days(ws: Path) -> None:
    write_day(ws, "cloudtrail", NOW.date(), rows=0)
    write_day(ws, "cloudtrail", NOW.date() - timedelta(days=1), rows=0)


def _broken_rule(ws: Path) -> None:
    (ws / "rules").mkdir()
    (ws / "rules" / "broken.yaml").write_text("id: team-broken\ntitle: Broken\nseverity: loud\n"
                                              "query: SELECT eventname FROM cloudtrail\n")


def _runs(*runs: tuple[timedelta, str]) -> Callable[[Path], None]:
    def breaker(ws: Path) -> None:
        (ws / "state" / "alerts.sqlite").unlink()
        for age, status in runs:
            save_run(ws, NOW - age, status, rules_failed=["aws.iam.root_login"] if status == "failed" else [],
                     errors={"aws.iam.root_login": "EngineError: boom"} if status == "failed" else {})
    return breaker


def _stale_tick(ws: Path) -> None:
    old = NOW - timedelta(hours=3)
    ScheduleState(ws / "state").record("detect", last_slot=old, last_finished=old)


def _no_schedule_state(ws: Path) -> None:
    (ws / "state" / "schedule.json").unlink()
    _runs((timedelta(hours=5), "ok"))(ws)


def _never_ran_job(ws: Path) -> None:
    (ws / "schedule.yaml").write_text(SCHEDULE + '  - {name: report_daily, cron: "0 6 * * *", playbook: detect}\n')


BREAKAGES = [
    ("config", _config("engine: [local\n"), "not valid YAML"),
    ("config", _config("detection: {intervall: 5m}\n"), "detection.intervall"),
    ("config", _config("detection: {interval: soon}\n"), "cannot read duration 'soon'"),
    ("engine", _config("engine: local\nlake_path: nowhere\n"), "lake folder"),
    ("engine", _config("engine: athena\n"), "output_location"),
    ("engine", _config("engine: duckdb\n"), "unknown engine 'duckdb'"),
    ("tables", _drop_today("vpc_flow"), "table vpc_flow: newest event 24h ago (2026-11-27T12:00Z); vpc_flow "
                                        "should be fresher than 2h — check the log delivery"),
    ("tables", _config(CONFIG + "doctor: {freshness: {cloudtrail: 5m}}\n"),
     "table cloudtrail: newest event 9m ago (2026-11-28T11:58Z); cloudtrail should be fresher than 5m"),
    ("tables", _drop_table, "table cloudtrail: no partitions under"),
    ("tables", _empty_days, "table cloudtrail: its partitions hold no events"),
    ("rules", _broken_rule, "broken.yaml"),
    ("destinations", _config("engine: local\n"), "none configured"),
    ("destinations", _config(CONFIG + "  enabled: false\n"), "routing.enabled is false"),
    ("detection", _runs(), "no detection run recorded"),
    ("detection", _runs((timedelta(hours=2), "ok")), "started 2h ago"),
    ("detection", _runs((timedelta(minutes=3), "failed")), "failed: 1 rule(s) (aws.iam.root_login); "
                                                          "aws.iam.root_login: EngineError: boom"),
    ("scheduler", _stale_tick, "job detect last ran for 2026-11-28T09:07:00Z, 12 slots ago"),
    ("scheduler", _no_schedule_state, "never ran"),
    ("scheduler", _never_ran_job, "job report_daily has never run"),
]


@pytest.mark.parametrize(("check", "breaker", "message"), BREAKAGES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BREAKAGES)])
def test_each_check_fails_on_its_breakage(check: str, breaker: Callable[[Path], None], message: str,
                                          ws: Path) -> None:
    breaker(ws)
    results = doctor(ws, check)
    failed = [r for r in results if r.level == "fail"]
    assert failed, "\n".join(r.format() for r in results)
    assert message in "\n".join(r.format() for r in failed)
    assert all(r.fix for r in failed), "every failure says what to do"


def test_checks_needing_config_are_skipped_when_it_is_broken(ws: Path) -> None:
    (ws / "mantissa.yaml").write_text("engine: [\n")
    results = doctor(ws)
    assert results[0].level == "fail"
    assert {r.level for r in results[1:]} == {"skip"}


def test_yesterday_stands_in_just_after_midnight(ws: Path) -> None:
    _drop_today("cloudtrail")(ws)
    write_day(ws, "cloudtrail", NOW.date() - timedelta(days=1), at=NOW.replace(hour=0, minute=0) - timedelta(minutes=4))
    results = run_doctor(ws, now=NOW.replace(hour=0, minute=10), only=["tables"])
    line = next(r for r in results if r.name == "table cloudtrail")
    assert line.level == "ok" and "newest event 14m ago (2026-11-27T23:56Z)" in line.detail


def test_guardduty_is_quiet_on_a_good_day(ws: Path) -> None:
    import shutil

    shutil.rmtree(partition_dir(ws / "lake", "guardduty", NOW.date()))
    shutil.rmtree(partition_dir(ws / "lake", "guardduty", NOW.date() - timedelta(days=1)))
    write_day(ws, "guardduty", NOW.date() - timedelta(days=12))
    line = next(r for r in doctor(ws, "tables") if r.name == "table guardduty")
    assert line.level == "ok" and "newest finding 12d ago" in line.detail and "quiet on a good day" in line.detail
    shutil.rmtree(ws / "lake" / "guardduty")
    results = doctor(ws)
    line = next(r for r in results if r.name == "table guardduty")
    assert line.level == "warn" and "no findings exported yet" in line.detail and "publishing destination" in line.fix
    assert all(r.ok for r in results)  # a warning, not a failure


def test_guardduty_detector_is_checked_in_each_configured_region(ws: Path, aws_env: str) -> None:
    import boto3

    (ws / "mantissa.yaml").write_text(CONFIG + f"doctor: {{guardduty_regions: [us-east-1, eu-west-1, us-west-2], "
                                      f"endpoint_url: '{aws_env}'}}\n")
    boto3.client("guardduty", region_name="us-east-1", endpoint_url=aws_env).create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")
    off = boto3.client("guardduty", region_name="eu-west-1", endpoint_url=aws_env).create_detector(Enable=False)
    lines = {r.name: r for r in doctor(ws, "tables") if r.name.startswith("guardduty detector")}
    assert lines["guardduty detector us-east-1"].level == "ok"
    assert "every fifteen minutes" in lines["guardduty detector us-east-1"].detail
    assert lines["guardduty detector eu-west-1"].level == "fail"
    assert f"detector {off['DetectorId']} is DISABLED" in lines["guardduty detector eu-west-1"].detail
    assert lines["guardduty detector us-west-2"].level == "fail" and "no detector" in lines["guardduty detector us-west-2"].detail


def test_unknown_table_in_freshness_is_a_config_error(ws: Path) -> None:
    (ws / "mantissa.yaml").write_text(CONFIG + "doctor: {freshness: {cloudtrial: 1h}}\n")
    config = doctor(ws, "config")[0]
    assert config.level == "fail" and "unknown table 'cloudtrial'" in config.detail


def test_stuck_job_lock(ws: Path) -> None:
    path = ws / "state" / "locks" / "detect.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:  # noqa: PTH123 - held like the scheduler holds it
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(f"pid {os.getpid()} since 2026-11-28T07:00:00Z")
        handle.flush()
        held = doctor(ws, "scheduler")
        fresh = run_doctor(ws, now=datetime(2026, 11, 28, 7, 30, tzinfo=UTC), only=["scheduler"])
    assert held[-1].level == "fail" and "looks stuck" in held[-1].detail
    assert fresh[-1].level == "ok" and "running now: detect" in fresh[-1].detail


# ---- --send-test --------------------------------------------------------------------------------------
@pytest.fixture()
def failing_receiver() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"receiver down")

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_send_test_reaches_each_destination(ws: Path, failing_receiver: str) -> None:
    (ws / "mantissa.yaml").write_text(CONFIG + f"    hook: {{type: webhook, url: '{failing_receiver}', "
                                      "secret: '${env:HOOK_SECRET}'}\n")
    results = doctor(ws, "destinations", send_test=True, environ={"HOOK_SECRET": "s3cr3t"})
    by_name = {r.name: r for r in results}
    assert by_name["destinations"].level == "ok" and "2 configured" in by_name["destinations"].detail
    assert by_name["destination trail"].level == "ok"
    sent = [json.loads(line) for line in (ws / "state" / "deliveries.jsonl").read_text().splitlines()]
    assert len(sent) == 1 and "Mantissa test message" in json.dumps(sent[0])
    assert by_name["destination hook"].level == "fail" and "HTTP 500" in by_name["destination hook"].detail
    with get_store(load_settings(ws, environ={"HOOK_SECRET": "s3cr3t"})) as store:
        assert store.count() == 0, "a test message stores no alert"


def test_unknown_check_name(ws: Path) -> None:
    with pytest.raises(ValueError, match="did you mean 'tables'"):
        doctor(ws, "table")


def test_a_fresh_demo_workspace_passes_the_table_checks(ws: Path) -> None:
    from workbench.demo import DEMO_CONFIG

    (ws / "mantissa.yaml").write_text(DEMO_CONFIG)
    for table in TABLES:  # the demo's lake ends at the hour it was generated, ~2 hours ago
        write_day(ws, table, NOW.date(), at=NOW - timedelta(hours=2, minutes=7))
    results = doctor(ws, "tables")
    assert all(r.level == "ok" for r in results), "\n".join(r.format() for r in results)
