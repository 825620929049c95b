"""Running the schedule: per-job locks, the state file, due jobs, `--once` and the loop."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.schedule.spec import Job, Schedule, last_slot, missed_slots, next_slot
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.config import Settings

log = logging.getLogger("workbench.schedule")


class JobBusy(RuntimeError):
    """Another thread or process holds the job's lock."""


# ---- state and locks ----------------------------------------------------------------------------
@contextlib.contextmanager
def _flock(path: Path, blocking: bool) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:  # noqa: PTH123 - the handle must stay open while locked
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            raise JobBusy(handle.read().strip() or "held by another process") from None
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def job_lock(state_dir: Path, name: str) -> Iterator[Path]:
    """Hold `<state>/locks/<name>.lock` or raise JobBusy saying who holds it (flock is per open file,
    so threads of one process exclude each other as processes do; the kernel drops it on a crash)."""
    path = state_dir / "locks" / f"{name}.lock"
    with _flock(path, blocking=False) as handle:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {iso_z(datetime.now(UTC))}")
        handle.flush()
        yield path


class ScheduleState:
    """Last run per job in `<state>/schedule.json`, read-modify-written under its own lock."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "schedule.json"
        self._lock = state_dir / "locks" / "schedule.json.lock"

    def load(self) -> dict[str, dict[str, Any]]:
        if not self.path.is_file():
            return {}
        try:
            return json.loads(self.path.read_text()).get("jobs", {})
        except (json.JSONDecodeError, AttributeError):
            log.warning("%s is not valid JSON; starting from an empty schedule state", self.path)
            return {}

    def last_slot(self, name: str) -> datetime | None:
        value = self.load().get(name, {}).get("last_slot")
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    def record(self, name: str, **fields: Any) -> None:
        with _flock(self._lock, blocking=True):
            jobs = self.load()
            entry = jobs.setdefault(name, {})
            entry.update({k: iso_z(v) if isinstance(v, datetime) else v for k, v in fields.items()})
            entry["runs"] = entry.get("runs", 0) + 1
            tmp = self.path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps({"jobs": jobs}, indent=2, sort_keys=True))
            tmp.replace(self.path)


# ---- running ------------------------------------------------------------------------------------
@dataclass
class JobResult:
    job: str
    status: str  # ok | failed | skipped | busy
    message: str = ""
    notebook: Path | None = None

    def format(self) -> str:
        where = f" → {self.notebook}" if self.notebook else ""
        return f"{self.job}: {self.status}{' — ' + self.message if self.message else ''}{where}"


def _execute(job: Job, settings: Settings) -> JobResult:
    """Run the job's playbook. A playbook that publishes a result under its own name with
    status 'failed' (the detect playbook does, when a rule fails) fails the job."""
    from workbench.playbooks import PlaybookError, PlaybookNotFound, read_published, run_playbook

    report_kind = REPORT_PLAYBOOKS.get(Path(job.playbook).stem)
    if report_kind:
        return _render_report(job, report_kind, settings)
    try:
        notebook = run_playbook(job.playbook, dict(job.parameters), settings=settings)
    except PlaybookNotFound as exc:
        log.warning("job %s skipped: %s", job.name, exc)
        return JobResult(job.name, "skipped", str(exc))
    except PlaybookError as exc:
        return JobResult(job.name, "failed", str(exc).splitlines()[0], getattr(exc, "notebook", None))
    results = read_published(notebook, Path(job.playbook).stem)
    if results and results[-1].get("status") == "failed":
        failed = sorted({r for run in results[-1].get("runs", []) for r in run.get("rules_failed", [])})
        errors = results[-1].get("rule_errors", [])
        return JobResult(job.name, "failed", f"rules failed: {', '.join(failed) or '-'}; "
                                             f"{len(errors)} rule load errors", notebook)
    return JobResult(job.name, "ok", "", notebook)


# Report jobs also render the HTML a lead reads (reports/<kind>/…), not only the archived notebook.
REPORT_PLAYBOOKS = {"report_daily": "daily", "report_weekly": "weekly", "report_monthly": "monthly"}


def _render_report(job: Job, kind: str, settings: Settings) -> JobResult:
    from workbench.playbooks import PlaybookError, PlaybookNotFound
    from workbench.reports import render_report

    params = dict(job.parameters)
    try:
        paths = render_report(kind, params.get("date"), settings=settings, post=bool(params.get("post_summary")))
    except PlaybookNotFound as exc:
        log.warning("job %s skipped: %s", job.name, exc)
        return JobResult(job.name, "skipped", str(exc))
    except (PlaybookError, ValueError) as exc:
        return JobResult(job.name, "failed", str(exc).splitlines()[0], getattr(exc, "notebook", None))
    return JobResult(job.name, "ok", f"report {paths.html}", paths.archived)


def run_job(job: Job, settings: Settings, slot: datetime | None = None, missed: int = 0) -> JobResult:
    """Run one job now under its lock and record it; `slot` is the cron time it stands for."""
    slot = slot or datetime.now(UTC)
    try:
        with job_lock(settings.state, job.name):
            started = datetime.now(UTC)
            result = _execute(job, settings)
            if missed > 1:
                result.message = f"coalesced {missed} missed runs" + (f"; {result.message}" if result.message
                                                                      else "")
            ScheduleState(settings.state).record(
                job.name, last_slot=slot, last_started=started, last_finished=datetime.now(UTC),
                last_status=result.status, last_message=result.message,
                last_notebook=str(result.notebook) if result.notebook else None)
            return result
    except JobBusy as exc:
        log.info("job %s skipped: already running (%s)", job.name, exc)
        return JobResult(job.name, "busy", f"already running ({exc}); skipped")


def due_jobs(schedule: Schedule, state: ScheduleState, now: datetime) -> list[tuple[Job, datetime, int]]:
    """(job, slot, missed slots) for each enabled job whose latest slot it has not run for."""
    due = []
    for job in schedule.jobs:
        if not job.enabled:
            continue
        slot, done = last_slot(job.cron, now, schedule.tz), state.last_slot(job.name)
        if done is None or done < slot:
            missed = missed_slots(job.cron, done, now, schedule.tz) if done else 1
            due.append((job, slot, missed))
    return due


def run_pending(schedule: Schedule, settings: Settings, now: datetime | None = None) -> list[JobResult]:
    """Run every due job once, in file order (the `--once` mode and one turn of the loop)."""
    now = now or datetime.now(UTC)
    results = []
    for job, slot, missed in due_jobs(schedule, ScheduleState(settings.state), now):
        log.info("running job %s (slot %s)", job.name, iso_z(slot))
        result = run_job(job, settings, slot, missed)
        (log.warning if result.status in ("failed", "skipped") else log.info)("%s", result.format())
        results.append(result)
    return results


def seconds_until_next(schedule: Schedule, now: datetime) -> float:
    nexts = [next_slot(j.cron, now, schedule.tz) for j in schedule.jobs if j.enabled]
    return max(0.0, (min(nexts) - now).total_seconds()) if nexts else 3600.0


def run_forever(schedule: Schedule, settings: Settings, stop: threading.Event | None = None,
                on_result: Callable[[JobResult], None] | None = None) -> None:
    """Run due jobs, sleep until the next slot, repeat until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        for result in run_pending(schedule, settings):
            if on_result:
                on_result(result)
        # Wake a little after the slot so the slot is "≤ now" when we look again.
        stop.wait(seconds_until_next(schedule, datetime.now(UTC)) + 0.5)
