"""Ingest orchestration: objects → batches → (worker processes) → staged Parquet → published lake.

The main process lists the sources, hashes each object (downloading S3 objects to a spool file as
it goes), skips those the manifest already holds, and groups the rest into batches of about
`batch_bytes`. Each batch is read by one worker: parsing is CPU-bound Python, so two processes on
two cores nearly double the rate. A batch's Parquet files are staged and published (renamed into
the lake) by the main process together with the batch's manifest entries, so a batch is either in
the lake and the manifest, or in neither. At most `2 × workers` batches are in flight, which bounds
memory and spool space whatever the input size.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tqdm import tqdm

from workbench.lake.lock import ingest_lock
from workbench.lake.manifest import Manifest, read_watermarks
from workbench.lake.normalize import Rejected
from workbench.lake.quarantine import KEEP_PER_OBJECT, QUARANTINE_DIR, Quarantine
from workbench.lake.readers import ObjectReader
from workbench.lake.resume import Candidate, decoded_digest, matching_prefix
from workbench.lake.s3list import DEFAULT_PARALLEL, Listing, is_digest, list_s3
from workbench.lake.sources import Source, expand, fetch_all, split_s3
from workbench.lake.summary import IngestSummary
from workbench.lake.writer import LakeWriter, publish

STAGING_DIR = "_staging"
BATCH_BYTES = 8 << 20


@dataclass(frozen=True)
class Job:
    name: str
    path: str
    digest: str
    size: int
    temporary: bool
    resume: tuple[Candidate, ...] = ()  # cut copies ingested earlier under this name
    etag: str | None = None  # an S3 object's, recorded with its URI once the batch is committed


@dataclass
class BatchResult:
    staging: str
    staged: list[str]
    records: dict[str, int]
    quarantined: dict[str, int]
    files: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    not_kept: int = 0
    partial: list[tuple[str, str, str, int, str, int]] = field(default_factory=list)  # see Manifest.record
    complete: list[str] = field(default_factory=list)
    already_kept: int = 0  # records passed over: kept earlier from a cut copy of the same object


def _run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def run_batch(jobs: list[Job], lake: str, run_id: str, options: dict[str, Any],
              keep: int = KEEP_PER_OBJECT) -> BatchResult:
    """Read a batch of objects into staged Parquet files (runs in a worker process)."""
    # Parsing allocates millions of acyclic dicts; the cyclic collector would rescan them for nothing.
    gc_enabled = gc.isenabled()
    gc.disable()
    writer = LakeWriter(Path(lake), run_id=f"{run_id}/{uuid.uuid4().hex}", **options)
    quarantine = Quarantine(Path(lake), run_id, keep)
    reader = ObjectReader(writer, quarantine)
    files = []
    partial: list[tuple[str, str, str, int, str, int]] = []
    complete: list[str] = []
    already_kept = 0
    try:
        for job in jobs:
            rows_before = sum(w.rows for w in writer.tables.values())
            quarantined_before = sum(quarantine.counts.values())
            try:
                path = Path(job.path)
                reader.read(path, job.name, matching_prefix(path, list(job.resume)))
                already_kept += reader.skipped
                if not reader.partial:
                    complete.append(job.name)
                elif reader.position > 0:
                    partial.append((job.name, job.digest, reader.kind, *decoded_digest(path), reader.position))
            except Exception as exc:  # noqa: BLE001 - one object's surprise must not cost the batch
                quarantine.add("ingest_error", job.name, f"{type(exc).__name__}: {exc} (please report)")
            files.append((job.digest, job.name, job.size,
                          sum(w.rows for w in writer.tables.values()) - rows_before,
                          sum(quarantine.counts.values()) - quarantined_before))
        staged = writer.flush()
    finally:
        quarantine.close()
        if gc_enabled:
            gc.enable()
    return BatchResult(str(writer.staging), [str(p) for p in staged], writer.counts(),
                       dict(quarantine.counts), files, quarantine.total_not_kept, partial, complete, already_kept)


class _Run:
    """One ingest call's state in the main process."""

    def __init__(self, lake: Path, progress: bool, total_bytes: int, keep: int = KEEP_PER_OBJECT,
                 parallel: int = DEFAULT_PARALLEL) -> None:
        self.lake = lake
        self.keep = keep
        self.parallel = parallel
        _clear_stale_staging(lake)
        self.run_id = _run_id()
        self.manifest = Manifest(lake)
        self.summary = IngestSummary(lake=lake)
        self.quarantine = Quarantine(lake, f"{self.run_id}-main", keep)
        self.spool = lake / STAGING_DIR / self.run_id / "_spool"
        self.seen: set[str] = set()
        # S3 objects whose bytes another object of this run carries: recorded when that one commits.
        self.copies: dict[str, list[tuple[str, str]]] = {}
        self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, desc="ingest",
                        disable=None if progress else True, leave=False)

    def _unchanged(self, source: Source) -> bool:
        """An S3 object listed with the key and ETag of one already handled: skipped, not downloaded."""
        if source.etag is None or not self.manifest.has_s3(source.name, source.etag):
            return False
        self.summary.files_skipped += 1
        self.bar.update(source.size)
        return True

    def batches(self, sources: list, client: Any, batch_bytes: int) -> Iterator[list[Job]]:
        batch: list[Job] = []
        size = 0
        wanted = (s for s in sources if not self._unchanged(s))
        for source, fetched in fetch_all(wanted, self.spool, client, self.parallel):
            if isinstance(fetched, Exception):  # OSError, botocore errors: the object is unreadable
                self.quarantine.add("unreadable_file", source.name, f"{type(fetched).__name__}: {fetched}")
                self.bar.update(source.size)
                continue
            path, digest, temporary = fetched
            if temporary:
                self.summary.objects_downloaded += 1
            if digest in self.seen or digest in self.manifest:
                self.summary.files_skipped += 1
                self.bar.update(source.size)
                if temporary:
                    path.unlink(missing_ok=True)
                if source.etag and digest in self.seen:
                    self.copies.setdefault(digest, []).append((source.name, source.etag))
                elif source.etag:
                    self.manifest.record_s3([(source.name, source.etag, digest)])  # same bytes, known now
                continue
            self.seen.add(digest)
            batch.append(Job(source.name, str(path), digest, source.size, temporary,
                             tuple(self.manifest.partial(source.name)), source.etag))
            size += source.size
            if size >= batch_bytes:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def commit(self, jobs: list[Job], result: BatchResult) -> None:
        staging = Path(result.staging)
        publish(self.lake, staging, [Path(p) for p in result.staged])
        self.manifest.record(result.files, result.partial, result.complete)
        self.manifest.record_s3([(j.name, j.etag, j.digest) for j in jobs if j.etag]
                                + [(n, e, j.digest) for j in jobs for n, e in self.copies.pop(j.digest, [])])
        shutil.rmtree(staging, ignore_errors=True)
        self.summary.records.update(result.records)
        self.summary.quarantined.update(result.quarantined)
        self.summary.quarantine_not_kept += result.not_kept
        self.summary.records_already_kept += result.already_kept
        self.summary.files_read += len(jobs)
        self.summary.bytes_read += sum(j.size for j in jobs)
        self.summary.files_written += len(result.staged)
        self._done(jobs)

    def failed(self, jobs: list[Job], exc: BaseException) -> None:
        names = ", ".join(j.name for j in jobs[:3]) + (" ..." if len(jobs) > 3 else "")
        self.summary.errors.append(
            f"a batch of {len(jobs)} objects failed ({type(exc).__name__}: {exc}); nothing of it was "
            f"added or recorded, re-run the ingest to retry: {names}")
        self._done(jobs)

    def _done(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.temporary:
                Path(job.path).unlink(missing_ok=True)
        self.bar.update(sum(j.size for j in jobs))

    def advance_watermarks(self, listing: Listing) -> None:
        """Each stream's watermark moves to the last key before the first object listed but not
        recorded (unreadable, or in a failed batch), so the next run lists that one again."""
        for stream, objects in listing.streams.items():
            last = None
            for key, etag in objects:
                name = f"s3://{key_bucket(stream)}/{key}"
                if etag is not None and not self.manifest.has_s3(name, etag):
                    break
                last = key
            if last is not None:
                self.manifest.advance_watermark(stream, last)

    def close(self, started: float) -> IngestSummary:
        self.bar.close()
        self.quarantine.close()
        self.manifest.close()
        shutil.rmtree(self.lake / STAGING_DIR / self.run_id, ignore_errors=True)
        self.summary.quarantined.update(self.quarantine.counts)
        self.summary.quarantine_not_kept += self.quarantine.total_not_kept
        if self.summary.quarantined:
            self.summary.quarantine_dir = self.lake / QUARANTINE_DIR
        self.summary.elapsed_s = time.perf_counter() - started
        return self.summary


def _clear_stale_staging(lake: Path, older_than_s: float = 86400) -> None:
    """Staging left by an ingest that was killed: never published, never in the manifest, so it
    is safe to drop once no run could still be using it."""
    root = lake / STAGING_DIR
    if not root.is_dir():
        return
    cutoff = time.time() - older_than_s
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue


def key_bucket(stream: str) -> str:
    return stream[len("s3://"):].split("/", 1)[0]


def ingest(paths: Iterable[str | Path], lake: Path, *, progress: bool = False, s3_client: Any = None,
           workers: int | None = None, batch_bytes: int = BATCH_BYTES, quarantine_keep: int = KEEP_PER_OBJECT,
           s3_lookback: str | timedelta = "1h", s3_parallel: int = DEFAULT_PARALLEL,
           **writer_options: Any) -> IngestSummary:
    """Read logs as AWS delivers them (files, folders, s3://bucket/prefix) into the Parquet lake.

    Raises `SourceNotFound` naming the first path that does not exist, before anything is written.
    Malformed input is quarantined and counted, never fatal (the raw text of the first
    `quarantine_keep` bad records of each object is kept); objects already ingested are skipped.
    S3 prefixes are listed from per-stream watermarks less `s3_lookback`, `s3_parallel` listings
    and downloads at a time; unchanged objects (key + ETag) are never downloaded.
    """
    from workbench.timewindow import parse_duration

    started = time.perf_counter()
    lake = Path(lake)
    lookback = parse_duration(s3_lookback)
    refused: list[str] = []
    listing = Listing()

    def s3_lister(client: Any, uri: str) -> list[Source]:
        # Watermarks read before the lock: a stale one only makes the listing longer, never shorter.
        known = read_watermarks(lake, f"s3://{split_s3(uri)[0]}/")
        found = list_s3(client, uri, watermarks=known, lookback=lookback, parallel=s3_parallel)
        listing.digests += found.digests
        listing.streams.update(found.streams)
        return found.sources

    sources, client = expand(list(paths), s3_client, refused, s3_lister)
    digests = [s for s in sources if is_digest(s.name)]  # also in local folders: never records
    sources = [s for s in sources if not is_digest(s.name)]
    lake.mkdir(parents=True, exist_ok=True)
    workers = workers or min(2, os.cpu_count() or 1)
    total = sum(s.size for s in sources)
    # Held from the first manifest check to the last publish: see workbench/lake/lock.py.
    with ingest_lock(lake):
        run = _Run(lake, progress, total, quarantine_keep, s3_parallel)
        run.summary.symlinks_refused = refused
        run.summary.digests_skipped = listing.digests + len(digests)
        try:
            if workers > 1 and total > batch_bytes:
                _parallel(run, sources, client, batch_bytes, workers, writer_options)
            else:
                for jobs in run.batches(sources, client, batch_bytes):
                    try:
                        result = run_batch(jobs, str(lake), run.run_id, writer_options, run.keep)
                    except Exception as exc:  # noqa: BLE001 - reported in the summary, the rest goes on
                        run.failed(jobs, exc)
                    else:
                        run.commit(jobs, result)
            run.advance_watermarks(listing)
        finally:
            summary = run.close(started)
    return summary


def _start_method() -> str:
    """fork when this process runs no other thread, else forkserver.

    fork: a worker starts in milliseconds and never re-imports the caller's __main__ (a script
    without a main guard); the workers only run `run_batch`, touching no inherited lock. But a
    child forked from a process whose other threads hold native state (a DuckDB connection in a
    server thread, a kernel's I/O threads) can crash in the fork itself; forkserver forks from a
    clean single-threaded server instead, at the cost of one interpreter start.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _parallel(run: _Run, sources: list, client: Any, batch_bytes: int, workers: int,
              options: dict[str, Any]) -> None:
    context = multiprocessing.get_context(_start_method())
    in_flight: dict[Future, list[Job]] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # Start the workers now, before any download thread: forking a process while other threads
        # hold locks (logging, botocore's connection pool) can leave the child holding them forever.
        pool.submit(os.getpid).result()
        def settle(futures: Iterable[Future]) -> None:
            for future in futures:
                jobs = in_flight.pop(future)
                try:
                    run.commit(jobs, future.result())
                except Exception as exc:  # noqa: BLE001
                    run.failed(jobs, exc)

        for jobs in run.batches(sources, client, batch_bytes):
            try:
                in_flight[pool.submit(run_batch, jobs, str(run.lake), run.run_id, options, run.keep)] = jobs
            except Exception as exc:  # noqa: BLE001 - a broken pool: report the batch, keep settling
                run.failed(jobs, exc)
                continue
            while len(in_flight) >= 2 * workers:
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                settle(done)
        settle(list(in_flight))


def write_records(table: str, records: Iterable[dict], lake: Path,
                  quarantine_keep: int = KEEP_PER_OBJECT) -> IngestSummary:
    """Write records already parsed (as delivered: CloudTrail camelCase dicts, GuardDuty findings,
    VPC flow dicts with hyphenated or underscored names) to the lake, with the same quarantine."""
    from workbench.catalog import get_table

    name = get_table(table).name
    started = time.perf_counter()
    lake = Path(lake)
    lake.mkdir(parents=True, exist_ok=True)
    run_id = _run_id()
    writer = LakeWriter(lake, run_id=run_id)
    quarantine = Quarantine(lake, run_id, quarantine_keep)
    source = f"write_records:{name}"
    from workbench.lake.readers import _raw

    try:
        for index, record in enumerate(records):
            try:
                writer.add(name, record)
            except Rejected as exc:
                quarantine.add(exc.reason, source, exc.detail, _raw(record), record=index)
        staged = writer.flush()
        publish(lake, writer.staging, staged)
    finally:
        quarantine.close()
        shutil.rmtree(lake / STAGING_DIR / run_id, ignore_errors=True)
    summary = IngestSummary(records=Counter(writer.counts()), quarantined=Counter(quarantine.counts),
                            quarantine_not_kept=quarantine.total_not_kept, files_written=len(staged), lake=lake,
                            elapsed_s=time.perf_counter() - started)
    if summary.quarantined:
        summary.quarantine_dir = lake / QUARANTINE_DIR
    return summary


def lake_tables(lake: Path) -> dict[str, list[Path]]:
    """The tables present in a lake and their Parquet files."""
    from workbench.catalog import TABLES

    out = {}
    for name in TABLES:
        files = sorted((Path(lake) / name).glob("year=*/month=*/day=*/*.parquet"))
        if files:
            out[name] = files
    return out
