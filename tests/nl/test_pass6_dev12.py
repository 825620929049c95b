"""Classes the offline translator reads since dev12 (named entities with modifiers) measured its wrong answers.
Answered questions run through the guard and the local engine and are compared with a reference query written
here; the SQL is checked where the demo lake has no rows to tell readings apart.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_SSO = "useridentity.arn LIKE '%:assumed-role/AWSReservedSSO_%'"


@pytest.mark.parametrize(("question", "reference"), [
    ("iam users who called GetObject more than 15 times, with the count",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "AND eventname = 'GetObject' GROUP BY 1 HAVING count(*) > 15"),
    ("iam users who made more than 15 GetObject calls",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "AND eventname = 'GetObject' GROUP BY 1 HAVING count(*) > 15"),
    ("identity center users who called GetObject, with counts",
     f"SELECT regexp_extract(useridentity.arn, '[^/]+$'), count(*) FROM cloudtrail WHERE {_SSO} "
     "AND eventname = 'GetObject' GROUP BY 1"),
])
def test_who_after_the_people_listed_adds_no_principal(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which identity center users called from 68.62.167.181 - just the session names with counts",
     f"SELECT regexp_extract(useridentity.arn, '[^/]+$'), count(*) FROM cloudtrail WHERE {_SSO} "
     "AND sourceipaddress = '68.62.167.181' GROUP BY 1"),
    ("which session names called GetObject",
     "SELECT DISTINCT regexp_extract(useridentity.arn, '[^/]+$') FROM cloudtrail "
     "WHERE useridentity.type = 'AssumedRole' AND eventname = 'GetObject'"),
    ("role session names per role",
     "SELECT regexp_extract(useridentity.arn, '[^/]+$'), useridentity.sessioncontext.sessionissuer.username, count(*) "
     "FROM cloudtrail WHERE useridentity.type = 'AssumedRole' GROUP BY 1, 2"),
])
def test_a_session_name_is_the_arns_last_part(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("the most recent GetBucketPolicy on tyrell-backups-33c922 - when and who",
     "SELECT eventtime, useridentity.arn FROM cloudtrail WHERE eventname = 'GetBucketPolicy' "
     "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922' "
     "ORDER BY eventtime DESC LIMIT 1"),
    ("who made the most recent GetObject call, and when",
     "SELECT eventtime, useridentity.arn FROM cloudtrail WHERE eventname = 'GetObject' ORDER BY eventtime DESC LIMIT 1"),
    ("who made the first ConsoleLogin and from which ip",
     "SELECT eventtime, useridentity.arn, sourceipaddress FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "ORDER BY eventtime LIMIT 1"),
])
def test_the_one_latest_call_and_who_made_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 1


def test_the_latest_calls_in_the_plural_are_still_per_caller() -> None:
    assert "MAX(eventtime)" in translate("the last GetObject calls - who and when", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("when was tyrell-backups-33c922 first hit anonymously, and from which ip",
     "SELECT eventtime, sourceipaddress FROM cloudtrail WHERE useridentity.accountid = 'anonymous' "
     "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922' ORDER BY eventtime LIMIT 1"),
    ("was tyrell-backups-33c922 ever accessed anonymously",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE useridentity.accountid = 'anonymous' "
     "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922'"),
])
def test_a_bucket_acted_on_in_the_passive_is_the_bucket(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["any access to tyrell-payroll-33c922 by priya.kowalski@tyrell.com?",
                                      "requests to tyrell-payroll-33c922 from priya.kowalski@tyrell.com"])
def test_access_to_a_bucket_shaped_name_filters_the_bucket(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "'$.bucketName') = 'tyrell-payroll-33c922'" in sql and "useridentity.username" not in sql
    reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                 "FROM cloudtrail WHERE useridentity.arn LIKE '%/priya.kowalski@tyrell.com' "
                 "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-payroll-33c922'")
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "login"), [
    ("console sign-ins for mallory.reyes and alice.nguyen - which ips did each come from", True),
    ("which ips did mallory.reyes and alice.nguyen each use", False),
    ("which ips did each of mallory.reyes and alice.nguyen log in from", True),
])
def test_each_of_the_named_values_lists_beside_each(engine, question: str, login: bool) -> None:
    reference = ("SELECT DISTINCT useridentity.username, sourceipaddress FROM cloudtrail "
                 "WHERE useridentity.username IN ('mallory.reyes', 'alice.nguyen')"
                 + (" AND eventname = 'ConsoleLogin'" if login else ""))
    assert same_rows(engine, question, reference) > 1


@pytest.mark.parametrize(("question", "reference"), [
    ("CreateRole and AttachRolePolicy calls by dave.kowalski@tyrell.com - which roles, and when",
     "SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.roleName') FROM cloudtrail "
     "WHERE eventname IN ('CreateRole', 'AttachRolePolicy') AND useridentity.arn LIKE '%/dave.kowalski@tyrell.com'"),
    ("CreateRole calls by dave.kowalski@tyrell.com - which roles",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.roleName') FROM cloudtrail "
     "WHERE eventname = 'CreateRole' AND useridentity.arn LIKE '%/dave.kowalski@tyrell.com'"),
])
def test_roles_beside_role_management_calls_are_the_roles_acted_on(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_roles_that_made_the_call_are_still_the_callers() -> None:
    assert "sessionissuer.username" in translate("which roles called CreateRole", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("who used AWSReservedSSO_AdministratorAccess_85ccfaefe7c2dc08 yesterday",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE useridentity.sessioncontext.sessionissuer.username = "
     "'AWSReservedSSO_AdministratorAccess_85ccfaefe7c2dc08' AND eventtime >= '2026-11-19T00:00:00Z'"),
    ("AWSServiceRoleForConfig, calls per account",
     "SELECT recipientaccountid, count(*) FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'AWSServiceRoleForConfig' GROUP BY 1"),
    ("which event names did AWSServiceRoleForConfig call",
     "SELECT DISTINCT eventname FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'AWSServiceRoleForConfig'"),
])
def test_sso_and_service_linked_role_names_are_roles(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
