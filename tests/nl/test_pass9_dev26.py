"""Pass 9, fix26: refusals of answerable questions read as the dev sets' writers read them — a ranking word after
the noun ranked ("most denied api call", "which single ip got rejected the most", "top 4 ssm parameters read with
GetParameter"), a value looked for in a finding's title, "exposed … publicly" as made public, and "full activity" /
"full row" as the plain listing."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_DENIED = "('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"


@pytest.mark.parametrize(("question", "reference"), [
    ("most denied api call",  # dev19 v084
     f"SELECT eventname, count(*) AS n FROM cloudtrail WHERE errorcode IN {_DENIED} GROUP BY eventname "
     "ORDER BY n DESC, eventname LIMIT 1"),
    ("the most denied call",
     f"SELECT eventname, count(*) AS n FROM cloudtrail WHERE errorcode IN {_DENIED} GROUP BY eventname "
     "ORDER BY n DESC, eventname LIMIT 1"),
    ("which single ip got rejected the most",  # dev23 z192, as dev5 f083 'which source ip got rejected the most'
     "SELECT srcaddr, count(*) AS n FROM vpc_flow WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY n DESC, srcaddr LIMIT 1"),
    ("top 4 ssm parameters read with GetParameter",  # dev11 n105
     "SELECT json_extract_scalar(requestparameters, '$.name') AS parameter, count(*) AS n FROM cloudtrail "
     "WHERE eventname = 'GetParameter' AND json_extract_scalar(requestparameters, '$.name') IS NOT NULL "
     "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 4"),
    ("top 3 ssm parameter names fetched with GetParameter",  # dev15 r071
     "SELECT json_extract_scalar(requestparameters, '$.name') AS parameter, count(*) AS n FROM cloudtrail "
     "WHERE eventname = 'GetParameter' AND json_extract_scalar(requestparameters, '$.name') IS NOT NULL "
     "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3"),
])
def test_a_ranking_word_after_the_noun_ranks_it(engine, question: str, reference: str) -> None:
    assert "LIMIT" in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_plural_rows_after_most_are_still_not_ranked_by_name() -> None:
    with pytest.raises(TranslationError, match="top what"):
        translate("the most failed calls", DEMO_NOW)


@pytest.mark.parametrize(("question", "value"), [
    ("guardduty findings that mention tyrell-backups-33c922 in the title", "tyrell-backups-33c922"),  # dev19 v034
    ("gd findings whose title names tyrell-backups-33c922", "tyrell-backups-33c922"),  # dev25 a058
    ("how many guardduty findings mention i-cab9541e488fe9331 in the title?", "i-cab9541e488fe9331"),  # dev9 l129
    ("findings with a title containing heidi.smith", "heidi.smith"),
])
def test_a_value_said_to_be_in_the_title_is_matched_in_the_title(engine, question: str, value: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert f"STRPOS(title, '{value}')" in sql and "resource," not in sql.split("WHERE")[1]
    columns = "count(*)" if question.startswith("how many") else "updatedat, severity, type, title, resourcetype, id"
    same_rows(engine, question, f"SELECT {columns} FROM guardduty WHERE title LIKE '%{value}%'")


def test_a_value_without_the_title_is_still_looked_for_in_the_resource() -> None:
    sql = translate("guardduty findings that mention tyrell-backups-33c922", DEMO_NOW)[0]
    assert "STRPOS(resource, 'tyrell-backups-33c922')" in sql and "title," in sql


_EXPOSED = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
            "WHERE eventname IN ('PutBucketPolicy', 'PutBucketAcl') OR (eventname = 'AuthorizeSecurityGroupIngress' "
            "AND requestparameters LIKE '%0.0.0.0/0%')")


@pytest.mark.parametrize("question", [
    "anything that exposed stuff publicly? list the events",  # dev19 v162
    "list every change that exposed something publicly",  # dev23 z171
])
def test_exposed_publicly_is_made_public(engine, question: str) -> None:
    assert same_rows(engine, question, _EXPOSED) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("full activity of lena.garcia@tyrell.com coming from 198.51.100.174, in time order",  # dev25 a036
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE useridentity.arn LIKE '%/lena.garcia@tyrell.com' AND sourceipaddress = '198.51.100.174'"),
    ("newest guardduty finding pls, full row",  # dev25 a154
     "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty ORDER BY updatedat DESC, id DESC LIMIT 1"),
])
def test_full_activity_or_row_is_the_listing(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_full_before_another_noun_stays_unread() -> None:
    with pytest.raises(TranslationError):
        translate("calls with full admin by lena.garcia@tyrell.com", DEMO_NOW)


_CREDENTIAL = "('GetSecretValue', 'GetParameter', 'GetParameters', 'CreateAccessKey')"


@pytest.mark.parametrize(("question", "reference"), [
    ("credential access events (secrets, params, new keys) yesterday",  # dev22 y137
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     f"WHERE eventname IN {_CREDENTIAL}"),
    ("credential access calls (secrets, ssm params, new keys) from iam users only, last 6 hrs",  # dev21 x028
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     f"WHERE useridentity.type = 'IAMUser' AND eventname IN {_CREDENTIAL}"),
    ("credential access events (secrets, ssm params, new access keys) per principal, yesterday",  # dev7 j094
     f"SELECT useridentity.arn, count(*) AS events FROM cloudtrail WHERE eventname IN {_CREDENTIAL} GROUP BY useridentity.arn"),
])
def test_the_parts_of_credential_access_named_aside_are_the_concept(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("top talkers by bytes in the flow logs, top 5 src",  # dev2 e082
     "SELECT srcaddr, sum(bytes) AS b FROM vpc_flow GROUP BY srcaddr ORDER BY b DESC, srcaddr LIMIT 5"),
    ("top talkers by flow count in the last 6 hours, top 3",  # dev14 q141
     "SELECT srcaddr, count(*) AS n FROM vpc_flow GROUP BY srcaddr ORDER BY n DESC, srcaddr LIMIT 3"),
    ("top talkers by bytes, top 4 src addrs",  # dev19 v080
     "SELECT srcaddr, sum(bytes) AS b FROM vpc_flow GROUP BY srcaddr ORDER BY b DESC, srcaddr LIMIT 4"),
])
def test_a_ranking_said_again_with_its_number_takes_the_number(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_credential_aside_naming_something_else_is_not_dropped_as_a_gloss() -> None:
    from workbench.nl.offline.normalise import normalise

    assert "buckets" in normalise("credential access events (secrets, buckets)")


def test_a_ranking_said_again_of_another_noun_stays_refused() -> None:
    with pytest.raises(TranslationError):
        translate("top talkers by bytes, top 4 destination ports", DEMO_NOW)


def test_producing_errors_is_having_errors(engine) -> None:  # dev19 v082, as 'generate' reads in ten golds
    assert same_rows(engine, "top 2 source ips producing errors in cloudtrail",
                     "SELECT sourceipaddress, count(*) AS n FROM cloudtrail WHERE errorcode IS NOT NULL "
                     "GROUP BY sourceipaddress ORDER BY n DESC, sourceipaddress LIMIT 2") > 0


@pytest.mark.parametrize("question", [
    "who changed bucket policies or bucket acls",  # dev23 z049
    "who changed bucket acls or bucket policies",
])
def test_bucket_acls_are_bucket_acl_changes(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "'PutBucketAcl'" in sql and "PutObjectAcl" not in sql
    same_rows(engine, question, "SELECT DISTINCT useridentity.arn FROM cloudtrail "
                                "WHERE eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl')")
