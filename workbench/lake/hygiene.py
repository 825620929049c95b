"""Lake hygiene: what each table holds (`lake_stats`) and retention (`prune`).

Both read the layout only — `<lake>/<table>/year=YYYY/month=MM/day=DD/*.parquet` — and take event
counts from Parquet footers, so a lake of years is summarised without scanning a row.

Prune removes whole day partitions, and only days that end before the cutoff: a day straddling
the cutoff is kept (nothing newer than the retention period is ever deleted). The ingest manifest
(`_manifest.sqlite`) records objects by content hash, not by partition, so its entries are kept on
purpose: re-ingesting an old object is then still recognised and does not bring pruned days back.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from workbench.catalog import TABLES
from workbench.timewindow import parse_duration

_YEAR, _MONTH, _DAY = re.compile(r"year=(\d{4})$"), re.compile(r"month=(\d{2})$"), re.compile(r"day=(\d{2})$")


@dataclass(frozen=True)
class DayPartition:
    table: str
    day: date
    path: Path


@dataclass
class PartitionSize:
    files: int = 0
    bytes: int = 0
    events: int = 0
    unreadable: list[str] = field(default_factory=list)


@dataclass
class TableStats:
    table: str
    files: int = 0
    bytes: int = 0
    events: int = 0
    days: int = 0
    first_day: date | None = None
    last_day: date | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"table": self.table, "files": self.files, "bytes": self.bytes, "events": self.events,
                "days": self.days, "first_day": self.first_day.isoformat() if self.first_day else None,
                "last_day": self.last_day.isoformat() if self.last_day else None, "problems": self.problems}


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def _subdirs(folder: Path, pattern: re.Pattern[str], problems: list[str]) -> list[tuple[int, Path]]:
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for entry in entries:
        if not entry.is_dir() or entry.name.startswith(("_", ".")):
            continue
        match = pattern.match(entry.name)
        if match is None:
            problems.append(f"{entry.path}: not a {pattern.pattern.split('=')[0]}= partition folder; "
                            "move it out of the lake (queries ignore it)")
            continue
        found.append((int(match.group(1)), Path(entry.path)))
    return found


def day_partitions(lake: Path, table: str, problems: list[str] | None = None) -> list[DayPartition]:
    """Every `year=/month=/day=` folder of a table, oldest first; odd folders are reported, not fatal."""
    problems = [] if problems is None else problems
    out = []
    for year, ydir in _subdirs(Path(lake) / table, _YEAR, problems):
        for month, mdir in _subdirs(ydir, _MONTH, problems):
            for day, ddir in _subdirs(mdir, _DAY, problems):
                try:
                    out.append(DayPartition(table, date(year, month, day), ddir))
                except ValueError:
                    problems.append(f"{ddir}: not a calendar date; move it out of the lake")
    return sorted(out, key=lambda p: p.day)


def partition_size(folder: Path) -> PartitionSize:
    """Files, bytes and events (from each file's footer) of one partition folder."""
    size = PartitionSize()
    try:
        entries = [e for e in os.scandir(folder) if e.is_file() and e.name.endswith(".parquet")]
    except FileNotFoundError:
        return size
    for entry in entries:
        size.files += 1
        size.bytes += entry.stat().st_size
        try:
            size.events += pq.read_metadata(entry.path).num_rows
        except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid (a ValueError) on a bad footer
            size.unreadable.append(f"{entry.path}: unreadable Parquet footer ({exc}); "
                                   "re-ingest its source or delete the file")
    return size


def lake_stats(lake: Path, tables: list[str] | None = None) -> list[TableStats]:
    """Per table: size on disk, Parquet files, events, days, first and last day."""
    stats = []
    for name in tables or list(TABLES):
        row = TableStats(name)
        parts = day_partitions(lake, name, row.problems)
        for part in parts:
            size = partition_size(part.path)
            row.files += size.files
            row.bytes += size.bytes
            row.events += size.events
            row.problems += size.unreadable
        days = [p.day for p in parts]
        row.days = len(days)
        row.first_day, row.last_day = (days[0], days[-1]) if days else (None, None)
        stats.append(row)
    return stats


def format_stats(stats: list[TableStats]) -> list[str]:
    lines = [f"{'table':<10} {'size':>10} {'files':>7} {'events':>12} {'days':>5}  first       last"]
    for s in stats:
        first = s.first_day.isoformat() if s.first_day else "-"
        last = s.last_day.isoformat() if s.last_day else "-"
        lines.append(f"{s.table:<10} {human_bytes(s.bytes):>10} {s.files:>7,} {s.events:>12,} {s.days:>5}  "
                     f"{first:<10}  {last}")
    total = sum(s.bytes for s in stats)
    lines.append(f"{'total':<10} {human_bytes(total):>10} {sum(s.files for s in stats):>7,} "
                 f"{sum(s.events for s in stats):>12,}")
    return lines + [f"warning: {p}" for s in stats for p in s.problems]


@dataclass
class Removed:
    table: str
    day: date
    path: Path
    files: int
    bytes: int
    events: int


@dataclass
class PruneReport:
    cutoff: datetime
    dry_run: bool
    removed: list[Removed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [f"{verb} {r.table} {r.day.isoformat()}: {r.files} files, {human_bytes(r.bytes)}, "
               f"{r.events:,} events ({r.path})" for r in self.removed]
        total = sum(r.bytes for r in self.removed)
        out.append(f"{verb} {len(self.removed)} day partitions ({human_bytes(total)}, "
                   f"{sum(r.events for r in self.removed):,} events) ending before {self.cutoff:%Y-%m-%d %H:%MZ}")
        if self.removed and not self.dry_run:
            out.append("the ingest manifest keeps its entries, so re-ingesting old objects will not restore them")
        return out + [f"warning: {p}" for p in self.problems]


def prune(lake: Path, older_than: str | timedelta, *, now: datetime | None = None, dry_run: bool = False,
          tables: list[str] | None = None) -> PruneReport:
    """Delete day partitions that end before `now - older_than` (and month/year folders left empty)."""
    age = parse_duration(older_than) if isinstance(older_than, str) else older_than
    if age <= timedelta(0):
        raise ValueError(f"--older-than must be positive, got {older_than!r} (e.g. 400d)")
    cutoff = (now or datetime.now(UTC)).astimezone(UTC) - age
    report = PruneReport(cutoff=cutoff, dry_run=dry_run)
    for name in tables or list(TABLES):
        for part in day_partitions(lake, name, report.problems):
            day_end = datetime.combine(part.day + timedelta(days=1), datetime.min.time(), UTC)
            if day_end > cutoff:
                continue
            size = partition_size(part.path)
            report.removed.append(Removed(name, part.day, part.path, size.files, size.bytes, size.events))
            if not dry_run:
                shutil.rmtree(part.path)
                _remove_empty_parents(part.path, Path(lake) / name)
    return report


def _remove_empty_parents(path: Path, stop: Path) -> None:
    for parent in (path.parent, path.parent.parent):
        if parent == stop:
            return
        try:
            parent.rmdir()  # only succeeds when empty: the other days of that month stay
        except OSError:
            return
