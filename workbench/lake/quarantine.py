"""Where input that cannot be placed goes: `<lake>/_quarantine/*.jsonl`, one entry per bad line/record.

Each entry keeps the raw text (or base64 for bytes that are not UTF-8), the source, the line or
record position and the reason, so it can be fixed and re-ingested. Raw text is capped at
`MAX_RAW` bytes per entry (a whole unreadable object would otherwise be copied in full); the source
is still named, and the entry says it was cut.

Entries are kept for the first `keep` bad records of each object (default `KEEP_PER_OBJECT`, the
`quarantine_keep` setting), and for at most `MAX_OBJECT_BYTES` of raw text: past either, an
entry is only counted. An 8.8 KB gzip of bad lines expands to millions of entries, which would
otherwise fill the disk with copies of one mistake. Each object with entries not kept gets one
closing entry, reason `not_kept`, saying how many.
"""

from __future__ import annotations

import base64
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

QUARANTINE_DIR = "_quarantine"
MAX_RAW = 1 << 20
KEEP_PER_OBJECT = 100
MAX_OBJECT_BYTES = 16 << 20
NOT_KEPT = "not_kept"


class Quarantine:
    def __init__(self, lake: Path, run_id: str, keep: int = KEEP_PER_OBJECT) -> None:
        self.folder = Path(lake) / QUARANTINE_DIR
        self.path = self.folder / f"{run_id}-{os.getpid()}.jsonl"
        self.keep = keep
        self.counts: Counter[str] = Counter()  # reason → entries, kept or not
        self.not_kept: Counter[str] = Counter()  # source → entries counted only
        self._kept: Counter[str] = Counter()  # source → entries written
        self._bytes: Counter[str] = Counter()  # source → raw bytes written
        self._noted: set[str] = set()  # sources whose `not_kept` entry is written
        self._handle = None

    @property
    def total_not_kept(self) -> int:
        return sum(self.not_kept.values())

    def add(self, reason: str, source: str, detail: str, raw: bytes | str | None = None, *,
            line: int | None = None, record: int | None = None) -> None:
        self.counts[reason] += 1
        if self._kept[source] >= self.keep or self._bytes[source] >= MAX_OBJECT_BYTES:
            self.not_kept[source] += 1
            return
        self._kept[source] += 1
        entry: dict[str, Any] = {"reason": reason, "source": source, "detail": detail}
        if line is not None:
            entry["line"] = line
        if record is not None:
            entry["record"] = record
        if raw is not None:
            if len(raw) > MAX_RAW:
                raw = raw[:MAX_RAW]
                entry["raw_truncated"] = True
            if isinstance(raw, bytes):
                try:
                    entry["raw"] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    entry["raw_base64"] = base64.b64encode(raw).decode()
            else:
                entry["raw"] = raw
            self._bytes[source] += len(raw)
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open across many entries
        self._handle.write(orjson.dumps(entry) + b"\n")

    def close(self) -> None:
        for source, count in self.not_kept.items():
            if source in self._noted:
                continue
            self._noted.add(source)
            self._write({"reason": NOT_KEPT, "source": source, "not_kept": count,
                         "detail": f"{count:,} more bad records of this object were counted but not kept "
                                   f"(the first {self._kept[source]:,} are above; quarantine_keep = {self.keep}); "
                                   "fix the object's producer and re-ingest it"})
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def quarantine_entries(lake: Path) -> Iterator[dict]:
    """Every quarantined entry of a lake, oldest file first."""
    folder = Path(lake) / QUARANTINE_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime):
        with open(path, "rb") as handle:
            for line in handle:
                if line.strip():
                    yield orjson.loads(line)
