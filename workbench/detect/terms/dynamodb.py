"""Term state in DynamoDB, `<table_prefix>terms`, beside the team's alert table.

    pk = RULE#<rule id>#<shard 0-15>   sk = TERM#<sha256 of the term>   term, first_seen, last_seen,
                                                                        new_at, expires_at (TTL)
    pk = RULE#<rule id>                sk = #BASELINE                   start, through

Terms are spread over 16 partitions per rule so a rule with millions of terms has no hot key;
every read is by key (BatchGetItem), so the shards cost nothing. A term expires through
DynamoDB's TTL at `last_seen + history`; TTL deletes lazily (within days), and the evaluation
already treats a term unseen for `history` as new, so `purge` has nothing to do here.
Only the scheduled detect job writes (one at a time: its job lock), so a read-merge-write is safe.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from workbench.alerts.dynamoaccess import DynamoDBAccess
from workbench.config import Settings
from workbench.detect.terms.base import TERM_STORES, Baseline, TermState, TermStore
from workbench.detect.terms.sqlite import _text, _time

SHARDS = 16
BATCH_GET = 100
DEFAULT_TTL = timedelta(days=90)


def _sk(term: str) -> str:
    return "TERM#" + hashlib.sha256(term.encode()).hexdigest()


def _pk(rule_id: str, term: str) -> str:
    return f"RULE#{rule_id}#{int(hashlib.sha256(term.encode()).hexdigest()[:4], 16) % SHARDS}"


@TERM_STORES.register("dynamodb")
class DynamoDBTermStore(DynamoDBAccess, TermStore):
    def __init__(self, settings: Settings, ttl: timedelta = DEFAULT_TTL) -> None:
        super().__init__(settings)
        self._init_access(settings, f"{settings.store.table_prefix}terms")
        self.ttl = ttl
        self._local = threading.local()
        self._create_table()

    def _create_table(self) -> None:
        client = self._resource().meta.client
        try:
            client.describe_table(TableName=self.table_name)
            return
        except client.exceptions.ResourceNotFoundException:
            pass
        try:
            client.create_table(
                TableName=self.table_name, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
        except client.exceptions.ResourceInUseException:
            pass  # another process created it first
        client.get_waiter("table_exists").wait(TableName=self.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        client.update_time_to_live(TableName=self.table_name,
                                   TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})

    def _get_many(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for i in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {self.table_name: {"Keys": keys[i:i + BATCH_GET], "ConsistentRead": True}}
            while request:
                answer = self._resource().batch_get_item(RequestItems=request)
                items += answer["Responses"].get(self.table_name, [])
                request = answer.get("UnprocessedKeys") or {}
        return items

    def lookup(self, rule_id: str, keys: Iterable[str]) -> dict[str, TermState]:
        keys = list(dict.fromkeys(keys))
        items = self._get_many([{"pk": _pk(rule_id, k), "sk": _sk(k)} for k in keys])
        return {item["term"]: TermState(_time(item["first_seen"]), _time(item["last_seen"]),  # type: ignore[arg-type]
                                        _time(item.get("new_at")))
                for item in items}

    def record(self, rule_id: str, sightings: Mapping[str, TermState], replace_keys: Iterable[str] = ()) -> None:
        fresh = set(replace_keys)
        current = self.lookup(rule_id, [k for k in sightings if k not in fresh])
        with self._table.batch_writer() as batch:
            for key, seen in sightings.items():
                state = current[key].merged(seen) if key in current else seen
                item = {"pk": _pk(rule_id, key), "sk": _sk(key), "term": key,
                        "first_seen": _text(state.first_seen), "last_seen": _text(state.last_seen),
                        "expires_at": int((state.last_seen + self.ttl).timestamp())}
                if state.new_at is not None:
                    item["new_at"] = _text(state.new_at)
                batch.put_item(Item=item)

    def purge(self, rule_id: str, last_seen_before: datetime) -> int:
        return 0  # TTL expires them (see the module docstring)

    def forget(self, rule_id: str) -> None:
        from boto3.dynamodb.conditions import Key

        with self._table.batch_writer() as batch:
            for pk in [f"RULE#{rule_id}", *(f"RULE#{rule_id}#{s}" for s in range(SHARDS))]:
                kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(pk),
                                          "ProjectionExpression": "pk, sk"}
                while True:
                    page = self._table.query(**kwargs)
                    for item in page["Items"]:
                        batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                    if "LastEvaluatedKey" not in page:
                        break
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def baseline(self, rule_id: str) -> Baseline | None:
        item = self._table.get_item(Key={"pk": f"RULE#{rule_id}", "sk": "#BASELINE"}, ConsistentRead=True).get("Item")
        return Baseline(_time(item["start"]), _time(item["through"])) if item else None  # type: ignore[arg-type]

    def set_baseline(self, rule_id: str, baseline: Baseline) -> None:
        self._table.put_item(Item={"pk": f"RULE#{rule_id}", "sk": "#BASELINE", "start": _text(baseline.start),
                                   "through": _text(baseline.through)})

    def size(self, rule_id: str | None = None) -> int:
        # DynamoDB keeps an approximate item count (refreshed about every 6 hours); exact counts would
        # read every term. Per rule: a COUNT query per shard (reads keys only).
        if rule_id is None:
            return int(self._resource().meta.client.describe_table(TableName=self.table_name)["Table"]["ItemCount"])
        from boto3.dynamodb.conditions import Key

        total = 0
        for shard in range(SHARDS):
            kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"RULE#{rule_id}#{shard}"), "Select": "COUNT"}
            while True:
                page = self._table.query(**kwargs)
                total += page["Count"]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return total
