"""schedule.yaml: cron slots, coalescing, the per-job lock across threads and processes, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from workbench.config import load_settings
from workbench.schedule import (
    JobBusy,
    ScheduleState,
    due_jobs,
    find_schedule_file,
    job_lock,
    last_slot,
    load_schedule,
    missed_slots,
    next_slot,
    run_forever,
    run_job,
    run_pending,
)

REPO = Path(__file__).resolve().parents[2]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("cron,now,tz,last,nxt", [
    ("*/15 * * * *", "2026-03-02T10:07:30Z", "UTC", "2026-03-02T10:00:00Z", "2026-03-02T10:15:00Z"),
    ("*/15 * * * *", "2026-03-02T10:15:00Z", "UTC", "2026-03-02T10:15:00Z", "2026-03-02T10:30:00Z"),
    ("0 6 * * *", "2026-03-02T05:59:59Z", "UTC", "2026-03-01T06:00:00Z", "2026-03-02T06:00:00Z"),
    ("30 6 * * 1", "2026-03-04T12:00:00Z", "UTC", "2026-03-02T06:30:00Z", "2026-03-09T06:30:00Z"),
    ("0 7 1 * *", "2026-03-15T00:00:00Z", "UTC", "2026-03-01T07:00:00Z", "2026-04-01T07:00:00Z"),
    ("0 6 * * *", "2026-03-02T05:30:00Z", "Europe/Paris", "2026-03-02T05:00:00Z", "2026-03-03T05:00:00Z"),
], ids=["quarter-mid", "quarter-exact", "daily-before", "weekly-monday", "monthly-first", "daily-paris"])
def test_cron_slots(cron: str, now: str, tz: str, last: str, nxt: str) -> None:
    zone = ZoneInfo(tz)
    assert last_slot(cron, t(now), zone) == t(last)
    assert next_slot(cron, t(now), zone) == t(nxt)


def test_missed_runs_are_coalesced_into_one_due_slot(workspace: Path) -> None:
    plan = load_schedule(text=textwrap.dedent("""\
        jobs:
          - {name: detect, cron: "*/15 * * * *", playbook: detect}
          - {name: daily, cron: "0 6 * * *", playbook: detect}
          - {name: paused, cron: "* * * * *", playbook: detect, enabled: false}
    """))
    assert not plan.errors
    state = ScheduleState(load_settings().state)
    now = t("2026-03-02T13:05:00Z")
    # Never run: due at once, for the latest slot only.
    assert [(j.name, s, m) for j, s, m in due_jobs(plan, state, now)] == [
        ("detect", t("2026-03-02T13:00:00Z"), 1), ("daily", t("2026-03-02T06:00:00Z"), 1)]
    # Down for three hours: one run standing for the twelve missed slots.
    state.record("detect", last_slot=t("2026-03-02T10:00:00Z"), last_status="ok")
    state.record("daily", last_slot=t("2026-03-02T06:00:00Z"), last_status="ok")
    assert [(j.name, s, m) for j, s, m in due_jobs(plan, state, now)] == [
        ("detect", t("2026-03-02T13:00:00Z"), 12)]
    assert missed_slots("*/15 * * * *", t("2026-03-02T10:00:00Z"), now) == 12
    state.record("detect", last_slot=t("2026-03-02T13:00:00Z"), last_status="ok")
    assert due_jobs(plan, state, now) == []
    assert due_jobs(plan, state, t("2026-03-02T13:15:00Z"))[0][0].name == "detect"


def test_once_runs_what_is_due_once_and_skips_missing_playbooks(tick_workspace: Path, cli) -> None:
    (tick_workspace / "schedule.yaml").write_text(textwrap.dedent("""\
        jobs:
          - name: tick
            cron: "*/15 * * * *"
            playbook: tick
            parameters: {label: scheduled}
          - name: report_quarterly
            cron: "0 6 * * *"
            playbook: report_quarterly
    """))
    settings = load_settings()
    state = ScheduleState(settings.state)
    slot = last_slot("*/15 * * * *", datetime.now(UTC))
    state.record("tick", last_slot=slot - timedelta(hours=3), last_status="ok")
    result = CliRunner().invoke(cli, ["schedule", "--once"])
    assert result.exit_code == 0, result.output
    assert (tick_workspace / "ticks.txt").read_text() == "scheduled\n"  # once, not twelve times
    assert "tick: ok — coalesced" in result.output
    assert "report_quarterly: skipped — unknown playbook 'report_quarterly'" in result.output
    jobs = json.loads((settings.state / "schedule.json").read_text())["jobs"]
    assert jobs["tick"]["last_status"] == "ok" and t(jobs["tick"]["last_slot"]) >= slot
    assert Path(jobs["tick"]["last_notebook"]).is_relative_to(tick_workspace / "runs")
    assert jobs["report_quarterly"]["last_status"] == "skipped"
    # Nothing is due again until the next slot (checked at a fixed time: no race with the clock).
    plan = load_schedule(tick_workspace / "schedule.yaml")
    assert due_jobs(plan, state, t(jobs["tick"]["last_slot"]) + timedelta(minutes=1)) == []


def test_lock_excludes_a_second_thread(workspace: Path) -> None:
    state_dir = load_settings().state
    holding, release, seen = threading.Event(), threading.Event(), []

    def hold() -> None:
        with job_lock(state_dir, "detect"):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    try:
        with pytest.raises(JobBusy, match=r"pid \d+ since"):
            with job_lock(state_dir, "detect"):
                seen.append("ran")
        with job_lock(state_dir, "other-job"):  # other jobs are not blocked
            seen.append("other")
    finally:
        release.set()
        thread.join(10)
    with job_lock(state_dir, "detect"):  # free again once the holder is done
        seen.append("after")
    assert seen == ["other", "after"]


HOLDER = """\
import sys
from pathlib import Path
from workbench.schedule import job_lock
with job_lock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.fixture()
def lock_held_by_other_process(tick_workspace: Path):
    def hold(name: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(load_settings().state), name],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "locked"
        procs.append(proc)
        return proc

    procs: list[subprocess.Popen] = []
    yield hold
    for proc in procs:
        proc.stdin.close()
        proc.wait(10)


