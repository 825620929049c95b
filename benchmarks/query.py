"""Query benchmark: a filter + group-by over the ingested lake through the local engine, beside
DuckDB's own query on its read_json Parquet copy (the floor).

    .venv/bin/python benchmarks/query.py [--records 1000000] [--repeat 3]

Needs the lake and the floor's copy that benchmarks/ingest.py leaves in the cache folder (it runs
that benchmark first when they are missing). Each side runs in its own subprocess (peak memory of
its own) and reports the best of `--repeat` runs after a warm-up, with the same answer checked.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cloudtrail_data import default_cache, measure, table  # noqa: E402
from ingest import paths  # noqa: E402

# Athena SQL, as an analyst or a rule writes it; the engine bounds it to the window.
ATHENA_SQL = """
SELECT eventname, useridentity.arn AS arn, count(*) AS events
FROM cloudtrail
WHERE errorcode IS NOT NULL
GROUP BY eventname, useridentity.arn
ORDER BY events DESC, eventname, arn
"""
FLOOR_SQL = """
SELECT eventName AS eventname, userIdentity.arn AS arn, count(*) AS events
FROM read_parquet('{copy}')
WHERE errorCode IS NOT NULL
GROUP BY ALL
ORDER BY events DESC, eventname, arn
"""
# The synthetic data spans 2024-03-04 .. 2024-03-11; the window covers all of it.
WINDOW = ("2024-03-04T00:00:00Z", "2024-03-12T00:00:00Z")


def _best(run, repeat: int) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    run()  # warm-up: file metadata and OS cache, as for an analyst's second query
    times, rows = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
    return min(times), rows


def child_ours(lake: Path, repeat: int) -> None:
    from workbench.config import load_settings
    from workbench.engines import get_engine
    from workbench.timewindow import Window

    settings = load_settings(environ={"MANTISSA_LAKE_PATH": str(lake)})
    engine = get_engine("local", settings)
    window = Window(*(datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC) for t in WINDOW))
    elapsed, rows = _best(lambda: engine.run(ATHENA_SQL, window).frame.values.tolist(), repeat)
    print(json.dumps({"elapsed_s": elapsed, "groups": len(rows), "top": rows[:3], "total": _total(rows)},
                     default=str))


def child_floor(copy: Path, repeat: int) -> None:
    import duckdb

    con = duckdb.connect()
    elapsed, rows = _best(lambda: con.execute(FLOOR_SQL.format(copy=copy)).fetchall(), repeat)
    print(json.dumps({"elapsed_s": elapsed, "groups": len(rows), "top": [list(r) for r in rows[:3]],
                      "total": _total(rows)}, default=str))


def _total(rows: list) -> int:
    return int(sum(r[2] for r in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--child", choices=["ours", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    _, lake, copy = paths(args.cache, args.records)
    if args.child == "ours":
        return child_ours(lake, args.repeat)
    if args.child == "floor":
        return child_floor(copy, args.repeat)

    if not lake.is_dir() or not copy.is_file():
        print("lake or floor copy missing: running benchmarks/ingest.py first", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("ingest.py")), "--records",
                        str(args.records), "--cache", str(args.cache)], check=True)
    base = [sys.executable, __file__, "--records", str(args.records), "--cache", str(args.cache),
            "--repeat", str(args.repeat)]
    ours = measure("local engine (Athena SQL, windowed)", [*base, "--child", "ours"])
    floor_run = measure("duckdb on its own copy (floor)", [*base, "--child", "floor"])
    if (ours.output["groups"], ours.output["total"]) != (floor_run.output["groups"], floor_run.output["total"]):
        raise SystemExit(f"answers differ: ours {ours.output} vs floor {floor_run.output}")
    floor_s = floor_run.output["elapsed_s"]
    rows = [[r.name, f"{args.records:,}", f"{r.output['elapsed_s'] * 1000:.0f}",
             f"{args.records / r.output['elapsed_s']:,.0f}", f"{r.peak_mb:,.0f}",
             f"{floor_s / r.output['elapsed_s']:.2f}"] for r in (ours, floor_run)]
    print(f"query: count by eventname, useridentity.arn where errorcode is not null "
          f"({ours.output['groups']} groups, {ours.output['total']:,} events); best of {args.repeat}")
    print(table(rows, ["run", "records", "query ms", "events/s", "peak MB", "x floor"]))


if __name__ == "__main__":
    main()
