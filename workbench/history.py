"""Query provenance: every query run from a magic, who ran it and what it cost, in SQLite.

The file sits beside the alert store (`<state>/history.sqlite`). Refusals are recorded too: a
report on an investigation should show what was asked and refused, not only what ran.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.redaction import Redactor

HISTORY_FILE = "history.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    question TEXT,
    sql TEXT,
    executed_sql TEXT,
    engine TEXT,
    provider TEXT,
    query_id TEXT,
    window TEXT,
    elapsed_s REAL,
    model_s REAL,
    bytes_scanned INTEGER,
    cost_usd REAL,
    rows INTEGER,
    error TEXT,
    notes TEXT
);
CREATE INDEX IF NOT EXISTS queries_at ON queries (at);
"""
# The query API (workbench/api) records who called from where, its request id and HTTP status.
_ADDED_COLUMNS = (("model_s", "REAL"), ("remote", "TEXT"), ("request_id", "TEXT"), ("http_status", "INTEGER"))


def current_user() -> str:
    """The JupyterHub user when running under a hub (the OS user there is a shared service account)."""
    hub = os.environ.get("JUPYTERHUB_USER")
    if hub:
        return hub
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return os.environ.get("USER") or "unknown"


@dataclass
class QueryRecord:
    kind: str  # athena | ask | hunt
    status: str  # ok | refused | error | dry-run
    question: str | None = None
    sql: str | None = None  # as written or generated, before the guard
    executed_sql: str | None = None  # what the engine ran (window-bounded, its dialect)
    engine: str | None = None
    provider: str | None = None
    query_id: str | None = None
    window: str | None = None
    elapsed_s: float | None = None
    model_s: float | None = None  # the NL provider's time to answer (English questions only)
    bytes_scanned: int | None = None
    cost_usd: float | None = None
    rows: int | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    remote: str | None = None  # the caller's address (query API requests only)
    request_id: str | None = None  # the query API's request id, as in its answer
    http_status: int | None = None  # the query API's answer status
    user: str = field(default_factory=current_user)
    at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    id: int | None = None

    def metadata(self) -> dict[str, Any]:
        """What goes into the output's display metadata (JSON-safe)."""
        return {k: v for k, v in asdict(self).items() if v is not None and v != []}


class QueryHistory:
    def __init__(self, path: Path, redactor: Redactor | None = None) -> None:
        self.path = Path(path)
        # Errors can quote what an upstream service echoed (an API key, a credential header).
        self.redactor = redactor or Redactor()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)
            # Files written before a column existed get it added (NULL for their older rows).
            have = {row[1] for row in con.execute("PRAGMA table_info(queries)")}
            for name, kind in _ADDED_COLUMNS:
                if name not in have:
                    con.execute(f"ALTER TABLE queries ADD COLUMN {name} {kind}")

    def _connect(self) -> sqlite3.Connection:
        # A short-lived connection per call: several kernels of one user may share the file.
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def record(self, entry: QueryRecord) -> QueryRecord:
        if entry.error:
            entry.error = self.redactor.scrub(entry.error)
        values = asdict(entry)
        values.pop("id")
        values["notes"] = json.dumps(values["notes"]) if values["notes"] else None
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._connect() as con:
            cursor = con.execute(f"INSERT INTO queries ({columns}) VALUES ({marks})", list(values.values()))
            entry.id = cursor.lastrowid
        return entry

    def recent(self, limit: int = 20, user: str | None = None) -> list[QueryRecord]:
        where, args = ("WHERE user = ?", [user]) if user else ("", [])
        with self._connect() as con:
            rows = con.execute(f"SELECT * FROM queries {where} ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [_from_row(row) for row in rows]

    def frame(self, limit: int = 20) -> Any:
        import pandas as pd

        names = ["id", "at", "user", "kind", "status", "engine", "provider", "rows", "elapsed_s",
                 "bytes_scanned", "cost_usd", "question", "sql", "error"]
        records = self.recent(limit)
        return pd.DataFrame([{n: getattr(r, n) for n in names} for r in records], columns=names)

    def __len__(self) -> int:
        with self._connect() as con:
            return int(con.execute("SELECT count(*) FROM queries").fetchone()[0])


def _from_row(row: sqlite3.Row) -> QueryRecord:
    known = {f.name for f in fields(QueryRecord)}
    data = {k: row[k] for k in row.keys() if k in known}
    data["notes"] = json.loads(data["notes"]) if data.get("notes") else []
    return QueryRecord(**data)
