"""What a day of scheduled detection costs on Athena, by lake layout, computed as Athena prunes.

    .venv/bin/python benchmarks/athena_cost.py [--events 2000000] [--gb-per-day 100]

A simulated day of CloudTrail (the detection benchmark's generator, _detect_lake.py) is written
locally as Parquet in each candidate layout; nothing runs on Athena. For every statement a day of
detection issues (96 runs of 15 minutes; each rule reads its window widened by the lookback and,
for threshold rules, by the threshold window, as workbench.detect.runner.evaluation_window says),
the bytes Athena would read are summed from the files' own footers: only row groups whose
eventtime min/max meets the statement's window, only the column chunks of the columns the rules
name (parsed from their SQL with sqlglot; a struct counts whole). Runs of the next day that reach
back into this one count too, so the figure is a steady-state day.

Beside it: (a) the floor, the columns the pack needs read once for the day; (b) the seed's way,
every rule of every run reading the raw gzip JSON of the day's partition (delivered so far).
Monthly cost for an organisation writing --gb-per-day of CloudTrail (gzip, as delivered): every
figure is scaled by that volume over the simulated day's gzip JSON, and each statement is billed
max(bytes, 10 MB) rounded up to the MB at --price-per-tb.

Row groups are capped at the rows one 128 MB Parquet row group holds at that volume, so a row
group spans the same stretch of time here as it would there. The gzip size is measured on every
tenth 5,000-event object and scaled to the day.
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _detect_lake as lakegen  # noqa: E402
from _cloudtrail_data import table as format_table  # noqa: E402

from workbench.catalog import arrow_schema, get_table  # noqa: E402
from workbench.detect.plan.pack import window_statements  # noqa: E402
from workbench.detect.runner import DEFAULT_LOOKBACK, evaluation_window  # noqa: E402
from workbench.lake.refresh.layout import SLOT_MINUTES  # noqa: E402
from workbench.lake.writer import sorted_for_lake  # noqa: E402
from workbench.rules.loader import load_rules  # noqa: E402

RULES_PATH = HERE.parent / "rules" / "aws"
DAY = datetime(2024, 3, 4, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)
MB = 1 << 20
MIN_BILLED = 10 * MB
ATHENA_ROW_GROUP_BYTES = 128 * MB  # Trino's Parquet writer default block size
OBJECT_EVENTS = 5000


@dataclass(frozen=True)
class RowGroup:
    low: str  # eventtime min / max, ISO text as stored
    high: str
    sizes: dict[str, int]  # top-level column → compressed bytes of its chunks


@dataclass(frozen=True)
class Statement:
    start: datetime
    end: datetime
    columns: frozenset[str]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def simulated_day(events: int, seed: int) -> pa.Table:
    """One day of the detection benchmark's mix, in time order, with its injected specials."""
    rng = np.random.default_rng(seed)
    schema = arrow_schema(get_table("cloudtrail"))
    pools = {i: pa.array([lakegen._params(b[5], rng) for _ in range(lakegen.POOL if b[5] else 1)],
                         type=pa.string()) for i, b in enumerate(lakegen.BACKGROUND)}
    identities = pa.array(lakegen._identities(rng), type=schema.field("useridentity").type)
    ips = pa.array([f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 255, size=(2000, 4))])
    table = lakegen._day_table(rng, events, DAY, schema, pools, identities, ips)
    return lakegen._inject(table, lakegen._specials(rng, events), rng, schema)


def gzip_bytes_per_event(table: pa.Table) -> float:
    """Delivered size: every tenth 5,000-event object as CloudTrail writes it (gzip {"Records"})."""
    json_columns = {"requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails"}
    sampled = compressed = 0
    for offset in range(0, table.num_rows, OBJECT_EVENTS * 10):
        rows = table.slice(offset, OBJECT_EVENTS).to_pylist()
        for row in rows:
            for key in json_columns & row.keys():
                if isinstance(row[key], str):
                    row[key] = orjson.loads(row[key])
        body = orjson.dumps({"Records": [{k: v for k, v in r.items() if v is not None} for r in rows]})
        compressed += len(gzip.compress(body, compresslevel=6, mtime=0))
        sampled += len(rows)
    return compressed / sampled


