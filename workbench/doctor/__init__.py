"""`mantissa doctor`: the smoke test. One line per check, ✓ or ✗ with what to do; fails on any ✗.

    from workbench.doctor import run_doctor
    results = run_doctor(workspace, send_test=False)
    print("\\n".join(r.format() for r in results)); ok = all(r.ok for r in results)

Checks, in order: config valid, engine reachable, every table present with today's partition,
rules load and lint, destinations configured (`send_test` sends each a test message), last
detection run recent and successful, scheduler alive. A check that needs the config is shown as
skipped when the config does not load.

Also here: `check_detection_health(store, settings)`, which the detect flow calls after each run to
raise the `mantissa-detection-failing` alert when detection fails N runs in a row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from workbench.doctor.checks import (
    CheckResult,
    DoctorContext,
    check_config,
    check_engine,
    check_rules,
    check_tables,
)
from workbench.doctor.health import (
    DEFAULT_THRESHOLD,
    FAILING_RULE_ID,
    HealthOutcome,
    check_detection_health,
)
from workbench.doctor.liveness import check_destinations, check_detection, check_scheduler

Check = Callable[[DoctorContext], list[CheckResult]]

CHECKS: dict[str, Check] = {
    "config": check_config,
    "engine": check_engine,
    "tables": check_tables,
    "rules": check_rules,
    "destinations": check_destinations,
    "detection": check_detection,
    "scheduler": check_scheduler,
}

__all__ = ["CHECKS", "DEFAULT_THRESHOLD", "FAILING_RULE_ID", "CheckResult", "DoctorContext", "HealthOutcome",
           "check_detection_health", "run_doctor"]


def run_doctor(workspace: Path | None = None, *, send_test: bool = False, environ: Mapping[str, str] | None = None,
               now: datetime | None = None, stale_after: int = 3, stuck_after: timedelta = timedelta(hours=2),
               only: list[str] | None = None) -> list[CheckResult]:
    """Every check's results, in order. `only` limits to some checks (config always runs first)."""
    from workbench.registry import unknown_name_message

    ctx = DoctorContext(workspace=workspace, send_test=send_test, stale_after=stale_after, stuck_after=stuck_after)
    if environ is not None:
        ctx.environ = environ
    if now is not None:
        ctx.now = now
    names = list(CHECKS)
    if only:
        for name in only:
            if name not in CHECKS:
                raise ValueError(unknown_name_message("check", name, names))
        names = ["config", *(n for n in names if n in only and n != "config")]
    results: list[CheckResult] = []
    for name in names:
        try:
            results += CHECKS[name](ctx)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            results.append(CheckResult(name, "fail", f"the check itself crashed: {type(exc).__name__}: {exc}",
                                       "report this with the output of `mantissa doctor`"))
    return results
