"""Doctor checks that look at what ran: alert destinations, the last detection run, the scheduler."""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.doctor.checks import CheckResult, DoctorContext, _age, _skip
from workbench.timewindow import iso_z, parse_duration

TEST_RULE_ID = "mantissa-doctor-test"


# ---- destinations ---------------------------------------------------------------------------------
def check_destinations(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.config import ConfigError
    from workbench.routing import build_router

    settings = ctx.settings
    if settings is None:
        return _skip("destinations")
    if not settings.routing.destinations:
        return [CheckResult("destinations", "fail", "none configured: alerts stay in the store, nobody is told",
                            "add routing.destinations (and routes) to mantissa.yaml — see the README's routing "
                            "section")]
    if not settings.routing.enabled:
        return [CheckResult("destinations", "fail", "routing.enabled is false: no alert is delivered",
                            "set routing.enabled: true")]
    try:
        router = build_router(settings, ctx.environ)
    except ConfigError as exc:
        return [CheckResult("destinations", "fail", str(exc), "export the variable or create the secret named")]
    assert router is not None  # destinations exist and routing is enabled
    with router:
        kinds = ", ".join(f"{name} ({type(dest).type})" for name, dest in sorted(router.destinations.items()))
        results = [CheckResult("destinations", "ok", f"{len(router.destinations)} configured: {kinds}"
                               + ("" if ctx.send_test else " (--send-test sends each a test message)"))]
        if ctx.send_test:
            results += [_send_test(name, dest, ctx) for name, dest in sorted(router.destinations.items())]
    return results


def test_alert(now: datetime) -> Any:
    """The alert a test message announces: clearly a test, info severity, never stored."""
    from workbench.alerts.model import Alert, Severity

    return Alert(id=f"{TEST_RULE_ID}-{now:%Y%m%dT%H%M%SZ}", rule_id=TEST_RULE_ID, severity=Severity.info,
                 title="Mantissa test message (mantissa doctor --send-test): no action needed",
                 first_seen=now, last_seen=now, count=1, tags=["mantissa:ops", "test"],
                 fields={"sent_by": "mantissa doctor --send-test"})


def _send_test(name: str, dest: Any, ctx: DoctorContext) -> CheckResult:
    from workbench.alerts.outbox import Delivery
    from workbench.routing import Event

    alert = test_alert(ctx.now)
    # Sent directly, not through the outbox: a test must not leave a delivery to retry or count.
    result = dest.send(Event(Delivery.new(alert, name, "trigger", "test", ctx.now), alert))
    label = f"destination {name}"
    if result.ok:
        remote = f", remote id {result.remote_id}" if result.remote_id else ""
        return CheckResult(label, "ok", f"test message sent in {result.latency_ms:.0f} ms{remote}")
    return CheckResult(label, "fail", f"test message failed: {result.error}",
                       "check the destination's URL/secret; `mantissa alerts deliveries` shows real attempts")


# ---- detection --------------------------------------------------------------------------------------
def check_detection(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.alerts import get_store

    settings = ctx.settings
    if settings is None:
        return _skip("detection")
    interval = parse_duration(settings.detection.interval)
    limit = interval * ctx.stale_after
    try:
        with get_store(settings) as store:
            runs = store.list_runs(limit=1)
    except Exception as exc:  # noqa: BLE001
        return [CheckResult("detection", "fail", f"alert store ({settings.store.backend}) unreadable: "
                            f"{type(exc).__name__}: {exc}", "check store.* settings and the state folder")]
    if not runs:
        return [CheckResult("detection", "fail", "no detection run recorded",
                            "run `mantissa detect`, then keep it scheduled with `mantissa schedule`")]
    run = runs[0]
    started = run["started"]
    age = ctx.now - started
    if age > limit:
        return [CheckResult("detection", "fail", f"last run {run.get('id')} started {_age(age)} ago "
                            f"({iso_z(started)}); expected every {_age(interval)} (limit {_age(limit)})",
                            "is the scheduler running? start `mantissa schedule` or install its crontab")]
    if run.get("status") != "ok":
        failed = run.get("rules_failed") or []
        first = next(iter((run.get("errors") or {}).items()), None)
        why = f"; {first[0]}: {first[1]}" if first else ""
        return [CheckResult("detection", "fail", f"last run {run.get('id')} failed: {len(failed)} rule(s) "
                            f"({', '.join(failed[:5])}){why}", "run `mantissa detect` to see each rule's error")]
    return [CheckResult("detection", "ok", f"last run {run.get('id')} {_age(age)} ago: ok, "
                        f"{run.get('rules_run', 0)} rules")]


# ---- scheduler ----------------------------------------------------------------------------------------
def _lock_holder(path: Path) -> str | None:
    """Who holds a job lock now ('pid N since T'), or None when it is free."""
    with open(path, "a+") as handle:  # noqa: PTH123 - flock needs the handle
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "unknown holder"
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def _holder_problem(path: Path, holder: str, ctx: DoctorContext) -> str | None:
    parts = holder.split()
    pid = int(parts[1]) if len(parts) >= 2 and parts[0] == "pid" and parts[1].isdigit() else None
    since = None
    if len(parts) >= 4 and parts[2] == "since":
        try:
            since = datetime.fromisoformat(parts[3].replace("Z", "+00:00"))
        except ValueError:
            since = None
    if pid is not None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return (f"lock {path.name} is held but its recorded holder pid {pid} is not running here "
                    "(another host or container holds it?)")
        except PermissionError:
            pass  # alive, owned by another user
    if since is not None and ctx.now - since > ctx.stuck_after:
        return (f"job lock {path.name} held by pid {pid} since {iso_z(since)} ({_age(ctx.now - since)}): "
                "the job looks stuck; inspect or stop that process")
    return None


def check_scheduler(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.schedule import ScheduleState, find_schedule_file, load_schedule, missed_slots

    settings = ctx.settings
    if settings is None:
        return _skip("scheduler")
    problems: list[str] = []
    locks = sorted((settings.state / "locks").glob("*.lock"))
    held = []
    for path in locks:
        holder = _lock_holder(path)
        if holder is not None:
            held.append(path.stem)
            if problem := _holder_problem(path, holder, ctx):
                problems.append(problem)
    state = ScheduleState(settings.state)
    jobs = state.load()
    schedule_file = find_schedule_file(settings)
    plan = load_schedule(schedule_file) if schedule_file else None
    if not state.path.is_file():
        # A crontab running `mantissa detect` never writes schedule.json; fresh runs show it works.
        fresh = _fresh_detection(ctx)
        if fresh is None:
            return [CheckResult("scheduler", "fail", f"never ran ({state.path} does not exist) and no recent "
                                "detection run", "start `mantissa schedule` (or install `mantissa schedule "
                                "--print-crontab` into cron)")]
        if problems:
            return [CheckResult("scheduler", "fail", "; ".join(problems), "inspect the process named")]
        return [CheckResult("scheduler", "ok", f"no {state.path.name}, but detection ran {fresh} ago "
                            "(driven by cron?)")]
    for job in (plan.jobs if plan else []):
        if not job.enabled:
            continue
        entry = jobs.get(job.name, {})
        done = entry.get("last_slot")
        if not done or job.name in held:
            if not done and job.name not in held:
                problems.append(f"job {job.name} has never run")
            continue
        last = datetime.fromisoformat(done.replace("Z", "+00:00"))
        missed = missed_slots(job.cron, last, ctx.now, plan.tz if plan else None)
        if missed >= 2:  # one slot may be due right now; two missed means nobody is ticking
            problems.append(f"job {job.name} last ran for {iso_z(last)}, {missed} slots ago ({job.cron})")
    if problems:
        return [CheckResult("scheduler", "fail", "; ".join(problems),
                            "start `mantissa schedule` (or check its cron/systemd unit and its log)")]
    ticks = [datetime.fromisoformat(v["last_finished"].replace("Z", "+00:00"))
             for v in jobs.values() if v.get("last_finished")]
    last_tick = f"last tick {_age(ctx.now - max(ticks))} ago" if ticks else "no finished job yet"
    running = f", running now: {', '.join(held)}" if held else ""
    return [CheckResult("scheduler", "ok", f"{len(jobs)} jobs on time, {last_tick}{running}")]


def _fresh_detection(ctx: DoctorContext) -> str | None:
    from workbench.alerts import get_store

    assert ctx.settings is not None
    limit = parse_duration(ctx.settings.detection.interval) * ctx.stale_after
    try:
        with get_store(ctx.settings) as store:
            runs = store.list_runs(limit=1)
    except Exception:  # noqa: BLE001 - the detection check reports an unreadable store
        return None
    if runs and ctx.now - runs[0]["started"] <= limit:
        return _age(ctx.now - runs[0]["started"])
    return None
