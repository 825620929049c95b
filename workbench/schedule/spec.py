"""schedule.yaml: the jobs (name, cron, playbook, parameters), read with `file:line` errors, the
cron math, and the equivalent crontab. See `workbench.schedule` for the semantics."""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import workbench

if TYPE_CHECKING:
    from workbench.config import Settings

SCHEDULE_FILE = "schedule.yaml"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # it names a lock file
_TOP_KEYS = {"timezone", "jobs"}


@dataclass(frozen=True)
class ScheduleIssue:
    path: Path | None
    line: int
    field: str
    message: str

    def format(self) -> str:
        return f"{self.path or '<string>'}:{self.line}: {self.field}: {self.message}"

    __str__ = format


class JobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    cron: str
    playbook: str = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    command: str | None = Field(None, description="mantissa arguments for --print-crontab")
    enabled: bool = True

    @field_validator("name", "playbook", "cron", mode="before")
    @classmethod
    def _yaml_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("YAML reads yes/no/on/off/true/false as a boolean here; put the value in quotes")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a 5-field cron expression (minute hour day month weekday), "
                             "e.g. '*/15 * * * *' or '30 6 * * 1'")
        return value

    @field_validator("parameters")
    @classmethod
    def _no_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        from workbench.playbooks import check_parameters

        check_parameters(value)
        return value


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    playbook: str
    parameters: dict[str, Any]
    command: str | None
    enabled: bool
    line: int  # where the job starts in the file, for messages
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @classmethod
    def from_spec(cls, spec: JobSpec, line: int, key_lines: dict[str, int]) -> Job:
        return cls(spec.name, spec.cron, spec.playbook, dict(spec.parameters), spec.command, spec.enabled,
                   line, key_lines)


@dataclass
class Schedule:
    path: Path | None
    timezone: str = "UTC"
    jobs: list[Job] = field(default_factory=list)
    errors: list[ScheduleIssue] = field(default_factory=list)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def get(self, name: str) -> Job:
        from workbench.registry import unknown_name_message

        for job in self.jobs:
            if job.name == name:
                return job
        raise KeyError(unknown_name_message("job", name, [j.name for j in self.jobs]))


# ---- loading ------------------------------------------------------------------------------------
def find_schedule_file(settings: Settings | None = None) -> Path | None:
    """The workspace's schedule.yaml, else the bundled one (installed copy, then the checkout's)."""
    package = Path(workbench.__file__).resolve().parent
    candidates = [settings.workspace / SCHEDULE_FILE] if settings else []
    candidates += [package / "bundled" / SCHEDULE_FILE, package.parent / SCHEDULE_FILE]
    return next((c for c in candidates if c.is_file()), None)


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def load_schedule(path: Path | None = None, text: str | None = None) -> Schedule:
    """Parse a schedule file, collecting every problem as `file:line: field: message`."""
    schedule = Schedule(path=path)
    issue = lambda line, fld, msg: schedule.errors.append(ScheduleIssue(path, line, fld, msg))  # noqa: E731
    if text is None:
        if path is None or not path.is_file():
            issue(0, "-", f"schedule file {path} not found; create {SCHEDULE_FILE} in the workspace")
            return schedule
        text = path.read_text()
    try:
        data, root = yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        issue(mark.line + 1 if mark else 0, "-", f"not valid YAML: {getattr(exc, 'problem', exc)}")
        return schedule
    if not isinstance(data, dict):
        issue(1, "-", "expected a mapping with 'jobs:' (a list of jobs) and optionally 'timezone:'")
        return schedule
    top = _key_lines(root)
    for key in sorted(set(data) - _TOP_KEYS):
        issue(top.get(key, 1), key, f"unknown key; expected one of {', '.join(sorted(_TOP_KEYS))}")
    schedule.timezone = str(data.get("timezone") or "UTC")
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        issue(top.get("timezone", 1), "timezone", f"unknown time zone {schedule.timezone!r}, e.g. UTC or "
              "Europe/Paris")
        schedule.timezone = "UTC"
    jobs, jobs_node = data.get("jobs") or [], _value_node(root, "jobs")
    if not isinstance(jobs, list):
        issue(top.get("jobs", 1), "jobs", "expected a list of jobs, each with name, cron and playbook")
        return schedule
    nodes = jobs_node.value if isinstance(jobs_node, yaml.SequenceNode) else []
    for index, raw in enumerate(jobs):
        node = nodes[index] if index < len(nodes) else None
        line = node.start_mark.line + 1 if node is not None else top.get("jobs", 1)
        lines = _key_lines(node)
        where = f"jobs[{index}]"
        if not isinstance(raw, dict):
            issue(line, where, "expected a mapping with name, cron and playbook")
            continue
        try:
            spec = JobSpec.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else ""
                msg = str(err["msg"]).removeprefix("Value error, ")
                issue(lines.get(key, line), f"{where}.{key}" if key else where, msg)
            continue
        if any(j.name == spec.name for j in schedule.jobs):
            issue(lines.get("name", line), f"{where}.name", f"duplicate job name {spec.name!r}")
            continue
        schedule.jobs.append(Job.from_spec(spec, line, lines))
    return schedule