def cloudtrail_rules() -> list:
    return [r for r in load_rules([RULES_PATH]).enabled() if r.table == "cloudtrail"]


def planned(lookback: timedelta, incremental: bool, split: str = "planner",
            groups: list[RowGroup] | None = None, kept: bool = False) -> list[tuple[str, timedelta, frozenset[str]]]:
    """The CloudTrail statements of one run as the pack plan issues them (no rule hot): (kind, how
    far before the run's start it reads, the columns its SQL names). With `incremental` the census
    reads only the lookback and the run's own window (its state holds the rest of the reach); with
    `kept` a shared scan does too (`workbench.detect.plan.keptrows`). `split`: "planner"
    (the plan's own split by reach), "none" (one scan: the plan before the split), or "best-N":
    the split into at most N scans that reads fewest real bytes of `groups` (the ceiling of any
    estimate)."""
    from workbench.detect.plan import reach

    rules = cloudtrail_rules()
    start = DAY + timedelta(hours=12)
    windows = [evaluation_window(r, start, start + INTERVAL, lookback)[0] for r in rules]
    saved = reach.MAX_SCANS, reach.MIN_SAVING, reach.estimate
    if split == "none":
        reach.MAX_SCANS = 1
    elif split.startswith("best-"):
        reach.MAX_SCANS, reach.MIN_SAVING = int(split[5:]), 0.0
        reach.estimate = lambda _t, w, cols: float(scanned(groups or [], Statement(  # type: ignore[assignment]
            w.start, w.end, frozenset(c.split(".")[0] for c in cols))))
    try:
        statements = window_statements(rules, windows, hot=set())
    finally:
        reach.MAX_SCANS, reach.MIN_SAVING, reach.estimate = saved
    out = []
    for statement in statements:
        reach = start - statement.window.start
        if (statement.kind == "census" and incremental) or (statement.kind == "scan" and kept):
            reach = min(reach, lookback)
        out.append((statement.kind, reach, statement_columns(statement.sql)))
    return out


def statement_columns(sql: str) -> frozenset[str]:
    """The table's columns a statement names (a struct counts whole), with the time column."""
    catalog = {c.name for c in get_table("cloudtrail").columns}
    names = {"eventtime"}
    for column in sqlglot.parse_one(sql, read="athena").find_all(exp.Column):
        for part in (column.table, column.name):
            if part and part.lower() in catalog:
                names.add(part.lower())
                break
    return frozenset(names)


def rule_statements(lookback: timedelta) -> tuple[list[tuple[frozenset[str], timedelta]], set[str]]:
    """Per enabled CloudTrail rule: the columns it reads and how far before a run's start it reaches."""
    rules = cloudtrail_rules()
    out = []
    for rule in rules:
        names = statement_columns(rule.query)
        reach = lookback + (rule.threshold.window if rule.threshold else timedelta(0))
        out.append((names, reach))
    union: set[str] = set().union(*(c for c, _ in out))
    return out, union


def runs_touching_day(max_reach: timedelta) -> list[datetime]:
    """Run starts whose windows read some of DAY: the day's 96 and the next day's that reach back."""
    runs, start = [], DAY
    while start - max_reach < DAY + timedelta(days=1):
        runs.append(start)
        start += INTERVAL
    return runs


def per_rule(rules: list[tuple[frozenset[str], timedelta]], runs: list[datetime]) -> list[Statement]:
    return [Statement(run - reach, run + INTERVAL, cols) for run in runs for cols, reach in rules]


def per_table(rules: list[tuple[frozenset[str], timedelta]], runs: list[datetime],
              lookback: timedelta) -> list[Statement]:
    """The plan's shape: one scan of the plain rules' columns over the window and its lookback, one
    census of the threshold rules' columns reaching as far back as the longest threshold window."""
    plain = frozenset().union(*(c for c, reach in rules if reach == lookback))
    threshold = [(c, reach) for c, reach in rules if reach != lookback]
    census = frozenset().union(*(c for c, _ in threshold))
    reach = max((r for _, r in threshold), default=lookback)
    out = []
    for run in runs:
        out.append(Statement(run - lookback, run + INTERVAL, plain))
        if threshold:
            out.append(Statement(run - reach, run + INTERVAL, census))
    return out


