"""Term state in `state/terms.sqlite`: one row per (rule, term), merged by upsert."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from workbench.config import Settings
from workbench.detect.terms.base import TERM_STORES, Baseline, TermState, TermStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS terms (
    rule_id TEXT NOT NULL, term TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, new_at TEXT,
    PRIMARY KEY (rule_id, term)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_by_last_seen ON terms (rule_id, last_seen);
CREATE TABLE IF NOT EXISTS baselines (rule_id TEXT PRIMARY KEY, start_at TEXT NOT NULL, through TEXT NOT NULL);
"""
# Fixed-width UTC text, so SQL's min/max and comparisons order times correctly.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
CHUNK = 500


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(TIME_FORMAT)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


@TERM_STORES.register("sqlite")
class SqliteTermStore(TermStore):
    def __init__(self, settings: Settings | None = None, path: Path | str | None = None) -> None:
        super().__init__(settings)
        if path is None:
            if settings is None:
                raise ValueError("SqliteTermStore needs settings or a path")
            settings.state.mkdir(parents=True, exist_ok=True)
            path = settings.state / "terms.sqlite"
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)

    def lookup(self, rule_id: str, keys: Iterable[str]) -> dict[str, TermState]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, TermState] = {}
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            marks = ",".join("?" * len(chunk))
            for term, first, last, new_at in self._conn.execute(
                    f"SELECT term, first_seen, last_seen, new_at FROM terms WHERE rule_id = ? AND term IN ({marks})",
                    (rule_id, *chunk)):
                found[term] = TermState(_time(first), _time(last), _time(new_at))  # type: ignore[arg-type]
        return found

    def record(self, rule_id: str, sightings: Mapping[str, TermState], replace_keys: Iterable[str] = ()) -> None:
        fresh = set(replace_keys)
        rows = [(rule_id, k, _text(s.first_seen), _text(s.last_seen), _text(s.new_at)) for k, s in sightings.items()]
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT INTO terms VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id, term) DO UPDATE SET "
                "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen), "
                "new_at = coalesce(excluded.new_at, new_at)", [r for r in rows if r[1] not in fresh])
            self._conn.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?, ?)",
                                   [r for r in rows if r[1] in fresh])

    def purge(self, rule_id: str, last_seen_before: datetime) -> int:
        with self._conn:
            done = self._conn.execute("DELETE FROM terms WHERE rule_id = ? AND last_seen < ?",
                                      (rule_id, _text(last_seen_before)))
        return done.rowcount

    def forget(self, rule_id: str) -> None:
        with self._conn:
            self._conn.execute("DELETE FROM terms WHERE rule_id = ?", (rule_id,))
            self._conn.execute("DELETE FROM baselines WHERE rule_id = ?", (rule_id,))

    def baseline(self, rule_id: str) -> Baseline | None:
        row = self._conn.execute("SELECT start_at, through FROM baselines WHERE rule_id = ?", (rule_id,)).fetchone()
        return Baseline(_time(row[0]), _time(row[1])) if row else None  # type: ignore[arg-type]

    def set_baseline(self, rule_id: str, baseline: Baseline) -> None:
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO baselines VALUES (?, ?, ?)",
                               (rule_id, _text(baseline.start), _text(baseline.through)))

    def size(self, rule_id: str | None = None) -> int:
        if rule_id is None:
            return self._conn.execute("SELECT count(*) FROM terms").fetchone()[0]
        return self._conn.execute("SELECT count(*) FROM terms WHERE rule_id = ?", (rule_id,)).fetchone()[0]

    def close(self) -> None:
        self._conn.close()
