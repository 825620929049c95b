"""Which hours of which table the lake refresh has published: one small record per table and hour.

Kept where the workspace keeps state (`store.backend`): `state/lake_refresh.json` beside the
SQLite stores, or the DynamoDB table `<table_prefix>lake-refresh` (pk = table, sk = the hour)
beside the alert table. A record is written only after the hour's files are in the lake, so an
interrupted refresh leaves its hour unrecorded and the next scheduled run does it again.
Only the refresh job writes (one at a time: its job lock).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.alerts.dynamoaccess import DynamoDBAccess
from workbench.config import Settings
from workbench.registry import Registry

CHECKPOINT_STORES: Registry = Registry("lake refresh checkpoint store")


@dataclass(frozen=True)
class HourDone:
    table: str
    hour: str  # 'YYYY-MM-DDTHH', UTC
    files: int
    bytes: int
    query_id: str
    finished: str  # ISO time the hour was published


def hour_key(hour: datetime) -> str:
    return hour.astimezone(UTC).strftime("%Y-%m-%dT%H")


class CheckpointStore:
    def mark(self, record: HourDone) -> None:
        raise NotImplementedError

    def done(self, table: str) -> dict[str, HourDone]:
        """Every published hour of `table`, by hour key."""
        raise NotImplementedError

    def last(self, table: str) -> str | None:
        hours = self.done(table)
        return max(hours) if hours else None


@CHECKPOINT_STORES.register("sqlite")
class FileCheckpoints(CheckpointStore):
    """A JSON file under state/: small (one line per hour, ~9k a year per table), rewritten whole."""

    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.state) / "lake_refresh.json"

    def _read(self) -> dict[str, dict[str, dict[str, Any]]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.path}: line {exc.lineno}: not valid JSON ({exc.msg}); "
                             "move the file aside to refresh every hour again") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: expected an object of tables; move the file aside to start over")
        return data

    def mark(self, record: HourDone) -> None:
        data = self._read()
        data.setdefault(record.table, {})[record.hour] = asdict(record)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(json.dumps(data, indent=0, sort_keys=True))
        os.replace(partial, self.path)  # a crash leaves the old file whole, never half a new one

    def done(self, table: str) -> dict[str, HourDone]:
        return {hour: HourDone(**fields) for hour, fields in self._read().get(table, {}).items()}


@CHECKPOINT_STORES.register("dynamodb")
class DynamoDBCheckpoints(DynamoDBAccess, CheckpointStore):
    def __init__(self, settings: Settings) -> None:
        self._init_access(settings, f"{settings.store.table_prefix}lake-refresh")
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

    def mark(self, record: HourDone) -> None:
        self._table.put_item(Item={"pk": record.table, "sk": record.hour, **asdict(record)})

    def done(self, table: str) -> dict[str, HourDone]:
        from boto3.dynamodb.conditions import Key

        out: dict[str, HourDone] = {}
        request: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(table), "ConsistentRead": True}
        while True:
            page = self._table.query(**request)
            for item in page["Items"]:
                out[item["sk"]] = HourDone(table=item["table"], hour=item["hour"], files=int(item["files"]),
                                           bytes=int(item["bytes"]), query_id=item["query_id"],
                                           finished=item["finished"])
            if "LastEvaluatedKey" not in page:
                return out
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def checkpoint_store(settings: Settings) -> CheckpointStore:
    return CHECKPOINT_STORES.get(settings.store.backend)(settings)
