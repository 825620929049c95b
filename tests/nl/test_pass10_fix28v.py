"""Pass 10, dev28's reporting and network questions: classes read as the independent writers read them.

Report lead-ins, glosses that restate a word already read ("external (not 10.x)", "(identity type AWSService)",
"(protocol 17)", "(flow_direction egress)"), raw column names ("srcaddr values", "useridentity type"), "summed",
days written "for 2026-11-19" or "on 11/19", labels before a resource id ("the bastion eni-…"), a question opening on
the ranked noun ("subnet with the highest total bytes"), "successes and failures together" and both ends of a flow
scoped at once.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.rarephrases import plain_rare_phrases
from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_PER_DAY_LOGINS = ("SELECT substr(eventtime, 1, 10) AS day, count(*) AS events FROM cloudtrail "
                   "WHERE eventname = 'ConsoleLogin' GROUP BY 1")


@pytest.mark.parametrize("question", [
    "console logins per day, successes and failures together",
    "console sign-ins per day, failures and successes combined",
])
def test_both_outcomes_together_is_one_count_not_a_split(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "$.ConsoleLogin" not in sql
    assert same_rows(engine, question, _PER_DAY_LOGINS) > 0


def test_outcomes_said_apart_still_split() -> None:
    sql = translate("console logins per day, successes vs failures", DEMO_NOW)[0]
    assert "$.ConsoleLogin" in sql and "GROUP BY" in sql


@pytest.mark.parametrize("question", [
    "how many events were made by aws service principals (identity type AWSService)",
    "how many calls by aws services (identity type AWSService)",
])
def test_identity_type_said_twice_is_one_filter(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "GROUP BY" not in sql and "invokedby" not in sql
    same_rows(engine, question, "SELECT count(*) FROM cloudtrail WHERE useridentity.type = 'AWSService'")


def test_external_gloss_restates_the_scope(engine) -> None:
    question = "number of distinct external source ips (not 10.x) that sent traffic to i-acd3094be1cf81bab"
    sql = translate(question, DEMO_NOW)[0]
    assert "dstaddr" not in sql
    same_rows(engine, question, "SELECT count(DISTINCT srcaddr) FROM vpc_flow WHERE instance_id = "
                                "'i-acd3094be1cf81bab' AND srcaddr NOT LIKE '10.%'")


def test_a_gloss_contradicting_its_scope_word_is_kept() -> None:
    assert "(10.x)" in plain_rare_phrases("flows to external ips (10.x)")
    assert "(not 10.x)" in plain_rare_phrases("flows to internal ips (not 10.x)")


def test_both_ends_internal(engine) -> None:
    question = "ssh flows where both source and destination are internal (10.x)"
    assert same_rows(engine, question, "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, "
                     "action, interface_id FROM vpc_flow WHERE dstport = 22 AND srcaddr LIKE '10.%' "
                     "AND dstaddr LIKE '10.%'") > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("weekly report - api calls broken down by aws region",
     "SELECT awsregion, count(*) AS events FROM cloudtrail GROUP BY awsregion"),
    ("handover numbers - cloudtrail events per day",
     "SELECT substr(eventtime, 1, 10) AS day, count(*) AS events FROM cloudtrail GROUP BY 1"),
    ("shift handover: how many guardduty findings are there",
     "SELECT count(*) FROM guardduty"),
    ("totals per eventtype for the weekly report",
     "SELECT eventtype, count(*) AS events FROM cloudtrail GROUP BY eventtype"),
])
def test_report_lead_ins_add_no_condition(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_the_usual_report_is_still_refused() -> None:
    with pytest.raises(TranslationError):
        translate("give me the usual numbers for the report", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("top 5 srcaddr values ranked by bytes they sent",
     "SELECT srcaddr, sum(bytes) AS total_bytes FROM vpc_flow GROUP BY srcaddr ORDER BY total_bytes DESC LIMIT 5"),
    ("top 5 sourceipaddress values by event count",
     "SELECT sourceipaddress, count(*) AS events FROM cloudtrail GROUP BY sourceipaddress ORDER BY events DESC LIMIT 5"),
    ("events per useridentity type",
     "SELECT useridentity.type, count(*) AS events FROM cloudtrail GROUP BY useridentity.type"),
    ("vpc flow bytes summed per aws account id",
     "SELECT account_id, sum(bytes) AS total_bytes FROM vpc_flow GROUP BY account_id"),
    ("subnet with the highest total bytes",
     "SELECT subnet_id, sum(bytes) AS total_bytes FROM vpc_flow GROUP BY subnet_id ORDER BY total_bytes DESC LIMIT 1"),
    ("source ip with the most rejected flows",
     "SELECT srcaddr, count(*) AS flows FROM vpc_flow WHERE action = 'REJECT' GROUP BY srcaddr "
     "ORDER BY flows DESC LIMIT 1"),
])
def test_columns_named_raw_and_rankings(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_total_compared_still_reads_its_number() -> None:
    sql = translate("sources that sent more than 500 bytes summed", DEMO_NOW)[0]
    assert "HAVING" in sql and "500" in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("count of udp flows (protocol 17)", "SELECT count(*) FROM vpc_flow WHERE protocol = 17"),
    ("count of protocol 6 flows to port 22", "SELECT count(*) FROM vpc_flow WHERE protocol = 6 AND dstport = 22"),
    ("egress bytes per instance (flow_direction egress)",
     "SELECT instance_id, sum(bytes) AS total_bytes FROM vpc_flow WHERE flow_direction = 'egress' GROUP BY 1"),
])
def test_protocol_numbers_and_direction_glosses(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "cloudtrail event volume per hour for 2026-11-19",
    "cloudtrail events per hour from 2026-11-19",
    "cloudtrail events per hour on 11/19",
])
def test_a_day_written_for_from_or_month_slash_day(question: str) -> None:
    window = translate(question, DEMO_NOW)[2]
    assert window is not None and (window.start.month, window.start.day, window.end.day) == (11, 19, 20)


@pytest.mark.parametrize("question", [
    "rejected flows on 11/12",  # November 12 or December 11: refused, never guessed
    "events from 2026-11-18 onwards",
])
def test_ambiguous_days_stay_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("how many bytes did 68.62.167.181 send to the bastion eni-8f0b797fb3e5915ec",
     "SELECT sum(bytes) FROM vpc_flow WHERE srcaddr = '68.62.167.181' AND interface_id = 'eni-8f0b797fb3e5915ec'"),
    ("accepted flows to port 443 on the web eni-2808a0e1b390c272f per hour",
     "SELECT date_trunc('hour', from_unixtime(start)) AS hour, count(*) AS flows FROM vpc_flow WHERE dstport = 443 "
     "AND interface_id = 'eni-2808a0e1b390c272f' AND action = 'ACCEPT' GROUP BY 1"),
    ("ingress vs egress flow counts for the prod vpc vpc-57952e58d866e8687",
     "SELECT flow_direction, count(*) AS flows FROM vpc_flow WHERE vpc_id = 'vpc-57952e58d866e8687' GROUP BY 1"),
])
def test_a_label_before_a_resource_id_adds_no_condition(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("start time of the most recent rejected flow on eni-8f0b797fb3e5915ec",
     "SELECT max(start) FROM vpc_flow WHERE interface_id = 'eni-8f0b797fb3e5915ec' AND action = 'REJECT'"),
    ("when did the last flow on i-eda76cb97e6880143 start",
     "SELECT max(start) FROM vpc_flow WHERE instance_id = 'i-eda76cb97e6880143'"),
    ("when did the first flow from 198.51.100.149 start",
     "SELECT min(start) FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
])
def test_the_start_of_a_first_or_last_flow_is_its_time(engine, question: str, reference: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert sql.count("(start)") == 1  # never both ends: "start" is no "first"
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "reference"), [
    ("how many bytes did 10.10.17.92 send to s3 (pkt dst aws service S3)",
     "SELECT sum(bytes) FROM vpc_flow WHERE srcaddr = '10.10.17.92' AND pkt_dst_aws_service = 'S3'"),
    ("bytes to amazon S3 per instance, using pkt_dst_aws_service",
     "SELECT instance_id, sum(bytes) AS total_bytes FROM vpc_flow WHERE pkt_dst_aws_service = 'S3' GROUP BY 1"),
    ("flow count by availability zone id", "SELECT az_id, count(*) AS flows FROM vpc_flow GROUP BY az_id"),
    ("management vs data events - totals by eventcategory",
     "SELECT eventcategory, count(*) AS events FROM cloudtrail GROUP BY eventcategory"),
    ("top 3 event names failing with errorcode AccessDenied",
     "SELECT eventname, count(*) AS events FROM cloudtrail WHERE errorcode = 'AccessDenied' GROUP BY eventname "
     "ORDER BY events DESC LIMIT 3"),
    ("daily count of REJECT flows in vpc_flow",
     "SELECT date_trunc('day', from_unixtime(start)) AS day, count(*) AS flows FROM vpc_flow "
     "WHERE action = 'REJECT' GROUP BY 1"),
])
def test_columns_and_tables_named_as_the_lake_names_them(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_management_and_data_together_is_not_split() -> None:
    with pytest.raises(TranslationError):  # "and" may be both in one count: refused, never guessed as a split
        translate("count of management and data events", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("distinct dst ports under 1024 that were rejected",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE action = 'REJECT' AND dstport < 1024"),
    ("which dst ports above 1000 were rejected",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE action = 'REJECT' AND dstport > 1000"),
])
def test_ports_compared_and_asked_for_are_listed(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_flows_to_ports_compared_stay_a_listing() -> None:
    assert translate("flows to ports above 1023", DEMO_NOW)[0].lstrip().startswith("SELECT\n  start")
