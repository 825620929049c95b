"""Classes the offline translator reads since the dev9 misses (incident-response questions of issue 25).

Phrasings here are written for the class, not copied from dev9; answered questions run on the demo lake and
are compared with a reference query written here, refusals assert their reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", [
    "who ran CreateAccessKey and against which user",
    "CreateAccessKey events: who made them, against what user?",
])
def test_against_which_user_is_the_user_acted_on(engine, question: str) -> None:
    reference = ("SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
                 "WHERE eventname = 'CreateAccessKey'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "who created users and what were they named",
    "who made new iam users, and what were the new users called?",
])
def test_what_the_created_users_were_called_is_the_user_acted_on(engine, question: str) -> None:
    reference = ("SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
                 "WHERE eventname = 'CreateUser'")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "earliest event from 192.0.2.88, show me the event",
    "the first call 192.0.2.88 made and what that was",
])
def test_the_first_event_shown_is_the_row_itself(engine, question: str) -> None:
    reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                 "FROM cloudtrail WHERE sourceipaddress = '192.0.2.88' ORDER BY eventtime, eventid LIMIT 1")
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize("question", [
    "source ips used by the anonymous s3 requesters",
    "user agents seen in calls made by the anonymous principals",
])
def test_by_after_a_participle_names_who_acted_never_a_grouping(question: str) -> None:
    # 'by' here is the agent of 'used'/'made': read as a filter or refused, never counts per principal
    try:
        sql, _, _ = translate(question, DEMO_NOW)
    except TranslationError:
        return
    assert "GROUP BY" not in sql


def test_made_by_a_bare_noun_still_groups(engine) -> None:
    reference = "SELECT useridentity.arn, count(*) FROM cloudtrail GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    assert same_rows(engine, "api calls made by user, top 5", reference) > 0
