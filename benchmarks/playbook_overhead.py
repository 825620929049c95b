"""What running detection through the detect playbook (papermill) costs over the in-process run.

    .venv/bin/python benchmarks/playbook_overhead.py --workspace DEMO [--runs 5] [--start T --end T]

DEMO is a workspace made by `mantissa demo` (default: `./demo`). Each round runs, as fresh
processes and in turns (so a busy spell of a shared machine falls on one run of each):

1. `mantissa detect --start S --end E --no-notebook` — the in-process run;
2. `mantissa detect --start S --end E` — the same window through papermill, archived.

and prints the median wall and CPU time (user+sys of the process and its children, the kernel
included: less sensitive to a loaded machine than wall time), then where the papermill run's
time goes, from the archived notebook's own timings (papermill's per-cell metadata, nbclient's
kernel-side `execution` timestamps): the command before papermill starts (CLI, settings, imports),
the kernel start, each code cell in the kernel, the client's per-cell overhead (messages, saves),
and what follows the last cell (stopping the kernel, the final write, reading the result, exit). CPU is split
into the command's own and the kernel's.

A window run moves no checkpoint and creates no duplicate alert, so rounds are alike; a warm-up
round (not counted) makes the workspace's first-seen state and compiled-SQL cache exist, as they
do for every scheduled run after the first. Installed packages carry compiled bytecode; so that
a checkout run with PYTHONDONTWRITEBYTECODE measures the same, the children get a bytecode cache
under a temporary folder (`--no-bytecode-cache` keeps the environment as it is).
Target: the papermill run ≤ 2 s (median wall) over the in-process run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_SECONDS = 2.0
# The child runs the CLI exactly as the `mantissa` script does, then reports its own CPU and its
# children's (the kernel) on stderr, so the table can split the two.
DRIVER = """\
import atexit, json, resource, sys
def _report():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write("\\nCPU " + json.dumps({"self": s.ru_utime + s.ru_stime,
                                             "children": c.ru_utime + c.ru_stime}) + "\\n")