def test_second_process_skips_a_locked_job(tick_workspace: Path, lock_held_by_other_process, cli) -> None:
    holder = lock_held_by_other_process("tick")
    plan = load_schedule(text='jobs: [{name: tick, cron: "*/15 * * * *", playbook: tick}]')
    settings = load_settings()
    result = run_job(plan.get("tick"), settings)
    assert result.status == "busy" and f"pid {holder.pid}" in result.message
    assert not (tick_workspace / "ticks.txt").exists()
    assert ScheduleState(settings.state).load() == {}  # the holder's run will record the slot
    assert [r.status for r in run_pending(plan, settings)] == ["busy"]

    lock_held_by_other_process("detect")
    out = CliRunner().invoke(cli, ["detect", "--no-notebook"])
    assert out.exit_code == 0 and "skipped: another detection run is in progress" in out.output


def test_loop_sleeps_until_stopped(tick_workspace: Path) -> None:
    plan = load_schedule(text='jobs: [{name: tick, cron: "0 0 1 1 *", playbook: tick}]')
    settings = load_settings()
    ScheduleState(settings.state).record("tick", last_slot=last_slot("0 0 1 1 *", datetime.now(UTC)))
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(plan, settings, stop))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # asleep until next New Year, having run nothing
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and not (tick_workspace / "ticks.txt").exists()


