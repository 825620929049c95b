"""The outbox in the DynamoDB store: three more item types in the same single table.

    item         pk                      sk                  other attributes
    routed       ROUTING                 ALERT#<alert id>    routed_version (N), routed_at
    delivery     DELIVERY#<id>           #DELIVERY           kind="delivery", ts, dstatus, attempts (N),
                                                             alert_id, destination, doc
    attempt      ATTEMPT#<delivery id>   <at>#<attempt>      kind="attempt", ts, doc

Deliveries and attempts are listed through the existing `by_kind` index (kind + ts, ts = created or
attempted time), so no index is added to tables made before the outbox existed. Delivery items use
`dstatus`, not `status`, to stay out of the alerts' sparse `by_status` index.

Enqueueing is not one transaction here (a conditional put that finds its item already present
would cancel a TransactWriteItems), but it does not need to be: each delivery is a put conditioned
on `attribute_not_exists(pk)`, and the routed version moves only after all of them landed, so a
crash in between leaves the alert unrouted and the next pass re-puts the same ids, which no-op.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

_ROUTING, _DELIVERY_SK = "ROUTING", "#DELIVERY"


def _conditional_failed(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoDBOutbox(Outbox):
    """Mixed into DynamoDBStore; uses its `_table` and `_query`."""

    _table: Any
    _query: Any

    def _delivery_item(self, d: Delivery) -> dict[str, Any]:
        return {"pk": f"DELIVERY#{d.id}", "sk": _DELIVERY_SK, "kind": "delivery",
                "ts": f"{ts(d.created_at)}#{d.id}", "dstatus": d.status.value, "attempts": d.attempts,
                "alert_id": d.alert_id, "destination": d.destination, "doc": d.to_json()}

    def _put_new(self, item: dict[str, Any]) -> bool:
        """Put the item unless one with its key exists; True when it was put."""
        from botocore.exceptions import ClientError

        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            return False
        return True

    def _insert_delivery(self, delivery: Delivery) -> bool:
        return self._put_new(self._delivery_item(delivery))

    def _enqueue(self, alert_id: str, version: int, deliveries: Sequence[Delivery]) -> list[str]:
        from botocore.exceptions import ClientError

        added = [d.id for d in deliveries if self._insert_delivery(d)]
        try:
            self._table.update_item(
                Key={"pk": _ROUTING, "sk": f"ALERT#{alert_id}"},
                UpdateExpression="SET routed_version = :v, routed_at = :now",
                ConditionExpression="attribute_not_exists(routed_version) OR routed_version < :v",
                ExpressionAttributeValues={":v": version, ":now": ts(parse_time("now"))})
        except ClientError as exc:
            if not _conditional_failed(exc):  # already routed this far: nothing to move
                raise
        return added

    def routed_versions(self) -> dict[str, int]:
        items = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                            ExpressionAttributeValues={":pk": _ROUTING})
        return {i["sk"][len("ALERT#"):]: int(i["routed_version"]) for i in items}

    def routed_marks(self) -> dict[str, tuple[int, datetime]]:
        items = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                            ExpressionAttributeValues={":pk": _ROUTING})
        return {i["sk"][len("ALERT#"):]: (int(i["routed_version"]), parse_time(i["routed_at"])) for i in items}

    def _raise_routed(self, alert_id: str, version: int, routed_at: datetime) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._table.update_item(
                Key={"pk": _ROUTING, "sk": f"ALERT#{alert_id}"},
                UpdateExpression="SET routed_version = :v, routed_at = :at",
                ConditionExpression="attribute_not_exists(routed_version) OR routed_version < :v",
                ExpressionAttributeValues={":v": version, ":at": ts(routed_at)})
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            return False
        return True

    def _unrouted_ids(self) -> list[str]:
        routed = self.routed_versions()
        from workbench.alerts.dynamodb_layout import SHARDS

        # Every alert's version, from the sharded all-alerts index (it projects `version` for this).
        items = (i for shard in range(SHARDS) for i in self._query(
            IndexName="q_all", KeyConditionExpression="q_all = :p", ExpressionAttributeValues={":p": f"ALL#{shard}"},
            ProjectionExpression="pk, #v", ExpressionAttributeNames={"#v": "version"}))
        return [i["pk"][len("ALERT#"):] for i in items
                if int(i["version"]) > routed.get(i["pk"][len("ALERT#"):], 0)]

    def _cas_delivery(self, delivery: Delivery, expected_status: DeliveryStatus, expected_attempts: int) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._table.put_item(Item=self._delivery_item(delivery),
                                 ConditionExpression="dstatus = :s AND attempts = :a",
                                 ExpressionAttributeValues={":s": expected_status.value, ":a": expected_attempts})
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _attempt_item(attempt: DeliveryAttempt) -> dict[str, Any]:
        at = ts(attempt.at)
        return {"pk": f"ATTEMPT#{attempt.delivery_id}", "sk": f"{at}#{attempt.attempt:06d}", "kind": "attempt",
                "ts": f"{at}#{attempt.delivery_id}#{attempt.attempt:06d}", "doc": attempt.model_dump_json()}

    def _put_attempt(self, attempt: DeliveryAttempt) -> None:
        self._table.put_item(Item=self._attempt_item(attempt))

    def _insert_attempt(self, attempt: DeliveryAttempt) -> bool:
        return self._put_new(self._attempt_item(attempt))

    def get_delivery(self, delivery_id: str) -> Delivery:
        item = self._table.get_item(Key={"pk": f"DELIVERY#{delivery_id}", "sk": _DELIVERY_SK},
                                    ConsistentRead=True).get("Item")
        if item is None:
            raise DeliveryNotFound(delivery_id)
        return Delivery.from_json(item["doc"])

    def _delivery_items(self) -> Iterator[dict[str, Any]]:
        return self._query(IndexName="by_kind", KeyConditionExpression="kind = :k",
                           ExpressionAttributeValues={":k": "delivery"}, ScanIndexForward=False)

    def deliveries(self, status: str | Sequence[str] | None = None, alert_id: str | None = None,
                   destination: str | None = None, limit: int | None = 100) -> list[Delivery]:
        wanted = status_values(status)
        found = []
        # The index is eventually consistent; the filters apply to the item attributes it projects.
        for item in self._delivery_items():
            if (wanted is not None and item["dstatus"] not in wanted) or \
                    (alert_id is not None and item["alert_id"] != alert_id) or \
                    (destination is not None and item["destination"] != destination):
                continue
            found.append(Delivery.from_json(item["doc"]))
            if limit is not None and len(found) >= limit:
                break
        return found

    def delivery_attempts(self, since: datetime | str | None = None,
                          until: datetime | str | None = None) -> list[DeliveryAttempt]:
        condition, values = "kind = :k", {":k": "attempt"}
        if since is not None and until is not None:
            condition += " AND ts BETWEEN :lo AND :hi"
            values |= {":lo": ts(parse_time(since)), ":hi": ts(parse_time(until))}
        elif since is not None:
            condition += " AND ts >= :lo"
            values[":lo"] = ts(parse_time(since))
        elif until is not None:
            condition += " AND ts < :hi"
            values[":hi"] = ts(parse_time(until))
        attempts = [DeliveryAttempt.model_validate_json(i["doc"])
                    for i in self._query(IndexName="by_kind", KeyConditionExpression=condition,
                                         ExpressionAttributeValues=values)]
        # BETWEEN is inclusive and ts carries a suffix: trim to the half-open window exactly.
        hi = parse_time(until) if until is not None else None
        return [a for a in attempts if hi is None or a.at < hi]
