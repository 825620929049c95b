"""Move a DynamoDB alert table from layout 1 to layout 2 (`mantissa alerts migrate-store`).

Layout 1 keyed four GSIs on `kind`/`status`/`severity`/`rule_id`, all projecting ALL, with every
alert under the one `kind="alert"` key. The migration, safe to re-run after any interruption:

1. creates the layout-2 indexes that are missing (one per UpdateTable, as DynamoDB requires,
   waiting for each to become ACTIVE);
2. rewrites every alert item with its layout-2 attributes (and without `kind`, which drops alerts
   from `by_kind`, left to runs), conditioned on the version it read, so a concurrent change is
   re-read rather than overwritten; and rebuilds the counters from what it rewrote;
3. deletes the layout-1 indexes, then records layout 2 (until then this version refuses the table).

Stop the scheduler and other writers first: a layout-1 writer during the rewrite would not keep
counters (re-running the migration recounts).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.alerts import dynamodb_layout as layout
from workbench.alerts.model import Alert, ConcurrencyError

if TYPE_CHECKING:
    from workbench.alerts.dynamodb import DynamoDBStore
    from workbench.config import Settings


@dataclass
class MigrationReport:
    table: str
    from_layout: int
    created_indexes: list[str] = field(default_factory=list)
    deleted_indexes: list[str] = field(default_factory=list)
    alerts: int = 0
    counters: int = 0


def migrate_layout(settings: Settings, progress: Callable[[str], None] | None = None,
                   index_timeout_s: float = 3600.0) -> MigrationReport:
    from workbench.alerts.dynamodb import DynamoDBStore

    say = progress or (lambda _msg: None)
    store = DynamoDBStore(settings, allow_old_layout=True)
    report = MigrationReport(table=store.table_name, from_layout=store.layout_version())
    client = store._resource().meta.client
    for name in layout.INDEXES:
        if name not in _index_status(store):
            say(f"creating index {name} (DynamoDB builds it from the existing items; this can take minutes)")
            client.update_table(
                TableName=store.table_name,
                AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"},
                                      {"AttributeName": "ts", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": layout.index_definition(name)}])
            report.created_indexes.append(name)
        _wait(store, lambda status, n=name: status.get(n) == "ACTIVE", f"index {name} to become ACTIVE",
              index_timeout_s)
    counts: list[Counter[str]] = [Counter() for _ in range(layout.SHARDS)]
    for item in _alert_items(store):
        alert = _rewrite(store, item)
        if alert is None:
            continue
        report.alerts += 1
        counts[layout.shard_of(alert.id)].update(layout.counter_names(layout.alert_item(alert)))
        if report.alerts % 1000 == 0:
            say(f"{report.alerts} alerts rewritten")
    report.counters = _store_counters(store, counts)
    for name in layout.OLD_INDEXES:
        if name in _index_status(store):
            say(f"deleting layout-1 index {name}")
            client.update_table(TableName=store.table_name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
            report.deleted_indexes.append(name)
            _wait(store, lambda status, n=name: n not in status, f"index {name} to be deleted", index_timeout_s)
    store._table.put_item(Item={**layout.META_KEY, "layout": layout.LAYOUT})
    store.close()
    return report


def _index_status(store: DynamoDBStore) -> dict[str, str]:
    table = store._resource().meta.client.describe_table(TableName=store.table_name)["Table"]
    return {i["IndexName"]: i.get("IndexStatus", "ACTIVE") for i in table.get("GlobalSecondaryIndexes", [])}


def _wait(store: DynamoDBStore, done: Callable[[dict[str, str]], bool], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    delay = 0.2
    while not done(_index_status(store)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"table '{store.table_name}': gave up waiting for {what} after {timeout_s:.0f}s; "
                               "re-run `mantissa alerts migrate-store` later, it resumes where it stopped")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)


def _alert_items(store: DynamoDBStore) -> Any:
    kwargs: dict[str, Any] = {"FilterExpression": "sk = :s AND begins_with(pk, :p)",
                              "ExpressionAttributeValues": {":s": layout.ALERT_SK, ":p": "ALERT#"},
                              "ProjectionExpression": "pk"}
    while True:
        page = store._table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _rewrite(store: DynamoDBStore, item: dict[str, Any]) -> Alert | None:
    from botocore.exceptions import ClientError

    key = {"pk": item["pk"], "sk": layout.ALERT_SK}
    for _attempt in range(20):
        current = store._table.get_item(Key=key, ConsistentRead=True).get("Item")
        if current is None:
            return None  # deleted meanwhile
        alert = Alert.from_json(current["doc"])
        try:
            store._table.put_item(Item=layout.alert_item(alert), ConditionExpression="version = :v",
                                  ExpressionAttributeValues={":v": current["version"]})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            continue  # changed between read and write: read it again
        return alert
    raise ConcurrencyError(f"alert '{item['pk'][len('ALERT#'):]}': kept changing during the migration; "
                           "stop the scheduler and re-run `mantissa alerts migrate-store`")


def _store_counters(store: DynamoDBStore, counts: list[Counter[str]]) -> int:
    written = 0
    with store._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for shard, counter in enumerate(counts):
            pk = layout.counters_pk(shard)
            # Counters left by an earlier, interrupted run for values that no longer occur.
            stale = {i["sk"] for i in store._query(KeyConditionExpression="pk = :p", ProjectionExpression="sk",
                                                   ExpressionAttributeValues={":p": pk})} - set(counter)
            for name in stale:
                batch.delete_item(Key={"pk": pk, "sk": name})
            for name, n in counter.items():
                batch.put_item(Item={"pk": pk, "sk": name, "n": n})
                written += 1
    return written
