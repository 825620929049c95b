"""The default store: one SQLite file, `<state>/alerts.sqlite`, in WAL mode.

Safe for several processes (the scheduler, a notebook, the CLI): every read-modify-write runs in
`BEGIN IMMEDIATE`, which takes the file's write lock up front, so writers queue (busy timeout)
instead of failing half-way; WAL lets readers go on meanwhile. One connection per thread.

Tables: `alerts` (indexed columns for filtering and sorting + the full record as JSON in `doc`),
`alert_events(alert_id, event_id)` (the per-alert set of matched events; its primary key makes
re-recording an event a no-op), `alert_entities(kind, value, alert_id)` (principal / access key /
IP → alerts, for `related`), `checkpoints`, `runs`; and the delivery outbox (see outbox_sqlite.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.alerts.base import STORES, AlertStore
from workbench.alerts.filters import AlertFilter, ts
from workbench.alerts.model import Alert, Severity, entities, search_text
from workbench.alerts.outbox_sqlite import OUTBOX_SCHEMA, SQLiteOutbox
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.config import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, status TEXT NOT NULL, severity_rank INTEGER NOT NULL,
    assignee TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, count INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    search TEXT NOT NULL, doc TEXT NOT NULL
);
DROP INDEX IF EXISTS alerts_last_seen;
DROP INDEX IF EXISTS alerts_status;
DROP INDEX IF EXISTS alerts_severity;
DROP INDEX IF EXISTS alerts_rule;
DROP INDEX IF EXISTS alerts_assignee;
CREATE INDEX IF NOT EXISTS alerts_seen_id ON alerts (last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_status_seen_id ON alerts (status, last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_severity_seen_id ON alerts (severity_rank, last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_rule_seen_id ON alerts (rule_id, last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_assignee_seen_id ON alerts (assignee, last_seen, id);
CREATE TABLE IF NOT EXISTS alert_events (
    alert_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (alert_id, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alert_entities (
    kind TEXT NOT NULL, value TEXT NOT NULL, alert_id TEXT NOT NULL, PRIMARY KEY (kind, value, alert_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (rule_id TEXT PRIMARY KEY, end_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, started TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started);
"""

_ORDER_COLUMNS = {"severity": "severity_rank"}
_INT_COLUMNS = frozenset({"severity_rank", "count"})


