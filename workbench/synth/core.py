"""Generate a window of logs with injected attacks (`generate`), or write and ingest them (`synthesize`).

The default end is the start of the current UTC hour, so the newest data is recent; pass `end` for
reproducible output: the same seed and end give byte-identical records and files.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.synth.background import background_cloudtrail
from workbench.synth.findings import background_findings
from workbench.synth.flows import background_flows
from workbench.synth.org import Org, build_org
from workbench.synth.scenarios import DEFAULT_SCENARIOS, SCENARIOS, ScenarioContext
from workbench.synth.truth import TRUTH_FILE, GroundTruth
from workbench.synth.writer import write_cloudtrail, write_findings, write_flows
from workbench.timewindow import iso_z, parse_time

TABLE_NAMES = ("cloudtrail", "vpc_flow", "guardduty")


def default_end(now: datetime | None = None) -> datetime:
    """The start of the current UTC hour."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class SynthOutput:
    """Records per table as AWS delivers them (CloudTrail camelCase records, flow rows keyed by catalog
    column, GuardDuty findings), and the ground truth of what was injected."""

    records: dict[str, list[dict]]
    truth: GroundTruth
    org: Org
    start: datetime
    end: datetime

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.records.items()}


@dataclass
class SynthReport:
    counts: dict[str, int]
    files: dict[str, int]
    raw_dir: Path
    truth_path: Path
    lake: Path
    truth: GroundTruth
    ingest: Any = None  # workbench.lake.IngestSummary
    seconds: dict[str, float] = field(default_factory=dict)


def generate(days: int, seed: int, end: datetime | str | None = None, scale: float = 1.0,
             scenarios: list[str] | tuple[str, ...] | None = None) -> SynthOutput:
    """Background activity over `days` days ending at `end`, with the named scenarios injected."""
    if days <= 0:
        raise ValueError(f"days must be at least 1, got {days}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    end_at = default_end() if end is None else parse_time(end)
    start = end_at - timedelta(days=days)
    org = build_org(seed)
    cloudtrail = background_cloudtrail(org, seed, start, end_at, scale)
    flows = background_flows(org, seed, start, end_at, scale)
    found = background_findings(org, seed, start, end_at, scale)

    names = list(DEFAULT_SCENARIOS if scenarios is None else scenarios)
    truths, used_ips = [], set()
    injected_ct, injected_flows, cutoffs = [], [], {}
    for name in names:
        scenario = SCENARIOS.get(name)()
        ctx = ScenarioContext(org, seed, start, end_at, name, used_ips)
        truths.append(scenario.inject(ctx))
        injected_ct += ctx.cloudtrail
        injected_flows += ctx.flows
        found += ctx.findings
        cutoffs.update(ctx.flow_cutoffs)
    for account, moment in cutoffs.items():  # a deleted flow log delivers nothing afterwards
        stop = int(moment.timestamp())
        flows = [f for f in flows if f["account_id"] != account or f["start"] < stop]

    lo, hi = iso_z(start), iso_z(end_at)
    lo_s, hi_s = int(start.timestamp()), int(end_at.timestamp())
    records = {
        "cloudtrail": sorted((r for r in cloudtrail + injected_ct if lo <= r["eventTime"] < hi),
                             key=lambda r: r["eventTime"]),
        "vpc_flow": sorted((f for f in flows + injected_flows if lo_s <= f["start"] < hi_s), key=lambda f: f["start"]),
        "guardduty": sorted((f for f in found if lo <= f["updatedAt"] < hi), key=lambda f: f["updatedAt"]),
    }
    truth = GroundTruth(seed=seed, days=days, scale=scale, start=lo, end=hi, company=org.company,
                        accounts={a.name: a.id for a in org.accounts.values()}, scenarios=truths)
    return SynthOutput(records=records, truth=truth, org=org, start=start, end=end_at)


def write_raw(out: SynthOutput, raw_dir: Path) -> dict[str, list[Path]]:
    """The records as delivered objects under `raw_dir` (an S3 bucket's layout)."""
    seed = out.truth.seed
    return {
        "cloudtrail": write_cloudtrail(raw_dir, out.records["cloudtrail"], seed),
        "vpc_flow": write_flows(raw_dir, out.records["vpc_flow"], out.org, seed),
        "guardduty": write_findings(raw_dir, out.records["guardduty"], seed),
    }


def synthesize(lake: Path | str, days: int = 7, seed: int = 42, end: datetime | str | None = None,
               raw_dir: Path | None = None, truth_path: Path | None = None, progress: bool = False,
               scale: float = 1.0, scenarios: list[str] | None = None, replace: bool = False) -> SynthReport:
    """Generate, write raw objects beside the lake (`<lake parent>/raw`), ingest them, write ground truth.

    `replace` deletes the lake and the raw folder first, so the lake holds exactly this run's data.
    """
    from workbench.lake import ingest  # imported late: the lake is a layer of its own

    lake = Path(lake)
    raw_dir = Path(raw_dir) if raw_dir else lake.parent / "raw"
    truth_path = Path(truth_path) if truth_path else lake.parent / TRUTH_FILE
    if replace:
        for folder in (lake, raw_dir):
            if folder.exists():
                shutil.rmtree(folder)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    out = generate(days, seed, end=end, scale=scale, scenarios=scenarios)
    timings["generate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    written = write_raw(out, raw_dir)
    timings["write"] = time.perf_counter() - clock
    clock = time.perf_counter()
    summary = ingest([p for paths in written.values() for p in paths], lake, progress=progress)
    timings["ingest"] = time.perf_counter() - clock
    out.truth.write(truth_path)
    return SynthReport(counts=out.counts(), files={t: len(p) for t, p in written.items()}, raw_dir=raw_dir,
                       truth_path=truth_path, lake=lake, truth=out.truth, ingest=summary, seconds=timings)