def check_schedule(schedule: Schedule, settings: Settings | None = None) -> list[ScheduleIssue]:
    """Load errors plus every enabled job whose playbook cannot be found."""
    from workbench.playbooks import PlaybookNotFound, find_playbook

    issues = list(schedule.errors)
    for job in schedule.jobs:
        if not job.enabled:
            continue
        try:
            find_playbook(job.playbook, settings)
        except PlaybookNotFound as exc:
            issues.append(ScheduleIssue(schedule.path, job.key_lines.get("playbook", job.line),
                                        f"{job.name}.playbook", str(exc)))
    return issues


# ---- cron math ----------------------------------------------------------------------------------
def last_slot(cron: str, now: datetime, tz: ZoneInfo | None = None) -> datetime:
    """The most recent time ≤ now matching `cron` (read in `tz`), in UTC."""
    local = now.astimezone(tz or UTC).replace(microsecond=0) + timedelta(seconds=1)
    return croniter(cron, local).get_prev(datetime).astimezone(UTC)


def next_slot(cron: str, now: datetime, tz: ZoneInfo | None = None) -> datetime:
    """The first time > now matching `cron`, in UTC."""
    return croniter(cron, now.astimezone(tz or UTC)).get_next(datetime).astimezone(UTC)


def missed_slots(cron: str, since: datetime, until: datetime, tz: ZoneInfo | None = None,
                 cap: int = 10_000) -> int:
    """How many slots fall in (since, until] — the runs a coalesced run stands for."""
    it, count = croniter(cron, since.astimezone(tz or UTC)), 0
    while count < cap and it.get_next(datetime) <= until:
        count += 1
    return count


# ---- cron ---------------------------------------------------------------------------------------
def mantissa_executable() -> str:
    beside = Path(sys.executable).with_name("mantissa")
    return str(beside) if beside.is_file() else (shutil.which("mantissa") or "mantissa")


def crontab_lines(schedule: Schedule, settings: Settings, executable: str | None = None) -> list[str]:
    """Equivalent crontab entries: each job's `command`, else `schedule --job <name>` (lock, state)."""
    exe, workspace = shlex.quote(executable or mantissa_executable()), shlex.quote(str(settings.workspace))
    lines = [f"# mantissa jobs from {schedule.path} (install with: crontab -e)",
             "# cron reads the times below in CRON_TZ (cronie); other crons use the system zone",
             f"CRON_TZ={schedule.timezone}"]
    missing = {i.field.removesuffix(".playbook") for i in check_schedule(schedule, settings)
               if i.field.endswith(".playbook")}
    for job in schedule.jobs:
        if not job.enabled:
            continue
        args = job.command or f"schedule --job {shlex.quote(job.name)}"
        line = f"{job.cron} cd {workspace} && {exe} {args}"
        if job.name in missing:
            lines.append(f"# {job.name}: playbook {job.playbook!r} not found — enable once it exists")
            line = f"# {line}"
        lines.append(line)
    return lines
