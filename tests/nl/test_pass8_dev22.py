"""Classes of dev22's refusals (alert triage): 'what else did X do' after an alert, an API name typed in lower camel
case, a user or role named as what a call made or removed ('when was X created'), the distinct values of a column
with a count of each, and an enumeration in brackets that explains a concept. Answers run through the guard and the
local engine against a reference query written here; near wordings that must still refuse are asserted beside them.
"""

from __future__ import annotations

import pytest

from workbench.nl.base import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

EVENTS = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail"
DAY = "eventtime >= '2026-11-19T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z'"


@pytest.mark.parametrize(("question", "where"), [
    ("what else came from 192.0.2.238", "sourceipaddress = '192.0.2.238'"),
    ("what else did judy.byrne@tyrell.com do yesterday", f"useridentity.arn LIKE '%/judy.byrne@tyrell.com' AND {DAY}"),
    ("anything else from 198.51.100.174?", "sourceipaddress = '198.51.100.174'"),
    ("what else did user svc-reporting do", "useridentity.username = 'svc-reporting'"),
    ("what else has svc-reporting done yesterday",
     f"(useridentity.username = 'svc-reporting' OR useridentity.sessioncontext.sessionissuer.username = "
     f"'svc-reporting') AND {DAY}"),
])
def test_what_else_after_an_alert_is_all_the_activity(engine, question: str, where: str) -> None:
    # "else" sets the question beside the alert; the activity asked is all of it, the alerting event included
    assert same_rows(engine, question, f"{EVENTS} WHERE {where}") > 0


