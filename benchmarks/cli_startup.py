"""How long `mantissa` takes to start for commands that need neither pandas nor an engine.

    .venv/bin/python benchmarks/cli_startup.py [--runs 9]

Runs each command as a fresh process (as a shell would), in turns so that a busy spell of the
machine falls on one run of each, and prints the median and the fastest wall time. Also lists the
heavy modules each command imported, which is what lazy imports are for. Target: `--help` and
`alerts list` (on an empty workspace) start in ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (["--help"], ["--version"], ["alerts", "list"], ["rules", "--help"])
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "sqlglot", "plotly", "boto3", "papermill")
TARGET_SECONDS = 0.3


def mantissa() -> list[str]:
    script = Path(sys.executable).with_name("mantissa")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from workbench.cli import app; app()"]


def heavy_imports(args: list[str], cwd: Path) -> list[str]:
    probe = ("import sys; from workbench.cli import app\n"
             f"sys.argv = ['mantissa', *{args!r}]\n"
             "try:\n    app()\nexcept SystemExit:\n    pass\n"
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True)
    return [m for m in done.stderr.strip().splitlines()[-1:][0].split(",") if m] if done.stderr.strip() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        timings: dict[str, list[float]] = {" ".join(c): [] for c in COMMANDS}
        for _ in range(args.runs):
            for command in COMMANDS:
                started = time.perf_counter()
                subprocess.run([*mantissa(), *command], cwd=workspace, capture_output=True)
                timings[" ".join(command)].append(time.perf_counter() - started)

        print(f"{'command':<22} {'median s':>9} {'fastest s':>10}  heavy modules imported")
        for command in COMMANDS:
            runs = timings[" ".join(command)]
            heavy = ", ".join(heavy_imports(command, workspace)) or "none"
            print(f"mantissa {' '.join(command):<13} {statistics.median(runs):>9.3f} {min(runs):>10.3f}  {heavy}")
        worst = max(statistics.median(timings[k]) for k in ("--help", "alerts list"))
        print(f"target: --help and alerts list ≤ {TARGET_SECONDS} s (median): "
              f"{'met' if worst <= TARGET_SECONDS else 'MISSED'} ({worst:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