class SQLiteStore(SQLiteOutbox, AlertStore):
    name = "sqlite"
    busy_timeout_ms = 30_000

    def __init__(self, settings: Settings, path: Path | None = None) -> None:
        super().__init__(settings)
        self.path = Path(path) if path else settings.state / "alerts.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn
        conn.execute("PRAGMA journal_mode=WAL")
        with self._transaction():
            for statement in (SCHEMA + OUTBOX_SCHEMA).split(";"):
                if statement.strip():
                    conn.execute(statement)

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves rather than letting the
            # module open deferred transactions that upgrade to a write lock mid-way (and deadlock).
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.depth = conn, 0
            with self._lock:
                self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        conn = self._conn
        if self._local.depth:  # nested: the outer transaction already holds the lock
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # ---- alerts -------------------------------------------------------------------------------
    def _read(self, alert_id: str) -> Alert | None:
        row = self._conn.execute("SELECT doc FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return Alert.from_json(row[0]) if row else None

    def _write(self, alert: Alert, expected_version: int | None) -> bool:
        values = (alert.rule_id, alert.status.value, alert.severity.rank, alert.assignee,
                  ts(alert.first_seen), ts(alert.last_seen), alert.count, ts(alert.created_at),
                  ts(alert.updated_at), alert.version, search_text(alert), alert.to_json())
        with self._transaction():
            conn = self._conn
            if expected_version is None:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO alerts (rule_id, status, severity_rank, assignee, first_seen, "
                    "last_seen, count, created_at, updated_at, version, search, doc, id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, alert.id))
            else:
                cur = conn.execute(
                    "UPDATE alerts SET rule_id = ?, status = ?, severity_rank = ?, assignee = ?, "
                    "first_seen = ?, last_seen = ?, count = ?, created_at = ?, updated_at = ?, version = ?, "
                    "search = ?, doc = ? WHERE id = ? AND version = ?", (*values, alert.id, expected_version))
            if cur.rowcount != 1:
                return False
            conn.execute("DELETE FROM alert_entities WHERE alert_id = ?", (alert.id,))
            conn.executemany("INSERT OR IGNORE INTO alert_entities (kind, value, alert_id) VALUES (?, ?, ?)",
                             [(kind, value, alert.id) for kind, value in entities(alert)])
            return True

    def _record_events(self, alert_id: str, event_ids: set[str]) -> int:
        with self._transaction():
            before = self._conn.total_changes
            self._conn.executemany("INSERT OR IGNORE INTO alert_events (alert_id, event_id) VALUES (?, ?)",
                                   [(alert_id, e) for e in sorted(event_ids)])
            return self._conn.total_changes - before

    def _event_count(self, alert_id: str) -> int:
        return self._conn.execute("SELECT count(*) FROM alert_events WHERE alert_id = ?",
                                  (alert_id,)).fetchone()[0]

    def event_ids(self, alert_id: str) -> set[str]:
        rows = self._conn.execute("SELECT event_id FROM alert_events WHERE alert_id = ?", (alert_id,))
        return {r[0] for r in rows}

    def all_ids(self) -> Iterator[str]:
        yield from (r[0] for r in self._conn.execute("SELECT id FROM alerts ORDER BY id").fetchall())

    def _where(self, flt: AlertFilter) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if flt.status:
            clauses.append(f"status IN ({', '.join('?' * len(flt.status))})")
            params += [s.value for s in flt.status]
        for column, value in (("rule_id", flt.rule_id), ("assignee", flt.assignee)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if flt.unassigned:
            clauses.append("assignee IS NULL")
        if flt.severity is not None:
            clauses.append("severity_rank = ?")
            params.append(Severity(flt.severity).rank)
        if flt.min_severity is not None:
            clauses.append("severity_rank >= ?")
            params.append(Severity(flt.min_severity).rank)
        if flt.since is not None:
            clauses.append("last_seen >= ?")
            params.append(ts(flt.since))
        if flt.until is not None:
            clauses.append("first_seen < ?")
            params.append(ts(flt.until))
        if flt.text:
            clauses.append("search LIKE ? ESCAPE '\\'")
            escaped = flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _page(self, flt: AlertFilter, order: str, descending: bool, limit: int | None, offset: int,
              after: list[Any] | None) -> tuple[list[Alert], list[Any] | None, int]:
        where, params = self._where(flt)
        column = _ORDER_COLUMNS.get(order, order)
        direction, beyond = ("DESC", "<") if descending else ("ASC", ">")
        if after is not None:
            if len(after) != 2 or not isinstance(after[1], str) or \
                    not isinstance(after[0], int if column in _INT_COLUMNS else str):
                raise ValueError("page token: malformed position; start again without a page token")
            # A row value compares (column, id) as one key: the indexes end in id, so this is a seek.
            where += (" AND " if where else " WHERE ") + f"({column}, id) {beyond} (?, ?)"
            params += after
            offset = 0
        sql = (f"SELECT doc, {column}, id FROM alerts{where} ORDER BY {column} {direction}, id {direction} "
               "LIMIT ? OFFSET ?")
        # One row more than asked says whether there is a next page without counting the rest.
        rows = self._conn.execute(sql, [*params, -1 if limit is None else limit + 1, offset]).fetchall()
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if more else rows
        last = [rows[-1][1], rows[-1][2]] if more else None
        return [Alert.from_json(r[0]) for r in rows], last, len(rows) + (1 if more else 0)

    def _count(self, flt: AlertFilter) -> int:
        where, params = self._where(flt)
        return self._conn.execute(f"SELECT count(*) FROM alerts{where}", params).fetchone()[0]

    def rule_ids(self) -> list[str]:
        # DISTINCT over the (rule_id, last_seen, id) index: one step per rule, not per alert.
        return [r[0] for r in self._conn.execute("SELECT DISTINCT rule_id FROM alerts ORDER BY rule_id")]

    def _alert_ids_with_entity(self, kind: str, value: str) -> set[str]:
        rows = self._conn.execute("SELECT alert_id FROM alert_entities WHERE kind = ? AND value = ?",
                                  (kind, value))
        return {r[0] for r in rows}

    # ---- checkpoints and runs -----------------------------------------------------------------
    def get_checkpoint(self, rule_id: str) -> datetime | None:
        row = self._conn.execute("SELECT end_at FROM checkpoints WHERE rule_id = ?", (rule_id,)).fetchone()
        return parse_time(row[0]) if row else None

    def set_checkpoint(self, rule_id: str, end: datetime, force: bool = False) -> datetime:
        with self._transaction():  # the compare-and-set of the base class, made atomic
            return super().set_checkpoint(rule_id, end, force)

    def _put_checkpoint(self, rule_id: str, end: datetime) -> None:
        self._conn.execute(
            "INSERT INTO checkpoints (rule_id, end_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (rule_id) DO UPDATE SET end_at = excluded.end_at, updated_at = excluded.updated_at",
            (rule_id, ts(end), ts(parse_time("now"))))

    def checkpoints(self) -> dict[str, datetime]:
        rows = self._conn.execute("SELECT rule_id, end_at FROM checkpoints").fetchall()
        return {rule_id: parse_time(end) for rule_id, end in rows}

    def _put_run(self, run_id: str, started: datetime, doc: str) -> None:
        self._conn.execute("INSERT INTO runs (id, started, doc) VALUES (?, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET started = excluded.started, doc = excluded.doc",
                           (run_id, ts(started), doc))

    def _run_docs(self, limit: int | None, since: datetime | None) -> list[str]:
        where, params = ("WHERE started >= ?", [ts(since)]) if since else ("", [])
        rows = self._conn.execute(f"SELECT doc FROM runs {where} ORDER BY started DESC, id DESC LIMIT ?",
                                  [*params, -1 if limit is None else limit]).fetchall()
        return [r[0] for r in rows]


STORES.register("sqlite", SQLiteStore)
