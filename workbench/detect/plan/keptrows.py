"""A shared scan's rows kept between runs, so a long-reach scan reads only the run's new window.

A shared scan reads over the hull of its members' windows; one threshold rule that no census can
speak for (a 60-minute `CreateUser` → admin policy join, a burst counted over an UNNEST) stretches
the scan, and every column the scan names, to 60 minutes and more of each 15-minute run: four
times the bytes, billed on Athena. Its members' own rows are few (they pass the scan's filter), so
the plan keeps them: each run reads only [fresh_from, end) (its window and lookback) and takes the
rest of the reach from the rows earlier runs read — the same rows a read of the whole reach would
return, as long as every event is in the lake by the time the run that first covers it reads
(within the lookback; exactly so behind the lake refresh, see `detection.behind_refresh`).

Storage: one folder per scan (its `fingerprint`: the table and the scan's SQL, so a change of
members, rules or columns starts afresh) under `state/scan_rows/`, one Parquet file per read named
by the read's [start, end) in epoch seconds, holding the rows the next runs may need (those
tagged for a member whose window starts before the run's fresh rows). A read is the authority for
its rows from its start to the next read's start: a later read re-reading the lookback replaces
what the earlier one saw there. The files are a cache of what the lake holds: losing them costs
one full read and nothing else (with `store.backend: dynamodb`, each detection host keeps its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.timewindow import Window

if TYPE_CHECKING:
    from workbench.detect.plan.pack import Part
    from workbench.detect.plan.statements import Statement

FOLDER_NAME = "scan_rows"
STALE_AFTER_S = 2 * 86_400
"""A scan not read for this long (members changed, a hot threshold rule joined once) is removed."""


def fingerprint(table: str, sql: str) -> str:
    return hashlib.sha256(f"{table}\n{sql}".encode()).hexdigest()[:20]


def _seconds(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


@dataclass(frozen=True)
class Read:
    start: int  # epoch seconds: the read covered [start, end)
    end: int
    path: Path


class KeptRows:
    """The kept rows of every shared scan of a workspace; `read_only` (a dry run) writes nothing."""

    def __init__(self, folder: Path | str, *, read_only: bool = False) -> None:
        self.folder, self.read_only = Path(folder), read_only

    @classmethod
    def for_workspace(cls, state_dir: Path | str, *, read_only: bool = False) -> KeptRows:
        return cls(Path(state_dir) / FOLDER_NAME, read_only=read_only)

    def reads(self, fp: str) -> list[Read]:
        """The stored reads of a scan, oldest first."""
        out = []
        for path in (self.folder / fp).glob("*.parquet"):
            start, _, end = path.stem.partition("-")
            with contextlib.suppress(ValueError):
                out.append(Read(int(start), int(end), path))
        return sorted(out, key=lambda r: (r.start, r.end))

    def serves(self, fp: str, reach_start: datetime, fresh_from: datetime) -> bool:
        """Do the stored reads cover [reach_start, fresh_from) without a gap?"""
        reads = self.reads(fp)
        begin, until = _seconds(reach_start), _seconds(fresh_from)
        if not reads or reads[0].start > begin:
            return False
        covered = reads[0].start
        for read in reads:
            if read.start > covered:
                return False  # a gap between two reads
            covered = max(covered, read.end)
        return covered >= until

    def earlier(self, fp: str, reach_start: datetime, fresh_from: datetime) -> list[tuple[Window, pa.Table]]:
        """The stored rows for [reach_start, fresh_from): per read, the part of that span it is the
        authority for (to bound its rows by) and its rows. Raises OSError or ArrowException on a
        damaged file (the caller then reads the whole reach)."""
        begin, until = _seconds(reach_start), _seconds(fresh_from)
        reads = self.reads(fp)
        out = []
        for n, read in enumerate(reads):
            authority_end = min(reads[n + 1].start, read.end) if n + 1 < len(reads) else read.end
            low, high = max(read.start, begin), min(authority_end, until)
            if low < high:
                out.append((Window(_moment(low), _moment(high)), pq.read_table(read.path)))
        return out

    def record(self, fp: str, read: Window, rows: pa.Table, keep_from: datetime) -> None:
        """Store what a read of `read` returned (`rows`: only those later runs may need). A read
        that ends before the stored ones (an analyst re-running an old window) changes nothing; a
        read leaving a gap after them starts the scan afresh. Reads no later run reaches back to
        (their authority ends by `keep_from`) are dropped."""
        if self.read_only:
            return
        start, end = _seconds(read.start), _seconds(read.end)
        folder = self.folder / fp
        reads = self.reads(fp)
        if reads and end < reads[-1].end:
            return
        if reads and start > max(r.end for r in reads):
            self._drop(reads)
            reads = []
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{start}-{end}.parquet"
        partial = folder / f".{start}-{end}.{os.getpid()}.partial"
        pq.write_table(rows, partial, compression="zstd")
        os.replace(partial, target)  # a crash leaves the old reads or the new one, never half a file
        superseded = [r for r in reads if r.start >= start and r.path != target]
        kept = [r for r in reads if r not in superseded and r.path != target]
        # A read's authority ends where the next one starts; once that is before keep_from, no
        # later run needs it.
        followers = [r.start for r in kept[1:]] + [start] if kept else []
        stale = [r for r, after in zip(kept, followers, strict=True) if after <= _seconds(keep_from)]
        self._drop([*superseded, *stale])
        self._sweep(fp)

    def _drop(self, reads: list[Read]) -> None:
        for read in reads:
            read.path.unlink(missing_ok=True)

    def _sweep(self, current: str) -> None:
        """Remove the folders of scans nobody has read for `STALE_AFTER_S`."""
        cutoff = time.time() - STALE_AFTER_S
        for folder in self.folder.iterdir() if self.folder.is_dir() else []:
            if folder.name == current or not folder.is_dir():
                continue
            with contextlib.suppress(OSError):
                newest = max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
                if newest < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True)
class KeptScan:
    """One shared scan of a window's plan that keeps its rows: it reads `read`; its steady members
    need `reach`; `keep` are the tag columns of those whose windows start before the run's fresh
    rows (the rows later runs take from the state), `columns` the steady members' own columns
    (what is stored, so every stored read has the same layout whoever joined the scan)."""

    state: KeptRows
    fp: str
    reach: Window
    read: Window
    keep: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def incremental(self) -> bool:
        return self.read.start > self.reach.start

    def take(self, fresh: pa.Table) -> list[tuple[Window, pa.Table]]:
        """The earlier rows this read needs (none when it read the whole reach), then stores its own."""
        earlier = self.state.earlier(self.fp, self.reach.start, self.read.start) if self.incremental else []
        wanted = fresh.select(list(self.columns))
        if self.keep and fresh.num_rows:
            mask = fresh.column(self.keep[0])
            for name in self.keep[1:]:
                mask = pc.or_kleene(mask, fresh.column(name))
            wanted = wanted.filter(pc.fill_null(mask, False))
        # A state that cannot be written costs the next run a full read of the reach, nothing else.
        with contextlib.suppress(OSError, pa.ArrowException):
            self.state.record(self.fp, self.read, wanted, keep_from=self.reach.start)
        return earlier


def plan_kept_scan(kept: KeptRows, table: str, steady: Sequence[Part], joining: Sequence[Part],
                   fresh_from: datetime) -> tuple[list[Part], Statement, KeptScan | None] | None:
    """The one scan of `table` serving `steady` (the sharing rules every run has) and `joining`
    (threshold rules the census found hot this run), with the steady members' rows kept: (its
    members in tag order, the statement, how it keeps rows — None when no steady member reaches
    before `fresh_from`). None when a kept scan does not apply (fewer than two members, a window
    that is not bounded): the plan then scans as without kept rows.

    The statement reads from the earliest of `fresh_from` and the joining rules' window starts
    once the kept reads cover the steady members' reach before that, else the whole hull. Joining
    rules never change what is kept, or under which fingerprint (the steady members' scan SQL):
    a hot rule costs its own reach this run, and the next run is incremental as before."""
    from workbench.detect.plan.pack import scan_statement
    from workbench.detect.plan.splitback import row_columns, scan_sql, tag_column

    members = [*steady, *joining]
    if len(members) < 2 or any(p.window is None for p in members):  # noqa: PLR2004
        return None
    hull = Window(min(p.window.start for p in members), max(p.window.end for p in members))  # type: ignore[union-attr]
    statement = scan_statement(table, members, hull)
    keep = tuple(tag_column(k) for k, p in enumerate(steady) if p.window.start < fresh_from)  # type: ignore[union-attr]
    if not keep or not hull.start < fresh_from < hull.end:
        return members, statement, None
    reach = Window(min(p.window.start for p in steady), hull.end)  # type: ignore[union-attr]
    queries = tuple(p.query for p in steady)
    fp = fingerprint(table, scan_sql(table, queries))
    read_from = min([fresh_from, *(p.window.start for p in joining)])  # type: ignore[misc]
    try:
        served = read_from > reach.start and kept.serves(fp, reach.start, read_from)
    except OSError:
        served = False
    read = Window(read_from, hull.end) if served else hull
    keeping = KeptScan(kept, fp, reach, read, keep, row_columns(queries))
    return members, replace(statement, window=read), keeping