@pytest.mark.parametrize("question", [
    "who else read tyrell-backups-33c922",  # the others than someone the question does not name
    "what else did that ip do",  # the value is in an earlier question
])
def test_else_that_points_outside_the_question_still_refuses(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("stopLogging on tyrell-dev-trail?", f"{EVENTS} WHERE eventname = 'StopLogging' AND requestparameters LIKE "
                                          "'%tyrell-dev-trail%'"),
    ("who called getObject on tyrell-backups-33c922", "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = "
     "'GetObject' AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922'"),
    ("how many assumeRole calls yesterday", f"SELECT count(*) FROM cloudtrail WHERE eventname = 'AssumeRole' AND {DAY}"),
    ("consoleLogin failures for heidi.smith", f"{EVENTS} WHERE useridentity.username = 'heidi.smith' AND eventname = "
     "'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'"),
])
def test_an_api_name_in_lower_camel_case_is_that_call(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


CREATED_USER = ("eventname = 'CreateUser' AND "
                "json_extract_scalar(requestparameters, '$.userName') = 'terraform-runner-aed5'")
CREATED_ROLE = "eventname = 'CreateRole' AND json_extract_scalar(requestparameters, '$.roleName') = 'metrics-319c-role'"


@pytest.mark.parametrize(("question", "reference"), [
    ("when was terraform-runner-aed5 created", f"SELECT eventtime FROM cloudtrail WHERE {CREATED_USER}"),
    ("who created terraform-runner-aed5", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {CREATED_USER}"),
    ("terraform-runner-aed5 was created by whom", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {CREATED_USER}"),
    ("when did terraform-runner-aed5 get created", f"SELECT eventtime FROM cloudtrail WHERE {CREATED_USER}"),
    ("when was user terraform-runner-aed5 created", f"SELECT eventtime FROM cloudtrail WHERE {CREATED_USER}"),
    ("when was the iam user terraform-runner-aed5 created", f"SELECT eventtime FROM cloudtrail WHERE {CREATED_USER}"),
    ("when was metrics-319c-role created", f"SELECT eventtime FROM cloudtrail WHERE {CREATED_ROLE}"),
    ("who created the role metrics-319c-role", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {CREATED_ROLE}"),
    ("the metrics-319c-role role was created by whom",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {CREATED_ROLE}"),
])
def test_a_name_created_is_in_the_request_of_the_call_that_made_it(engine, question: str, reference: str) -> None:
    # the name is what the call made (its request's userName / roleName), never the one calling: a role's own
    # sessions, or a user's own calls, would answer who the name was, not who made it. A bare name may be either
    assert same_rows(engine, question, reference) > 0
    assert "sessionissuer" not in translate(question, DEMO_NOW)[0]


def test_a_bare_name_removed_is_searched_as_a_user_or_a_role() -> None:
    sql = translate("who deleted terraform-runner-aed5", DEMO_NOW)[0]
    assert "'DeleteUser'" in sql and "'DeleteRole'" in sql and "'$.roleName'" in sql


@pytest.mark.parametrize("question", [
    "what has terraform-runner-aed5 created",  # the name acts: what it made is not said
    "who created tyrell-backups-33c922",  # shaped like a bucket: no user or role call makes it
    "who created heidi.smith's access key",  # the key was made, not the user
    "who created terraform-runner-aed5 access keys",
])
def test_a_name_that_acts_or_is_no_user_still_refuses(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


ERRORS = "SELECT errorcode, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY errorcode"
NAMES_FROM = "SELECT eventname, count(*) FROM cloudtrail WHERE sourceipaddress = '192.0.2.238' GROUP BY eventname"


@pytest.mark.parametrize(("question", "reference"), [
    ("list the distinct error codes and how often each happened", ERRORS),
    ("distinct error codes and how often each", ERRORS),
    ("unique event names from 192.0.2.238 and how many times each", NAMES_FROM),
    ("distinct event names from 192.0.2.238 and how often each occurred", NAMES_FROM),
    ("distinct dstports from 198.51.100.149 and how many times each",
     "SELECT dstport, count(*) FROM vpc_flow WHERE srcaddr = '198.51.100.149' GROUP BY dstport"),
])
def test_distinct_values_with_a_count_each_are_counted_per_value(engine, question: str, reference: str) -> None:
    # "each" after the count ties it to every value listed: one count per value, not the number of values
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["distinct error codes, how many?", "how many distinct ports did each ip hit"])
def test_a_count_of_distinct_values_stays_a_count_distinct(question: str) -> None:
    assert "COUNT(DISTINCT" in translate(question, DEMO_NOW)[0]


def test_an_enumeration_in_brackets_explains_the_concept(engine) -> None:
    # 'secrets' reads as no filter and 'new keys' as one member: ANDed, the member alone would narrow the answer
    reference = (f"{EVENTS} WHERE eventname IN ('GetSecretValue', 'GetParameter', 'GetParameters', 'CreateAccessKey') "
                 f"AND {DAY}")
    assert same_rows(engine, "credential access events (secrets, new keys) yesterday", reference) > 0


def test_one_member_in_brackets_still_narrows() -> None:
    sql = translate("who tampered with logging (StopLogging) - per principal", DEMO_NOW)[0]
    assert "eventname = 'StopLogging'" in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("cloudtrail logging disabled alert - who called StopLogging",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'StopLogging'"),
    ("new access key alert: who called CreateAccessKey",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'CreateAccessKey'"),
    ("bucket exposure alert - who called PutBucketPolicy",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'PutBucketPolicy'"),
])
def test_an_alert_title_before_the_question_says_why_it_is_asked(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "port scan alert on 10.10.1.171 - how many distinct ports did 198.51.100.149 hit",  # a value in the title
    "cloudwatch alarm - who called StopLogging",  # an alarm of a log the lake lacks
])
def test_an_alert_title_that_may_hold_a_condition_still_refuses(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


LOGIN_PROFILES = ("SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
                  "WHERE eventname = 'CreateLoginProfile'")


@pytest.mark.parametrize(("question", "reference"), [
    ("login profiles created for users - who did it and for whom", LOGIN_PROFILES),
    ("CreateLoginProfile calls: who made them and for which user", LOGIN_PROFILES),
    ("access keys created - who did that",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'CreateAccessKey'"),
])
def test_who_did_it_after_the_events_named_asks_who_made_them(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["so who actually did it then", "who did it"])
def test_who_did_it_alone_still_points_at_an_earlier_question(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


FLOWS = "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow"
FINDINGS = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty"


@pytest.mark.parametrize(("question", "reference"), [
    ("gd findings w/ high sev, triage list", f"{FINDINGS} WHERE severity >= 7.0 AND severity < 9.0"),
    ("high severity findings for triage", f"{FINDINGS} WHERE severity >= 7.0 AND severity < 9.0"),
    ("ssh flows from the bastion 10.10.0.69 to other internal hosts",
     f"{FLOWS} WHERE srcaddr = '10.10.0.69' AND dstport = 22 AND dstaddr LIKE '10.%'"),
    ("did 10.10.0.69 connect to any other hosts on 22", f"{FLOWS} WHERE srcaddr = '10.10.0.69' AND dstport = 22"),
    ("flows to mining pool port 8080", f"{FLOWS} WHERE dstport = 8080"),
    ("flows to crypto-mining pool port 5432", f"{FLOWS} WHERE dstport = 5432"),
])
def test_triage_words_that_ask_nothing_of_their_own(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_mining_pools_without_a_port_still_refuse() -> None:
    with pytest.raises(TranslationError):
        translate("flows to mining pools", DEMO_NOW)


READS = ("eventname = 'GetObject' AND json_extract_scalar(requestparameters, '$.bucketName') = "
         "'tyrell-backups-33c922'")


@pytest.mark.parametrize(("question", "reference"), [
    ("is anyone still pulling from tyrell-backups-33c922? most recent GetObject",
     f"SELECT max(eventtime) FROM cloudtrail WHERE {READS}"),
    ("who is reading from tyrell-backups-33c922", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {READS}"),
    ("who pulled files from tyrell-backups-33c922", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {READS}"),
    ("how many times did 192.0.2.238 pull data from tyrell-backups-33c922",
     f"SELECT count(*) FROM cloudtrail WHERE sourceipaddress = '192.0.2.238' AND {READS}"),
])
def test_pulling_from_a_bucket_is_reading_its_objects(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_pulling_from_an_address_still_refuses() -> None:
    with pytest.raises(TranslationError):
        translate("who is pulling from 10.0.0.5", DEMO_NOW)


DECRYPTED = "json_extract_scalar(requestparameters, '$.withDecryption') = 'true'"


@pytest.mark.parametrize(("question", "reference"), [
    ("GetParameter calls with decryption by iam users",
     f"{EVENTS} WHERE eventname = 'GetParameter' AND useridentity.type = 'IAMUser' AND {DECRYPTED}"),
    ("decrypted GetParameters calls yesterday", f"{EVENTS} WHERE eventname = 'GetParameters' AND {DECRYPTED} AND {DAY}"),
    ("who called GetParameter with decryption",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'GetParameter' AND {DECRYPTED}"),
])
def test_a_named_parameter_read_with_decryption_keeps_the_flag(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
    assert "withDecryption" in translate(question, DEMO_NOW)[0]


def test_decryption_beside_a_call_without_the_flag_still_refuses() -> None:
    with pytest.raises(TranslationError):
        translate("GetSecretValue with decryption", DEMO_NOW)


REGIONS = "awsregion IN ('ap-southeast-1', 'ap-northeast-2', 'sa-east-1', 'ap-south-1', 'eu-north-1')"


@pytest.mark.parametrize(("question", "reference"), [
    ("cloudtrail activity in regions we dont use (ap-southeast-1, ap-northeast-2, sa-east-1, ap-south-1, eu-north-1)",
     f"{EVENTS} WHERE {REGIONS}"),
    ("RunInstances in unused regions (sa-east-1, ap-southeast-1)",
     f"{EVENTS} WHERE eventname = 'RunInstances' AND awsregion IN ('sa-east-1', 'ap-southeast-1')"),
    ("how many calls in regions we don't operate in (ap-northeast-2, sa-east-1)",
     "SELECT count(*) FROM cloudtrail WHERE awsregion IN ('ap-northeast-2', 'sa-east-1')"),
])
def test_regions_described_then_listed_are_the_regions_listed(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_regions_described_without_a_list_still_refuse() -> None:
    # which regions go unused is not in the logs
    with pytest.raises(TranslationError):
        translate("RunInstances in unused regions", DEMO_NOW)


SUCCESS_88 = ("eventname = 'ConsoleLogin' AND sourceipaddress = '192.0.2.88' AND "
              "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'")
PUBLIC = ("json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922' AND eventname IN "
          "('PutBucketPolicy', 'PutBucketAcl')")


@pytest.mark.parametrize(("question", "reference"), [
    ("did 192.0.2.88 eventually log in successfully? when", f"SELECT eventtime FROM cloudtrail WHERE {SUCCESS_88}"),
    ("did 192.0.2.88 log in successfully? if so when", f"SELECT eventtime FROM cloudtrail WHERE {SUCCESS_88}"),
    ("did anyone call StopLogging? and when", "SELECT eventtime FROM cloudtrail WHERE eventname = 'StopLogging'"),
    ("was tyrell-backups-33c922 made public? when?", f"SELECT eventtime FROM cloudtrail WHERE {PUBLIC}"),
])
def test_a_yes_no_question_then_when_asks_for_the_times(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["was tyrell-backups-33c922 made public", "when was tyrell-backups-33c922 made public"])
def test_a_bucket_made_public_in_the_passive_is_the_bucket(engine, question: str) -> None:
    # the passive's subject is what was made public: read as the one acting it searched for a user of that name
    assert same_rows(engine, question, f"{EVENTS} WHERE {PUBLIC}" if question.startswith("was") else
                     f"SELECT eventtime FROM cloudtrail WHERE {PUBLIC}") > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("GetSecretValue calls by humans (iam users) - count per user",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE eventname = 'GetSecretValue' AND useridentity.type = "
     "'IAMUser' GROUP BY useridentity.username"),
    ("console logins by people (iam users)",
     f"{EVENTS} WHERE useridentity.type = 'IAMUser' AND eventname = 'ConsoleLogin'"),
])
def test_a_loose_word_glossed_by_a_kind_in_brackets_is_that_kind(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_the_loose_word_alone_still_refuses() -> None:
    # humans may be IAM users or Identity Center people: which is not said
    with pytest.raises(TranslationError):
        translate("GetSecretValue calls by humans", DEMO_NOW)


@pytest.mark.parametrize("question", [
    "gd findings for trail tyrell-dev-trail",
    "guardduty findings mentioning tyrell-dev-trail",
    "logging disabled findings for tyrell-dev-trail",
])
def test_a_finding_about_a_named_trail_names_it_in_its_title(engine, question: str) -> None:
    # GuardDuty's finding on a disabled trail names the trail only in its title (the resource is the access key used)
    assert same_rows(engine, question, f"{FINDINGS} WHERE title LIKE '%tyrell-dev-trail%'") > 0
