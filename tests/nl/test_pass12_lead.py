"""A column named after the question that nothing placed is refused, never dropped ("which regions did svc-reporting
use? source ips" listed the regions alone); a list of columns before the rows it is of keeps its last column ("time and
region of every RunInstances call" showed the default columns, the region lost to "region of every")."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", [
    "which regions did svc-reporting use? source ips",
    "which regions did svc-reporting use - source ips",
    "which accounts did github-actions-deploy act in? source ips",
])
def test_a_column_after_the_question_that_nothing_placed_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="cannot add 'source ip'"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    # the column listed again after the question is the one listed (tail18's reading stays)
    ("which accounts did github-actions-deploy act in? account ids only",
     "SELECT DISTINCT recipientaccountid FROM cloudtrail WHERE useridentity.username = 'github-actions-deploy' "
     "OR useridentity.sessioncontext.sessionissuer.username = 'github-actions-deploy'"),
    # a filter's own noun at the end restates the filter
    ("errors from the billing-lambda role",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE errorcode IS NOT NULL AND useridentity.sessioncontext.sessionissuer.username = 'billing-lambda'"),
])
def test_a_column_said_again_still_reads(engine, question: str, reference: str) -> None:  # noqa: ANN001
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "reference"), [
    ("time and region of every RunInstances call",
     "SELECT eventtime, awsregion FROM cloudtrail WHERE eventname = 'RunInstances'"),
    ("give me the region and time of each RunInstances call",
     "SELECT awsregion, eventtime FROM cloudtrail WHERE eventname = 'RunInstances'"),
    ("show the time and source ip of every console login by alice.nguyen",
     "SELECT eventtime, sourceipaddress FROM cloudtrail WHERE useridentity.username = 'alice.nguyen' "
     "AND eventname = 'ConsoleLogin'"),
    ("event name and time of everything 203.0.113.171 did",
     "SELECT eventname, eventtime FROM cloudtrail WHERE sourceipaddress = '203.0.113.171'"),
])
def test_a_leading_list_keeps_its_last_column(engine, question: str, reference: str) -> None:  # noqa: ANN001
    same_rows(engine, question, reference)


def test_one_column_of_someone_is_still_a_phrase() -> None:
    # "the user agent of heidi.smith" names whose user agent, not the last column of a list
    sql = translate("the user agent of heidi.smith", DEMO_NOW)[0]
    assert "useragent" in sql and "heidi.smith" in sql


@pytest.mark.parametrize(("question", "reference"), [
    # GetRole is no List*/Describe* call: read as the concept AND the list it was dropped without a word
    ("iam enumeration (ListUsers, ListRoles, ListPolicies, ListAttachedUserPolicies, GetRole) per day",
     "SELECT substr(eventtime, 1, 10) AS day, count(*) AS calls FROM cloudtrail WHERE eventname IN ('ListUsers', "
     "'ListRoles', 'ListPolicies', 'ListAttachedUserPolicies', 'GetRole') GROUP BY 1"),
    ("discovery calls (ListBuckets, GetCallerIdentity) from 192.0.2.238",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE sourceipaddress = '192.0.2.238' AND eventname IN ('ListBuckets', 'GetCallerIdentity')"),
])
def test_calls_in_brackets_spell_out_the_concept(engine, question: str, reference: str) -> None:  # noqa: ANN001
    same_rows(engine, question, reference)


def test_one_call_in_brackets_still_narrows_the_concept() -> None:
    sql = translate("privilege escalation (AttachUserPolicy)", DEMO_NOW)[0]
    assert "'AttachUserPolicy'" in sql and "PutRolePolicy" in sql  # the concept's filter is kept beside the call
