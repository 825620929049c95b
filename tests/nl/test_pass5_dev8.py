"""Classes the offline translator reads, or refuses, since the dev8 misses (a realistic week of issue 25).

Phrasings here are written for the class, not copied from dev8; answered questions run on the demo lake and
are compared with a reference query written here, refusals assert their reason.
"""

from __future__ import annotations

import pytest

from .conftest import same_rows


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
