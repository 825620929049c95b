"""Classes of wrong answers found by dev16 (written blind): each answered wording runs through the guard and the
local engine against a reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_NO_MFA = "json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'"


@pytest.mark.parametrize(("question", "reference"), [
    ("console logins w/out mfa, per user",
     f"SELECT useridentity.username, count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND {_NO_MFA} "
     "GROUP BY 1"),
    ("W/out MFA console sign-ins",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     f"WHERE eventname = 'ConsoleLogin' AND {_NO_MFA}"),
    ("failed logins w/out mfa",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     f"WHERE eventname = 'ConsoleLogin' AND {_NO_MFA} "
     "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'"),
])
def test_w_out_is_without(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) >= 0
    assert "w/out" not in translate(question, DEMO_NOW)[0].lower()


@pytest.mark.parametrize(("question", "reference"), [
    ("whose access key is AKIAYYZUTAER2JRUMOHI, and from which ips was it used?",
     "SELECT DISTINCT useridentity.arn, sourceipaddress FROM cloudtrail "
     "WHERE useridentity.accesskeyid = 'AKIAYYZUTAER2JRUMOHI'"),
    ("whose key is AKIAYYZUTAER2JRUMOHI?",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE useridentity.accesskeyid = 'AKIAYYZUTAER2JRUMOHI'"),
    ("whose calls came from 192.0.2.88",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE sourceipaddress = '192.0.2.88'"),
])
def test_whose_opening_a_question_asks_for_the_principal(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("iam users seen from more than 3 source ips, with the count",
     "SELECT useridentity.username, count(DISTINCT sourceipaddress) FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "GROUP BY 1 HAVING count(DISTINCT sourceipaddress) > 3"),
    ("roles used from at least 2 regions and the count",
     "SELECT useridentity.sessioncontext.sessionissuer.username, count(DISTINCT awsregion) FROM cloudtrail "
     "WHERE useridentity.type = 'AssumedRole' GROUP BY 1 HAVING count(DISTINCT awsregion) >= 2"),
    ("source ips that called more than 5 distinct apis, with counts",
     "SELECT sourceipaddress, count(DISTINCT eventname) FROM cloudtrail GROUP BY 1 "
     "HAVING count(DISTINCT eventname) > 5"),
])
def test_with_the_count_after_a_compared_number_is_that_number(engine, question: str, reference: str) -> None:
    same_rows(engine, question, reference)


_PAIR = ("(srcaddr = '68.62.167.181' AND dstaddr = '10.10.0.69') OR (srcaddr = '10.10.0.69' "
         "AND dstaddr = '68.62.167.181')")


@pytest.mark.parametrize(("question", "reference"), [
    ("traffic between 68.62.167.181 and 10.10.0.69, total bytes each direction",
     f"SELECT srcaddr, dstaddr, sum(bytes) FROM vpc_flow WHERE {_PAIR} GROUP BY 1, 2"),
    ("bytes between 10.10.0.69 and 68.62.167.181 per direction",
     f"SELECT srcaddr, dstaddr, sum(bytes) FROM vpc_flow WHERE {_PAIR} GROUP BY 1, 2"),
    ("flows between 68.62.167.181 and 10.10.0.69 in each direction",
     f"SELECT srcaddr, dstaddr, count(*) FROM vpc_flow WHERE {_PAIR} GROUP BY 1, 2"),
])
def test_each_direction_between_two_hosts_is_source_and_destination(engine, question: str, reference: str) -> None:
    # flow_direction is the interface's own view: a flow between two watched hosts is logged as both
    assert same_rows(engine, question, reference) > 0


_DENIED = "errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"


@pytest.mark.parametrize(("question", "reference"), [
    ("roles whose sessions got AccessDenied-type errors, with the count",
     "SELECT useridentity.sessioncontext.sessionissuer.username, count(*) FROM cloudtrail "
     f"WHERE {_DENIED} AND useridentity.type = 'AssumedRole' GROUP BY 1"),
    ("access-denied type errors per source ip",
     f"SELECT sourceipaddress, count(*) FROM cloudtrail WHERE {_DENIED} GROUP BY 1"),
    ("which users got AccessDenied-like errors",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_DENIED}"),
])
def test_access_denied_type_errors_are_the_denials(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "roles that got ThrottlingException-type errors, with the count",
    "users with NoSuchBucket-like errors",
])
def test_another_codes_family_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="which error codes"):
        translate(question, DEMO_NOW)


_SUCCESS = "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'"


@pytest.mark.parametrize(("question", "reference"), [
    ("console sign ins w/o mfa that actually succeeded - user, ip, time",
     "SELECT useridentity.username, sourceipaddress, eventtime FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     f"AND {_SUCCESS} AND {_NO_MFA}"),
    ("successful console logins yesterday - user and ip",
     "SELECT useridentity.username, sourceipaddress FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     f"AND {_SUCCESS}"),
    ("CreateUser calls — user, ip, time",
     "SELECT useridentity.arn, sourceipaddress, eventtime FROM cloudtrail WHERE eventname = 'CreateUser'"),
])
def test_a_column_list_after_a_dash_is_what_each_row_shows(engine, question: str, reference: str) -> None:
    # as after a colon: the columns named, in order, for each row
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "when did we last get a flow record from the dev account 426676542884? its flow log was deleted at some point",
    "flows from 10.10.0.69 when the trail was stopped",
    "vpc flow records of account 426676542884 after its flow logs were deleted",
])
def test_flow_records_beside_a_cloudtrail_event_are_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="asks for VPC flow records"):
        translate(question, DEMO_NOW)


_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"
_PRIVESC = ("eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', "
            "'PutGroupPolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'AddUserToGroup', "
            "'UpdateAssumeRolePolicy', 'CreateLoginProfile', 'UpdateLoginProfile')")


@pytest.mark.parametrize(("question", "reference"), [
    ("pls list privilege-escalation calls made by iam users (not roles), with the user and ip",
     f"SELECT {_LISTING} FROM cloudtrail WHERE useridentity.type = 'IAMUser' AND {_PRIVESC}"),
    ("privesc events from 192.0.2.238, with time and event name",
     f"SELECT {_LISTING} FROM cloudtrail WHERE sourceipaddress = '192.0.2.238' AND {_PRIVESC}"),
    ("ImportKeyPair calls, with the ip and region",
     f"SELECT {_LISTING}, awsregion FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
    ("who created users, with time and region",  # the columns named (pass 8)
     "SELECT eventtime, useridentity.arn, awsregion FROM cloudtrail WHERE eventname = 'CreateUser'"),
])
def test_columns_asked_with_a_listing_add_to_it(engine, question: str, reference: str) -> None:
    # tests/nl/README.md: events asked "with" columns a listing shows are the listing; others are added to it
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("CreateUser calls: who, ip, time",
     "SELECT useridentity.arn, sourceipaddress, eventtime FROM cloudtrail WHERE eventname = 'CreateUser'"),
    ("DeleteTrail calls - who, ip and when",
     "SELECT useridentity.arn, sourceipaddress, eventtime FROM cloudtrail WHERE eventname = 'DeleteTrail'"),
    ("who created users, with ip and time",  # the columns named (pass 8)
     "SELECT eventtime, useridentity.arn, sourceipaddress FROM cloudtrail WHERE eventname = 'CreateUser'"),
])
def test_who_among_the_columns_asked_keeps_the_others(engine, question: str, reference: str) -> None:
    # "who" read alone would list the callers and drop the ip and time asked beside it
    assert same_rows(engine, question, reference) > 0


_FLOWS = "start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id"


@pytest.mark.parametrize(("question", "reference"), [
    ("any rdp (3389) or mysql (3306) connection attempts?",
     f"SELECT {_FLOWS} FROM vpc_flow WHERE dstport IN (3389, 3306)"),
    ("ssh (port 22) flows from 198.51.100.149",
     f"SELECT {_FLOWS} FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND dstport = 22"),
    ("RDP (3389) traffic yesterday",
     f"SELECT {_FLOWS} FROM vpc_flow WHERE dstport = 3389"),
])
def test_a_service_port_restated_in_brackets_is_one_value(engine, question: str, reference: str) -> None:
    same_rows(engine, question, reference)


def test_another_port_in_brackets_still_conflicts() -> None:
    with pytest.raises(TranslationError, match="conflicting"):
        translate("ssh (2222) flows", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("which ports did 198.51.100.149 get through on (accepted)?",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'ACCEPT'"),
    ("accepted flows from 198.51.100.149 that got through",
     f"SELECT {_FLOWS} FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'ACCEPT'"),
    ("which ips got through on port 22 (allowed)",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstport = 22 AND action = 'ACCEPT'"),
])
def test_an_outcome_said_twice_is_one_filter(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["was any role assumed via saml?", "any saml logins", "saml federation yesterday"])
def test_saml_is_its_federation_call(engine, question: str) -> None:
    assert "eventname = 'AssumeRoleWithSAML'" in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'AssumeRoleWithSAML'")


@pytest.mark.parametrize(("question", "reference"), [
    ("findings whose severity is above 7",
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty WHERE severity > 7"),
    ("guardduty findings whose severity is at least 8",
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty WHERE severity >= 8"),
])
def test_a_relative_whose_is_no_question_about_identities(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_whose_opening_a_flow_question_is_still_refused() -> None:
    with pytest.raises(TranslationError, match="records no identities"):
        translate("whose flows hit port 22", DEMO_NOW)
