"""What an ingest did: records per table, objects read and skipped, quarantined lines per reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class IngestSummary:
    records: Counter[str] = field(default_factory=Counter)  # table → rows written
    quarantined: Counter[str] = field(default_factory=Counter)  # reason → entries
    records_already_kept: int = 0  # passed over: kept earlier from a truncated copy of the same object
    quarantine_not_kept: int = 0  # of those, entries counted only (past `quarantine_keep` per object)
    symlinks_refused: list[str] = field(default_factory=list)  # links leading out of the folder given
    files_read: int = 0
    files_skipped: int = 0  # already in the manifest, or the same bytes twice in one run
    objects_downloaded: int = 0  # S3 objects fetched (an unchanged key + ETag never is)
    digests_skipped: int = 0  # CloudTrail digest files: integrity hashes, not records
    bytes_read: int = 0
    files_written: int = 0  # Parquet files added to the lake
    elapsed_s: float = 0.0
    lake: Path | None = None
    quarantine_dir: Path | None = None
    errors: list[str] = field(default_factory=list)  # objects that failed as a whole (and were not recorded)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def total_quarantined(self) -> int:
        return sum(self.quarantined.values())

    @property
    def rate(self) -> float:
        return self.total_records / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def merge(self, other: IngestSummary) -> None:
        self.records.update(other.records)
        self.quarantined.update(other.quarantined)
        self.quarantine_not_kept += other.quarantine_not_kept
        self.records_already_kept += other.records_already_kept
        self.symlinks_refused += other.symlinks_refused
        self.files_read += other.files_read
        self.files_skipped += other.files_skipped
        self.objects_downloaded += other.objects_downloaded
        self.digests_skipped += other.digests_skipped
        self.bytes_read += other.bytes_read
        self.files_written += other.files_written
        self.errors += other.errors

    def format(self) -> str:
        lines = [
            f"ingested {self.total_records:,} records from {self.files_read:,} objects "
            f"({self.bytes_read / 1e6:,.1f} MB) in {self.elapsed_s:.1f}s"
            + (f", {self.rate:,.0f} records/s" if self.total_records else "")
        ]
        for table, count in sorted(self.records.items()):
            lines.append(f"  {table:<12} {count:>12,}")
        if self.files_skipped:
            lines.append(f"skipped {self.files_skipped:,} objects already ingested (same content, or same S3 key and ETag)")
        if self.objects_downloaded:
            lines.append(f"downloaded {self.objects_downloaded:,} objects from S3")
        if self.digests_skipped:
            lines.append(f"skipped {self.digests_skipped:,} CloudTrail digest files (integrity hashes, no records)")
        if self.records_already_kept:
            lines.append(f"skipped {self.records_already_kept:,} records kept earlier from a truncated copy of "
                         "the same object")
        if self.quarantined:
            lines.append(f"quarantined {self.total_quarantined:,} entries in {self.quarantine_dir}:")
            for reason, count in sorted(self.quarantined.items()):
                lines.append(f"  {reason:<22} {count:>10,}")
            if self.quarantine_not_kept:
                lines.append(f"  of which {self.quarantine_not_kept:,} counted only, not kept (past the first "
                             "entries of each object; setting quarantine_keep)")
        if self.symlinks_refused:
            shown = ", ".join(self.symlinks_refused[:3]) + (" ..." if len(self.symlinks_refused) > 3 else "")
            lines.append(f"refused {len(self.symlinks_refused):,} symbolic links leading outside the folder "
                         f"given (not read; pass their targets explicitly to ingest them): {shown}")
        for error in self.errors:
            lines.append(f"error: {error}")
        if self.lake is not None:
            lines.append(f"lake: {self.lake} ({self.files_written:,} Parquet files added)")
        return "\n".join(lines)
