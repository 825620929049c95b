"""The threshold census's pieces already counted, kept between runs (`workbench.detect.plan.pieces`).

One SQLite file in the workspace's state folder, `state/census_pieces.sqlite`, whatever
`store.backend` is: it is a cache of counts of what the lake holds, not a record anyone reads, so
losing it costs one full census read and nothing else (with `store.backend: dynamodb`, detection
must therefore run from one host, or each host keeps its own and pays its own first read).

Per census member (by `fingerprint`): the span of time its stored pieces cover, whole pieces only,
the piece counts themselves, and the reads that found candidates with no time (a row with no time
keeps the census hot while the read that found it lies inside the reach).

Merging a read of [start, end): its whole pieces replace the stored ones from `start` on; a read
that ends before the stored span does (an analyst re-running an old window) leaves the state as it
was, and a read that leaves a gap after the stored span starts the member afresh. Pieces wholly
before `keep_from` (the reach of the run) are dropped: later runs reach no further back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "census_pieces.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS coverage (fp TEXT PRIMARY KEY, piece INTEGER NOT NULL,
                                     start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pieces (fp TEXT NOT NULL, key TEXT NOT NULL, piece INTEGER NOT NULL,
                                   n INTEGER NOT NULL, PRIMARY KEY (fp, piece, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nulls (fp TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
                                  n INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Coverage:
    piece: int  # piece length, seconds
    start: int  # epoch seconds: stored whole pieces cover [start, end)
    end: int
    nulls: tuple[tuple[int, int, int], ...]  # (read start, read end, candidates with no time)

    def serves(self, piece: int, reach_start: int, fresh_from: int) -> bool:
        """Do the stored pieces answer [reach_start, fresh_from) exactly?"""
        aligned = reach_start % piece == 0 and fresh_from % piece == 0
        # A no-time row found by a read that straddles the reach's start may lie either side of it.
        straddled = any(start < reach_start < end for start, end, _ in self.nulls)
        return (self.piece == piece and aligned and not straddled
                and self.start <= reach_start and fresh_from <= self.end)

    def nulls_from(self, reach_start: int, fresh_from: int) -> int:
        return sum(n for start, _, n in self.nulls if reach_start <= start < fresh_from)


class CensusState:
    """The stored pieces; `read_only` (a dry run) reads them and writes nothing."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path, self.read_only = Path(path), read_only
        if path != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.executescript(_SCHEMA)

    @classmethod
    def for_workspace(cls, state_dir: Path | str, *, read_only: bool = False) -> CensusState:
        return cls(Path(state_dir) / FILE_NAME, read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CensusState:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def coverage(self, fp: str) -> Coverage | None:
        row = self._db.execute('SELECT piece, start, "end" FROM coverage WHERE fp = ?', (fp,)).fetchone()
        if row is None:
            return None
        nulls = tuple(self._db.execute('SELECT start, "end", n FROM nulls WHERE fp = ? ORDER BY start', (fp,)))
        return Coverage(row[0], row[1], row[2], nulls)

    def pieces(self, fp: str, piece: int, start: int, end: int) -> list[tuple[str, int, int]]:
        """Stored (key, piece, rows) of the pieces inside [start, end)."""
        return list(self._db.execute(
            "SELECT key, piece, n FROM pieces WHERE fp = ? AND piece >= ? AND piece < ?",
            (fp, -(-start // piece), end // piece)))

    def record(self, fp: str, piece: int, read_start: int, read_end: int,
               counted: Iterable[tuple[str, int, int]], nulls: int, keep_from: int) -> None:
        """Merge what a read of [read_start, read_end) counted (see the module docstring)."""
        if self.read_only:
            return
        first, last = -(-read_start // piece), read_end // piece  # whole pieces: [first, last)
        begin, end = first * piece, last * piece
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            stored = self.coverage(fp)
            if stored is not None and stored.piece == piece and end < stored.end:
                db.execute("ROLLBACK")
                return  # an older window: what is stored is newer
            if stored is None or stored.piece != piece or begin > stored.end or end <= begin:
                db.execute("DELETE FROM pieces WHERE fp = ?", (fp,))
                db.execute("DELETE FROM nulls WHERE fp = ?", (fp,))
                start = begin
            else:
                db.execute("DELETE FROM pieces WHERE fp = ? AND piece >= ?", (fp, first))
                db.execute("DELETE FROM nulls WHERE fp = ? AND start >= ?", (fp, read_start))
                start = min(stored.start, begin)
            db.executemany("INSERT INTO pieces (fp, key, piece, n) VALUES (?, ?, ?, ?)",
                           [(fp, key, p, n) for key, p, n in counted if first <= p < last])
            if nulls:
                db.execute('INSERT INTO nulls (fp, start, "end", n) VALUES (?, ?, ?, ?)',
                           (fp, read_start, read_end, nulls))
            kept = max(start, keep_from // piece * piece)
            db.execute("DELETE FROM pieces WHERE fp = ? AND piece < ?", (fp, kept // piece))
            db.execute('DELETE FROM nulls WHERE fp = ? AND "end" <= ?', (fp, keep_from))
            if end > begin:
                db.execute('INSERT OR REPLACE INTO coverage (fp, piece, start, "end") VALUES (?, ?, ?, ?)',
                           (fp, piece, kept, end))
            else:
                db.execute("DELETE FROM coverage WHERE fp = ?", (fp,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