def test_print_crontab_from_the_bundled_schedule(workspace: Path, cli) -> None:
    assert find_schedule_file(load_settings()) == REPO / "schedule.yaml"
    result = CliRunner().invoke(cli, ["schedule", "--print-crontab"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    exe = Path(sys.executable).with_name("mantissa")
    assert f"*/15 * * * * cd {workspace} && {exe} detect" in lines  # the playbook, archived
    assert "CRON_TZ=UTC" in lines
    assert f"0 6 * * * cd {workspace} && {exe} report daily" in lines
    assert f"30 6 * * 1 cd {workspace} && {exe} report weekly" in lines
    assert f"0 7 1 * * cd {workspace} && {exe} report monthly" in lines


def test_the_crontab_detect_line_runs_the_playbook(workspace: Path, cli) -> None:
    # What cron would run, through a shell, in a fresh process: the executed notebook is archived.
    result = CliRunner().invoke(cli, ["schedule", "--print-crontab"])
    line = next(row for row in result.output.splitlines() if row.startswith("*/15 "))
    command = line.split(None, 5)[5]
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    notebook = Path(next(row for row in done.stdout.splitlines() if row.startswith("notebook: "))[10:])
    assert notebook.is_file() and notebook.is_relative_to(workspace / "runs")
    from workbench.playbooks import read_published

    published = read_published(notebook, "detect")[-1]
    assert published["mode"] == "catch-up" and published["status"] == "ok"


BAD = """\
timezone: UTC
jobs:
  - name: detect
    cron: "*/15 * * * *"
    playbook: detect
  - name: hourly
    cron: "61 * * * *"
    playbook: detect
  - name: nightly
    cron: "0 2 * * *"
    playbook: nightly_report
  - name: notify
    cron: "0 * * * *"
    playbook: detect
    parameters: {slack_webhook: "https://hooks.example/x"}
  - name: detect
    cron: "0 * * * *"
    playbook: detect
    colour: blue
"""


def test_check_names_file_line_and_field(workspace: Path, cli) -> None:
    (workspace / "schedule.yaml").write_text(BAD)
    result = CliRunner().invoke(cli, ["schedule", "--check"])
    assert result.exit_code == 1
    path = workspace / "schedule.yaml"
    out = result.output
    assert f"{path}:7: jobs[1].cron: '61 * * * *' is not a 5-field cron expression" in out
    assert f"{path}:15: jobs[3].parameters: parameters.slack_webhook: looks like a secret" in out
    assert f"{path}:19: jobs[4].colour: Extra inputs are not permitted" in out
    assert f"{path}:11: nightly.playbook: unknown playbook 'nightly_report'" in out
    assert "2 jobs, 4 problems" in out


def test_yaml_booleans_in_names_are_explained() -> None:
    plan = load_schedule(text='jobs:\n  - {name: off, cron: "0 * * * *", playbook: detect}\n')
    assert [i.format() for i in plan.errors] == [
        "<string>:2: jobs[0].name: YAML reads yes/no/on/off/true/false as a boolean here; put the value in quotes"]


def test_check_passes_the_bundled_schedule_and_reports_yaml_errors(workspace: Path, cli) -> None:
    bundled = CliRunner().invoke(cli, ["schedule", "--check"])
    assert bundled.exit_code == 0, bundled.output
    (workspace / "schedule.yaml").write_text(
        "jobs:\n  - name: q\n    cron: '0 6 * * *'\n    playbook: report_quarterly\n")
    missing = CliRunner().invoke(cli, ["schedule", "--check"])
    assert missing.exit_code == 1 and "q.playbook" in missing.output
    (workspace / "schedule.yaml").write_text("jobs:\n  - name: a\n    cron: [unclosed\n")
    broken = CliRunner().invoke(cli, ["schedule", "--check"])
    assert broken.exit_code == 1 and "schedule.yaml:4: -: not valid YAML" in broken.output


def test_unknown_job_is_named_with_a_suggestion(workspace: Path, cli) -> None:
    result = CliRunner().invoke(cli, ["schedule", "--job", "detekt"])
    assert result.exit_code == 2 and "unknown job 'detekt'" in result.output and "detect" in result.output


def test_a_scheduled_report_job_renders_its_html(workspace: Path, cli) -> None:
    (workspace / "schedule.yaml").write_text(
        "jobs:\n  - name: daily\n    cron: '0 6 * * *'\n    playbook: report_daily\n"
        "    parameters: {date: '2026-11-19'}\n")
    result = CliRunner().invoke(cli, ["schedule", "--job", "daily"])
    assert result.exit_code == 0, result.output
    html = workspace / "reports" / "daily" / "2026-11-19.html"
    assert f"report {html}" in result.output
    assert "<html" in html.read_text().lower()
