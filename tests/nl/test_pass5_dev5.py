"""Classes the offline translator reads since dev5.yaml (the on-call morning: terse, typo-laden questions).

Each class came from a miss of dev5.yaml; the phrasings here are not dev5's own. Answered questions run
through the guard and the local engine and are compared with a reference query written here.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate
from workbench.timewindow import Window

from .conftest import DEMO_NOW, same_rows

EVENTS = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "


@pytest.mark.parametrize(("question", "start", "end"), [
    ("console logins yesterday evening", "2026-11-19T18:00:00Z", "2026-11-20T00:00:00Z"),
    ("rejected flows in the morning of the 18th", "2026-11-18T06:00:00Z", "2026-11-18T12:00:00Z"),
    ("errors on nov 19 during the afternoon", "2026-11-19T12:00:00Z", "2026-11-19T18:00:00Z"),
    ("what did 192.0.2.238 do on the afternoon of 2026-11-18", "2026-11-18T12:00:00Z", "2026-11-18T18:00:00Z"),
])
def test_a_part_of_a_day_narrows_the_day(question: str, start: str, end: str) -> None:
    assert translate(question, DEMO_NOW)[2] == Window.between(start, end)


@pytest.mark.parametrize("question", ["console logins in the evening", "flows this morning"])
def test_a_part_of_a_day_without_a_day_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="needs a day"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("denied calls ystrdy", EVENTS + "WHERE errorcode IN ('AccessDenied', 'AccessDeniedException', "
                             "'Client.UnauthorizedOperation', 'UnauthorizedOperation')"),
    ("nr of console logins yest", "SELECT count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin'"),
    ("how many diff source ips behind the console logins",
     "SELECT count(DISTINCT sourceipaddress) FROM cloudtrail WHERE eventname = 'ConsoleLogin'"),
])
def test_on_call_shorthand(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "condition"), [
    ("which principals made an s3 bucket public", "eventname IN ('PutBucketPolicy', 'PutBucketAcl')"),
    ("who has made the bucket public", "eventname IN ('PutBucketPolicy', 'PutBucketAcl')"),
    ("who made a security group public", "eventname = 'AuthorizeSecurityGroupIngress' "
                                         "AND requestparameters LIKE '%0.0.0.0/0%'"),
])
def test_made_public_reads_the_noun_inside_the_phrase(engine, question: str, condition: str) -> None:
    same_rows(engine, question, f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {condition}")
    assert ("AuthorizeSecurityGroupIngress" in translate(question, DEMO_NOW)[0]) == ("security" in question)


@pytest.mark.parametrize(("question", "reference"), [
    ("count by eventName for 194.183.89.19", "SELECT eventname, count(*) FROM cloudtrail "
                                             "WHERE sourceipaddress = '194.183.89.19' GROUP BY 1"),
    ("failed console logins per username", "SELECT useridentity.username, count(*) FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure' "
     "AND useridentity.username IS NOT NULL GROUP BY 1"),
])
def test_a_column_typed_as_one_word_groups(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("who called ec2-instance-connect yesterday", "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                                  "WHERE eventsource = 'ec2-instance-connect.amazonaws.com'"),
    ("ec2-instance-connect events per source ip", "SELECT sourceipaddress, count(*) FROM cloudtrail "
                                                  "WHERE eventsource = 'ec2-instance-connect.amazonaws.com' GROUP BY 1"),
    ("which principals used the cloudtrail apis", "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                                      "WHERE eventsource = 'cloudtrail.amazonaws.com'"),
])
def test_a_hyphenated_service_or_the_cloudtrail_apis_name_the_service(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_cloudtrail_before_calls_still_names_the_log() -> None:
    assert "eventsource" not in translate("cloudtrail api calls from 192.0.2.238", DEMO_NOW)[0].split("FROM")[1]


@pytest.mark.parametrize(("question", "port"), [
    ("which hosts did 10.10.0.69 ssh into", " AND dstport = 22"),
    ("where did 10.10.0.69 connect to", ""),
    ("which ips did 10.10.0.69 talk to yesterday", ""),
    ("what did 10.10.0.69 ssh to", " AND dstport = 22"),
])
def test_a_dangling_to_asks_for_the_destinations(engine, question: str, port: str) -> None:
    assert same_rows(engine, question, f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69'{port}") > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("when was dave.kowalski first seen, and from which source ip",
     "SELECT eventtime, sourceipaddress FROM cloudtrail WHERE useridentity.username = 'dave.kowalski' "
     "ORDER BY eventtime LIMIT 1"),
    ("latest call by 192.0.2.238, when and what",
     EVENTS + "WHERE sourceipaddress = '192.0.2.238' ORDER BY eventtime DESC LIMIT 1"),
])
def test_first_or_last_with_what_else_is_the_one_event(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 1


def test_first_seen_for_each_value_stays_a_time_per_group() -> None:
    assert "GROUP BY" in translate("when was dave.kowalski last seen from each source ip", DEMO_NOW)[0]


TARGET_USER = "json_extract_scalar(requestparameters, '$.userName')"


@pytest.mark.parametrize(("question", "reference"), [
    ("who created the iam user terraform-runner-aed5", "SELECT DISTINCT useridentity.arn FROM cloudtrail "
     f"WHERE eventname = 'CreateUser' AND {TARGET_USER} = 'terraform-runner-aed5'"),
    ("when did the terraform-runner-aed5 user get created and by whom",  # the columns named (pass 8)
     "SELECT eventtime, useridentity.arn FROM cloudtrail " + f"WHERE eventname = 'CreateUser' AND {TARGET_USER} = 'terraform-runner-aed5'"),
    ("what users did heidi.smith make new access keys for",
     f"SELECT DISTINCT {TARGET_USER} FROM cloudtrail WHERE eventname = 'CreateAccessKey' "
     "AND useridentity.username = 'heidi.smith'"),
])
def test_the_user_a_call_acts_on_is_its_request_user(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("list PortProbeUnprotectedPort findings", "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty "
     "WHERE type = 'Recon:EC2/PortProbeUnprotectedPort'"),
    ("which accounts had a BitcoinTool.B!DNS finding", "SELECT DISTINCT accountid FROM guardduty "
                                                       "WHERE type = 'CryptoCurrency:EC2/BitcoinTool.B!DNS'"),
    ("how many ConsoleLoginSuccess findings", "SELECT count(*) FROM guardduty "
                                              "WHERE type = 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B'"),
])
def test_a_finding_type_named_by_its_tail(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_camel_case_call_is_not_a_finding_tail() -> None:
    assert "cloudtrail" in translate("who called ConsoleLogin yesterday", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("how many flows leaving 10.10.0.69 were rejected",
     "SELECT count(*) FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND action = 'REJECT'"),
    ("ssh traffic that left 10.10.0.69", "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, "
     "action, interface_id FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND dstport = 22"),
    ("accepted flows on dstport 443 or 22", "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, "
     "bytes, action, interface_id FROM vpc_flow WHERE dstport IN (443, 22) AND action = 'ACCEPT'"),
    ("who invoked StartSession", "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'StartSession'"),
    ("ConsoleLogin yesterday, who ran it", "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                           "WHERE eventname = 'ConsoleLogin'"),
])
def test_on_call_verbs_and_column_shorthand(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("Get* calls by heidi.smith", EVENTS + "WHERE eventname LIKE 'Get%' AND useridentity.username = 'heidi.smith'"),
    ("count describe* and list* events per source ip", "SELECT sourceipaddress, count(*) FROM cloudtrail "
     "WHERE eventname LIKE 'Describe%' OR eventname LIKE 'List%' GROUP BY 1"),
    ("Delete* calls in the last day", EVENTS + "WHERE eventname LIKE 'Delete%'"),
])
def test_an_event_name_with_a_star_is_a_prefix(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
    assert "LIKE" in translate(question, DEMO_NOW)[0]


@pytest.mark.parametrize("question", ["console sign-ins per outcome", "console login outcomes yesterday",
                                      "console logins by result"])
def test_console_login_outcomes_group_by_the_response(engine, question: str) -> None:
    same_rows(engine, question, "SELECT json_extract_scalar(responseelements, '$.ConsoleLogin'), count(*) FROM cloudtrail "
                                "WHERE eventname = 'ConsoleLogin' GROUP BY 1")


def test_one_outcome_by_outcome_keeps_the_outcome_asked(engine) -> None:
    # one row, the failures: the grouping cannot bring the successes back
    reference = ("SELECT json_extract_scalar(responseelements, '$.ConsoleLogin'), count(*) FROM cloudtrail WHERE "
                 "eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure' "
                 "GROUP BY 1")
    assert same_rows(engine, "failed console logins by status", reference) == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("did heidi.smith sign in from more than 2 different ips",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = 'heidi.smith' "
     "AND eventname = 'ConsoleLogin'"),
    ("has svc-reporting made calls in more than three distinct regions",
     "SELECT DISTINCT awsregion FROM cloudtrail WHERE useridentity.username = 'svc-reporting'"),
])
def test_a_yes_no_distinct_count_shows_the_distinct_values(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
