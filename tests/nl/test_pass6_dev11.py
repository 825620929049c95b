"""Classes the offline translator reads since the first measurement of dev11.yaml (pass 6 of issue 25): wrong
answers and silent drops on questions written by someone who had not read the translator. Answered questions run
through the guard and the local engine and are compared with a reference query written here; windows are compared
with the window expected.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import translate
from workbench.timewindow import Window

from .conftest import DEMO_NOW, same_rows

EVENTS = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "


@pytest.mark.parametrize(("question", "start"), [
    ("what did 192.0.2.238 do after 16:19 on the 18th", "2026-11-18T16:19:00Z"),
    ("logging tampering since 21:00 on the 18th", "2026-11-18T21:00:00Z"),
    ("rejected flows after 9pm on nov 18", "2026-11-18T21:00:00Z"),
    ("Decrypt calls per hour by billing-lambda since 18:00 utc", "2026-11-19T18:00:00Z"),
    ("which interfaces saw rejected traffic since 18:00", "2026-11-19T18:00:00Z"),
])
def test_after_a_time_runs_to_the_end_of_the_data(question: str, start: str) -> None:
    # "after 16:19 on the 18th" names a start, not a day: nothing ends it at midnight
    assert translate(question, DEMO_NOW)[2] == Window.between(start, "2026-11-20T00:00:00Z")


@pytest.mark.parametrize(("question", "end"), [
    ("events before 09:30 on the 19th", "2026-11-19T09:30:00Z"),
    ("failed calls until 6am yesterday", "2026-11-19T06:00:00Z"),
])
def test_before_a_time_stays_within_the_day(question: str, end: str) -> None:
    assert translate(question, DEMO_NOW)[2] == Window.between(end[:10] + "T00:00:00Z", end)


@pytest.mark.parametrize(("question", "reference"), [
    ("most recent CreateUser event", EVENTS + "WHERE eventname = 'CreateUser' ORDER BY eventtime DESC LIMIT 1"),
    ("the latest StopLogging call", EVENTS + "WHERE eventname = 'StopLogging' ORDER BY eventtime DESC LIMIT 1"),
    ("first CreateAccessKey event", EVENTS + "WHERE eventname = 'CreateAccessKey' ORDER BY eventtime LIMIT 1"),
])
def test_the_latest_event_of_a_kind_is_that_event(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("when was the first CreateUser", "SELECT min(eventtime) FROM cloudtrail WHERE eventname = 'CreateUser'"),
    ("most recent ConsoleLogin for mallory.reyes",
     "SELECT max(eventtime) FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND useridentity.username = 'mallory.reyes'"),
])
def test_a_time_asked_or_a_subject_named_stays_a_time(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("what user agents show up on signin.amazonaws.com",
     "SELECT DISTINCT useragent FROM cloudtrail WHERE eventsource = 'signin.amazonaws.com'"),
    ("errors on kms.amazonaws.com", EVENTS + "WHERE eventsource = 'kms.amazonaws.com' AND errorcode IS NOT NULL"),
    ("how many events in sts.amazonaws.com", "SELECT count(*) FROM cloudtrail WHERE eventsource = 'sts.amazonaws.com'"),
])
def test_a_service_host_after_on_or_in_is_the_service_called(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("iam users with more than 300 api calls",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "GROUP BY 1 HAVING count(*) > 300"),
    ("principals with at least 50 aws api requests",
     "SELECT useridentity.arn, count(*) FROM cloudtrail GROUP BY 1 HAVING count(*) >= 50"),
    ("ips with more than 5 distinct apis",
     "SELECT sourceipaddress, count(DISTINCT eventname) FROM cloudtrail GROUP BY 1 HAVING count(DISTINCT eventname) > 5"),
])
def test_api_calls_counted_are_calls_not_distinct_apis(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("show me the UpdateFunctionCode calls from yesterday",
     EVENTS + "WHERE eventname LIKE 'UpdateFunctionCode%'"),
    ("who called updatefunctioncode", "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                      "WHERE eventname LIKE 'UpdateFunctionCode%'"),
    ("how many GetFunction calls", "SELECT count(*) FROM cloudtrail WHERE eventname LIKE 'GetFunction20%'"),
])
def test_lambda_calls_match_their_versioned_names(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("who called AttachUserPolicy or AttachRolePolicy, and on which user or role",
     "SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName'), "
     "json_extract_scalar(requestparameters, '$.roleName') FROM cloudtrail "
     "WHERE eventname IN ('AttachUserPolicy', 'AttachRolePolicy')"),
    ("who called CreateRole, and which role did they make",
     "SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.roleName') FROM cloudtrail "
     "WHERE eventname = 'CreateRole'"),
    ("who called CreateUser and which users did they create",
     "SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
     "WHERE eventname = 'CreateUser'"),
])
def test_the_user_or_role_acted_on_is_the_one_in_the_request(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("what ports did 198.51.100.149 get through on",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'ACCEPT'"),
    ("did 198.51.100.149 get through on port 22",
     "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow "
     "WHERE srcaddr = '198.51.100.149' AND dstport = 22 AND action = 'ACCEPT'"),
])
def test_getting_through_is_accepted_traffic_the_address_sent(engine, question: str, reference: str) -> None:
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "reference"), [
    ("for each RunInstances call give me the time, the region and the instance type",
     "SELECT eventtime, awsregion, json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
     "WHERE eventname = 'RunInstances'"),
    ("list RunInstances calls: time, region, instance type",
     "SELECT eventtime, awsregion, json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
     "WHERE eventname = 'RunInstances'"),
    ("rejected flows from 198.51.100.149: time, destination and port",
     "SELECT start, dstaddr, dstport FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'REJECT'"),
])
def test_rows_with_named_columns_return_those_columns(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
