"""The moto server the tests share behaves as DynamoDB does where the alert store relies on it: a
transaction whose condition fails changes nothing, and in particular does not undo another
request's committed write (moto's own transact_write_items restores a snapshot of the whole table;
tests/conftest.py serialises its writes)."""

from __future__ import annotations

import threading
import uuid

import boto3
from botocore.exceptions import ClientError


def test_a_failed_transaction_never_undoes_another_write(aws_env: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=aws_env)
    table = f"race-{uuid.uuid4().hex[:8]}"
    client.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName=table, Item={"pk": {"S": "contended"}, "version": {"N": "0"}})
    stop = threading.Event()

    def lose_races() -> None:  # a writer whose condition never holds, as a racer that lost
        loser = boto3.client("dynamodb", endpoint_url=aws_env)
        while not stop.is_set():
            try:
                loser.transact_write_items(TransactItems=[{"Put": {
                    "TableName": table, "Item": {"pk": {"S": "contended"}, "version": {"N": "1"}},
                    "ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": {"N": "9"}}}}])
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "TransactionCanceledException"

    losers = [threading.Thread(target=lose_races) for _ in range(2)]
    for thread in losers:
        thread.start()
    try:
        for n in range(300):
            client.put_item(TableName=table, Item={"pk": {"S": f"kept-{n}"}})
    finally:
        stop.set()
        for thread in losers:
            thread.join(timeout=30)
    kept = {item["pk"]["S"] for page in client.get_paginator("scan").paginate(TableName=table)
            for item in page["Items"]}
    assert kept == {"contended"} | {f"kept-{n}" for n in range(300)}
