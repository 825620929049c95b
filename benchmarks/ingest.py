"""Ingest benchmark: our `mantissa ingest` against DuckDB's own read_json → Parquet copy (the floor).

    .venv/bin/python benchmarks/ingest.py [--records 1000000] [--workers 2]

Generates (once, cached) realistic gzip CloudTrail objects, then runs each contender in its own
subprocess so that its wall time and peak memory (whole process tree) are measured apart. Target:
our rate ≥ 0.5 × the floor's, peak memory under 1 GB. The lake and the floor's Parquet copy are kept
in the cache folder for benchmarks/query.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cloudtrail_data import cached_objects, default_cache, measure, table  # noqa: E402

FLOOR_SQL = """
COPY (SELECT unnest(Records, max_depth := 2)
      FROM read_json('{src}/**/*.json.gz', format = 'auto', maximum_object_size = 1000000000))
TO '{out}' (FORMAT parquet, COMPRESSION zstd)
"""


def child_ours(src: Path, lake: Path, workers: int) -> None:
    from workbench.lake import ingest

    shutil.rmtree(lake, ignore_errors=True)
    summary = ingest([src], lake, progress=False, workers=workers)
    print(json.dumps({"records": summary.total_records, "elapsed_s": summary.elapsed_s,
                      "quarantined": summary.total_quarantined}))


def child_floor(src: Path, out: Path) -> None:
    import duckdb

    out.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(FLOOR_SQL.format(src=src, out=out))
    records = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
    print(json.dumps({"records": records, "elapsed_s": time.perf_counter() - started}))


def paths(cache: Path, records: int) -> tuple[Path, Path, Path]:
    return cache / f"cloudtrail-{records}-7", cache / f"lake-{records}", cache / f"floor-{records}.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--child", choices=["ours", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    src, lake, floor = paths(args.cache, args.records)
    if args.child == "ours":
        return child_ours(src, lake, args.workers)
    if args.child == "floor":
        return child_floor(src, floor)

    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"data: {args.records:,} CloudTrail records in gzip objects under {src}", flush=True)
    cached_objects(args.cache, args.records)
    size = sum(p.stat().st_size for p in src.rglob("*.json.gz"))
    base = [sys.executable, __file__, "--records", str(args.records), "--cache", str(args.cache)]
    ours = measure("mantissa ingest", [*base, "--workers", str(args.workers), "--child", "ours"])
    floor_run = measure("duckdb read_json → parquet (floor)", [*base, "--child", "floor"])
    for run in (ours, floor_run):
        if run.output["records"] != args.records:
            raise SystemExit(f"{run.name} wrote {run.output['records']:,} records, expected {args.records:,}")
    floor_rate = args.records / floor_run.wall_s
    rows = [[r.name, f"{args.records:,}", f"{r.wall_s:.1f}", f"{args.records / r.wall_s:,.0f}",
             f"{r.peak_mb:,.0f}", f"{(args.records / r.wall_s) / floor_rate:.2f}"] for r in (ours, floor_run)]
    print(f"input: {len(list(src.rglob('*.json.gz')))} objects, {size / 1e6:,.0f} MB gzip; "
          f"our workers: {args.workers}")
    print(table(rows, ["run", "records", "wall s", "events/s", "peak MB", "x floor"]))
    ratio = (args.records / ours.wall_s) / floor_rate
    print(f"target: ≥ 0.50 x floor, peak < 1024 MB → {'met' if ratio >= 0.5 and ours.peak_mb < 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
