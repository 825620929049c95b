"""The outbox in the SQLite store: three tables beside `alerts`, written in the same file.

    alert_routing(alert_id, routed_version, routed_at)      how far routing got per alert
    deliveries(id, alert_id, destination, kind, status, attempts, next_attempt_at, created_at, doc)
    delivery_attempts(delivery_id, ..., at, ok, latency_ms, status_code, error, outcome)

`_enqueue` inserts the deliveries and moves the routed version in one `BEGIN IMMEDIATE`
transaction, so a routing pass either happened for an alert version or did not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workbench.alerts.filters import ts
from workbench.alerts.outbox import (
    Delivery,
    DeliveryAttempt,
    DeliveryNotFound,
    DeliveryStatus,
    Outbox,
    status_values,
)
from workbench.timewindow import parse_time

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_routing (
    alert_id TEXT PRIMARY KEY, routed_version INTEGER NOT NULL, routed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, destination TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries (alert_id, destination);
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    delivery_id TEXT NOT NULL, alert_id TEXT NOT NULL, destination TEXT NOT NULL, kind TEXT NOT NULL,
    attempt INTEGER NOT NULL, at TEXT NOT NULL, ok INTEGER NOT NULL, latency_ms REAL NOT NULL,
    status_code INTEGER, error TEXT, outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_attempts_at ON delivery_attempts (at);
CREATE INDEX IF NOT EXISTS delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
"""


class SQLiteOutbox(Outbox):
    """Mixed into SQLiteStore; uses its per-thread `_conn` and `_transaction`."""

    _conn: Any
    _transaction: Any

    def _insert_delivery(self, d: Delivery) -> bool:
        with self._transaction():
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO deliveries (id, alert_id, destination, kind, status, attempts, "
                "next_attempt_at, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (d.id, d.alert_id, d.destination, d.kind, d.status.value, d.attempts, ts(d.next_attempt_at),
                 ts(d.created_at), d.to_json()))
            return cur.rowcount == 1

    def _enqueue(self, alert_id: str, version: int, deliveries: Sequence[Delivery]) -> list[str]:
        added = []
        with self._transaction():
            for d in deliveries:
                if self._insert_delivery(d):
                    added.append(d.id)
            self._conn.execute(
                "INSERT INTO alert_routing (alert_id, routed_version, routed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (alert_id) DO UPDATE SET routed_version = max(routed_version, excluded.routed_version), "
                "routed_at = excluded.routed_at", (alert_id, version, ts(parse_time("now"))))
        return added

    def routed_versions(self) -> dict[str, int]:
        return dict(self._conn.execute("SELECT alert_id, routed_version FROM alert_routing").fetchall())

    def routed_marks(self) -> dict[str, tuple[int, datetime]]:
        rows = self._conn.execute("SELECT alert_id, routed_version, routed_at FROM alert_routing").fetchall()
        return {alert_id: (version, parse_time(at)) for alert_id, version, at in rows}

    def _raise_routed(self, alert_id: str, version: int, routed_at: datetime) -> bool:
        with self._transaction():
            cur = self._conn.execute(
                "INSERT INTO alert_routing (alert_id, routed_version, routed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (alert_id) DO UPDATE SET routed_version = excluded.routed_version, "
                "routed_at = excluded.routed_at WHERE routed_version < excluded.routed_version",
                (alert_id, version, ts(routed_at)))
            return cur.rowcount == 1

    def _unrouted_ids(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT a.id FROM alerts a LEFT JOIN alert_routing r ON r.alert_id = a.id "
            "WHERE r.routed_version IS NULL OR r.routed_version < a.version ORDER BY a.updated_at, a.id").fetchall()
        return [r[0] for r in rows]

    def _cas_delivery(self, delivery: Delivery, expected_status: DeliveryStatus, expected_attempts: int) -> bool:
        with self._transaction():
            cur = self._conn.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, created_at = ?, doc = ? "
                "WHERE id = ? AND status = ? AND attempts = ?",
                (delivery.status.value, delivery.attempts, ts(delivery.next_attempt_at), ts(delivery.created_at),
                 delivery.to_json(), delivery.id, expected_status.value, expected_attempts))
            return cur.rowcount == 1

    def _put_attempt(self, attempt: DeliveryAttempt) -> None:
        with self._transaction():
            self._conn.execute(
                "INSERT INTO delivery_attempts (delivery_id, alert_id, destination, kind, attempt, at, ok, "
                "latency_ms, status_code, error, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _attempt_row(attempt))

    def _insert_attempt(self, attempt: DeliveryAttempt) -> bool:
        # No unique key on the table (files made before restore existed may not satisfy one), so
        # "already there" is checked in the same write transaction instead.
        with self._transaction():
            cur = self._conn.execute(
                "INSERT INTO delivery_attempts (delivery_id, alert_id, destination, kind, attempt, at, ok, "
                "latency_ms, status_code, error, outcome) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM delivery_attempts WHERE delivery_id = ? AND attempt = ? AND at = ?)",
                (*_attempt_row(attempt), attempt.delivery_id, attempt.attempt, ts(attempt.at)))
            return cur.rowcount == 1

    def get_delivery(self, delivery_id: str) -> Delivery:
        row = self._conn.execute("SELECT doc FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise DeliveryNotFound(delivery_id)
        return Delivery.from_json(row[0])

    def deliveries(self, status: str | Sequence[str] | None = None, alert_id: str | None = None,
                   destination: str | None = None, limit: int | None = 100) -> list[Delivery]:
        clauses, params = [], []
        wanted = status_values(status)
        if wanted is not None:
            clauses.append(f"status IN ({', '.join('?' * len(wanted))})")
            params += wanted
        for column, value in (("alert_id", alert_id), ("destination", destination)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn.execute(f"SELECT doc FROM deliveries{where} ORDER BY created_at DESC, id DESC LIMIT ?",
                                  [*params, -1 if limit is None else limit]).fetchall()
        return [Delivery.from_json(r[0]) for r in rows]

    def delivery_attempts(self, since: datetime | str | None = None,
                          until: datetime | str | None = None) -> list[DeliveryAttempt]:
        clauses, params = [], []
        if since is not None:
            clauses.append("at >= ?")
            params.append(ts(parse_time(since)))
        if until is not None:
            clauses.append("at < ?")
            params.append(ts(parse_time(until)))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn.execute(
            "SELECT delivery_id, alert_id, destination, kind, attempt, at, ok, latency_ms, status_code, error, "
            f"outcome FROM delivery_attempts{where} ORDER BY at, rowid", params).fetchall()
        keys = ("delivery_id", "alert_id", "destination", "kind", "attempt", "at", "ok", "latency_ms",
                "status_code", "error", "outcome")
        return [DeliveryAttempt.model_validate({**dict(zip(keys, r, strict=True)), "ok": bool(r[6])}) for r in rows]


def _attempt_row(a: DeliveryAttempt) -> tuple[Any, ...]:
    return (a.delivery_id, a.alert_id, a.destination, a.kind, a.attempt, ts(a.at), int(a.ok), a.latency_ms,
            a.status_code, a.error, a.outcome)
