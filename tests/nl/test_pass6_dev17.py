"""Classes the offline translator reads since dev17 (an analyst's day across CloudTrail, VPC flows and
GuardDuty, written blind). Answered questions run through the guard and the local engine and are compared with a
reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize(("question", "start", "end"), [
    ("flow count for i-1d4a078276f1c39a5 on nov 18 after 6pm utc", "2026-11-18T18:00", "2026-11-19T00:00"),
    ("flows on the 18th after 16:19", "2026-11-18T16:19", "2026-11-19T00:00"),
    ("api calls on 2026-11-18 since 21:00", "2026-11-18T21:00", "2026-11-19T00:00"),
    # the moment named first: it runs to the end of the data
    ("what did 192.0.2.238 do after 16:19 on the 18th", "2026-11-18T16:19", "2026-11-20T00:00"),
    ("logging tampering since 21:00 on the 18th", "2026-11-18T21:00", "2026-11-20T00:00"),
])
def test_a_time_after_a_named_day_stays_within_it(question: str, start: str, end: str) -> None:
    window = translate(question, DEMO_NOW)[2]
    assert window is not None
    assert (window.start, window.end) == (datetime.fromisoformat(start).replace(tzinfo=UTC),
                                          datetime.fromisoformat(end).replace(tzinfo=UTC))


@pytest.mark.parametrize(("question", "reference"), [
    ("instance ids with at least one REJECT flow",
     "SELECT DISTINCT instance_id FROM vpc_flow WHERE action = 'REJECT' AND instance_id IS NOT NULL"),
    ("which source ips had at least 1 rejected flow", "SELECT DISTINCT srcaddr FROM vpc_flow WHERE action = 'REJECT'"),
    ("principals with more than 0 AccessDenied errors",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE errorcode = 'AccessDenied'"),
])
def test_at_least_one_is_having_any_not_a_count(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_at_least_two_is_still_a_count_condition() -> None:
    assert "HAVING COUNT(*) >= 2" in " ".join(translate("which apis were called at least 2 times", DEMO_NOW)[0].split())


@pytest.mark.parametrize("question", ["what key name did the ImportKeyPair calls use",
                                      "key pair names used by ImportKeyPair", "ImportKeyPair calls, which key names"])
def test_a_key_name_is_the_key_pairs_not_an_access_key(engine, question: str) -> None:
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.keyName') FROM cloudtrail "
                 "WHERE eventname = 'ImportKeyPair'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["ImportKeyPair events + the region each one was in",
                                      "ImportKeyPair events and the region of each", "ImportKeyPair events + region"])
def test_and_a_column_of_each_event_adds_it_to_the_listing(engine, question: str) -> None:
    reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid, "
                 "awsregion FROM cloudtrail WHERE eventname = 'ImportKeyPair'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["how many people used the ReadOnlyAccess sso roles",
                                      "how many users used the ReadOnlyAccess sso role",
                                      "number of distinct people on the ReadOnlyAccess sso roles"])
def test_people_counted_on_sso_roles_are_the_session_names(engine, question: str) -> None:
    reference = ("SELECT count(DISTINCT regexp_extract(useridentity.arn, '[^/]+$')) FROM cloudtrail "
                 "WHERE useridentity.sessioncontext.sessionissuer.username LIKE 'AWSReservedSSO_ReadOnlyAccess_%'")
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("cloudtral: number of events in the last 6 hours",
     "SELECT count(*) FROM cloudtrail WHERE eventtime >= '2026-11-19T18:00:00Z'"),
    ("guardduty: findings per sevrity", "SELECT severity, count(*) FROM guardduty GROUP BY 1"),
    ("faild console logins.", "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, "
     "eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'"),
])
def test_a_typo_before_punctuation_is_still_corrected(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("newest RunInstances call", "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, "
     "eventid FROM cloudtrail WHERE eventname = 'RunInstances' ORDER BY eventtime DESC LIMIT 1"),
    ("most recently updated gd finding",
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty ORDER BY updatedat DESC LIMIT 1"),
    ("the newest 3 findings",
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty ORDER BY updatedat DESC LIMIT 3"),
    ("how many gd findings landed per calendar day",
     "SELECT substr(updatedat, 1, 10) AS day, count(*) FROM guardduty GROUP BY 1"),
    ("least used 3 event sources",
     "SELECT eventsource, count(*) AS n FROM cloudtrail GROUP BY eventsource ORDER BY n ASC, eventsource LIMIT 3"),
    ("most used 5 apis",
     "SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname ORDER BY n DESC, eventname LIMIT 5"),
])
def test_ranking_and_recency_wordings(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "used"), [
    ("iam users with console logins where mfa wasn't used", "No"),
    ("iam users with console logins that didn't use mfa", "No"),
    ("iam users with console logins where mfa was used", "Yes"),
])
def test_mfa_said_in_a_clause_is_the_mfa_flag(engine, question: str, used: str) -> None:
    reference = ("SELECT DISTINCT useridentity.username FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
                 f"AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = '{used}' AND useridentity.type = 'IAMUser'")
    assert same_rows(engine, question, reference) > 0


_LISTING = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail"


@pytest.mark.parametrize(("question", "reference"), [
    ("calls with curl in the user agent", f"{_LISTING} WHERE useragent LIKE '%curl%'"),
    ("calls with useragent=curl/8.5.0", f"{_LISTING} WHERE useragent LIKE '%curl/8.5.0%'"),
    ("calls from the aws-cli user agent", f"{_LISTING} WHERE useragent LIKE '%aws-cli%'"),
    ("which ips used a Boto3 user agent",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE lower(useragent) LIKE '%boto3%'"),
    ("calls where the user agent contains wget, per source ip",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE lower(useragent) LIKE '%wget%' GROUP BY 1"),
    ("calls excluding the aws-cli user agent, per service",
     "SELECT eventsource, count(*) FROM cloudtrail WHERE NOT coalesce(useragent LIKE '%aws-cli%', false) GROUP BY 1"),
    ("number of calls whose user agent isn't curl",
     "SELECT count(*) FROM cloudtrail WHERE NOT coalesce(useragent LIKE '%curl%', false)"),
])
def test_a_tool_named_in_the_user_agent_filters_on_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "sql"), [
    ("top user agents with count", "GROUP BY useragent"),
    ("which user agent has the most calls", "GROUP BY useragent"),
    ("calls with distinct user agents", "SELECT DISTINCT useragent"),
])
def test_words_beside_user_agent_are_not_tools(question: str, sql: str) -> None:
    translated = " ".join(translate(question, DEMO_NOW)[0].split())
    assert sql in translated and "LIKE" not in translated


def test_a_user_agent_is_not_asked_of_flows() -> None:
    with pytest.raises(TranslationError, match="user agents are recorded in CloudTrail"):
        translate("flows with curl in the user agent", DEMO_NOW)


@pytest.mark.parametrize("question", ["which principals fetched the ssm param /prod/orders-api/db-password",
                                      "who read the ssm param /prod/orders-api/db-password",
                                      "who retrieved the ssm param /prod/orders-api/db-password"])
def test_param_is_an_ssm_parameter(engine, question: str) -> None:
    reference = ("SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname IN ('GetParameter', 'GetParameters') "
                 "AND requestparameters LIKE '%/prod/orders-api/db-password%'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["who opened up tyrell-backups-33c922 to the public",
                                      "who exposed bucket tyrell-backups-33c922 to the internet",
                                      "who opened up the tyrell-backups-33c922 bucket to the public"])
def test_opening_a_bucket_to_the_public_is_making_it_public(engine, question: str) -> None:
    reference = ("SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname IN ('PutBucketPolicy', 'PutBucketAcl') "
                 "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["AuthorizeSecurityGroupIngress calls that opened 0.0.0.0/0",
                                      "security group rules allowing 0.0.0.0/0",
                                      "security group ingress opening 0.0.0.0/0"])
def test_opening_the_whole_internet_is_a_world_open_rule(engine, question: str) -> None:
    reference = (f"{_LISTING} WHERE eventname = 'AuthorizeSecurityGroupIngress' "
                 "AND requestparameters LIKE '%0.0.0.0/0%'")
    assert same_rows(engine, question, reference) > 0


def test_newest_as_an_order_stays_an_order() -> None:
    sql = " ".join(translate("findings sorted newest to oldest", DEMO_NOW)[0].split())
    assert "ORDER BY updatedat DESC" in sql and "LIMIT" not in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("events w/ errorcode Client.VcpuLimitExceeded", f"{_LISTING} WHERE errorcode = 'Client.VcpuLimitExceeded'"),
    ("events where errorcode is AccessDenied", f"{_LISTING} WHERE errorcode = 'AccessDenied'"),
    ("count by errorcode", "SELECT errorcode, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1"),
])
def test_errorcode_typed_as_one_word_is_the_column(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which key pairs were imported",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.keyName') FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
    ("who imported key pairs", "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
    ("key pair names imported, and the region of each",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.keyName'), awsregion FROM cloudtrail "
     "WHERE eventname = 'ImportKeyPair'"),
])
def test_a_verb_on_key_pairs_is_its_call(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which event names did 192.0.2.238 call, with region",
     "SELECT DISTINCT eventname, awsregion FROM cloudtrail WHERE sourceipaddress = '192.0.2.238'"),
    ("which users called ListBuckets and the region of each",
     "SELECT DISTINCT useridentity.arn, awsregion FROM cloudtrail WHERE eventname = 'ListBuckets'"),
])
def test_a_column_asked_beside_distinct_values_is_added(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["which event names did svc-reporting call and the source ip of each",
                                      "events per user with region", "count per service, with the user agent"])
def test_a_column_nobody_placed_is_refused_not_dropped(question: str) -> None:
    with pytest.raises(TranslationError, match="beside this answer"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("iam users seen on 69.56.160.124, and how many calls each",
     "SELECT useridentity.username, count(*) FROM cloudtrail WHERE sourceipaddress = '69.56.160.124' "
     "AND useridentity.type = 'IAMUser' GROUP BY 1"),
    ("who imported ec2 key pairs and in which regions",
     "SELECT DISTINCT useridentity.arn, awsregion FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
])
def test_counts_each_and_verbs_with_objects_still_read(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
