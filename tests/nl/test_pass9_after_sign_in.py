"""'what did heidi.smith do after signing in from 192.0.2.88': the calls that followed a sign-in are the subject's calls
from that address other than the sign-in itself, as six independent writers read it; every other time relative to an
event is still refused."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_AFTER = ("SELECT eventtime FROM cloudtrail WHERE useridentity.username = 'heidi.smith' "
          "AND sourceipaddress = '192.0.2.88' AND eventname <> 'ConsoleLogin'")


@pytest.mark.parametrize("question", [
    "what did heidi.smith do after signing in from 192.0.2.88",
    "what did heidi.smith do after the console login from 192.0.2.88",
    "after the brute force got in, what did heidi.smith do from 192.0.2.88 besides ConsoleLogin?",
    "what did heidi.smith do right after her successful login from 192.0.2.88",
])
def test_activity_after_a_sign_in_is_the_calls_from_that_address_but_the_sign_in(engine, question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "'192.0.2.88'" in sql and "eventname = 'ConsoleLogin'" in sql and "heidi.smith" in sql
    reference = _AFTER.replace("SELECT eventtime", "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, "
                               "eventname, errorcode, eventid")
    assert same_rows(engine, question, reference) > 0


def test_two_after_clauses_both_read() -> None:
    sql, _, window = translate("what did heidi.smith do right after her console login on the 19th? all her calls from "
                               "192.0.2.88 after the successful sign-in", DEMO_NOW)
    assert "'192.0.2.88'" in sql and window is not None and window.start.day == 19


@pytest.mark.parametrize("question", [
    "what did heidi.smith do after the StopLogging call",
    "did heidi.smith log in after the brute force",
    "what did heidi.smith do before signing in from 192.0.2.88",
])
def test_other_times_relative_to_an_event_stay_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)
