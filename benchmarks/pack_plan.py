"""One scheduled detection window of the rule pack on Athena — the executing test double with a
fixed latency per statement — through the engine-neutral pack plan: statements per window (target:
at most 2 per log table plus 1 per rule that cannot share a scan) and wall time (target ≤ 5 s at
1 s per statement), beside the per-rule way (one statement per rule, as before the plan).

    .venv/bin/python benchmarks/pack_plan.py [--events 100000] [--latency 1.0]

The lake is the detection benchmark's (benchmarks/_detect_lake.py, cached under benchmarks/out/);
the window is 15 minutes in its middle, each rule reaching back by the lookback and its threshold
window, as `mantissa detect` runs every 15 minutes; the window before it runs first, untimed (a
scheduled run finds the pack's SQL compiled by the runs before it). Everything runs on loopback (moto S3 and the
double); nothing is timed by a test.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _detect_lake import DAYS, START, cached_lake  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds each statement stays RUNNING")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    for key, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ[key] = value
    os.environ.pop("AWS_PROFILE", None)

    from moto.server import ThreadedMotoServer

    from tests.athena_double import AthenaDouble, DoubleServer
    from workbench.catalog.ddl import all_ddl
    from workbench.config import Settings
    from workbench.detect import run_detections
    from workbench.detect.plan.pack import plan_window
    from workbench.detect.plan.statements import Statement
    from workbench.detect.runner import DEFAULT_LOOKBACK, evaluation_window
    from workbench.engines import Result
    from workbench.engines.athena import AthenaEngine
    from workbench.rules import load_rules

    class Counting(AthenaEngine):
        def __init__(self, settings: Settings) -> None:
            super().__init__(settings)
            self.given: list[Statement] = []

        def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
            self.given += statements
            return super().run_plan(statements)

    class PerRule(AthenaEngine):
        """Before the plan: the runner's census (its UNION ALL form), then one statement per rule
        (the Athena engine's run_batch, concurrent)."""

        SHARES_SCANS_ITSELF = True  # the runner's old path

    lake, _ = cached_lake(args.out, args.events)
    rules = [r for r in load_rules([HERE.parent / "rules"]).rules if r.enabled and not r.new_terms]
    end = START + timedelta(days=DAYS / 2)
    start = end - timedelta(minutes=15)
    port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    server = DoubleServer(f"http://127.0.0.1:{port}")
    try:
        double = AthenaDouble(server)
        double.upload(lake, double.lake_location)
        for ddl in all_ddl(double.lake_location):
            assert double.query(ddl).state == "SUCCEEDED", ddl
        double.latency = args.latency
        settings = double.settings(Settings(workspace=Path(tempfile.mkdtemp(prefix="pack-plan-")),
                                            lake_path=Path(tempfile.mkdtemp())))
        rows = []
        for name, engine_class in (("pack plan", Counting), ("one statement per rule", PerRule)):
            with engine_class(settings) as engine:
                # The window before, untimed: a scheduled run finds the pack's SQL compiled in the
                # workspace (state/cache/) by the runs before it.
                run_detections(rules, start - timedelta(minutes=15), start, engine, None, dry_run=True)
            first = len(double.statements)
            with engine_class(settings) as engine:
                began = time.perf_counter()
                run = run_detections(rules, start, end, engine, None, dry_run=True)
                wall = time.perf_counter() - began
            executions = double.executions[first:]
            rows.append((name, len(executions), wall, sum(e.bytes_scanned for e in executions),
                         len(run.failed), len(run.alerts_new), getattr(engine, "given", None)))
        windows = [evaluation_window(r, start, end, DEFAULT_LOOKBACK)[0] for r in rules]
        alone = len(plan_window(rules, windows).solo)
    finally:
        server.close()
        moto.stop()
    print(f"## one 15-minute window, {len(rules)} rules, {args.events:,}-event lake, "
          f"{args.latency:g} s latency per statement (Athena double)")
    print(f"{'way':<26}{'statements':>11}{'wall s':>9}{'bytes scanned':>15}{'failed':>8}{'alerts':>8}")
    for name, statements, wall, scanned, failed, alerts, _ in rows:
        print(f"{name:<26}{statements:>11}{wall:>9.2f}{scanned:>15,}{failed:>8}{alerts:>8}")
    given = rows[0][6] or []
    per_table = Counter((s.kind, s.table) for s in given)
    print("plan statements: " + ", ".join(f"{k} {t or '-'}: {n}" for (k, t), n in sorted(per_table.items(),
                                                                                    key=str)))
    tables = {s.table for s in given if s.kind != "rule"}
    target = 2 * len(tables) + alone
    print(f"target: ≤ 2 per table + 1 per rule alone = {target} ({alone} alone): "
          f"{'met' if rows[0][1] <= target else 'MISSED'}; wall ≤ 5 s: {'met' if rows[0][2] <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
