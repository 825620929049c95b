"""Classes the offline translator reads since dev18's first measurement (issue 25): roles assumed without a
name, the receiving end of a flow, and what was typed inside a session. Answered questions run through the
guard and the local engine and are compared with a reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_ASSUMES = "eventname IN ('AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML')"
_ROLE = "json_extract_scalar(requestparameters, '$.roleArn')"


@pytest.mark.parametrize(("question", "reference"), [
    ("how many times were roles assumed in total", f"SELECT count(*) FROM cloudtrail WHERE {_ASSUMES}"),
    ("how many role assumptions were there", f"SELECT count(*) FROM cloudtrail WHERE {_ASSUMES}"),
    ("who assumed a role", f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_ASSUMES}"),
])
def test_roles_assumed_without_a_name_are_every_sts_assumption(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("how many distinct roles were assumed", f"SELECT count(DISTINCT {_ROLE}) FROM cloudtrail WHERE {_ASSUMES}"),
    ("number of unique roles assumed", f"SELECT count(DISTINCT {_ROLE}) FROM cloudtrail WHERE {_ASSUMES}"),
    ("how many different roles were assumed", f"SELECT count(DISTINCT {_ROLE}) FROM cloudtrail WHERE {_ASSUMES}"),
])
def test_distinct_roles_assumed_counts_the_roles_in_the_requests(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "op"), [
    ("roles assumed more than 300 times?", "> 300"),
    ("roles assumed at least 5 times", ">= 5"),
    ("roles assumed over 100 times", "> 100"),
])
def test_roles_assumed_more_than_n_times_groups_by_the_role(engine, question: str, op: str) -> None:
    reference = (f"SELECT {_ROLE}, count(*) FROM cloudtrail WHERE {_ASSUMES} AND {_ROLE} IS NOT NULL "
                 f"GROUP BY 1 HAVING count(*) {op}")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "role"), [
    ("which roles were assumed, other than github-actions-deploy", "github-actions-deploy"),
    ("which roles got assumed except billing-lambda", "billing-lambda"),
    ("what roles were assumed besides github-actions-deploy", "github-actions-deploy"),
])
def test_a_role_excepted_from_roles_assumed_is_a_role_in_the_request(engine, question: str, role: str) -> None:
    reference = (f"SELECT DISTINCT {_ROLE} FROM cloudtrail WHERE {_ASSUMES} AND {_ROLE} IS NOT NULL "
                 f"AND {_ROLE} NOT LIKE '%/{role}'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["how many times did github-actions-deploy get assumed",
                                      "how many times has github-actions-deploy been assumed",
                                      "how often does github-actions-deploy get assumed"])
def test_a_role_that_gets_assumed_is_the_role_in_the_request(engine, question: str) -> None:
    reference = f"SELECT count(*) FROM cloudtrail WHERE {_ASSUMES} AND {_ROLE} LIKE '%/github-actions-deploy'"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which hosts received rejected ssh attempts",
     "SELECT DISTINCT dstaddr FROM vpc_flow WHERE dstport = 22 AND action = 'REJECT'"),
    ("hosts that received rejected ssh attempts",
     "SELECT DISTINCT dstaddr FROM vpc_flow WHERE dstport = 22 AND action = 'REJECT'"),
    ("which ips were contacted on port 22", "SELECT DISTINCT dstaddr FROM vpc_flow WHERE dstport = 22"),
    ("which hosts received the most bytes",
     "SELECT dstaddr, sum(bytes) AS b FROM vpc_flow GROUP BY 1 ORDER BY b DESC, dstaddr LIMIT 10"),
])
def test_hosts_that_receive_are_the_destination(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_hosts_that_send_are_still_the_source(engine) -> None:
    reference = "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstport = 22 AND action = 'REJECT'"
    assert same_rows(engine, "which hosts sent rejected ssh attempts", reference) > 0


@pytest.mark.parametrize("question", ["which internal hosts received ssh connections",
                                      "which of our hosts received ssh connections",
                                      "which internal destinations got ssh connections"])
def test_a_scope_on_receiving_hosts_is_on_the_destination(question: str) -> None:
    sql = " ".join(translate(question, DEMO_NOW)[0].split())
    assert "DISTINCT dstaddr" in sql and "dstaddr LIKE '10.%'" in sql and "srcaddr LIKE" not in sql


@pytest.mark.parametrize("question", ["what did bob.dubois type in the ssm session on i-ff23499c7bbb22f59",
                                      "which commands did alice.nguyen run inside her session",
                                      "show the session transcript for bob.dubois"])
def test_what_was_typed_in_a_session_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="Session Manager logs"):
        translate(question, DEMO_NOW)


def test_who_started_a_session_is_still_answered() -> None:
    assert "StartSession" in translate("who started an ssm session on i-ff23499c7bbb22f59", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("list the guardduty findings that aren't low severity",
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty WHERE severity >= 4.0"),
    ("how many flows weren't rejected", "SELECT count(*) FROM vpc_flow WHERE action <> 'REJECT'"),
    ("how many calls didn't fail", "SELECT count(*) FROM cloudtrail WHERE errorcode IS NULL"),
])
def test_a_negative_contraction_is_the_negation_written_out(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["who didn't log in successfully", "which users did not log in",
                                      "who has not called DeleteBucket", "which users haven't used mfa"])
def test_who_did_not_do_something_is_refused(question: str) -> None:
    # answered, these listed everyone with some other event: the absence of an event is not in the logs
    with pytest.raises(TranslationError, match="asks who did not do something"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("which ips ssh'd into 10.10.0.69",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstaddr = '10.10.0.69' AND dstport = 22 AND action = 'ACCEPT'"),
    ("which ips sshed to 10.10.0.69",
     "SELECT DISTINCT srcaddr FROM vpc_flow WHERE dstaddr = '10.10.0.69' AND dstport = 22 AND action = 'ACCEPT'"),
    ("how many ips ssh-ed into 10.10.0.69",
     "SELECT count(DISTINCT srcaddr) FROM vpc_flow WHERE dstaddr = '10.10.0.69' AND dstport = 22 AND action = 'ACCEPT'"),
])
def test_a_service_used_as_a_verb_got_in_over_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_scope_after_into_is_on_the_destination() -> None:
    sql = " ".join(translate("which ips ssh'd into internal hosts", DEMO_NOW)[0].split())
    assert "dstaddr LIKE '10.%'" in sql and "srcaddr LIKE" not in sql


_INGRESS = "eventname = 'AuthorizeSecurityGroupIngress'"


@pytest.mark.parametrize(("question", "reference"), [
    ("who called AuthorizeSecurityGroupIngress with 0.0.0.0/0",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_INGRESS} AND requestparameters LIKE '%0.0.0.0/0%'"),
    ("how many AuthorizeSecurityGroupIngress calls allowing 0.0.0.0/0",
     f"SELECT count(*) FROM cloudtrail WHERE {_INGRESS} AND requestparameters LIKE '%0.0.0.0/0%'"),
    ("who called AuthorizeSecurityGroupIngress without 0.0.0.0/0 in the request",
     f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_INGRESS} AND requestparameters NOT LIKE '%0.0.0.0/0%'"),
])
def test_the_whole_internet_beside_a_security_group_call_is_in_its_request(engine, question: str,
                                                                           reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
