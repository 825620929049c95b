"""Classes of dev23's wrong answers (pass 7): two named values set against each other, a time alone as a
follow-up, unauthenticated callers, "which X …, and how many", a key's owner asked after the keys, and a condition
on how many distinct values each one has. Answers are compared with reference rows; refusals assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize(("question", "reference"), [
    ("s3 calls in 776471095852 vs 426676542884",
     "SELECT recipientaccountid, count(*) FROM cloudtrail WHERE eventsource = 's3.amazonaws.com' "
     "AND recipientaccountid IN ('776471095852', '426676542884') GROUP BY 1"),
    ("access denied errors: 569653782390 vs 426676542884",
     "SELECT recipientaccountid, count(*) FROM cloudtrail WHERE errorcode IN ('AccessDenied', 'AccessDeniedException', "
     "'Client.UnauthorizedOperation', 'UnauthorizedOperation') AND recipientaccountid IN ('569653782390', '426676542884') "
     "GROUP BY 1"),
    ("bytes in the flow logs, 776471095852 against 426676542884",
     "SELECT account_id, sum(bytes) FROM vpc_flow WHERE account_id IN ('776471095852', '426676542884') GROUP BY 1"),
    ("findings in 776471095852 versus 426676542884",
     "SELECT accountid, count(*) FROM guardduty WHERE accountid IN ('776471095852', '426676542884') GROUP BY 1"),
    ("console logins in 569653782390 vs 426676542884",
     "SELECT recipientaccountid, count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "AND recipientaccountid IN ('569653782390', '426676542884') GROUP BY 1"),
])
def test_two_values_set_against_each_other_are_compared_by_count(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_listing_of_values_set_against_each_other_is_refused() -> None:
    with pytest.raises(TranslationError, match="against each other"):
        translate("which ips in 569653782390 vs 426676542884", DEMO_NOW)


@pytest.mark.parametrize("question", ["and yesterday?", "and last week?", "then the last 3 days?", "also yesterday"])
def test_a_time_alone_after_and_is_a_follow_up(question: str) -> None:
    with pytest.raises(TranslationError, match="follow-up"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("when did unauthenticated reads of s3 start, first one",
     "SELECT min(eventtime) FROM cloudtrail WHERE useridentity.accountid = 'anonymous'"),
    ("unauthenticated requests per source ip",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE useridentity.accountid = 'anonymous' GROUP BY 1"),
    ("count of unauthenticated GetObject on tyrell-backups-33c922 per source ip",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE useridentity.accountid = 'anonymous' "
     "AND eventname = 'GetObject' AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922' "
     "GROUP BY 1"),
    ("unauthenticated s3 requests per bucket",
     "SELECT json_extract_scalar(requestparameters, '$.bucketName'), count(*) FROM cloudtrail "
     "WHERE useridentity.accountid = 'anonymous' AND json_extract_scalar(requestparameters, '$.bucketName') IS NOT NULL "
     "GROUP BY 1"),
])
def test_unauthenticated_callers_are_anonymous_ones(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


_DENIED = "('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"


@pytest.mark.parametrize(("question", "reference"), [
    ("which services had access denied errors, and how many",
     f"SELECT eventsource, count(*) FROM cloudtrail WHERE errorcode IN {_DENIED} GROUP BY 1"),
    ("which ips failed console logins and how many",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure' GROUP BY 1"),
    ("which regions had errors, and how many",
     "SELECT awsregion, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1"),
])
def test_which_values_and_how_many_counts_each_value(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_how_many_values_is_still_their_number(engine) -> None:
    reference = "SELECT count(DISTINCT sourceipaddress) FROM cloudtrail WHERE useridentity.username = 'alice.nguyen'"
    assert same_rows(engine, "IPs used by alice.nguyen, how many?", reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which access keys are active and whose are they",
     "SELECT DISTINCT useridentity.arn, useridentity.accesskeyid FROM cloudtrail WHERE useridentity.accesskeyid <> ''"),
    ("which AKIA keys were used, and whose are they",
     "SELECT DISTINCT useridentity.arn, useridentity.accesskeyid FROM cloudtrail "
     "WHERE useridentity.accesskeyid LIKE 'AKIA%'"),
    ("access keys used in 776471095852 and whose were they",
     "SELECT DISTINCT useridentity.arn, useridentity.accesskeyid FROM cloudtrail WHERE useridentity.accesskeyid <> '' "
     "AND recipientaccountid = '776471095852'"),
])
def test_whose_after_keys_adds_their_owner(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["services that only show up in one account", "regions used in only one account",
                                      "event names seen in just one region", "ips that appear in only one account"])
def test_a_condition_on_only_one_distinct_value_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="how many distinct"):
        translate(question, DEMO_NOW)


def test_exactly_one_distinct_value_is_still_read(engine) -> None:
    reference = ("SELECT useridentity.arn, count(DISTINCT awsregion) FROM cloudtrail GROUP BY 1 "
                 "HAVING count(DISTINCT awsregion) = 1")
    assert same_rows(engine, "principals active in exactly one region", reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("when was the public access block removed and from which bucket",
     "SELECT eventtime, json_extract_scalar(requestparameters, '$.bucketName') FROM cloudtrail "
     "WHERE eventname = 'DeleteBucketPublicAccessBlock'"),
    ("when was StopLogging called and from which ip",
     "SELECT eventtime, sourceipaddress FROM cloudtrail WHERE eventname = 'StopLogging'"),
    ("when did CreateUser happen and in what region",
     "SELECT eventtime, awsregion FROM cloudtrail WHERE eventname = 'CreateUser'"),
])
def test_when_and_which_value_lists_each_time_beside_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


_MFA = "useridentity.sessioncontext.attributes.mfaauthenticated = 'true'"


@pytest.mark.parametrize(("question", "reference"), [
    ("how many api calls were made from mfa-authenticated sessions", f"SELECT count(*) FROM cloudtrail WHERE {_MFA}"),
    ("calls from mfa authenticated sessions per user",
     f"SELECT useridentity.arn, count(*) FROM cloudtrail WHERE {_MFA} GROUP BY 1"),
    ("which principals made calls from mfa-protected sessions",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_MFA}"),
    ("mfa-authenticated console logins",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'Yes'"),
])
def test_mfa_authenticated_is_the_mfa_flag_not_a_name(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
