"""The team store: one DynamoDB table, `<table_prefix>alerts`, single-table layout.

Keys (`pk`, `sk`, both strings) and item types:

    item         pk                          sk                    other attributes
    alert        ALERT#<alert id>            #ALERT                kind="alert", ts, status, severity,
                                                                   rule_id, assignee, version (N), doc
    event        ALERT#<alert id>            EVENT#<event id>      (none: existence is the fact)
    entity       ENTITY#<kind>#<value>       ALERT#<alert id>      (kind: principal | accesskey | ip)
    checkpoint   CHECKPOINTS                 RULE#<rule id>        end, updated_at
    run          RUN#<run id>                #RUN                  kind="run", ts, doc
    (the delivery outbox's routed / delivery / attempt items: see outbox_dynamodb.py)

`doc` is the full record as JSON; `ts` is `<last_seen or started, fixed-width UTC>#<id>`, so every
index sorts by time and pages by id. Global secondary indexes (projection ALL):

    by_kind      kind     + ts     all alerts (or all runs) by time
    by_status    status   + ts     alerts in one status by last_seen
    by_severity  severity + ts     alerts of one severity by last_seen
    by_rule      rule_id  + ts     alerts of one rule by last_seen

Only alert items carry status/severity/rule_id, so those indexes are sparse. Listing queries the
most selective index (a `since` bound becomes a key condition on `ts`) and applies the remaining
filters client-side; alert volumes (thousands, not millions) make that cheap. The `by_kind`
partition is one hot key, which is fine far below DynamoDB's per-partition limit (1,000 writes/s).
An item is limited to 400 KB: evidence rows are capped at 50; a very long audit trail is the one
thing that could approach it.

Concurrency: an alert write is a `put_item` conditioned on `attribute_not_exists(pk)` (create) or
`version = :expected` (update); a lost race surfaces as ConditionalCheckFailed and the base class
retries the read-modify-write. Event items are idempotent puts, and `count` is recomputed from them
on every upsert, so a crash between the two writes heals on the next upsert.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.alerts.base import STORES, AlertStore
from workbench.alerts.filters import AlertFilter, sort_value, ts
from workbench.alerts.model import Alert, entities, utcnow
from workbench.alerts.outbox_dynamodb import DynamoDBOutbox
from workbench.timewindow import parse_time

if TYPE_CHECKING:
    from workbench.config import Settings

_INDEXES = {"by_kind": "kind", "by_status": "status", "by_severity": "severity", "by_rule": "rule_id"}
_ALERT_SK, _RUN_SK, _CHECKPOINTS = "#ALERT", "#RUN", "CHECKPOINTS"


class DynamoDBStore(DynamoDBOutbox, AlertStore):
    name = "dynamodb"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        cfg = settings.store
        self.table_name = f"{cfg.table_prefix}alerts"
        self.endpoint_url = cfg.endpoint_url
        self.region = cfg.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
            or settings.athena.region or "us-east-1"
        self._local = threading.local()
        self._ready = False
        self.create_tables()

    def _resource(self) -> Any:
        # boto3 sessions and resources are not thread-safe: one per thread.
        resource = getattr(self._local, "resource", None)
        if resource is None:
            import boto3

            session = boto3.session.Session(region_name=self.region)
            resource = session.resource("dynamodb", endpoint_url=self.endpoint_url)
            self._local.resource = resource
        return resource

    @property
    def _table(self) -> Any:
        return self._resource().Table(self.table_name)

    def create_tables(self) -> None:
        """Create the table and its indexes unless they exist; waits until it is usable."""
        if self._ready:
            return
        client = self._resource().meta.client
        try:
            client.describe_table(TableName=self.table_name)
        except client.exceptions.ResourceNotFoundException:
            attributes = [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "ts", *_INDEXES.values())]
            try:
                client.create_table(
                    TableName=self.table_name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=attributes,
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    GlobalSecondaryIndexes=[
                        {"IndexName": index, "Projection": {"ProjectionType": "ALL"},
                         "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"},
                                       {"AttributeName": "ts", "KeyType": "RANGE"}]}
                        for index, attr in _INDEXES.items()])
            except client.exceptions.ResourceInUseException:
                pass  # another process created it first
            client.get_waiter("table_exists").wait(TableName=self.table_name,
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        self._ready = True

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # atomicity comes from the conditional put in _write

    # ---- alerts -------------------------------------------------------------------------------
    def _read(self, alert_id: str) -> Alert | None:
        item = self._table.get_item(Key={"pk": f"ALERT#{alert_id}", "sk": _ALERT_SK},
                                    ConsistentRead=True).get("Item")
        return Alert.from_json(item["doc"]) if item else None

    def _write(self, alert: Alert, expected_version: int | None) -> bool:
        from botocore.exceptions import ClientError

        item = {"pk": f"ALERT#{alert.id}", "sk": _ALERT_SK, "kind": "alert",
                "ts": f"{ts(alert.last_seen)}#{alert.id}", "status": alert.status.value,
                "severity": alert.severity.value, "rule_id": alert.rule_id, "version": alert.version,
                "doc": alert.to_json()}
        if alert.assignee:
            item["assignee"] = alert.assignee
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {"ConditionExpression": "version = :v",
                         "ExpressionAttributeValues": {":v": expected_version}}
        try:
            self._table.put_item(Item=item, **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
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
        items = self._query(IndexName="by_kind", KeyConditionExpression="kind = :k",
                            ExpressionAttributeValues={":k": "alert"}, ProjectionExpression="pk")
        return iter(sorted(i["pk"][len("ALERT#"):] for i in items))

    def _candidates(self, flt: AlertFilter) -> Iterator[Alert]:
        """Alerts from the most selective index; the caller still applies the whole filter."""
        if flt.status:
            keys = [("by_status", "status", s.value) for s in flt.status]
        elif flt.severity is not None:
            keys = [("by_severity", "severity", flt.severity.value)]
        elif flt.rule_id is not None:
            keys = [("by_rule", "rule_id", flt.rule_id)]
        else:
            keys = [("by_kind", "kind", "alert")]
        for index, attr, value in keys:
            condition, values = f"{attr} = :h", {":h": value}
            if flt.since is not None:
                condition += " AND ts >= :since"
                values[":since"] = ts(flt.since)
            for item in self._query(IndexName=index, KeyConditionExpression=condition,
                                    ExpressionAttributeValues=values):
                yield Alert.from_json(item["doc"])

    def _select(self, flt: AlertFilter, order: str, descending: bool, limit: int | None,
                offset: int) -> list[Alert]:
        found = [a for a in self._candidates(flt) if flt.matches(a)]
        found.sort(key=lambda a: (sort_value(a, order), a.id), reverse=descending)
        return found[offset:None if limit is None else offset + limit]

    def _count(self, flt: AlertFilter) -> int:
        return sum(1 for a in self._candidates(flt) if flt.matches(a))

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
        for item in self._query(IndexName="by_kind", KeyConditionExpression=condition,
                                ExpressionAttributeValues=values, ScanIndexForward=False):
            docs.append(item["doc"])
            if limit is not None and len(docs) >= limit:
                break
        return docs


STORES.register("dynamodb", DynamoDBStore)
