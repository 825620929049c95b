"""Athena execution: how the concurrency limit turns a batch of statements into wall time, and what
Athena's billing rule (rounded up to the MB, 10 MB minimum per statement) does to the cost figure.

One statement per enabled rule of the pack (each rule's query bounded to a 15-minute window plus
its lookback and threshold reach) runs as one batch through `AthenaEngine.run_batch` on the
executing Athena double, with a fixed latency per statement, at several `athena.max_concurrent`.
For each: wall time, the most statements the double saw RUNNING at once, bytes scanned, bytes
billed, and the batch's cost as billed beside the old figure (bytes ÷ 1 TiB × price, no minimum).

    .venv/bin/python benchmarks/athena_exec.py [--events 100000] [--latency 1.0] [--limits 1,3,5,10]

Everything runs on loopback (moto S3 and the double). Nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
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
    parser.add_argument("--limits", default="1,3,5,10", help="athena.max_concurrent values to measure")
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
    from workbench.cost import BYTES_PER_TB, billed_bytes
    from workbench.detect.plan.prefilter import prefiltered
    from workbench.detect.runner import DEFAULT_LOOKBACK, evaluation_window
    from workbench.engines.athena import AthenaEngine
    from workbench.rules import load_rules

    lake, _ = cached_lake(args.out, args.events)
    rules = [r for r in load_rules([HERE.parent / "rules"]).rules if r.enabled and not r.new_terms]
    end = START + timedelta(days=DAYS / 2)
    start = end - timedelta(minutes=15)
    queries = [prefiltered(r) for r in rules]
    windows = [evaluation_window(r, start, end, DEFAULT_LOOKBACK)[0] for r in rules]
    port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    server = DoubleServer(f"http://127.0.0.1:{port}")
    rows = []
    try:
        double = AthenaDouble(server)
        double.upload(lake, double.lake_location)
        for ddl in all_ddl(double.lake_location):
            assert double.query(ddl).state == "SUCCEEDED", ddl
        base = double.settings(Settings(workspace=Path(tempfile.mkdtemp(prefix="athena-exec-")),
                                        lake_path=Path(tempfile.mkdtemp())))
        with AthenaEngine(base) as engine:  # untimed: the double caches the lake's files on first read
            engine.run_batch(queries, windows=windows)
        double.latency = args.latency
        for limit in [int(x) for x in args.limits.split(",")]:
            settings = base.model_copy(update={"athena": base.athena.model_copy(update={"max_concurrent": limit})})
            double.service.reset_observations()
            first = len(double.executions)
            with AthenaEngine(settings) as engine:
                began = time.perf_counter()
                answers = engine.run_batch(queries, windows=windows)
                wall = time.perf_counter() - began
            ran = double.executions[first:]
            scanned = sum(e.bytes_scanned for e in ran)
            billed = sum(billed_bytes(e.bytes_scanned) for e in ran if e.state != "FAILED")
            cost = sum(a.cost_usd for a in answers if not isinstance(a, Exception))
            failed = sum(isinstance(a, Exception) for a in answers)
            rows.append((limit, len(ran), wall, double.max_concurrent, scanned, billed, cost,
                         scanned / BYTES_PER_TB * settings.price_per_tb_usd, failed))
    finally:
        server.close()
        moto.stop()
    print(f"## one batch: {len(rules)} rules, one statement each, 15-minute window of a {args.events:,}-event "
          f"lake, {args.latency:g} s latency per statement (Athena double)")
    print(f"{'max_concurrent':>14}{'statements':>11}{'wall s':>8}{'max in flight':>14}{'bytes scanned':>15}"
          f"{'bytes billed':>14}{'cost billed $':>15}{'old figure $':>14}{'failed':>8}")
    for limit, n, wall, most, scanned, billed, cost, old, failed in rows:
        print(f"{limit:>14}{n:>11}{wall:>8.2f}{most:>14}{scanned:>15,}{billed:>14,}{cost:>15.6f}{old:>14.8f}"
              f"{failed:>8}")


if __name__ == "__main__":
    main()
