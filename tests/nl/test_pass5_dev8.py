"""Classes the offline translator reads, or refuses, since the dev8 misses (a realistic week of issue 25).

Phrasings here are written for the class, not copied from dev8; answered questions run on the demo lake and
are compared with a reference query written here, refusals assert their reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", [
    "total bytes and total packets to port 443",
    "sum of packets and sum of bytes sent to port 443",
])
def test_two_totals_each_with_its_own_word_are_both_summed(engine, question: str) -> None:
    reference = "SELECT sum(bytes) AS b, sum(packets) AS p FROM vpc_flow WHERE dstport = 443"
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize("question", [
    "top 3 destination addresses by packet count",
    "top 3 dest ips by packet count",
])
def test_packet_in_the_singular_is_the_flows_packets(engine, question: str) -> None:
    reference = ("SELECT dstaddr, sum(packets) AS p FROM vpc_flow GROUP BY dstaddr ORDER BY p DESC, dstaddr LIMIT 3")
    assert same_rows(engine, question, reference) == 3


@pytest.mark.parametrize("question", [
    "region + count for each ListBuckets",
    "source ip + count of ListBuckets calls",
])
def test_a_plus_between_words_lists_columns(engine, question: str) -> None:
    column = "awsregion" if "region" in question else "sourceipaddress"
    reference = f"SELECT {column}, count(*) FROM cloudtrail WHERE eventname = 'ListBuckets' GROUP BY {column}"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "latest finding for account 776471095852",
    "the newest guardduty finding in 776471095852",
])
def test_the_latest_finding_of_an_entity_is_its_row(engine, question: str) -> None:
    reference = ("SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty "
                 "WHERE accountid = '776471095852' ORDER BY updatedat DESC, id DESC LIMIT 1")
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize("question", [
    "number of api errors per region",
    "count of api failures by event source",
])
def test_api_before_errors_says_whose_errors_not_a_column_counted(engine, question: str) -> None:
    column = "awsregion" if "region" in question else "eventsource"
    reference = f"SELECT {column}, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY {column}"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "GetObjects per region",
    "how many ListBuckets per hour",
    "count of GetObjects per region",
])
def test_a_known_call_in_the_plural_is_that_call(engine, question: str) -> None:
    call = "GetObject" if "GetObject" in question else "ListBuckets"
    column = "substr(eventtime, 1, 13)" if "hour" in question else "awsregion"
    reference = f"SELECT {column}, count(*) FROM cloudtrail WHERE eventname = '{call}' GROUP BY {column}"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "which principals called ListBuckets, together with the source ip they came from",
    "distinct callers of ListBuckets along with their source ip",
])
def test_together_with_a_column_adds_it_beside_the_values(engine, question: str) -> None:
    reference = "SELECT DISTINCT useridentity.arn, sourceipaddress FROM cloudtrail WHERE eventname = 'ListBuckets'"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "ListBuckets calls by svc-reporting in 30 minute buckets",
    "ListBuckets volume for svc-reporting in hourly buckets",
])
def test_time_buckets_do_not_make_a_name_a_bucket(question: str) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert "bucketName" not in sql and "svc-reporting" in sql


@pytest.mark.parametrize("question", [
    "flows hitting i-0123456789abcdef0 per hour",
    "how many connections reached eni-0123456789abcdef0 yesterday",
])
def test_flows_hitting_an_interface_refuse_the_direction(question: str) -> None:
    with pytest.raises(TranslationError, match="inbound"):
        translate(question, DEMO_NOW)
