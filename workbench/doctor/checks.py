"""The doctor's checks, in the order they run. Each takes the shared context and returns one or more
results; a check never raises (its own failure is a failed result saying what broke)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from workbench.timewindow import parse_duration

if TYPE_CHECKING:
    from workbench.config import Settings

Level = Literal["ok", "fail", "warn", "skip"]
MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "-"}


@dataclass
class CheckResult:
    name: str
    level: Level
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.level != "fail"

    def format(self) -> str:
        return f"{MARKS[self.level]} {self.name}: {self.detail}" + (f" — {self.fix}" if self.fix else "")


@dataclass
class DoctorContext:
    workspace: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    send_test: bool = False
    stale_after: int = 3  # detection runs may be this many intervals old
    stuck_after: timedelta = timedelta(hours=2)  # a job lock held longer than this looks stuck
    settings: Settings | None = None
    config_error: str | None = None


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _skip(name: str) -> list[CheckResult]:
    return [CheckResult(name, "skip", "not checked: the config must load first")]


# ---- config ---------------------------------------------------------------------------------------
def check_config(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.config import CONFIG_FILE, ConfigError, load_settings

    try:
        ctx.settings = load_settings(ctx.workspace, environ=dict(ctx.environ))
    except ConfigError as exc:
        ctx.config_error = str(exc)
        return [CheckResult("config", "fail", str(exc), f"fix the key named above in {CONFIG_FILE} "
                            "or the MANTISSA_* variable")]
    path = ctx.settings.workspace / CONFIG_FILE
    source = str(path) if path.is_file() else f"defaults (no {CONFIG_FILE} in {ctx.settings.workspace})"
    try:
        interval = parse_duration(ctx.settings.detection.interval)
        parse_duration(ctx.settings.detection.lookback)
    except ValueError as exc:
        return [CheckResult("config", "fail", f"detection: {exc}", f"fix detection.* in {CONFIG_FILE}")]
    return [CheckResult("config", "ok", f"{source}; engine {ctx.settings.engine}, store "
                        f"{ctx.settings.store.backend}, detection every {_age(interval)}")]


# ---- engine and tables ----------------------------------------------------------------------------
def check_engine(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.engines import get_engine
    from workbench.registry import UnknownPluginError

    settings = ctx.settings
    if settings is None:
        return _skip("engine")
    if settings.engine == "local" and not settings.lake.is_dir():
        return [CheckResult("engine", "fail", f"local lake folder {settings.lake} does not exist",
                            "ingest logs with `mantissa ingest PATH` (or `mantissa demo` for sample data), "
                            "or point lake_path at the lake")]
    try:
        with get_engine(settings.engine, settings) as engine:
            result = engine.run("SELECT 1 AS ok")
    except UnknownPluginError as exc:
        return [CheckResult("engine", "fail", f"engine: {exc}", "set engine: local or athena in mantissa.yaml")]
    except Exception as exc:  # noqa: BLE001 - whatever the engine raises is what the person must see
        fix = ("check AWS credentials, region, athena.workgroup and athena.output_location"
               if settings.engine == "athena" else "check the lake folder and that DuckDB is installed")
        return [CheckResult("engine", "fail", f"{settings.engine}: {type(exc).__name__}: {exc}", fix)]
    where = (f"lake {settings.lake}" if settings.engine == "local"
             else f"workgroup {settings.athena.workgroup}, database {settings.athena.database}")
    return [CheckResult("engine", "ok", f"{settings.engine} answers ({where}, {result.elapsed_s:.2f}s)")]


def check_tables(ctx: DoctorContext) -> list[CheckResult]:
    """Each log source against what its delivery promises (workbench/doctor/freshness.py)."""
    from workbench.catalog import TABLES
    from workbench.doctor.freshness import check_athena_source, check_guardduty_detector, check_source

    settings = ctx.settings
    if settings is None:
        return _skip("tables")
    check = check_source if settings.engine == "local" else check_athena_source
    return [check(ctx, name) for name in TABLES] + check_guardduty_detector(ctx)


# ---- rules ----------------------------------------------------------------------------------------
def check_rules(ctx: DoctorContext) -> list[CheckResult]:
    from workbench.resources import search_paths
    from workbench.rules import lint_rules, load_rules

    if ctx.settings is None:
        return _skip("rules")
    ruleset = load_rules(search_paths("rules", ctx.settings))
    issues = lint_rules(ruleset)  # load errors first, then every validator's findings
    errors = [i for i in issues if i.level == "error"]
    warnings = len(issues) - len(errors)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return [CheckResult("rules", "fail", f"{len(errors)} error(s): {errors[0].format()}{more}",
                            "run `mantissa rules lint` and fix each file:line")]
    if not ruleset.rules:
        return [CheckResult("rules", "fail", "no rules found", "add rules under rules/ in the workspace")]
    enabled = len(ruleset.enabled())
    extra = f", {warnings} lint warning(s) (`mantissa rules lint`)" if warnings else ""
    return [CheckResult("rules", "ok", f"{len(ruleset.rules)} rules load and lint ({enabled} enabled{extra})")]