def per_reach(rules: list[tuple[frozenset[str], timedelta]], runs: list[datetime],
              lookback: timedelta) -> list[Statement]:
    """As per_table, with the census split by threshold reach: a 60-minute rule's long read no longer
    drags the 5-minute rules' columns along."""
    groups: dict[timedelta, set[str]] = {}
    for cols, reach in rules:
        groups.setdefault(reach, set()).update(cols)
    return [Statement(run - reach, run + INTERVAL, frozenset(cols))
            for run in runs for reach, cols in sorted(groups.items())]


def write_layout(name: str, table: pa.Table, folder: Path, rg_rows: int) -> list[RowGroup]:
    folder.mkdir(parents=True)
    times = table.column("eventtime")
    pieces: list[pa.Table] = []
    if name == "ingest: day, by source":
        for i in range(0, table.num_rows, 250_000):
            pieces.append(sorted_for_lake("cloudtrail", table.slice(i, 250_000)))
    elif name in {"hour partitions", f"day, {SLOT_MINUTES}-min slot files", "day, 15-min slot files"}:
        minutes = {"hour partitions": 60, "day, 15-min slot files": 15}.get(name, SLOT_MINUTES)
        hhmm = pc.utf8_slice_codeunits(times, 11, 16)
        minute_of_day = pc.add(pc.multiply(pc.cast(pc.utf8_slice_codeunits(hhmm, 0, 2), pa.int32()), 60),
                               pc.cast(pc.utf8_slice_codeunits(hhmm, 3, 5), pa.int32()))
        slot = pc.divide(minute_of_day, minutes).to_numpy()
        rng = np.random.default_rng(1)
        for value in np.unique(slot):
            rows = np.nonzero(slot == value)[0]
            # An INSERT's writers keep no order: rows of a slot land in any order within it.
            pieces.append(table.take(pa.array(rng.permutation(rows))))
    else:
        raise ValueError(name)
    groups = []
    for i, piece in enumerate(pieces):
        path = folder / f"part-{i:05d}.parquet"
        pq.write_table(piece, path, compression="zstd", row_group_size=rg_rows)
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            sizes: dict[str, int] = {}
            low = high = ""
            for c in range(rg.num_columns):
                chunk = rg.column(c)
                top = chunk.path_in_schema.split(".")[0]
                sizes[top] = sizes.get(top, 0) + chunk.total_compressed_size
                if chunk.path_in_schema == "eventtime":
                    low, high = chunk.statistics.min, chunk.statistics.max
            groups.append(RowGroup(low, high, sizes))
    return groups


def scanned(groups: list[RowGroup], stmt: Statement) -> int:
    low, high = iso(stmt.start), iso(stmt.end)
    return sum(sum(g.sizes.get(c, 0) for c in stmt.columns) for g in groups if g.high >= low and g.low < high)


