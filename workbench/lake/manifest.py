"""The manifest of ingested objects, by content hash: `<lake>/_manifest.sqlite`.

Re-ingesting an object whose bytes were ingested before adds nothing. The hash is of the object as
stored (compressed bytes included), so a renamed copy is still recognised.

S3 objects are also recorded by URI and ETag (`s3_objects`): the listing carries both, so an object
listed again unchanged is skipped before any download. Per stream of dated keys, `watermarks` holds
the last key up to which everything listed is recorded (see workbench/lake/s3list.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from workbench.timewindow import iso_z

MANIFEST_FILE = "_manifest.sqlite"


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_watermarks(lake: Path, under: str) -> dict[str, str]:
    """A stream → last key snapshot, read without creating the lake (a mistyped path creates nothing)."""
    path = Path(lake) / MANIFEST_FILE
    if not path.is_file():
        return {}
    manifest = Manifest(lake)
    try:
        return manifest.watermarks(under)
    finally:
        manifest.close()


class Manifest:
    def __init__(self, lake: Path) -> None:
        Path(lake).mkdir(parents=True, exist_ok=True)
        self.path = Path(lake) / MANIFEST_FILE
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS objects ("
            " sha256 TEXT PRIMARY KEY, source TEXT NOT NULL, size INTEGER NOT NULL,"
            " records INTEGER NOT NULL, quarantined INTEGER NOT NULL, ingested_at TEXT NOT NULL)"
        )
        # Objects read only in part (cut short), by name: see workbench/lake/resume.py.
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS partial ("
            " source TEXT NOT NULL, sha256 TEXT NOT NULL, format TEXT NOT NULL, prefix_bytes INTEGER NOT NULL,"
            " prefix_sha256 TEXT NOT NULL, positions INTEGER NOT NULL, recorded_at TEXT NOT NULL,"
            " PRIMARY KEY (source, sha256))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS s3_objects ("
            " uri TEXT NOT NULL, etag TEXT NOT NULL, sha256 TEXT NOT NULL, recorded_at TEXT NOT NULL,"
            " PRIMARY KEY (uri, etag))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS watermarks ("
            " stream TEXT PRIMARY KEY, last_key TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        self._db.commit()

    def has_s3(self, uri: str, etag: str) -> bool:
        """Whether the object at `uri` with this ETag was ingested (or seen as a copy of one that was)."""
        return self._db.execute("SELECT 1 FROM s3_objects WHERE uri = ? AND etag = ?",
                                (uri, etag)).fetchone() is not None

    def record_s3(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """(uri, etag, sha256) of S3 objects now in the lake or known to be copies of ones that are."""
        now = iso_z(datetime.now(UTC))
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO s3_objects VALUES (?, ?, ?, ?)",
                                 [(*row, now) for row in rows])

    def watermarks(self, under: str = "") -> dict[str, str]:
        """Stream → last key, for the streams whose URI starts with `under`."""
        return {stream: key for stream, key in self._db.execute(
            "SELECT stream, last_key FROM watermarks WHERE substr(stream, 1, length(?)) = ?", (under, under))}

    def advance_watermark(self, stream: str, last_key: str) -> None:
        """Move a stream's watermark forward to `last_key`; never back."""
        with self._db:
            self._db.execute(
                "INSERT INTO watermarks VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE SET"
                " last_key = excluded.last_key, updated_at = excluded.updated_at"
                " WHERE excluded.last_key > watermarks.last_key",
                (stream, last_key, iso_z(datetime.now(UTC))))

    def __contains__(self, digest: str) -> bool:
        return self._db.execute("SELECT 1 FROM objects WHERE sha256 = ?", (digest,)).fetchone() is not None

    def record(self, rows: list[tuple[str, str, int, int, int]],
               partial: Sequence[tuple[str, str, str, int, str, int]] = (), complete: Sequence[str] = ()) -> None:
        """(sha256, source, size, records, quarantined) of objects whose data is now in the lake;
        in the same transaction, (source, sha256, format, prefix bytes, prefix sha256, positions)
        of those read only in part, and the sources read to their end (their partial entries go)."""
        now = iso_z(datetime.now(UTC))
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO objects VALUES (?, ?, ?, ?, ?, ?)",
                [(*row, now) for row in rows],
            )
            self._db.executemany("DELETE FROM partial WHERE source = ?", [(s,) for s in complete])
            self._db.executemany("INSERT OR REPLACE INTO partial VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [(*row, now) for row in partial])

    def partial(self, source: str) -> list[tuple[str, int, str, int]]:
        """(format, prefix bytes, prefix sha256, positions) of cut copies ingested under `source`."""
        return list(self._db.execute(
            "SELECT format, prefix_bytes, prefix_sha256, positions FROM partial WHERE source = ?", (source,)))

    def sources(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT source FROM objects ORDER BY ingested_at, source")]

    def close(self) -> None:
        self._db.close()
