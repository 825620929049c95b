"""Classes the offline translator reads since pass 7 (wrong answers of development set dev24). Answered questions
run through the guard and the local engine and are compared with a reference query written here; refused ones
assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"


@pytest.mark.parametrize(("question", "reference"), [
    ("calls made with aws-cli/1.22.34",
     f"SELECT {_LISTING} FROM cloudtrail WHERE useragent LIKE '%aws-cli/1.22.34%'"),
    ("which ips used aws-cli/1.22.34",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useragent LIKE '%aws-cli/1.22.34%'"),
    ("who used Boto3/1.35.36",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE useragent LIKE '%Boto3/1.35.36%'"),
    ("how many events came from Mozilla/5.0",
     "SELECT count(*) FROM cloudtrail WHERE useragent LIKE '%Mozilla/5.0%'"),
])
def test_a_versioned_tool_is_a_user_agent(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("errorcode breakdown", "SELECT errorcode, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1"),
    ("breakdown of error codes", "SELECT errorcode, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1"),
    ("show me the region breakdown for dave.kowalski",
     "SELECT awsregion, count(*) FROM cloudtrail WHERE useridentity.username = 'dave.kowalski' GROUP BY 1"),
    ("dstport breakdown", "SELECT dstport, count(*) FROM vpc_flow GROUP BY 1"),
    ("eventsource breakdown", "SELECT eventsource, count(*) FROM cloudtrail GROUP BY 1"),
])
def test_a_breakdown_of_a_column_counts_per_value(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 1


@pytest.mark.parametrize("question", ["write (non-readonly) calls from 192.0.2.238", "non-readonly calls from 192.0.2.238",
                                      "non readonly calls from 192.0.2.238",
                                      "calls from 192.0.2.238 that were not readonly"])
def test_readonly_negated_is_the_write_calls(engine, question: str) -> None:
    reference = f"SELECT {_LISTING} FROM cloudtrail WHERE sourceipaddress = '192.0.2.238' AND readonly = 'false'"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("lambda.amazonaws.com events, who made them?",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventsource = 'lambda.amazonaws.com'"),
    ("how many kms.amazonaws.com calls", "SELECT count(*) FROM cloudtrail WHERE eventsource = 'kms.amazonaws.com'"),
    ("list sts.amazonaws.com api calls by dave.kowalski",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventsource = 'sts.amazonaws.com' "
     "AND useridentity.username = 'dave.kowalski'"),
])
def test_a_service_host_before_the_rows_is_the_service_called(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["calls from config.amazonaws.com", "what did config.amazonaws.com do",
                                      "events by config.amazonaws.com"])
def test_a_service_host_said_as_the_caller_is_still_the_source(engine, question: str) -> None:
    reference = f"SELECT {_LISTING} FROM cloudtrail WHERE sourceipaddress = 'config.amazonaws.com'"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "permission_set"), [
    ("which people used the AdministratorAccess sso permission set", "AdministratorAccess"),
    ("which people used the PowerUserAccess sso permission set", "PowerUserAccess"),
    ("which identity center users used the ReadOnlyAccess sso permission set", "ReadOnlyAccess"),
])
def test_an_sso_permission_set_is_its_reserved_role(engine, question: str, permission_set: str) -> None:
    reference = ("SELECT DISTINCT regexp_extract(useridentity.arn, '[^/]+$') FROM cloudtrail WHERE useridentity.type = "
                 "'AssumedRole' AND useridentity.sessioncontext.sessionissuer.username LIKE "
                 f"'AWSReservedSSO_{permission_set}_%'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("number of distinct users (iam) active yesterday",
     "SELECT count(DISTINCT useridentity.username) FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "AND eventtime >= '2026-11-19T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z'"),
    ("which users (iam) called ListBuckets",
     "SELECT DISTINCT useridentity.username FROM cloudtrail WHERE useridentity.type = 'IAMUser' "
     "AND eventname = 'ListBuckets'"),
])
def test_a_kind_of_user_said_aside_is_that_kind(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["which iam users appear in access key findings", "which iam users have findings"])
def test_iam_users_in_findings_are_the_keys_iam_user_owners(engine, question: str) -> None:
    reference = ("SELECT DISTINCT json_extract_scalar(resource, '$.accessKeyDetails.userName') FROM guardduty "
                 "WHERE json_extract_scalar(resource, '$.accessKeyDetails.userType') = 'IAMUser'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "side"), [
    ("10.10.16.65 total bytes out across all its flows", "srcaddr"),
    ("10.10.16.65 bytes out", "srcaddr"),
    ("10.10.16.65 total bytes in", "dstaddr"),
    ("10.10.16.65 total bytes received", "dstaddr"),
])
def test_bytes_out_or_in_after_an_address_is_its_side(engine, question: str, side: str) -> None:
    assert same_rows(engine, question, f"SELECT sum(bytes) FROM vpc_flow WHERE {side} = '10.10.16.65'") == 1


_PRIVATE = " OR ".join(f"dstaddr LIKE '{r}'" for r in ["10.%", "192.168.%", *(f"172.{n}.%" for n in range(16, 32))])


@pytest.mark.parametrize(("question", "reference"), [
    ("internal hosts 10.10.0.69 opened ssh connections to",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND dstport = 22 AND ({_PRIVATE})"),
    ("internal hosts that 10.10.0.69 opened ssh connections to",
     f"SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND dstport = 22 AND ({_PRIVATE})"),
    ("hosts 10.10.0.69 connected to", "SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69'"),
    ("ips 10.10.0.69 talked to", "SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '10.10.0.69'"),
])
def test_the_hosts_an_address_connected_to_are_listed(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["what changed", "what changed?", "did anything change?", "what was modified",
                                      "so what changed"])
def test_a_bare_change_is_refused_as_ambiguous(question: str) -> None:
    with pytest.raises(TranslationError, match="ambiguous: a change with nothing to place it"):
        translate(question, DEMO_NOW)


def test_a_placed_change_is_still_read() -> None:
    assert "readonly = 'false'" in translate("what changed in iam yesterday", DEMO_NOW)[0]


@pytest.mark.parametrize("question", ["did rupert.garcia log into the console with mfa every time?",
                                      "did rupert.garcia always use mfa",
                                      "does heidi.smith always sign in with mfa",
                                      "did rupert.garcia use mfa for every console login"])
def test_mfa_every_time_is_refused_with_the_counts_to_ask(question: str) -> None:
    with pytest.raises(TranslationError, match="with vs without mfa"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["guardduty findings about access keys or iam users",
                                      "findings on iam users or access keys"])
def test_iam_users_beside_access_keys_say_the_resource_again(engine, question: str) -> None:
    reference = ("SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty "
                 "WHERE resourcetype = 'AccessKey'")
    assert same_rows(engine, question, reference) > 0
