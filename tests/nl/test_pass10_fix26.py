"""Pass 10, dev26's classes: a partial address is a range or a refusal, never dropped; an ARN alone is the caller's;
GuardDuty's severity score is its severity; the VPC and the zone are flow log columns; "the source is not 10.x" is one
side of the flow; the AWSReservedSSO family of roles; "whose key …? user name" answers with the name."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_LISTED = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"
_FLOWS = "start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id"


def test_an_address_prefix_before_an_address_noun_is_its_range(engine) -> None:
    question = "did anyone call GetCallerIdentity from a 192.0.2. address"
    assert "LIKE '192.0.2.%'" in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, f"SELECT {_LISTED} FROM cloudtrail WHERE eventname = 'GetCallerIdentity' "
                                "AND sourceipaddress LIKE '192.0.2.%'")


@pytest.mark.parametrize("question", [
    "GetCallerIdentity calls from 10.1.2",
    "GetCallerIdentity calls from 192.0.2.",
])
def test_a_partial_address_left_unread_is_refused_not_dropped(question: str) -> None:
    with pytest.raises(TranslationError, match="part of an address"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", [
    "who pulled secrets with GetSecretValue? distinct arns pls",
    "distinct arns that called GetSecretValue",
])
def test_an_arn_alone_is_the_callers(engine, question: str) -> None:
    assert same_rows(engine, question, "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                       "WHERE eventname = 'GetSecretValue'") > 0


def test_policy_and_role_arns_keep_their_own_columns() -> None:
    assert "policyArn" in translate("which policy arns got attached via AttachUserPolicy", DEMO_NOW)[0]
    assert "useridentity.arn" in translate("GetParameter calls on /prod/orders-api/db-password, count per arn",
                                           DEMO_NOW)[0]
    # an ARN written out after "by" is the value, not the word
    assert "heidi.smith'" in translate("count events by arn:aws:iam::776471095852:user/heidi.smith per event name",
                                       DEMO_NOW)[0]


def test_a_vpc_named_after_a_value_is_where_it_lives() -> None:
    sql = translate("flows to port 6379 in the 426676542884 vpc", DEMO_NOW)[0]
    assert "DISTINCT" not in sql and "account_id = '426676542884'" in sql


def test_availability_zone_alone_stays_guardduty_s() -> None:
    with pytest.raises(TranslationError):
        translate("which availability zones are the probed instances in", DEMO_NOW)


@pytest.mark.parametrize("question, reference", [
    ("highest severity score in guardduty", "SELECT max(severity) FROM guardduty"),
    ("findings per severity score", "SELECT severity, count(*) FROM guardduty GROUP BY severity"),
])
def test_the_severity_score_is_the_severity(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question, reference", [
    ("flow counts per vpc", "SELECT vpc_id, count(*) FROM vpc_flow GROUP BY vpc_id"),
    ("which vpc ids show up in the flow logs", "SELECT DISTINCT vpc_id FROM vpc_flow"),
    ("flows by availability zone id", "SELECT az_id, count(*) FROM vpc_flow GROUP BY az_id"),
    ("flow count by az id", "SELECT az_id, count(*) FROM vpc_flow GROUP BY az_id"),
])
def test_vpc_and_zone_are_flow_columns(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "list sg ingress rules that were opened to 0.0.0.0/0",
    "ingress rules that were opened to the world",
])
def test_ingress_rules_with_a_relative_clause(engine, question: str) -> None:
    same_rows(engine, question, f"SELECT {_LISTED} FROM cloudtrail WHERE eventname = 'AuthorizeSecurityGroupIngress' "
                                "AND requestparameters LIKE '%0.0.0.0/0%'")


@pytest.mark.parametrize("question", [
    "accepted port 22 flows where the source isnt a 10.x address",
    "accepted port 22 flows where the source is not 10.x",
])
def test_the_source_is_not_a_range_is_the_source_side(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "dstaddr LIKE" not in sql
    same_rows(engine, question, f"SELECT {_FLOWS} FROM vpc_flow WHERE dstport = 22 AND action = 'ACCEPT' "
                                "AND srcaddr NOT LIKE '10.%'")


def test_the_destination_is_and_reached_name_the_destination() -> None:
    assert "srcaddr = '10.0.0.5'" not in translate("flows where the destination is 10.0.0.5", DEMO_NOW)[0]
    sql = translate("how many distinct non-10.x source ips reached 10.10.1.171", DEMO_NOW)[0]
    assert "dstaddr = '10.10.1.171'" in sql and "srcaddr = '10.10.1.171'" not in sql
    assert "dstaddr LIKE '10.%'" not in sql


def test_awsreservedsso_roles_are_the_sso_roles_asked_for() -> None:
    sql = translate("which AWSReservedSSO roles did judy.byrne@tyrell.com use", DEMO_NOW)[0]
    assert sql.startswith("SELECT DISTINCT") and "sessionissuer.username AS role" in sql and "eventtime" not in sql


def test_whose_key_with_the_user_name_asked_is_the_user_name() -> None:
    sql = translate("whose access key is AKIADD4XUGPFZYKWIQIZ? user name pls", DEMO_NOW)[0]
    assert "useridentity.username" in sql and "useridentity.arn" not in sql
    assert "useridentity.arn" in translate("whose access key is AKIADD4XUGPFZYKWIQIZ", DEMO_NOW)[0]


def test_a_top_n_over_one_thing_named_twice_is_one_ranking(engine) -> None:
    question = "which roles got assumed the most? top 3 role arns from AssumeRole requests"
    assert same_rows(engine, question, "SELECT json_extract_scalar(requestparameters, '$.roleArn') AS role_arn, "
                                       "count(*) AS n FROM cloudtrail WHERE eventname = 'AssumeRole' GROUP BY 1 "
                                       "ORDER BY n DESC LIMIT 3") > 0
    with pytest.raises(TranslationError, match="ambiguous"):
        translate("top 3 users and regions by calls", DEMO_NOW)
