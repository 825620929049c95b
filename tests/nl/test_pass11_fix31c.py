"""Pass 11, dev31's CloudTrail misses: the readings below, each backed by the golds of the sets named
(the "? -" list and the clause after "time" follow tests/nl/README.md's conventions with one dev31 gold each).

- "source ip(s) of X": the plural marker "(s)" asks for every value, as the plural does (a silent drop before);
- "X -> which buckets did it GetObject from?": the name a later "did it" stands for acted (dev5, dev12, dev24, dev31);
- "how many distinct ips hit <bucket>": a bucket-shaped name that is hit is the bucket (dev5, dev11, dev31); so is a
  name ending in the lake's 6-hex bucket suffix whose requests or calls are asked ("<bucket> requests per day", dev31);
- "who created an access key for X? - who, when, from which ip": the list after "? -" is a list of columns;
- "which api calls did instance i-… make (its role session)": the gloss says the instance acted (dev20, dev31);
- "time the public access block got deleted on X?": a clause after "time" asks when;
- "which arns called GetSecretValue": an ARN alone is the caller's, as "distinct arns" reads it (dev27, dev28, dev31).
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


def test_plural_marker_keeps_the_column(engine) -> None:
    reference = "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = 'svc-reporting'"
    assert same_rows(engine, "source ip(s) of svc-reporting?", reference) > 0
    assert same_rows(engine, "source ips of svc-reporting?", reference) > 0


@pytest.mark.parametrize("question", [
    "terraform-runner-aed5 -> which buckets did it GetObject from?",
    "terraform-runner-aed5: which buckets did it GetObject from?",
])
def test_a_name_that_did_it_is_the_actor(engine, question: str) -> None:
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.bucketName') AS bucket FROM cloudtrail "
                 "WHERE useridentity.username = 'terraform-runner-aed5' AND eventname = 'GetObject'")
    assert same_rows(engine, question, reference) > 0


def test_the_bucket_read_by_it_stays_the_bucket() -> None:
    sql = translate("tyrell-backups-33c922: who read it", DEMO_NOW)[0]
    assert "bucketName') = 'tyrell-backups-33c922'" in sql


def test_a_bucket_hit_is_the_bucket(engine) -> None:
    reference = ("SELECT count(DISTINCT sourceipaddress) AS addresses FROM cloudtrail "
                 "WHERE json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-data-lake-33c922'")
    assert same_rows(engine, "how many distinct ips hit tyrell-data-lake-33c922", reference) > 0


def test_requests_of_a_bucket_shaped_name_are_the_bucket_s(engine) -> None:
    reference = ("SELECT date_trunc('day', from_iso8601_timestamp(eventtime)) AS day, count(*) AS requests FROM cloudtrail "
                 "WHERE json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-test-fixtures-c405fb' "
                 "GROUP BY 1 ORDER BY 1")
    assert same_rows(engine, "tyrell-test-fixtures-c405fb requests per day", reference) > 0
    # a user's name is no bucket: the requests it made
    assert "useridentity.username = 'svc-reporting'" in translate("svc-reporting requests per day", DEMO_NOW)[0]


def test_a_list_after_a_question_mark_and_a_dash(engine) -> None:
    reference = ("SELECT useridentity.arn, eventtime, sourceipaddress FROM cloudtrail WHERE eventname = 'CreateAccessKey' "
                 "AND json_extract_scalar(requestparameters, '$.userName') = 'lena.garcia'")
    assert same_rows(engine, "who created an access key for lena.garcia? - who, when, from which ip", reference) > 0


def test_an_instance_glossed_as_its_role_session_acted(engine) -> None:
    reference = "SELECT DISTINCT eventname FROM cloudtrail WHERE useridentity.arn LIKE '%/i-9bb7939b0bfe31f31'"
    assert same_rows(engine, "which api calls did instance i-9bb7939b0bfe31f31 make (its role session)", reference) > 0
    # without the gloss the instance is what the calls name, as before
    assert "useridentity.arn" not in translate("which api calls did instance i-9bb7939b0bfe31f31 make", DEMO_NOW)[0]


def test_time_before_a_clause_asks_when(engine) -> None:
    reference = ("SELECT min(eventtime) AS removed_at FROM cloudtrail WHERE json_extract_scalar(requestparameters, "
                 "'$.bucketName') = 'tyrell-backups-33c922' AND eventname = 'DeleteBucketPublicAccessBlock'")
    assert same_rows(engine, "time the public access block got deleted on tyrell-backups-33c922?", reference) > 0
    sql = translate("time of the latest guardduty finding", DEMO_NOW)[0]
    assert "MAX(updatedat)" in sql


@pytest.mark.parametrize("question", [
    "which arns called GetSecretValue on prod/billing/api",
    "arns seen calling from 192.0.2.238 (distinct)",
])
def test_an_arn_alone_is_the_caller_s(question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert sql.startswith("SELECT DISTINCT\n  useridentity.arn AS principal\nFROM")


def test_role_and_policy_arns_stay_theirs() -> None:
    sql = translate("which policies were attached to users or roles? give me the policy arns", DEMO_NOW)[0]
    assert "policyArn" in sql and "useridentity.arn" not in sql


def test_calls_of_a_bucket_suffixed_name_are_the_bucket_s(engine) -> None:
    reference = ("SELECT eventname, count(*) AS calls FROM cloudtrail WHERE json_extract_scalar(requestparameters, "
                 "'$.bucketName') = 'tyrell-invoices-33c922' GROUP BY eventname ORDER BY calls DESC")
    assert same_rows(engine, "tyrell-invoices-33c922 calls by event name", reference) > 0
    assert "useridentity.username = 'terraform-runner-aed5'" in translate(
        "terraform-runner-aed5 calls by event name", DEMO_NOW)[0]