def billed_usd(bytes_list: Iterable[float], price_per_tb: float) -> float:
    mb = sum(math.ceil(max(b, MIN_BILLED) / MB) for b in bytes_list)
    return mb * MB / (1 << 40) * price_per_tb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gb-per-day", type=float, default=100.0, help="CloudTrail delivered per day (gzip)")
    parser.add_argument("--price-per-tb", type=float, default=5.0)
    parser.add_argument("--lookback-minutes", type=int, default=int(DEFAULT_LOOKBACK.total_seconds() // 60),
                        help="detection's re-read overlap (detection.lookback)")
    parser.add_argument("--refresh-every", type=int, default=60, help="minutes between lake refresh runs")
    args = parser.parse_args()

    started = time.perf_counter()
    table = simulated_day(args.events, args.seed)
    gz_bpe = gzip_bytes_per_event(table)
    raw_day = gz_bpe * table.num_rows
    scale = args.gb_per_day * 1e9 / raw_day  # simulated bytes → the organisation's bytes
    lookback = timedelta(minutes=args.lookback_minutes)
    rules, union = rule_statements(lookback)
    max_reach = max(r for _, r in rules)
    runs = runs_touching_day(max_reach)
    in_day = [r for r in runs if r < DAY + timedelta(days=1)]
    print(f"simulated day: {table.num_rows:,} events, gzip JSON {raw_day / MB:,.0f} MB "
          f"({gz_bpe:.0f} B/event); scale to {args.gb_per_day:g} GB/day = x{scale:,.0f}; "
          f"{len(rules)} CloudTrail rules, {len(in_day)} runs/day, lookback {lookback}, "
          f"longest reach {max_reach}; built in {time.perf_counter() - started:.0f}s")

    plans = {"per rule": per_rule(rules, runs), "per table": per_table(rules, runs, lookback),
             "by reach": per_reach(rules, runs, lookback)}
    layouts = ["ingest: day, by source", "hour partitions", "day, 15-min slot files",
               f"day, {SLOT_MINUTES}-min slot files"]
    rows = []
    results: dict[tuple[str, str], list[int]] = {}
    with tempfile.TemporaryDirectory(prefix="athena-cost-") as tmp:
        probe = Path(tmp) / "probe.parquet"
        pq.write_table(table, probe, compression="zstd")
        parquet_bpe = probe.stat().st_size / table.num_rows
        rg_rows = max(1000, int(ATHENA_ROW_GROUP_BYTES / (parquet_bpe * scale)))
        floor_groups: list[RowGroup] = []
        chosen_groups: list[RowGroup] = []
        for i, name in enumerate(layouts):
            groups = write_layout(name, table, Path(tmp) / f"layout{i}", rg_rows)
            floor_groups = floor_groups or groups
            if name == f"day, {SLOT_MINUTES}-min slot files":
                chosen_groups = groups
            per = {plan: [scanned(groups, s) for s in stmts] for plan, stmts in plans.items()}
            for plan, sizes in per.items():
                results[(name, plan)] = sizes
            rows.append([name, f"{len(groups):,}", *(f"{sum(per[p]) / MB:,.1f}" for p in plans)])
    floor = sum(sum(g.sizes.get(c, 0) for c in union) for g in floor_groups)
    for row, name in zip(rows, layouts, strict=True):
        row += [f"{sum(results[(name, p)]) / floor:.2f}" for p in plans]
    print(f"\nfloor: the {len(union)} columns the pack reads, the day once: {floor / MB:,.1f} MB "
          f"(row groups capped at {rg_rows:,} rows = 128 MB at {args.gb_per_day:g} GB/day)\n")
    print(format_table(rows, ["layout", "row groups", *(f"MB/day {p}" for p in plans),
                              *(f"x floor {p}" for p in plans)]))

    chosen = f"day, {SLOT_MINUTES}-min slot files"
    # The seed: every rule of every run reads the day's raw partition as delivered so far, and the
    # whole of yesterday's when its window starts before midnight.
    seed_bytes = []
    for run in in_day:
        so_far = (run + INTERVAL - DAY) / timedelta(days=1) * raw_day
        for _, reach in rules:
            seed_bytes.append(so_far + (raw_day if run - reach < DAY else 0))
    refresh_bytes = []
    every = timedelta(minutes=args.refresh_every)
    at = DAY + every
    while at <= DAY + timedelta(days=1):
        refresh_bytes.append((at - DAY) / timedelta(days=1) * raw_day + (raw_day if at - every == DAY else 0))
        at += every
    ways = [
        ("(a) floor: needed columns, once", [floor]),
        ("(b) seed: raw gzip JSON, per rule", seed_bytes),
        (f"lake ({chosen}), per rule", results[(chosen, "per rule")]),
        (f"lake ({chosen}), per table", results[(chosen, "per table")]),
        (f"lake ({chosen}), by reach", results[(chosen, "by reach")]),
        (f"lake refresh itself, every {args.refresh_every} min", refresh_bytes),
    ]
    cost_rows = []
    for label, sizes in ways:
        scaled = [b * scale for b in sizes]
        month_tb = sum(scaled) * 30 / 1e12
        cost_rows.append([label, f"{len(sizes):,}", f"{month_tb:,.2f}",
                          f"{billed_usd(scaled, args.price_per_tb) * 30:,.2f}",
                          f"{sum(sizes) / floor:,.2f}"])
    print(f"\nmonthly, at {args.gb_per_day:g} GB/day of CloudTrail, ${args.price_per_tb:g}/TB, "
          "10 MB minimum per statement\n")
    print(format_table(cost_rows, ["way", "statements/day", "TB scanned/month", "$/month", "x floor"]))
    census_modes(chosen, chosen_groups, floor, scale, args)


def census_modes(chosen: str, groups: list[RowGroup], floor: int, scale: float, args: argparse.Namespace) -> None:
    """The threshold census full or incremental, the shared scan reading its whole reach or only the
    fresh window beside its kept rows, with the lookback or behind the refresh (lookback 0), on the
    chosen layout: the pack plan's own CloudTrail statements per run (census, shared scan, rules
    alone; no rule hot; each reading the columns its SQL names), and the brief's model of a plan
    whose scan reads only the window and its lookback."""
    fifteen = timedelta(minutes=args.lookback_minutes)
    modes = [(f"full census, lookback {args.lookback_minutes}m, one scan", fifteen, False, "none", False),
             (f"incremental census, lookback {args.lookback_minutes}m, one scan", fifteen, True, "none", False),
             ("incremental census, lookback 0 behind the refresh, one scan", timedelta(0), True, "none", False),
             ("… as above, scan split by reach (planner's estimate)", timedelta(0), True, "planner", False),
             ("… best split by real bytes, <= 2 scans", timedelta(0), True, "best-2", False),
             ("… best split by real bytes, <= 3 scans", timedelta(0), True, "best-3", False),
             (f"incremental census, kept scan rows, lookback {args.lookback_minutes}m", fifteen, True, "none", True),
             ("incremental census, kept scan rows, lookback 0 behind the refresh (recommended)",
              timedelta(0), True, "none", True)]
    rows = []
    for label, lookback, incremental, split, kept in modes:
        shape = planned(lookback, incremental, split, groups, kept)
        runs = runs_touching_day(max(reach for _, reach, _ in shape))
        by_kind: dict[str, list[int]] = {}
        for run in runs:
            for kind, reach, columns in shape:
                by_kind.setdefault(kind, []).append(scanned(groups, Statement(run - reach, run + INTERVAL, columns)))
        every = [b for sizes in by_kind.values() for b in sizes]
        census_cols = frozenset().union(*(c for k, _, c in shape if k == "census"))
        other_cols = frozenset().union(*(c for k, _, c in shape if k != "census"))
        census_reach = lookback if incremental else max(r for k, r, _ in shape if k == "census")
        model = [scanned(groups, Statement(run - lookback, run + INTERVAL, other_cols)) for run in runs] + [
            scanned(groups, Statement(run - census_reach, run + INTERVAL, census_cols)) for run in runs]
        cells = [label, f"{len(shape)}"]
        for kind in ("census", "scan", "rule"):
            cells.append(f"{sum(by_kind.get(kind, [])) / floor:.2f}")
        cells += [f"{sum(every) / floor:.2f}", f"{billed_usd([b * scale for b in every], args.price_per_tb) * 30:,.2f}",
                  f"{sum(model) / floor:.2f}", f"{billed_usd([b * scale for b in model], args.price_per_tb) * 30:,.2f}"]
        rows.append(cells)
    print(f"\nthe threshold census, full or incremental, on {chosen} (CloudTrail, per table; x floor; "
          f"$/month at {args.gb_per_day:g} GB/day, 10 MB minimum per statement; steady state: a first run or a "
          "gap reads the census's whole reach once)\n")
    print(format_table(rows, ["mode", "statements/run", "census", "shared scan", "rules alone", "plan total",
                              "plan $/month", "model: scan over window+lookback", "model $/month"]))
    recommended = float(rows[-1][5])
    print(f"\nrecommended (kept rows, incremental census, behind the refresh): {recommended:.2f}x the floor; "
          f"target <= 2x: {'met' if recommended <= 2 else 'MISSED'}")  # noqa: PLR2004


if __name__ == "__main__":
    main()
