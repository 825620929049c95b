"""Classes of dev21's wrong refusals (questions that combine several pieces): what a call was about (its bucket, secret,
object key) asked beside a listing, GuardDuty's resource types and the start of a finding family written as the table
writes them, an acronym's plural with an apostrophe, and a lead sentence that only says why the question is asked.
Answers run through the guard and the local engine against a reference query written here; near wordings that must
still refuse assert the refusal.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"
_FINDINGS = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty"
_DENIED = "errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"
_BUCKET = "json_extract_scalar(requestparameters, '$.bucketName')"


@pytest.mark.parametrize(("question", "reference"), [
    ("any denied s3 calls from priya.kowalski@tyrell.com yesterday? list them w/ the bucket",
     f"SELECT {_LISTING}, {_BUCKET} FROM cloudtrail WHERE useridentity.arn LIKE '%/priya.kowalski@tyrell.com' "
     f"AND eventsource = 's3.amazonaws.com' AND {_DENIED} AND eventtime >= '2026-11-19T00:00:00Z'"),
    ("denied s3 calls by priya.kowalski@tyrell.com, plus the bucket name",
     f"SELECT {_LISTING}, {_BUCKET} FROM cloudtrail WHERE useridentity.arn LIKE '%/priya.kowalski@tyrell.com' "
     f"AND eventsource = 's3.amazonaws.com' AND {_DENIED}"),
    ("GetObject calls from 192.0.2.238 with bucket and object key",
     f"SELECT {_LISTING}, {_BUCKET}, json_extract_scalar(requestparameters, '$.key') FROM cloudtrail "
     "WHERE sourceipaddress = '192.0.2.238' AND eventname = 'GetObject'"),
    ("GetSecretValue events yesterday, with the secret name",
     f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.secretId') FROM cloudtrail "
     "WHERE eventname = 'GetSecretValue' AND eventtime >= '2026-11-19T00:00:00Z'"),
    ("RunInstances calls including the instance type",
     f"SELECT {_LISTING}, json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
     "WHERE eventname = 'RunInstances'"),
])
def test_what_a_call_was_about_is_a_column_beside_the_listing(engine, question: str, reference: str) -> None:
    # refused before ("cannot add 'bucket' beside this answer"), though the listing can carry it as it carries a region
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("GetObject calls with the bucket tyrell-backups-33c922",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'GetObject' AND {_BUCKET} = 'tyrell-backups-33c922'"),
    ("PutObject calls with bucket name tyrell-backups-33c922",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'PutObject' AND {_BUCKET} = 'tyrell-backups-33c922'"),
])
def test_a_column_noun_before_a_named_value_is_the_value_s_kind(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) >= 0
    assert " AS bucket" not in translate(question, DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("findings with severity between 1 and 8.9 about S3Bucket resources",
     f"{_FINDINGS} WHERE severity >= 1 AND severity <= 8.9 AND resourcetype = 'S3Bucket'"),
    ("findings on AccessKey resources", f"{_FINDINGS} WHERE resourcetype = 'AccessKey'"),
    ("guardduty findings for S3Buckets", f"{_FINDINGS} WHERE resourcetype = 'S3Bucket'"),
    ("how many findings per type on Instance resources",
     "SELECT type, count(*) FROM guardduty WHERE resourcetype = 'Instance' GROUP BY type"),
])
def test_a_resource_type_as_the_table_writes_it(engine, question: str, reference: str) -> None:
    # "S3Bucket" looked like an API call no table holds and was refused
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("guardduty findings excluding PortProbe ones", f"{_FINDINGS} WHERE type NOT LIKE '%PortProbe%'"),
    ("findings other than PortProbe", f"{_FINDINGS} WHERE type NOT LIKE '%PortProbe%'"),
    ("PortProbe findings", f"{_FINDINGS} WHERE type LIKE '%PortProbe%'"),
    ("count of PortProbe findings per day",
     "SELECT substr(updatedat, 1, 10), count(*) FROM guardduty WHERE type LIKE '%PortProbe%' GROUP BY 1"),
    ("any BucketAnonymous findings?", f"{_FINDINGS} WHERE type LIKE '%BucketAnonymousAccessGranted%'"),
])
def test_the_start_of_a_finding_family_names_the_family(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["CloudTrail events from 10.10.0.69", "ConsoleLogin events from 192.0.2.88"])
def test_a_service_or_call_at_the_start_of_a_family_stays_what_it_names(question: str) -> None:
    assert "FROM cloudtrail" in translate(question, DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "op"), [
    ("eni's that sent at least 10 MB total", ">="),
    ("ENI's with at least 10 MB total", ">="),
    ("eni’s that sent more than 10 MB in total", ">"),
])
def test_an_acronym_plural_with_an_apostrophe(engine, question: str, op: str) -> None:
    reference = f"SELECT interface_id, sum(bytes) FROM vpc_flow GROUP BY interface_id HAVING sum(bytes) {op} 10000000"
    assert same_rows(engine, question, reference) > 0


_RUN = "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'RunInstances'"


@pytest.mark.parametrize(("question", "reference"), [
    ("possible miner. any RunInstances in sa-east-1 or ap-southeast-1, and by whom",
     f"{_RUN} AND awsregion IN ('sa-east-1', 'ap-southeast-1')"),
    ("possible miner - which users called RunInstances", _RUN),
    ("looks like a miner: who called RunInstances in sa-east-1", f"{_RUN} AND awsregion = 'sa-east-1'"),
    ("the backups bucket went public. how many objects did anonymous callers download from tyrell-backups-33c922, "
     "per ip",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE useridentity.accountid = 'anonymous' "
     f"AND eventname = 'GetObject' AND {_BUCKET} = 'tyrell-backups-33c922' GROUP BY sourceipaddress"),
    ("audit wants to know: who called GetSecretValue",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'GetSecretValue'"),
])
def test_a_lead_sentence_read_as_nothing_is_only_the_reason_for_asking(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "possible brute force. which ips",  # the lead is read ('brute force'): it may be the condition
    "prod is on fire. which users failed to log in",  # an environment no table names scopes the question
    "never expected this. which users called RunInstances",  # a negation
    "the bucket went public. who made it public",  # the question refers back to the lead
    "suspicious burst at 21:15. which users were active",  # a time
])
def test_a_lead_that_may_be_a_condition_is_kept_and_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "start", "end"), [
    ("calls by heidi.smith since the 18th at noon", "2026-11-18T12:00:00Z", "2026-11-20T00:00:00Z"),
    ("calls by heidi.smith since nov 18 12:00", "2026-11-18T12:00:00Z", "2026-11-20T00:00:00Z"),
    ("calls by heidi.smith after the 19th at 6pm", "2026-11-19T18:00:00Z", "2026-11-20T00:00:00Z"),
    ("calls by heidi.smith before the 19th at 09:30", "2026-11-19T00:00:00Z", "2026-11-19T09:30:00Z"),
    ("calls by heidi.smith since the 18th", "2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z"),
    ("calls by heidi.smith since november 19th", "2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"),
])
def test_a_day_said_before_its_time_and_since_a_day(question: str, start: str, end: str) -> None:
    # "since the 18th at noon" was refused ("cannot place the time '12:00'") while "since noon on the 18th" read;
    # "since the 18th" runs from its midnight, as "since 2026-11-18" and "since monday" do
    window = translate(question, DEMO_NOW)[2]
    assert window is not None and (window.start.isoformat(), window.end.isoformat()) == (
        start.replace("Z", "+00:00"), end.replace("Z", "+00:00"))


@pytest.mark.parametrize("question", ["calls by heidi.smith after the 18th", "calls by heidi.smith before the 19th"])
def test_after_or_before_a_whole_day_stays_refused(question: str) -> None:
    with pytest.raises(TranslationError):  # the day included or not is the asker's to say
        translate(question, DEMO_NOW)


_KEY = "useridentity.accesskeyid = 'AKIAVHOIEYOMM24YTYKU'"


@pytest.mark.parametrize(("question", "start"), [
    ("we rotated keys on the 18th at noon; has AKIAVHOIEYOMM24YTYKU been used since then", "2026-11-18T12:00:00Z"),
    ("keys were rotated on nov 18 at 3pm. was AKIAVHOIEYOMM24YTYKU used after that", "2026-11-18T15:00:00Z"),
])
def test_since_then_is_the_moment_the_lead_names(engine, question: str, start: str) -> None:
    reference = f"SELECT {_LISTING} FROM cloudtrail WHERE {_KEY} AND eventtime >= '{start}'"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "we rotated keys on the 18th; has AKIAVHOIEYOMM24YTYKU been used since then",  # a day is not one moment
    "has AKIAVHOIEYOMM24YTYKU been used since then",
])
def test_since_then_without_a_moment_stays_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("mallory.reyes has no mfa - did she sign in to the console w/o mfa yesterday, from which ips",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = 'mallory.reyes' "
     "AND eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success' "
     "AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No' AND eventtime >= '2026-11-19T00:00:00Z'"),
    ("heidi.smith got phished. which ips did she use",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = 'heidi.smith'"),
    ("svc-reporting is a reporting job, it should never touch ec2. count its ec2 calls by eventname",
     "SELECT eventname, count(*) FROM cloudtrail WHERE useridentity.username = 'svc-reporting' "
     "AND eventsource = 'ec2.amazonaws.com' GROUP BY eventname"),
])
def test_a_lead_naming_the_one_the_question_calls_she_he_or_its(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("who created the role metrics-319c-role and from what ip",
     "SELECT DISTINCT useridentity.arn, sourceipaddress FROM cloudtrail WHERE eventname = 'CreateRole' "
     "AND json_extract_scalar(requestparameters, '$.roleName') = 'metrics-319c-role'"),
    ("who created role metrics-319c-role",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'CreateRole' "
     "AND json_extract_scalar(requestparameters, '$.roleName') = 'metrics-319c-role'"),
])
def test_the_role_created_is_in_the_request_not_the_caller(engine, question: str, reference: str) -> None:
    # a word of the name ('metrics') was refused as CloudWatch data, and the role made was read as the one acting
    assert same_rows(engine, question, reference) > 0


def test_the_role_acting_stays_the_caller() -> None:
    sql = translate("CreateRole calls by role github-actions-deploy", DEMO_NOW)[0]
    assert "sessionissuer.username = 'github-actions-deploy'" in sql


@pytest.mark.parametrize("question", ["cpu metrics for 10.10.0.69", "dns queries from 10.10.0.69",
                                      "who is on-call for the bastion"])
def test_a_missing_source_named_outside_a_name_is_still_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="data these tables do not hold"):
        translate(question, DEMO_NOW)


_DEPLOY = "useridentity.sessioncontext.sessionissuer.username = 'github-actions-deploy'"


@pytest.mark.parametrize(("question", "reference"), [
    ("putobject count per bucket for ci role github-actions-deploy on the 19th",
     f"SELECT {_BUCKET}, count(*) FROM cloudtrail WHERE {_DEPLOY} AND eventname = 'PutObject' "
     f"AND eventtime >= '2026-11-19T00:00:00Z' GROUP BY 1"),
    ("what did the ci role github-actions-deploy do", f"SELECT {_LISTING} FROM cloudtrail WHERE {_DEPLOY}"),
    ("calls by the build user svc-reporting",
     f"SELECT {_LISTING} FROM cloudtrail WHERE useridentity.username = 'svc-reporting'"),
])
def test_a_word_describing_a_named_role_or_user_adds_nothing(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["what did the prod role github-actions-deploy do",  # an account, not a description
                                      "what did the ci role do"])  # nothing named: 'ci' would be the only condition
def test_a_description_without_a_name_or_naming_an_environment_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="did not understand"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("top 3 internal hosts by egress bytes to non-10 addresses",
     "SELECT srcaddr, sum(bytes) AS b FROM vpc_flow WHERE flow_direction = 'egress' AND srcaddr LIKE '10.%' "
     "AND dstaddr NOT LIKE '10.%' GROUP BY srcaddr ORDER BY b DESC LIMIT 3"),
    ("flows to non-10.x ips", "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, "
     "interface_id FROM vpc_flow WHERE dstaddr NOT LIKE '10.%'"),
    ("egress bytes to non-10.10 addresses", "SELECT sum(bytes) FROM vpc_flow WHERE flow_direction = 'egress' "
     "AND dstaddr NOT LIKE '10.10.%'"),
])
def test_non_and_the_first_octets_is_outside_that_range(engine, question: str, reference: str) -> None:
    # "non-10" was read as a negation before the number 10, which nothing could place
    assert same_rows(engine, question, reference) > 0
