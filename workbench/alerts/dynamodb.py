"""The team store: one DynamoDB table, `<table_prefix>alerts`, single-table layout 2.

Keys (`pk`, `sk`, both strings) and item types:

    item         pk                          sk                    other attributes
    alert        ALERT#<alert id>            #ALERT                ts, status, severity, rule_id, assignee,
                                                                   first_seen, version (N), doc, q_* (index keys)
    event        ALERT#<alert id>            EVENT#<event id>      (none: existence is the fact)
    entity       ENTITY#<kind>#<value>       ALERT#<alert id>      (kind: principal | accesskey | ip)
    counter      COUNTS#<shard>              all | status#<s> | severity#<s> | rule#<r> | assignee#<a>   n (N)
    checkpoint   CHECKPOINTS                 RULE#<rule id>        end, updated_at
    run          RUN#<run id>                #RUN                  kind="run", ts, doc
    layout       #META                       LAYOUT                layout (N)
    (the delivery outbox's routed / delivery / attempt items: see outbox_dynamodb.py)

The index design (sharded, sparse, INCLUDE-projected GSIs keyed by `ts` = `<last_seen>#<id>`) is in
dynamodb_layout.py and docs/dynamodb.md. A page ordered by last_seen reads, per partition of the
chosen index, about one page of small index entries, then the page's records by key: its cost does
not depend on how many alerts the table holds. Other orders (severity, count...) read every match.

Concurrency: an alert write is one transaction: the put conditioned on `attribute_not_exists(pk)`
(create) or `version = :expected` (update), plus the counter deltas. A lost race (condition failed,
or a transaction conflict on a counter) makes the base class retry the read-modify-write. Event
items are idempotent puts, and `count` is recomputed from them on every upsert, so a crash between
the two writes heals on the next upsert.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.alerts import dynamodb_layout as layout
from workbench.alerts.base import STORES, AlertStore
from workbench.alerts.dynamoaccess import DynamoDBAccess
from workbench.alerts.dynamodb_listing import DynamoDBListing
from workbench.alerts.filters import ts
from workbench.alerts.model import Alert, AlertStoreError, entities, utcnow
from workbench.alerts.outbox_dynamodb import DynamoDBOutbox
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.config import Settings

_ALERT_SK, _RUN_SK, _CHECKPOINTS = layout.ALERT_SK, "#RUN", "CHECKPOINTS"


class DynamoDBStore(DynamoDBAccess, DynamoDBListing, DynamoDBOutbox, AlertStore):
    name = "dynamodb"

    def __init__(self, settings: Settings, allow_old_layout: bool = False) -> None:
        super().__init__(settings)
        self._init_access(settings, f"{settings.store.table_prefix}alerts")
        self._ready = False
        self.create_tables()
        if not allow_old_layout and self.layout_version() < layout.LAYOUT:
            raise AlertStoreError(
                f"DynamoDB table '{self.table_name}' uses alert layout {self.layout_version()}, this version "
                f"needs layout {layout.LAYOUT}: run `mantissa alerts migrate-store` once (stop the scheduler "
                "first), then retry")

    def create_tables(self) -> None:
        """Create the table and its indexes unless they exist; waits until it is usable."""
        if self._ready:
            return
        client = self._resource().meta.client
        try:
            client.describe_table(TableName=self.table_name)
        except client.exceptions.ResourceNotFoundException:
            try:
                client.create_table(**layout.table_definition(self.table_name))
            except client.exceptions.ResourceInUseException:
                pass  # another process created it first
            else:
                client.get_waiter("table_exists").wait(TableName=self.table_name,
                                                        WaiterConfig={"Delay": 1, "MaxAttempts": 60})
                self._table.put_item(Item={**layout.META_KEY, "layout": layout.LAYOUT})
            client.get_waiter("table_exists").wait(TableName=self.table_name,
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        self._ready = True

    def layout_version(self) -> int:
        item = self._table.get_item(Key=layout.META_KEY, ConsistentRead=True).get("Item")
        if item:
            return int(item["layout"])
        # A table made by another process a moment ago may not have its marker yet: look at its indexes.
        described = self._resource().meta.client.describe_table(TableName=self.table_name)["Table"]
        names = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])}
        return layout.LAYOUT if set(layout.INDEXES) <= names and not names & set(layout.OLD_INDEXES) else 1

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # atomicity comes from the conditional transaction in _write

    # ---- alerts -------------------------------------------------------------------------------
    def _read(self, alert_id: str) -> Alert | None:
        item = self._table.get_item(Key={"pk": f"ALERT#{alert_id}", "sk": _ALERT_SK},
                                    ConsistentRead=True).get("Item")
        return Alert.from_json(item["doc"]) if item else None

    def _write(self, alert: Alert, expected_version: int | None) -> bool:
        from botocore.exceptions import ClientError

        key = {"pk": f"ALERT#{alert.id}", "sk": _ALERT_SK}
        # The counters move by the difference between the stored summary and the new one; the
        # version condition below guarantees the summary read here is the one being replaced.
        old = self._table.get_item(Key=key, ConsistentRead=True,
                                   ProjectionExpression="version, #s, severity, rule_id, assignee",
                                   ExpressionAttributeNames={"#s": "status"}).get("Item")
        if (old is None) != (expected_version is None) or (old is not None and old["version"] != expected_version):
            return False
        item = layout.alert_item(alert)
        deltas = layout.counter_deltas(old, item)
        # The resource's client takes plain Python values (boto3 serialises them), as Table does.
        put: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put |= {"ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": expected_version}}
        pk = layout.counters_pk(layout.shard_of(alert.id))
        updates = [{"Update": {"TableName": self.table_name, "Key": {"pk": pk, "sk": name},
                               "UpdateExpression": "ADD n :d", "ExpressionAttributeValues": {":d": d}}}
                   for name, d in sorted(deltas.items())]
        try:
            self._resource().meta.client.transact_write_items(TransactItems=[{"Put": put}, *updates])
        except ClientError as exc:
            # Another writer won (ConditionalCheckFailed) or raced on a counter (TransactionConflict):
            # nothing was written, the caller re-reads and retries. Anything else is a real error.
            reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])} - {"None", None}
            if exc.response["Error"]["Code"] == "TransactionCanceledException" and \
                    reasons <= {"ConditionalCheckFailed", "TransactionConflict"}:
                return False
            raise
        # Entity items only ever add links; `related` re-checks each candidate's own entities.
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for kind, value in entities(alert):
                batch.put_item(Item={"pk": f"ENTITY#{kind}#{value}", "sk": f"ALERT#{alert.id}"})
        return True

    def _record_events(self, alert_id: str, event_ids: set[str]) -> int:
        pk = f"ALERT#{alert_id}"
        wanted = sorted(event_ids)
        known: set[str] = set()
        resource = self._resource()
        for start in range(0, len(wanted), 100):
            request = {self.table_name: {"Keys": [{"pk": pk, "sk": f"EVENT#{e}"} for e in wanted[start:start + 100]],
                                         "ProjectionExpression": "sk", "ConsistentRead": True}}
            while request:
                answer = resource.batch_get_item(RequestItems=request)
                known |= {i["sk"][len("EVENT#"):] for i in answer["Responses"].get(self.table_name, [])}
                request = answer.get("UnprocessedKeys") or None
        fresh = [e for e in wanted if e not in known]
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for event_id in fresh:
                batch.put_item(Item={"pk": pk, "sk": f"EVENT#{event_id}"})
        return len(fresh)

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self._table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _event_items(self, alert_id: str) -> Iterator[dict[str, Any]]:
        return self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :e)", ConsistentRead=True,
                           ExpressionAttributeValues={":pk": f"ALERT#{alert_id}", ":e": "EVENT#"},
                           ProjectionExpression="sk")

    def _event_count(self, alert_id: str) -> int:
        return sum(1 for _ in self._event_items(alert_id))

    def event_ids(self, alert_id: str) -> set[str]:
        return {i["sk"][len("EVENT#"):] for i in self._event_items(alert_id)}

    def all_ids(self) -> Iterator[str]:
        ids: list[str] = []
        for shard in range(layout.SHARDS):
            ids += (i["pk"][len("ALERT#"):] for i in self._query(
                IndexName="q_all", KeyConditionExpression="q_all = :p", ProjectionExpression="pk",
                ExpressionAttributeValues={":p": f"ALL#{shard}"}))
        return iter(sorted(ids))

    def _alert_ids_with_entity(self, kind: str, value: str) -> set[str]:
        items = self._query(KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": f"ENTITY#{kind}#{value}"})
        return {i["sk"][len("ALERT#"):] for i in items}

    # ---- checkpoints and runs -----------------------------------------------------------------
    def get_checkpoint(self, rule_id: str) -> datetime | None:
        item = self._table.get_item(Key={"pk": _CHECKPOINTS, "sk": f"RULE#{rule_id}"},
                                    ConsistentRead=True).get("Item")
        return parse_time(item["end"]) if item else None

    def set_checkpoint(self, rule_id: str, end: datetime, force: bool = False) -> datetime:
        from botocore.exceptions import ClientError

        end = parse_time(end)
        # Move forward atomically: the condition refuses to overwrite a later end.
        condition = {} if force else {"ConditionExpression": "attribute_not_exists(#e) OR #e < :end"}
        try:
            self._table.update_item(
                Key={"pk": _CHECKPOINTS, "sk": f"RULE#{rule_id}"},
                UpdateExpression="SET #e = :end, updated_at = :now",
                ExpressionAttributeNames={"#e": "end"},
                ExpressionAttributeValues={":end": ts(end), ":now": ts(utcnow())}, **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.get_checkpoint(rule_id) or end
        return end

    def _put_checkpoint(self, rule_id: str, end: datetime) -> None:
        self.set_checkpoint(rule_id, end, force=True)

    def checkpoints(self) -> dict[str, datetime]:
        items = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                            ExpressionAttributeValues={":pk": _CHECKPOINTS})
        return {i["sk"][len("RULE#"):]: parse_time(i["end"]) for i in items}

    def _put_run(self, run_id: str, started: datetime, doc: str) -> None:
        self._table.put_item(Item={"pk": f"RUN#{run_id}", "sk": _RUN_SK, "kind": "run",
                                   "ts": f"{ts(started)}#{run_id}", "doc": doc})

    def _run_docs(self, limit: int | None, since: datetime | None) -> list[str]:
        condition, values = "kind = :k", {":k": "run"}
        if since is not None:
            condition += " AND ts >= :since"
            values[":since"] = ts(since)
        docs = []
        for item in self._query(IndexName=layout.RUN_INDEX, KeyConditionExpression=condition,
                                ExpressionAttributeValues=values, ScanIndexForward=False):
            docs.append(item["doc"])
            if limit is not None and len(docs) >= limit:
                break
        return docs


STORES.register("dynamodb", DynamoDBStore)
