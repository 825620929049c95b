"""Classes the offline translator reads since the misses of tests/nl/dev6.yaml (analysts coming from
Splunk, Sentinel or Elastic), and the shapes it refuses rather than answer wrongly.

Answered questions run through the guard and the local engine and are compared with a reference query.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize(("question", "reference"), [
    ("bottom 5 event sources by event count", "SELECT eventsource, count(*) FROM cloudtrail GROUP BY 1 "
                                              "ORDER BY 2 ASC, 1 LIMIT 5"),
    ("the 2 least used regions by cloudtrail event count", "SELECT awsregion, count(*) FROM cloudtrail GROUP BY 1 "
                                                           "ORDER BY 2 ASC, 1 LIMIT 2"),
    ("bottom 4 interfaces by vpc flow count", "SELECT interface_id, count(*) FROM vpc_flow GROUP BY 1 "
                                              "ORDER BY 2 ASC, 1 LIMIT 4"),
])
def test_bottom_n_ranks_the_noun_after_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "guardduty findings with severity above 7 or of type Recon:EC2/PortProbeUnprotectedPort",
    "accepted flows to 10.10.0.69, or from port 443",
    "failed calls or anything from 198.51.100.149",
])
def test_or_between_conditions_on_different_columns_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="or"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["calls to s3 or iam", "flows to or from 10.10.0.69",
                                      "findings of severity 8 or above"])
def test_or_within_one_column_still_reads(question: str) -> None:
    translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("first/last flow per source ip", "SELECT srcaddr, min(start), max(start) FROM vpc_flow GROUP BY 1"),
    ("earliest / latest timestamp per guardduty finding type", "SELECT type, min(updatedat), max(updatedat) "
                                                               "FROM guardduty GROUP BY 1"),
    ("first and last console login per user", "SELECT useridentity.username, min(eventtime), max(eventtime) FROM "
     "cloudtrail WHERE eventname = 'ConsoleLogin' AND useridentity.username IS NOT NULL GROUP BY 1"),
])
def test_both_ends_of_a_span_per_group(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("stats count by awsregion", "SELECT awsregion, count(*) FROM cloudtrail GROUP BY 1"),
    ("stats count by region, event source", "SELECT awsregion, eventsource, count(*) FROM cloudtrail GROUP BY 1, 2"),
    ("count by username, eventName for iam users", "SELECT useridentity.username, eventname, count(*) FROM cloudtrail "
     "WHERE useridentity.type = 'IAMUser' AND useridentity.username IS NOT NULL GROUP BY 1, 2"),
    ("stats dc(dstaddr) by srcaddr", "SELECT srcaddr, count(DISTINCT dstaddr) FROM vpc_flow GROUP BY 1"),
    ("distinct count of event names per region", "SELECT awsregion, count(DISTINCT eventname) FROM cloudtrail GROUP BY 1"),
    ("distinct_count(srcaddr) of rejected flows", "SELECT count(DISTINCT srcaddr) FROM vpc_flow WHERE action = 'REJECT'"),
])
def test_spl_stats_count_and_distinct_count(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("timechart span=1h count of rejected flows", "SELECT date_trunc('hour', from_unixtime(start)), count(*) "
                                                  "FROM vpc_flow WHERE action = 'REJECT' GROUP BY 1"),
    ("do a timechart of console logins by day", "SELECT substr(eventtime, 1, 10), count(*) FROM cloudtrail "
                                                "WHERE eventname = 'ConsoleLogin' GROUP BY 1"),
    ("guardduty findings binned by day", "SELECT substr(updatedat, 1, 10), count(*) FROM guardduty GROUP BY 1"),
])
def test_timechart_and_bucketed_read_as_buckets_over_time(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["timechart by day", "timechart count by eventsource",
                                      "timechart span=2h count by action"])
def test_a_timechart_without_interval_or_subject_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("number of calls excluding iam and sts", "SELECT count(*) FROM cloudtrail WHERE eventsource NOT IN "
                                              "('iam.amazonaws.com', 'sts.amazonaws.com')"),
    ("count by event source other than s3, kms", "SELECT eventsource, count(*) FROM cloudtrail WHERE eventsource "
                                                 "NOT IN ('s3.amazonaws.com', 'kms.amazonaws.com') GROUP BY 1"),
    ("how many events with eventsource=sts.amazonaws.com, everything but AssumeRole", "SELECT count(*) FROM cloudtrail "
     "WHERE eventsource = 'sts.amazonaws.com' AND eventname <> 'AssumeRole'"),
])
def test_a_negation_covers_the_values_listed_after_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("count where dst_port=443 action=REJECT", "SELECT count(*) FROM vpc_flow WHERE dstport = 443 AND action = 'REJECT'"),
    ("how many flows with src_ip=10.10.0.69 dest_port=22", "SELECT count(*) FROM vpc_flow WHERE srcaddr = '10.10.0.69' "
                                                           "AND dstport = 22"),
    ("count of events where source.ip: 198.51.100.149 and event.action: GetObject", "SELECT count(*) FROM cloudtrail "
     "WHERE sourceipaddress = '198.51.100.149' AND eventname = 'GetObject'"),
    ("actor = lena.garcia eventsource = s3.amazonaws.com, how many calls", "SELECT count(*) FROM cloudtrail WHERE "
     "(useridentity.username = 'lena.garcia' OR useridentity.sessioncontext.sessionissuer.username = 'lena.garcia') "
     "AND eventsource = 's3.amazonaws.com'"),
    ("stats count by src_ip, dst_port where action=ACCEPT", "SELECT srcaddr, dstport, count(*) FROM vpc_flow "
                                                            "WHERE action = 'ACCEPT' GROUP BY 1, 2"),
])
def test_siem_field_value_pairs(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("number of calls by terraform-runner-aed5, including errors", "SELECT count(*) FROM cloudtrail WHERE "
     "useridentity.username = 'terraform-runner-aed5' OR "
     "useridentity.sessioncontext.sessionissuer.username = 'terraform-runner-aed5'"),
    ("count of GetObject events (incl. failures)", "SELECT count(*) FROM cloudtrail WHERE eventname = 'GetObject'"),
])
def test_errors_included_is_no_condition(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("count by event name where the caller is terraform-runner-aed5", "SELECT eventname, count(*) FROM cloudtrail WHERE "
     "useridentity.username = 'terraform-runner-aed5' OR "
     "useridentity.sessioncontext.sessionissuer.username = 'terraform-runner-aed5' GROUP BY 1"),
    ("how many calls did the actor from 198.51.100.149 make", "SELECT count(*) FROM cloudtrail "
                                                              "WHERE sourceipaddress = '198.51.100.149'"),
])
def test_actor_and_caller_name_the_one_acting(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("number of rejected flows excluding src 198.51.100.149", "SELECT count(*) FROM vpc_flow WHERE action = 'REJECT' "
                                                              "AND srcaddr <> '198.51.100.149'"),
    ("how many flows to port 443, not dest 10.10.0.69", "SELECT count(*) FROM vpc_flow WHERE dstport = 443 "
                                                        "AND dstaddr <> '10.10.0.69'"),
])
def test_a_negation_before_a_side_of_the_flow(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("event names called at least twice", "SELECT eventname, count(*) FROM cloudtrail GROUP BY 1 HAVING count(*) >= 2"),
    ("source ips seen more than once in rejected flows", "SELECT srcaddr, count(*) FROM vpc_flow WHERE action = 'REJECT' "
                                                         "GROUP BY 1 HAVING count(*) > 1"),
])
def test_once_and_twice_are_counts_of_times(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("per-region call counts", "SELECT awsregion, count(*) FROM cloudtrail GROUP BY 1"),
    ("findings per account id", "SELECT accountid, count(*) FROM guardduty GROUP BY 1"),
    ("flows per interface id", "SELECT interface_id, count(*) FROM vpc_flow GROUP BY 1"),
    ("flow counts per eni (network interface)", "SELECT interface_id, count(*) FROM vpc_flow GROUP BY 1"),
])
def test_grouping_spellings(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("how many calls by AssumedRole identities", "SELECT count(*) FROM cloudtrail WHERE useridentity.type = 'AssumedRole'"),
    ("count per event source where identity type is AWSService", "SELECT eventsource, count(*) FROM cloudtrail "
                                                                 "WHERE useridentity.type = 'AWSService' GROUP BY 1"),
    ("count per region, excluding calls made by aws services", "SELECT awsregion, count(*) FROM cloudtrail "
     "WHERE useridentity.type <> 'AWSService' GROUP BY 1"),
])
def test_identity_types_as_the_logs_write_them(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_anonymous_is_the_aws_account_identity_type() -> None:
    sql = translate("number of GetObject calls from anonymous principals (identity type AWSAccount)", DEMO_NOW)[0]
    assert "useridentity.type = 'AWSAccount'" in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("console sign-ins by user and outcome", "SELECT useridentity.username, json_extract_scalar(responseelements, "
     "'$.ConsoleLogin'), count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND useridentity.username IS NOT NULL "
     "GROUP BY 1, 2"),
    ("iam calls per status", "SELECT CASE WHEN errorcode IS NULL THEN 'Success' ELSE 'Failure' END, count(*) FROM cloudtrail "
                             "WHERE eventsource = 'iam.amazonaws.com' GROUP BY 1"),
    ("rejected and accepted counts by action (accepted or rejected)", "SELECT action, count(*) FROM vpc_flow GROUP BY 1"),
])
def test_outcome_result_status_as_a_grouping(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_an_outcome_enumerated_in_brackets_is_no_filter() -> None:
    sql = translate("console logins per result (successful vs failed)", DEMO_NOW)[0]
    assert "'Failure'" not in sql and "errorcode" not in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("rare event sources", "SELECT eventsource, count(*) FROM cloudtrail GROUP BY 1 ORDER BY 2, 1 LIMIT 10"),
    ("the 2 rarest regions", "SELECT awsregion, count(*) FROM cloudtrail GROUP BY 1 ORDER BY 2, 1 LIMIT 2"),
    ("rare dest ports: the 4 least common ones", "SELECT dstport, count(*) FROM vpc_flow GROUP BY 1 ORDER BY 2, 1 LIMIT 4"),
])
def test_rare_ranks_the_least_common(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("event names with at least 2 calls but fewer than 10", "SELECT eventname, count(*) FROM cloudtrail GROUP BY 1 "
                                                            "HAVING count(*) >= 2 AND count(*) < 10"),
    ("source ips with more than 1 rejected flow but under 50", "SELECT srcaddr, count(*) FROM vpc_flow WHERE action = "
     "'REJECT' GROUP BY 1 HAVING count(*) > 1 AND count(*) < 50"),
])
def test_a_range_of_counts(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("how many calls where error_code is not null", "SELECT count(*) FROM cloudtrail WHERE errorcode IS NOT NULL"),
    ("count of s3 events where the errorcode is null", "SELECT count(*) FROM cloudtrail WHERE errorcode IS NULL "
                                                       "AND eventsource = 's3.amazonaws.com'"),
    ("events per identity type (AssumedRole / IAMUser / AWSService etc)", "SELECT useridentity.type, count(*) "
                                                                          "FROM cloudtrail GROUP BY 1"),
])
def test_sql_null_tests_and_listed_examples(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("number of console logins excluding the vpn ips 69.56.160.124 and 68.62.167.181", "SELECT count(*) FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND sourceipaddress NOT IN ('69.56.160.124', '68.62.167.181')"),
    ("how many GetObject calls from 198.51.100.149 (the scanner ips)", "SELECT count(*) FROM cloudtrail WHERE "
     "eventname = 'GetObject' AND sourceipaddress = '198.51.100.149'"),
    ("last thing before lunch: number of rejected flows", "SELECT count(*) FROM vpc_flow WHERE action = 'REJECT'"),
])
def test_labels_of_addresses_and_chatty_openings_are_no_condition(engine, question: str, reference: str) -> None:
    same_rows(engine, question, reference)


def test_a_call_and_a_list_it_is_not_in_conflict() -> None:
    with pytest.raises(TranslationError, match="conflicting"):
        translate("ListBuckets calls about the public bucket", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("which event names did terraform-runner-aed5 execute via s3", "SELECT DISTINCT eventname FROM cloudtrail WHERE "
     "(useridentity.username = 'terraform-runner-aed5' OR "
     "useridentity.sessioncontext.sessionissuer.username = 'terraform-runner-aed5') AND eventsource = 's3.amazonaws.com'"),
    ("what apis did lena.garcia invoke", "SELECT DISTINCT eventname FROM cloudtrail WHERE useridentity.username = "
     "'lena.garcia' OR useridentity.sessioncontext.sessionissuer.username = 'lena.garcia'"),
])
def test_run_execute_invoke_are_calls_made(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_run_instances_keeps_its_call() -> None:
    assert "RunInstances" in translate("who ran instances", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("number of calls where src_ip != 198.51.100.149", "SELECT count(*) FROM cloudtrail "
                                                       "WHERE sourceipaddress <> '198.51.100.149'"),
    ("how many flows with dst_port <> 443", "SELECT count(*) FROM vpc_flow WHERE dstport <> 443"),
])
def test_a_field_not_equal_to_a_value_excludes_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["flows where action != ACCEPT", "count where colour <> red",
                                      "count by source ip and destination", "count by srcaddr, principal",
                                      "number of events per account or region", "flows by dstport or by srcaddr"])
def test_unread_exclusions_and_foreign_second_groupings_are_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)
