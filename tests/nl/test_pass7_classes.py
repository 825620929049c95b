"""Classes the offline translator reads since pass 7 of issue 25. Answered questions run through the guard and the
local engine and are compared with a reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

INTERNAL = "(dstaddr LIKE '10.%' OR dstaddr LIKE '192.168.%' OR regexp_like(dstaddr, '^172\\.(1[6-9]|2[0-9]|3[01])\\.'))"


@pytest.mark.parametrize(("question", "reference"), [
    ("which external ips did 10.10.0.69 connect to",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND NOT {INTERNAL}"),
    ("what public addresses has 10.10.0.69 talked to",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND NOT {INTERNAL}"),
    ("what internal addresses did 198.51.100.149 reach",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND {INTERNAL}"),
    ("which internal hosts did 198.51.100.149 connect to",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND {INTERNAL}"),
    ("from the bastion 10.10.0.69, which external hosts did it reach",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND NOT {INTERNAL}"),
])
def test_a_scoped_noun_as_the_object_of_an_address_is_its_far_end(engine, question: str, reference: str) -> None:
    # read as the sources, the scope and the address sat on one side: an empty answer
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which ips did 10.10.0.69 get connections from",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstaddr = '10.10.0.69'"),
    ("which ips did 10.10.0.69 get traffic from",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstaddr = '10.10.0.69'"),
    ("which external hosts did 10.10.0.69 see flows from",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstaddr = '10.10.0.69' AND NOT (srcaddr LIKE '10.%' OR "
     "srcaddr LIKE '192.168.%' OR regexp_like(srcaddr, '^172\\.(1[6-9]|2[0-9]|3[01])\\.'))"),
])
def test_getting_traffic_from_is_receiving_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["total bytes our machines sent out to the internet yesterday",
                                      "total bytes our servers sent to the internet yesterday",
                                      "how many bytes did our boxes send to the internet yesterday"])
def test_our_machines_in_traffic_are_our_addresses(engine, question: str) -> None:
    reference = ("SELECT sum(bytes) FROM vpc_flow WHERE srcaddr LIKE '10.%' AND dstaddr NOT LIKE '10.%' "
                 "AND start >= 1795046400 AND start < 1795132800")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["which machines talked to the internet the most? top 3",
                                      "which of our servers sent the most data out, top 3 by bytes",
                                      "bytes per machine to the internet"])
def test_machines_asked_for_may_be_instances_or_addresses(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["which 3 destination addresses received the most bytes",
                                      "which 3 dst addrs received the most bytes",
                                      "which 3 destination ips received the most bytes"])
def test_a_destination_noun_before_a_receiving_verb_is_read_once(engine, question: str) -> None:
    reference = "SELECT dstaddr, sum(bytes) AS b FROM vpc_flow GROUP BY 1 ORDER BY b DESC, dstaddr LIMIT 3"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("busiest 3 roles by number of events",
     "SELECT useridentity.sessioncontext.sessionissuer.username, count(*) AS n FROM cloudtrail "
     "WHERE useridentity.type = 'AssumedRole' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3"),
    ("the busiest 2 source ips",
     "SELECT sourceipaddress, count(*) AS n FROM cloudtrail GROUP BY 1 ORDER BY n DESC, 1 LIMIT 2"),
    ("quietest 3 hosts by flow count",
     "SELECT srcaddr, count(*) AS n FROM vpc_flow GROUP BY 1 ORDER BY n, 1 LIMIT 3"),
])
def test_a_number_after_busiest_is_the_top_n(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("events per useridentity.type", "SELECT useridentity.type, count(*) FROM cloudtrail GROUP BY 1"),
    ("number of events per user type (useridentity.type)", "SELECT useridentity.type, count(*) FROM cloudtrail GROUP BY 1"),
    ("events by account (recipientaccountid)", "SELECT recipientaccountid, count(*) FROM cloudtrail GROUP BY 1"),
    ("count of events per useridentity.username",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE useridentity.username IS NOT NULL GROUP BY 1"),
    ("which useridentity.arn called GetSecretValue",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'GetSecretValue'"),
])
def test_a_column_written_as_the_logs_name_it_is_a_column_not_a_user(engine, question: str, reference: str) -> None:
    # dotted, it has a user's shape: "events per useridentity.type" filtered on a user called 'useridentity.type'
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("console logins grouped by user and whether mfa was used",
     "SELECT useridentity.username, json_extract_scalar(additionaleventdata, '$.MFAUsed'), count(*) FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND useridentity.username IS NOT NULL GROUP BY 1, 2"),
    ("console logins by whether mfa was used",
     "SELECT json_extract_scalar(additionaleventdata, '$.MFAUsed'), count(*) FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' GROUP BY 1"),
])
def test_whether_mfa_was_used_is_the_mfa_column(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
