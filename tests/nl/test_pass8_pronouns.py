"""'did they get in': a pronoun as the subject of a yes/no question, with nothing named it could stand for, is a
follow-up to an earlier question; answered alone it was every successful sign-in of the lake."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", ["did they get in", "were they successful", "so did they get in?",
                                      "and did they get in?", "have they logged in since"])
def test_a_subject_pronoun_naming_nothing_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="does not name"):
        translate(question, DEMO_NOW)


def test_they_beside_a_named_value_is_that_value(engine) -> None:
    reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                 "FROM cloudtrail WHERE sourceipaddress = '192.0.2.88' AND eventname = 'ConsoleLogin' AND "
                 "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'")
    assert same_rows(engine, "did they get in from 192.0.2.88", reference) > 0
