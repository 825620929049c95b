"""Classes read since dev10 (plain-English questions by analysts who do not know the API names).

Each class came from misses on dev10.yaml; the phrasings here are not dev10's. Answered questions run
through the guard and the local engine and are compared with a reference query written here.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", ["has logging been switched off", "who turned logging off",
                                      "was logging disabled by anybody"])
def test_logging_turned_off_is_every_log_stopped(engine, question: str) -> None:
    events = "('StopLogging', 'DeleteTrail', 'DeleteFlowLogs')"
    if question.startswith("who"):
        reference = f"SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname IN {events}"
    else:
        reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                     f"FROM cloudtrail WHERE eventname IN {events}")
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["who turned the cloudtrail trail off", "who switched off cloudtrail"])
def test_the_trail_switched_off_is_stopped_or_deleted(engine, question: str) -> None:
    reference = "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname IN ('StopLogging', 'DeleteTrail')"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["who created keys for people", "list new keys"])
def test_a_bare_key_made_is_an_access_key(engine, question: str) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert "'CreateAccessKey'" in sql and "'CreateKey'" not in sql
    assert "'CreateKey'" in translate("kms keys created", DEMO_NOW)[0]


@pytest.mark.parametrize("question", ["did anyone get in from 192.0.2.88", "who got in from 192.0.2.88"])
def test_getting_in_is_a_sign_in_that_worked(engine, question: str) -> None:
    columns = "DISTINCT useridentity.arn" if question.startswith("who") else (
        "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid")
    reference = (f"SELECT {columns} FROM cloudtrail WHERE sourceipaddress = '192.0.2.88' AND eventname = 'ConsoleLogin' "
                 "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'")
    same_rows(engine, question, reference)
    assert "made in" not in translate("api calls made in eu-west-1", DEMO_NOW)[1]
    assert "ConsoleLogin" not in translate("api calls made in eu-west-1", DEMO_NOW)[0]


@pytest.mark.parametrize("question", ["how many calls came from org-wide roles", "which prod-facing users were active"])
def test_a_compound_modifier_is_not_a_name(question: str) -> None:
    with pytest.raises(TranslationError, match="did not understand"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize("question", ["did 198.51.100.174 disable guardduty or logging? show it",
                                      "was 198.51.100.174 tampering with logging or guardduty? list them"])
def test_a_lead_that_asks_its_own_question_is_not_dropped(question: str) -> None:
    try:
        sql, _, _ = translate(question, DEMO_NOW)
    except TranslationError:
        return  # refusing is fine; answering with the address alone is not
    assert "eventname" in sql
