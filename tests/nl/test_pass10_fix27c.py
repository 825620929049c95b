"""'calls broken down by event name, with counts': 'with counts' beside a grouping already said is the count the
grouping gives (dev and dev27 golds), not a second 'count per' that left the grouping reading 'by count per …'."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize(("question", "reference"), [
    ("192.0.2.238 calls broken down by event name, with counts",
     "SELECT eventname, count(*) AS calls FROM cloudtrail WHERE sourceipaddress = '192.0.2.238' GROUP BY eventname"),
    ("guardduty findings by type, with counts",
     "SELECT type, count(*) AS findings FROM guardduty GROUP BY type"),
    ("calls per region with their counts",
     "SELECT awsregion, count(*) AS calls FROM cloudtrail GROUP BY awsregion"),
])
def test_with_counts_after_a_grouping_is_that_grouping(engine, question: str, reference: str) -> None:
    assert "GROUP BY" in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_with_counts_without_a_grouping_still_counts_per_value() -> None:
    sql = translate("event names with counts for 192.0.2.238", DEMO_NOW)[0]
    assert "GROUP BY" in sql and "eventname" in sql


# "did 192.0.2.88 ever get in? successful console logins from that ip": the sign-ins said again after 'get in' are
# the same successful sign-ins (m037 in dev, ac031 in dev27), and 'got into the console' is 'got in' by the console
_GOT_IN = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
           "FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
           "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'")


@pytest.mark.parametrize("question", [
    "did 192.0.2.88 ever get in? successful console logins from that ip",
    "did 192.0.2.88 ever actually get in?",
    "did 192.0.2.88 get in - show the console logins",
])
def test_got_in_with_the_sign_ins_said_again(engine, question: str) -> None:
    assert same_rows(engine, question, _GOT_IN + " AND sourceipaddress = '192.0.2.88'") > 0


def test_got_into_the_console_without_mfa_is_who_signed_in_without_it(engine) -> None:
    question = "who got into the console without mfa"
    sql = translate(question, DEMO_NOW)[0]
    assert "MFAUsed" in sql and "'Success'" in sql
    reference = ("SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND "
                 "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success' AND "
                 "json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'")
    same_rows(engine, question, reference)


@pytest.mark.parametrize("question", [
    "did 192.0.2.88 ever get in? failed console logins from that ip",
    "who got into the console w/o mfa - list those logins",
])
def test_got_in_beside_failed_or_unread_rows_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)
