"""Where input that cannot be placed goes: `<lake>/_quarantine/*.jsonl`, one entry per bad line/record.

Each entry keeps the raw text (or base64 for bytes that are not UTF-8), the source, the line or
record position and the reason, so it can be fixed and re-ingested. Raw text is capped at
`MAX_RAW` bytes per entry (a whole unreadable object would otherwise be copied in full); the source
is still named, and the entry says it was cut.
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


class Quarantine:
    def __init__(self, lake: Path, run_id: str) -> None:
        self.folder = Path(lake) / QUARANTINE_DIR
        self.path = self.folder / f"{run_id}-{os.getpid()}.jsonl"
        self.counts: Counter[str] = Counter()
        self._handle = None

    def add(self, reason: str, source: str, detail: str, raw: bytes | str | None = None, *,
            line: int | None = None, record: int | None = None) -> None:
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
        if self._handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open across many entries
        self._handle.write(orjson.dumps(entry) + b"\n")
        self.counts[reason] += 1

    def close(self) -> None:
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
