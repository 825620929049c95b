"""Classes of wrong readings found by dev21 (questions that combine several pieces). Answered questions run
through the guard and the local engine against a reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"


@pytest.mark.parametrize(("question", "reference"), [
    ("successful CreateAccessKey calls and for which user the key was made",
     f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
     "WHERE eventname = 'CreateAccessKey' AND errorcode IS NULL"),
    ("CreateAccessKey calls and which user they were for",
     f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
     "WHERE eventname = 'CreateAccessKey'"),
    ("CreateAccessKey events, and for which user",
     f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
     "WHERE eventname = 'CreateAccessKey'"),
    ("ConsoleLogin events yesterday and which region",
     f"SELECT {_LISTING}, awsregion FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "AND eventtime >= '2026-11-19T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z'"),
])
def test_a_value_joined_to_listed_calls_is_a_column_of_each_call(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_who_and_for_which_user_stays_the_distinct_pairs(engine) -> None:
    reference = ("SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
                 "WHERE eventname = 'CreateAccessKey'")
    assert same_rows(engine, "who created access keys and for which user", reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("regions used by iam users other than us-east-1, with the user",
     "SELECT DISTINCT awsregion, useridentity.username FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "AND awsregion <> 'us-east-1'"),
    ("which regions did iam users use, with the user",
     "SELECT DISTINCT awsregion, useridentity.username FROM cloudtrail WHERE useridentity.type = 'IAMUser'"),
    ("distinct event names called from 198.51.100.174, with the user",
     "SELECT DISTINCT eventname, useridentity.arn FROM cloudtrail WHERE sourceipaddress = '198.51.100.174'"),
])
def test_a_column_asked_with_distinct_values_is_one_more_distinct_column(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "field"), [
    ("privilege escalation calls by dave.kowalski@tyrell.com, with the role name they targeted", "roleName"),
    ("privilege escalation calls by dave.kowalski@tyrell.com, with the target role", "roleName"),
    ("privilege escalation calls by dave.kowalski@tyrell.com, with the targeted user", "userName"),
])
def test_the_user_or_role_a_listing_acted_on_is_added(engine, question: str, field: str) -> None:
    calls = ("'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', "
             "'PutGroupPolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'AddUserToGroup', "
             "'UpdateAssumeRolePolicy', 'CreateLoginProfile', 'UpdateLoginProfile'")
    reference = (f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.{field}') FROM cloudtrail "
                 f"WHERE useridentity.arn LIKE '%/dave.kowalski@tyrell.com' AND eventname IN ({calls})")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["privilege escalation calls by dave.kowalski@tyrell.com, with the role name",
                                      "CreateUser calls, with the user name"])
def test_a_column_a_listing_cannot_add_is_refused_never_dropped(question: str) -> None:
    with pytest.raises(TranslationError, match="cannot add"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["how many distinct source ips per iam user, users w/ at least 3",
                                      "distinct source ip count per iam user per user, at least 3"])
def test_one_grouping_said_twice_is_one_column(engine, question: str) -> None:
    reference = ("SELECT useridentity.username, count(DISTINCT sourceipaddress) FROM cloudtrail WHERE "
                 "useridentity.type = 'IAMUser' GROUP BY 1 HAVING count(DISTINCT sourceipaddress) >= 3")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "how many distinct ports did 198.51.100.149 hit, and how many of those flows got rejected",
    "how many console logins were there, and how many of them failed",
    "number of GetObject calls yesterday and how many of these were denied",
    "how many flows from 10.10.0.139, and how many were rejected",
])
def test_a_count_of_a_part_beside_another_count_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="a part beside the whole"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["iam users with fewer than 5 errors but over 300 calls",
                                      "users with more than 10 failed logins and over 50 calls",
                                      "principals with under 3 access denied errors but more than 100 calls"])
def test_bounds_on_two_different_counts_are_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="two different counts"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("sources with fewer than 30 flows but more than 3",
     "SELECT srcaddr, count(*) FROM vpc_flow GROUP BY 1 HAVING count(*) < 30 AND count(*) > 3"),
    ("users with more than 3 calls but fewer than 10 events",
     "SELECT useridentity.arn, count(*) FROM cloudtrail GROUP BY 1 HAVING count(*) > 3 AND count(*) < 10"),
])
def test_a_range_on_one_count_still_reads(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("ec2 calls that did not come from 10.x addresses or aws services",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventsource = 'ec2.amazonaws.com' AND sourceipaddress NOT LIKE '10.%' "
     "AND sourceipaddress NOT LIKE '%.amazonaws.com'"),
    ("iam calls not from 10.0.0.0/8 or amazon services",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com' AND sourceipaddress NOT LIKE '10.%' "
     "AND sourceipaddress NOT LIKE '%.amazonaws.com'"),
    ("calls from 203.0.113.42 or aws services",
     f"SELECT {_LISTING} FROM cloudtrail WHERE sourceipaddress = '203.0.113.42' "
     "OR sourceipaddress LIKE '%.amazonaws.com'"),
    ("s3 calls from 10.x addresses",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventsource = 's3.amazonaws.com' AND sourceipaddress LIKE '10.%'"),
])
def test_calls_from_a_range_or_aws_services_are_the_calls(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_aws_services_beside_something_else_is_refused() -> None:
    with pytest.raises(TranslationError, match="or aws services"):
        translate("ec2 calls by alice.nguyen@tyrell.com or aws services", DEMO_NOW)


def test_what_a_range_did_still_lists_its_members(engine) -> None:
    reference = "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE sourceipaddress LIKE '192.0.2.%'"
    assert same_rows(engine, "what did the 192.0.2.x addresses do", reference) >= 0


def test_values_a_listing_shows_already_stay_distinct_values(engine) -> None:
    reference = "SELECT DISTINCT srcaddr, dstaddr FROM vpc_flow WHERE dstport = 22 AND bytes > 100000"
    assert same_rows(engine, "ssh flows over 100000 bytes, and which src and dst", reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("users with 10 or more failed console logins",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND "
     "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure' GROUP BY 1 HAVING count(*) >= 10"),
    ("principals with 5 or more access denied errors",
     "SELECT useridentity.arn, count(*) FROM cloudtrail WHERE errorcode IN ('AccessDenied', 'AccessDeniedException', "
     "'Client.UnauthorizedOperation', 'UnauthorizedOperation') GROUP BY 1 HAVING count(*) >= 5"),
    ("which identities called more than 3 different aws regions",
     "SELECT useridentity.arn, count(DISTINCT awsregion) FROM cloudtrail GROUP BY 1 HAVING count(DISTINCT awsregion) > 3"),
    ("principals seen in at least 2 distinct aws regions",
     "SELECT useridentity.arn, count(DISTINCT awsregion) FROM cloudtrail GROUP BY 1 HAVING count(DISTINCT awsregion) >= 2"),
])
def test_a_count_condition_beside_words_read_as_filters(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("guardduty findings above sev 7", "SELECT id FROM guardduty WHERE severity > 7"),
    ("findings over severity 5", "SELECT id FROM guardduty WHERE severity > 5"),
    ("findings below sev 4", "SELECT id FROM guardduty WHERE severity < 4"),
])
def test_a_comparison_before_the_severity_word(engine, question: str, reference: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference.replace("SELECT id", "SELECT updatedat, severity, type, title, "
                                                         "resourcetype, id")) > 0, sql


@pytest.mark.parametrize("question", ["failed calls per user for iam since yesterday", "iam calls since yesterday",
                                      "console logins from yesterday"])
def test_since_yesterday_starts_at_yesterdays_midnight(question: str) -> None:
    window = translate(question, DEMO_NOW)[2]
    assert window is not None and window.start.isoformat().startswith("2026-11-19T00:00")


@pytest.mark.parametrize(("question", "reference"), [
    ("egress flows from 10.10.0.139 not on 443",
     "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow "
     "WHERE srcaddr = '10.10.0.139' AND flow_direction = 'egress' AND dstport <> 443"),
    ("flows from 10.10.0.139 except on 443",
     "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow "
     "WHERE srcaddr = '10.10.0.139' AND dstport <> 443"),
])
def test_a_bare_port_after_a_negation_is_excluded(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("hours yesterday with more than 5 errors in cloudtrail",
     "SELECT substr(eventtime, 1, 13), count(*) FROM cloudtrail WHERE errorcode IS NOT NULL AND eventtime >= "
     "'2026-11-19T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z' GROUP BY 1 HAVING count(*) > 5"),
    ("days with more than 1000 calls",
     "SELECT substr(eventtime, 1, 10), count(*) FROM cloudtrail GROUP BY 1 HAVING count(*) > 1000"),
])
def test_time_units_leading_a_count_condition_are_buckets(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "GetObject calls from outside our office ips 69.56.160.124 and 68.62.167.181",
    "GetObject calls from outside the corporate ips 69.56.160.124, 68.62.167.181",
    "GetObject calls from ips outside 69.56.160.124 and 68.62.167.181",
])
def test_addresses_after_from_outside_are_excluded(engine, question: str) -> None:
    reference = (f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'GetObject' "
                 "AND sourceipaddress NOT IN ('69.56.160.124', '68.62.167.181')")
    assert same_rows(engine, question, reference) > 0
