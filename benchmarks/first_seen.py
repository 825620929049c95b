"""First-seen (`new_terms`) rules: what a scheduled 15-minute run reads, beside a run that rescans
the history, and how large the term state grows.

    .venv/bin/python benchmarks/first_seen.py [--events 1000000] [--days 15]

Builds (once, under benchmarks/out/) the detection benchmark's CloudTrail mix over `--days` days
(14 days of history and the day of the runs), then with the bundled first-seen rules:

1. first enable: the run of the first window backfills 14 days (a statement per rule and day);
2. the next scheduled window: reads its window and the state, nothing else;
3. the same window evaluated by rescanning the history, as a rule without state must.

Prints statements, bytes (the engine's estimate: the Parquet files of the days a statement
touches), rows the rule queries returned, wall time, and the state's size on disk and in terms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _detect_lake  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
STEP = timedelta(minutes=15)


class Metered:
    """The engine, counting statements, bytes and rows of everything asked of it."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.statements, self.bytes, self.rows = engine, 0, 0, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def _count(self, result: Any) -> Any:
        if not isinstance(result, Exception):
            self.statements += 1
            self.bytes += result.bytes_scanned
            self.rows += result.rows
        return result

    def run(self, sql: str, window: Any = None) -> Any:
        return self._count(self.engine.run(sql, window))

    def run_batch(self, queries: Any, window: Any = None, **kwargs: Any) -> list[Any]:
        return [self._count(r) for r in self.engine.run_batch(queries, window, **kwargs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=15)
    args = parser.parse_args(argv)

    from workbench.alerts import get_store
    from workbench.config import Settings
    from workbench.detect.runner import run_detections
    from workbench.detect.terms import get_term_store
    from workbench.engines import get_engine
    from workbench.resources import search_paths
    from workbench.rules import load_rules
    from workbench.timewindow import Window

    _detect_lake.DAYS = args.days
    lake, stats = _detect_lake.cached_lake(OUT / f"first-seen-{args.days}d", args.events)
    built = "cached" if stats.get("cached") else f"built in {stats['build_s']} s"
    print(f"lake: {args.events:,} CloudTrail events over {args.days} days ({stats['bytes'] / 1e6:.0f} MB), {built}")
    day = _detect_lake.START + timedelta(days=args.days - 1)
    rows: list[tuple[str, int, int, int, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(workspace=Path(folder), lake_path=lake)
        rules = [r for r in load_rules(search_paths("rules", settings)).rules if r.new_terms and r.enabled]
        with get_engine("local", settings) as engine, get_store(settings) as store:
            for label, start in (("first enable (backfills 14 days)", day), ("next 15-minute window", day + STEP)):
                metered = Metered(engine)
                began = time.perf_counter()
                run_detections(rules, start, start + STEP, metered, store, lookback=timedelta(0))
                rows.append((label, metered.statements, metered.bytes, metered.rows, time.perf_counter() - began))
            metered = Metered(engine)
            began = time.perf_counter()
            window = Window(day + STEP - timedelta(days=14), day + 2 * STEP)
            for rule in rules:  # what a rule without state reads: the history and the window, every run
                metered.run(rule.query, window)
            rows.append(("same window, rescanning the history", metered.statements, metered.bytes, metered.rows,
                         time.perf_counter() - began))
        with get_term_store(settings) as terms:
            sizes = {r.id: terms.size(r.id) for r in rules}
        state_bytes = sum(p.stat().st_size for p in (Path(folder) / "state").glob("terms.sqlite*"))

    print(f"\n{len(rules)} first-seen rules; one 15-minute window on day {args.days} after {args.days - 1} days of history\n")
    print(f"{'run':<38} {'statements':>10} {'bytes read':>12} {'rows':>10} {'wall s':>8}")
    for label, statements, scanned, returned, wall in rows:
        print(f"{label:<38} {statements:>10,} {scanned:>12,} {returned:>10,} {wall:>8.2f}")
    incremental, rescan = rows[1], rows[2]
    print(f"\nthe scheduled run reads {rescan[3] / max(incremental[3], 1):,.0f}× fewer rows and "
          f"{rescan[2] / max(incremental[2], 1):,.0f}× fewer bytes than rescanning the history")
    print(f"term state after {args.days - 1} days: {sum(sizes.values()):,} terms, {state_bytes / 1024:,.0f} KiB on disk")
    for rule_id, size in sizes.items():
        print(f"  {rule_id:<45} {size:>8,} terms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
