"""Known wrong readings fixed in pass 7, each as a class: answered questions run through the guard and the local
engine and are compared with a reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_FLOW = "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow"
_FLOW_TIES = "start, srcaddr, srcport, dstaddr, dstport"


@pytest.mark.parametrize("question", ["the flow with the most bytes", "the single biggest flow", "the largest flow",
                                      "which flow moved the most bytes", "the connection that transferred the most bytes"])
def test_the_singular_flow_is_one_row(engine, question: str) -> None:
    assert same_rows(engine, question, f"{_FLOW} ORDER BY bytes DESC, {_FLOW_TIES} LIMIT 1") == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("the flow with the fewest packets", f"{_FLOW} ORDER BY packets, {_FLOW_TIES} LIMIT 1"),
    ("the flow with the most packets", f"{_FLOW} ORDER BY packets DESC, {_FLOW_TIES} LIMIT 1"),
    ("the biggest flows", f"{_FLOW} ORDER BY bytes DESC, {_FLOW_TIES} LIMIT 10"),
    ("top 3 largest flows", f"{_FLOW} ORDER BY bytes DESC, {_FLOW_TIES} LIMIT 3"),
])
def test_ranked_flows_keep_their_direction_and_number(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


_FINDINGS = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty WHERE "


@pytest.mark.parametrize(("question", "pattern"), [
    ("findings about crypto-mining", "CryptoCurrency:%"),
    ("crypto-mining findings", "CryptoCurrency:%"),
    ("any cryptomining findings?", "CryptoCurrency:%"),
    ("guardduty findings about coin mining", "CryptoCurrency:%"),
    ("findings related to brute-forcing", "%BruteForce%"),
    ("reconnaissance findings", "Recon:%"),
    ("back-door findings", "Backdoor:%"),
    ("kali linux findings", "PenTest:%"),
    ("pen test findings", "PenTest:%"),
])
def test_finding_families_in_prose_are_type_prefixes(engine, question: str, pattern: str) -> None:
    same_rows(engine, question, f"{_FINDINGS}type LIKE '{pattern}'")
    assert "resource" not in translate(question, DEMO_NOW)[0].split("WHERE")[1].replace("resourcetype", "")


_ASSUMED = "eventname IN ('AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML')"


@pytest.mark.parametrize("question", ["which aws services assumed roles", "what services assumed roles",
                                      "which services assumed a role", "which aws services assumed a role yesterday"])
def test_services_that_assumed_roles_are_the_callers(engine, question: str) -> None:
    window = " AND eventtime >= '2026-11-19T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z'" \
        if "yesterday" in question else ""
    reference = (f"SELECT DISTINCT useridentity.invokedby FROM cloudtrail WHERE {_ASSUMED} "
                 f"AND useridentity.invokedby IS NOT NULL{window}")
    assert same_rows(engine, question, reference) == 2


def test_assumptions_per_service_count_the_callers(engine) -> None:
    reference = (f"SELECT useridentity.invokedby, count(*) FROM cloudtrail WHERE {_ASSUMED} "
                 "AND useridentity.invokedby IS NOT NULL GROUP BY 1")
    assert same_rows(engine, "roles assumed per aws service", reference) == 2


@pytest.mark.parametrize(("question", "call"), [
    ("which roles were assumed through web identity", "AssumeRoleWithWebIdentity"),
    ("what roles were assumed with web identity", "AssumeRoleWithWebIdentity"),
    ("which roles got assumed via web identity federation", "AssumeRoleWithWebIdentity"),
    ("which roles were assumed via SAML", "AssumeRoleWithSAML"),
    ("list the roles assumed through SAML", "AssumeRoleWithSAML"),
])
def test_roles_assumed_through_federation_are_the_roles_in_the_request(engine, question: str, call: str) -> None:
    arn = "json_extract_scalar(requestparameters, '$.roleArn')"
    reference = f"SELECT DISTINCT {arn} FROM cloudtrail WHERE eventname = '{call}' AND {arn} IS NOT NULL"
    same_rows(engine, question, reference)


@pytest.mark.parametrize("question", ["which bucket was the trail pointed at", "which s3 bucket does the trail deliver to",
                                      "what bucket does cloudtrail log to", "which bucket is the trail writing logs to",
                                      "where does the trail write its logs", "where is cloudtrail delivering logs to"])
def test_the_trails_bucket_is_the_one_its_request_names(engine, question: str) -> None:
    bucket = "json_extract_scalar(requestparameters, '$.s3BucketName')"
    reference = (f"SELECT DISTINCT {bucket} FROM cloudtrail WHERE eventname IN ('CreateTrail', 'UpdateTrail') "
                 f"AND {bucket} IS NOT NULL")
    assert same_rows(engine, question, reference) == 1


def test_who_pointed_the_trail_names_the_bucket_of_the_request(engine) -> None:
    bucket = "json_extract_scalar(requestparameters, '$.s3BucketName')"
    reference = (f"SELECT DISTINCT useridentity.arn, {bucket} FROM cloudtrail WHERE eventname IN ('CreateTrail', "
                 f"'UpdateTrail') AND {bucket} IS NOT NULL")
    assert same_rows(engine, "who pointed the trail at a different bucket", reference) == 1


_EVENTS = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "


@pytest.mark.parametrize(("question", "call", "value"), [
    ("FilterLogEvents calls mentioning prod-orders-handler", "FilterLogEvents", "prod-orders-handler"),
    ("FilterLogEvents calls about dev-nightly-report", "FilterLogEvents", "dev-nightly-report"),
    ("GetSecretValue calls for orders-api", "GetSecretValue", "orders-api"),
    ("GetSecretValue calls regarding billing-api", "GetSecretValue", "billing-api"),
])
def test_a_name_about_a_call_is_in_its_request(engine, question: str, call: str, value: str) -> None:
    reference = f"{_EVENTS}WHERE eventname = '{call}' AND requestparameters LIKE '%{value}%'"
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "user"), [
    ("FilterLogEvents calls by dave.kowalski", "dave.kowalski"),
    ("GetSecretValue calls for dave.kowalski", "dave.kowalski"),  # a person's shape: the one calling
    ("RunInstances per region for svc-reporting", "svc-reporting"),  # a call that reads no one named resource
    ("most recent ConsoleLogin for mallory.reyes", "mallory.reyes"),
])
def test_a_name_by_or_for_a_caller_is_still_the_caller(question: str, user: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert f"useridentity.username = '{user}'" in sql and "STRPOS(requestparameters" not in sql


_LOGIN_PROFILE = "eventname IN ('CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile')"


@pytest.mark.parametrize(("question", "changed"), [
    ("who changed terraform-runner-aed5's console password", True),
    ("who updated terraform-runner-aed5's login profile", False),
    ("who modified terraform-runner-aed5's console password", True),
    ("who changed heidi.smith's console password", True),
])
def test_a_possessive_after_a_verb_is_the_user_acted_on(engine, question: str, changed: bool) -> None:
    user = question.split()[2].split("'")[0]
    reference = (f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE {_LOGIN_PROFILE} "
                 f"AND json_extract_scalar(requestparameters, '$.userName') = '{user}'"
                 + (" AND readonly = 'false'" if changed else ""))
    same_rows(engine, question, reference)
    assert "useridentity.username" not in translate(question, DEMO_NOW)[0]


@pytest.mark.parametrize("question", ["GetObject calls w/e the bucket", "i/o errors", "calls with a/b testing",
                                      "secret reads for foo/bar"])
def test_slashed_shorthand_is_not_a_secret(question: str) -> None:
    with pytest.raises(TranslationError, match="did not understand"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "secret"), [("who read prod/orders-api", "prod/orders-api"),
                                                  ("who read the secret dev/billing", "dev/billing"),
                                                  ("GetSecretValue calls for security/orders-api/db", "security/orders-api/db")])
def test_path_shaped_secrets_are_still_read(engine, question: str, secret: str) -> None:
    reference = (f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'GetSecretValue' "
                 f"AND json_extract_scalar(requestparameters, '$.secretId') LIKE '%{secret}%'")
    if question.startswith("GetSecretValue"):
        reference = (f"{_EVENTS}WHERE eventname = 'GetSecretValue' "
                     f"AND json_extract_scalar(requestparameters, '$.secretId') LIKE '%{secret}%'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["who opened a security group to ::/0", "security group ingress rules allowing ::/0",
                                      "AuthorizeSecurityGroupIngress calls allowing ::/0"])
def test_ipv6_everywhere_stays_ipv6(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "'::/0'" in sql and "0.0.0.0/0" not in sql
    if question.startswith("who"):
        reference = ("SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'AuthorizeSecurityGroupIngress' "
                     "AND strpos(requestparameters, '::/0') > 0")
        same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "reason"), [
    ("sg rules open to 0.0.0.0/0 or ::/0", "two ranges"),
    ("who opened a security group to 0.0.0.0/0 and ::/0", "two ranges"),
    ("flows to ::/0", "only in security-group requests"),
])
def test_ipv6_everywhere_is_refused_where_it_cannot_be_read(question: str, reason: str) -> None:
    with pytest.raises(TranslationError, match=reason):
        translate(question, DEMO_NOW)
