"""CLI: `mantissa detect` (run the rule pack, through the detect playbook by default) and
`mantissa schedule` (run the playbooks of schedule.yaml on their cron times)."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from workbench.cli.common import fail, settings_or_exit

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.schedule import Schedule

DETECT_JOB = "detect"  # the lock a scheduled detection run holds, shared with schedule.yaml's job


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)
    app.command("schedule")(schedule)


def detect(
    start: str | None = typer.Option(None, "--start", help="Window start, ISO 8601 (e.g. 2026-03-02T09:00Z)."),
    end: str | None = typer.Option(None, "--end", help="Window end (default: now when --start is given)."),
    lookback: str | None = typer.Option(
        None, "--lookback", help="Overlap re-read before each window for late CloudTrail delivery "
        "(default: detection.lookback, 15m). Without --start the rules catch up from their checkpoints."),
    rules: Path | None = typer.Option(None, "--rules", help="Rule file or folder (default: workspace + bundled)."),
    engine: str | None = typer.Option(None, "--engine", help="Engine name (default: settings.engine)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Evaluate and list; store no alert, move no checkpoint."),
    no_notebook: bool = typer.Option(False, "--no-notebook", help="Run in this process and archive no "
                                     "notebook (about a second faster; no audit record under runs/)."),
) -> None:
    """Run the detection rules and print the run summary; exit 1 when a rule failed."""
    from workbench.schedule import JobBusy, job_lock
    from workbench.timewindow import parse_duration, parse_time

    settings = settings_or_exit()
    try:
        start_t = parse_time(start) if start else None
        end_t = parse_time(end) if end else None
        if lookback:
            parse_duration(lookback)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if end_t and not start_t:
        raise fail("--end needs --start (or give neither, to catch up from the rule checkpoints)")
    if start_t and end_t and end_t <= start_t:
        raise fail(f"--end {end} is not after --start {start}")
    params: dict[str, Any] = {"start": start_t, "end": end_t, "lookback": lookback or settings.detection.lookback,
                              "rules_path": str(rules.resolve()) if rules else None, "engine": engine,
                              "dry_run": dry_run}
    # Catch-up runs move checkpoints: only one at a time, whoever starts it (cron, the loop, a person).
    catch_up = start_t is None and not dry_run
    try:
        with job_lock(settings.state, DETECT_JOB) if catch_up else contextlib.nullcontext():
            data, notebook = _run_detect(params, settings, no_notebook)
    except JobBusy as exc:
        typer.echo(f"skipped: another detection run is in progress ({exc})")
        return
    _print_result(data, notebook)


def _run_detect(params: dict[str, Any], settings: Settings, no_notebook: bool) -> tuple[dict, Path | None]:
    from workbench.playbooks import PlaybookError, read_published, run_playbook
    from workbench.playbooks.detect import run_detect

    if no_notebook:
        try:
            report = run_detect(settings=settings, **params)
        except ValueError as exc:
            raise fail(str(exc)) from None
        return report.as_dict(), None
    try:
        notebook = run_playbook("detect", params, settings=settings)
    except PlaybookError as exc:
        raise fail(exc, 1) from None
    published = read_published(notebook, "detect")
    if not published:
        raise fail(f"the detect playbook finished without publishing its run record; see {notebook}", 1)
    return published[-1], notebook


def _print_result(data: dict, notebook: Path | None) -> None:
    from workbench.cli.terminal import safe
    from workbench.playbooks.detect import failed_rules, summary_lines

    for line in summary_lines(data):  # alert titles and rule errors quote log values
        typer.echo(safe(line))
    if notebook:
        typer.echo(f"notebook: {notebook}")
    failed, broken = failed_rules(data), data.get("rule_errors", [])
    if failed or broken:
        parts = ([f"{len(failed)} rule(s) failed: {', '.join(failed)}"] if failed else []) + (
            [f"{len(broken)} rule load error(s)"] if broken else [])
        typer.echo(safe("; ".join(parts)), err=True)
        raise typer.Exit(1)


def schedule(
    once: bool = typer.Option(False, "--once", help="Run what is due now and exit (for cron/systemd timers)."),
    job: str | None = typer.Option(None, "--job", help="Run this one job now (under its lock) and exit."),
    print_crontab: bool = typer.Option(False, "--print-crontab", help="Print the equivalent crontab lines."),
    check: bool = typer.Option(False, "--check", help="Validate the schedule file and its playbooks."),
    file: Path | None = typer.Option(None, "--file", help="Schedule file (default: workspace, then bundled)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each job start and result."),
) -> None:
    """Run the playbooks listed in schedule.yaml on their cron times; runs until interrupted."""
    from workbench import schedule as sched

    logging.basicConfig(level=logging.INFO if verbose or not (once or job) else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")
    settings = settings_or_exit()
    path = file or sched.find_schedule_file(settings)
    if path is None:
        raise fail(f"no {sched.SCHEDULE_FILE} in {settings.workspace} and none bundled; create one")
    plan = sched.load_schedule(path)
    if check:
        _check(plan, settings)
        return
    for issue in plan.errors:
        typer.echo(f"warning: {issue} (job not scheduled)", err=True)
    if print_crontab:
        typer.echo("\n".join(sched.crontab_lines(plan, settings)))
        return
    if job:
        try:
            chosen = plan.get(job)
        except KeyError as exc:
            raise fail(str(exc.args[0])) from None
        result = sched.run_job(chosen, settings, sched.last_slot(chosen.cron, datetime.now(UTC), plan.tz))
        _report([result])
        return
    if once:
        results = sched.run_pending(plan, settings)
        if not results:
            typer.echo("nothing due")
        _report(results)
        return
    _loop(plan, settings)


def _check(plan: Schedule, settings: Settings) -> None:
    from workbench.schedule import check_schedule

    issues = check_schedule(plan, settings)
    for issue in issues:
        typer.echo(issue.format())
    typer.echo(f"{plan.path}: {len(plan.jobs)} jobs, {len(issues)} problems")
    if issues:
        raise typer.Exit(1)


def _report(results: list) -> None:
    for result in results:
        typer.echo(result.format())
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _loop(plan: Schedule, settings: Settings) -> None:
    from workbench.schedule import next_slot, run_forever

    now = datetime.now(UTC)
    typer.echo(f"scheduler: {len(plan.jobs)} jobs from {plan.path} (times in {plan.timezone}); Ctrl-C stops")
    for j in plan.jobs:
        if j.enabled:
            typer.echo(f"  {j.name:<16} {j.cron:<14} next {next_slot(j.cron, now, plan.tz):%Y-%m-%d %H:%M}Z")
    try:
        run_forever(plan, settings, on_result=lambda r: typer.echo(r.format()))
    except KeyboardInterrupt:
        typer.echo("scheduler stopped")