atexit.register(_report)
sys.argv = ["mantissa", *sys.argv[1:]]
from workbench.cli import app
sys.exit(app())
"""


def _times(value: str | None) -> float | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run `mantissa ARGS` in a fresh process: wall, CPU (own, children) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    launched = time.time()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=cwd, env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    finished = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"mantissa {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    cpu_line = next((line for line in reversed(done.stderr.splitlines()) if line.startswith("CPU ")), "")
    split = json.loads(cpu_line[4:]) if cpu_line else {"self": float("nan"), "children": float("nan")}
    notebook = re.search(r"^notebook: (.+)$", done.stdout, re.MULTILINE)
    return {"wall": wall, "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "cpu_self": split["self"], "cpu_kernel": split["children"], "launched": launched,
            "finished": finished, "notebook": Path(notebook.group(1)) if notebook else None,
            "stdout": done.stdout}


def breakdown(run: dict[str, Any]) -> dict[str, float]:
    """Where a papermill run's wall time went, from the archived notebook's timings."""
    nb = json.loads(run["notebook"].read_text(encoding="utf-8"))
    meta = nb["metadata"]["papermill"]
    nb_start, nb_end = _times(meta["start_time"]), _times(meta["end_time"])
    cells = nb["cells"]
    first = _times(cells[0]["metadata"]["papermill"]["start_time"])
    last = max(_times(c["metadata"]["papermill"]["end_time"]) for c in cells)
    parts = {"command before papermill (CLI, settings, imports)": nb_start - run["launched"],
             "kernel start (until the first cell)": first - nb_start}
    in_kernel = 0.0
    for index, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        execution = cell["metadata"].get("execution", {})
        began, ended = _times(execution.get("iopub.execute_input")), _times(execution.get("shell.execute_reply"))
        if began and ended:
            label = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            label = label.strip().splitlines()[0][:48] if label.strip() else "(empty)"
            parts[f"cell {index}: {label}"] = ended - began
            in_kernel += ended - began
    parts["client per-cell overhead (messages, saves)"] = (last - first) - in_kernel
    parts["last cell to papermill's end (client, kernel stop)"] = nb_end - last
    parts["after papermill (kernel stop, write, read result, exit)"] = run["finished"] - nb_end
    return parts


def save_cost(notebook: Path, repeat: int = 5) -> tuple[float, int]:
    """One papermill save of this notebook (serialise, validate, write), in seconds; and its size."""
    import nbformat
    from papermill.iorw import write_ipynb

    nb = nbformat.read(str(notebook), as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        target = str(Path(folder) / "copy.ipynb")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            write_ipynb(nb, target)
            times.append(time.perf_counter() - started)
    return statistics.median(times), notebook.stat().st_size


def default_window(workspace: Path) -> tuple[str, str]:
    """A 15-minute window a day before the demo lake ends (the demo's ground_truth.json says when)."""
    truth = workspace / "ground_truth.json"
    if not truth.is_file():
        raise SystemExit(f"{workspace} has no ground_truth.json: make it with `mantissa demo`, or give "
                         "--start and --end")
    end = datetime.fromisoformat(json.loads(truth.read_text())["end"].replace("Z", "+00:00")) - timedelta(days=1)
    return (end - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%MZ"), end.strftime("%Y-%m-%dT%H:%MZ")


def child_env(cache: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("demo"), help="a `mantissa demo` workspace")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--start", help="window start (default: a 15-minute window in the demo week)")
    parser.add_argument("--end")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="leave PYTHONDONTWRITEBYTECODE as it is (every import compiles from source)")
    args = parser.parse_args(argv)

    workspace = args.workspace.resolve()
    if not (workspace / "mantissa.yaml").is_file():
        raise SystemExit(f"{workspace} is not a workspace (no mantissa.yaml): run `mantissa demo` first")
    start, end = (args.start, args.end) if args.start and args.end else default_window(workspace)
    window = ["detect", "--start", start, "--end", end]

    with tempfile.TemporaryDirectory() as folder:
        env = child_env(None if args.no_bytecode_cache else Path(folder) / "pycache")
        # Warm-up (not counted): bytecode cache, compiled SQL, first-seen state.
        run_cli([*window, "--no-notebook"], workspace, env)
        run_cli(window, workspace, env)
        inproc, papermill = [], []
        for _ in range(args.runs):
            inproc.append(run_cli([*window, "--no-notebook"], workspace, env))
            papermill.append(run_cli(window, workspace, env))

    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    print(f"window [{start}, {end}) on {workspace}, median of {args.runs} interleaved runs"
          f"{'' if args.no_bytecode_cache else ' (bytecode cached)'}\n")
    print(f"{'run':<34} {'wall s':>8} {'CPU s':>8} {'CPU cmd':>8} {'CPU kernel':>11}")
    for name, runs in (("in-process (--no-notebook)", inproc), ("papermill (archived notebook)", papermill)):
        print(f"{name:<34} {med(runs, 'wall'):>8.2f} {med(runs, 'cpu'):>8.2f} {med(runs, 'cpu_self'):>8.2f} "
              f"{med(runs, 'cpu_kernel'):>11.2f}")
    wall_over, cpu_over = med(papermill, "wall") - med(inproc, "wall"), med(papermill, "cpu") - med(inproc, "cpu")
    print(f"{'papermill over in-process':<34} {wall_over:>+8.2f} {cpu_over:>+8.2f}\n")

    parts = [breakdown(r) for r in papermill]
    print(f"{'papermill run, where the wall time goes':<62} {'median s':>9}")
    for key in parts[0]:
        print(f"  {key:<60} {statistics.median(p.get(key, 0.0) for p in parts):>9.3f}")
    one_save, size = save_cost(papermill[-1]["notebook"])
    print(f"  (one notebook save: {one_save * 1000:.1f} ms for {size / 1024:.0f} KiB)\n")
    verdict = "met" if wall_over <= TARGET_SECONDS else "MISSED"
    print(f"target: papermill ≤ {TARGET_SECONDS:.0f} s over in-process (median wall): {verdict} "
          f"({wall_over:+.2f} s; CPU {cpu_over:+.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
