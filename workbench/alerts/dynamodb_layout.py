"""Key and index design of the DynamoDB alert table (layout 2), from the access patterns in
docs/dynamodb.md: which attributes an alert item carries for its indexes, the table definition,
the counter items, and the migration from layout 1 (four ALL-projected GSIs, one `kind` key).

Every listing index is keyed `<partition attribute>` + `ts` (`<last_seen>#<id>`), so a page is a
range read from the newest end of a few partitions. Partitions that every alert would share (all
alerts, one status, one severity, one rule) are split into SHARDS by a hash of the alert id, so no
single key takes every write; a reader merges the shards (SHARDS short queries per page).
Indexes project only the few attributes filters need (INCLUDE); the record itself (`doc`) is read
from the table for the alerts of the page only.
"""

from __future__ import annotations

import hashlib
from typing import Any

from workbench.alerts.filters import ts
from workbench.alerts.model import Alert, Severity

LAYOUT = 2
SHARDS = 4
META_KEY = {"pk": "#META", "sk": "LAYOUT"}
ALERT_SK = "#ALERT"
# Index name == its partition attribute. Sharded ones hold `<what>#<value>#<shard>`.
INDEXES = ("q_all", "q_status", "q_severity", "q_rule", "q_assignee")
PROJECTED = ["status", "severity", "rule_id", "assignee", "first_seen", "version"]
OLD_INDEXES = ("by_status", "by_severity", "by_rule")  # layout 1; by_kind stays, for runs only
RUN_INDEX = "by_kind"


def shard_of(alert_id: str) -> int:
    # A stable hash (not Python's salted hash()): every process must agree on an alert's shard.
    return hashlib.blake2b(alert_id.encode(), digest_size=2).digest()[0] % SHARDS


def index_keys(alert: Alert) -> dict[str, str]:
    """The index partition attributes of an alert item."""
    shard = shard_of(alert.id)
    keys = {"q_all": f"ALL#{shard}", "q_status": f"STATUS#{alert.status.value}#{shard}",
            "q_severity": f"SEV#{alert.severity.value}#{shard}", "q_rule": f"RULE#{alert.rule_id}#{shard}"}
    # One analyst's queue is small and written at human pace; "nobody's" is most alerts: sharded.
    keys["q_assignee"] = f"ASSIGNEE#{alert.assignee}" if alert.assignee else f"UNASSIGNED#{shard}"
    return keys


def alert_item(alert: Alert) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"ALERT#{alert.id}", "sk": ALERT_SK, "ts": f"{ts(alert.last_seen)}#{alert.id}",
        "status": alert.status.value, "severity": alert.severity.value, "rule_id": alert.rule_id,
        "first_seen": ts(alert.first_seen), "version": alert.version, "doc": alert.to_json(),
        **index_keys(alert)}
    if alert.assignee:
        item["assignee"] = alert.assignee
    return item


def counter_names(summary: dict[str, Any] | None) -> list[str]:
    """The counters an alert with these projected attributes adds one to."""
    if not summary:
        return []
    names = ["all", f"status#{summary['status']}", f"severity#{summary['severity']}", f"rule#{summary['rule_id']}"]
    names.append(f"assignee#{summary['assignee']}" if summary.get("assignee") else "unassigned")
    return names


def counter_deltas(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, int]:
    deltas: dict[str, int] = {}
    for name in counter_names(old):
        deltas[name] = deltas.get(name, 0) - 1
    for name in counter_names(new):
        deltas[name] = deltas.get(name, 0) + 1
    return {k: v for k, v in deltas.items() if v}


def counters_pk(shard: int) -> str:
    return f"COUNTS#{shard}"


def index_definition(name: str) -> dict[str, Any]:
    return {"IndexName": name,
            "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": PROJECTED}}


def run_index_definition() -> dict[str, Any]:
    # Runs are read whole (their doc), one per detection run: a small partition, projected ALL.
    return {"IndexName": RUN_INDEX, "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}]}


def table_definition(table_name: str) -> dict[str, Any]:
    attributes = [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "ts", "kind", *INDEXES)]
    return {"TableName": table_name, "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attributes,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [run_index_definition(), *(index_definition(n) for n in INDEXES)]}


def partitions(status: tuple[Any, ...], severity: Severity | None, min_severity: Severity | None,
               rule_id: str | None, assignee: str | None, unassigned: bool = False) -> list[tuple[str, str]]:
    """(index, partition value) pairs that together hold every alert the filters can match, from
    the most selective index the filters allow."""
    shards = range(SHARDS)
    if status:
        return [("q_status", f"STATUS#{s.value}#{n}") for s in status for n in shards]
    if assignee is not None:
        return [("q_assignee", f"ASSIGNEE#{assignee}")]
    if unassigned:
        return [("q_assignee", f"UNASSIGNED#{n}") for n in shards]
    if rule_id is not None:
        return [("q_rule", f"RULE#{rule_id}#{n}") for n in shards]
    if severity is not None:
        return [("q_severity", f"SEV#{severity.value}#{n}") for n in shards]
    if min_severity is not None:
        return [("q_severity", f"SEV#{s.value}#{n}") for s in Severity if s >= min_severity for n in shards]
    return [("q_all", f"ALL#{n}") for n in shards]
