"""Classes of dev23's refusals (pass 8, a team lead's and an auditor's questions): two calendar days set against
each other ("yesterday vs the day before") read as a time relative to an event. Answers are compared with reference
rows; refusals assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

TWO_DAYS = "eventtime >= '2026-11-18T00:00:00Z' AND eventtime < '2026-11-20T00:00:00Z'"
PER_DAY = "SELECT date_trunc('day', from_iso8601_timestamp(eventtime)) AS day, count(*) FROM cloudtrail WHERE "


@pytest.mark.parametrize(("question", "reference"), [
    ("failed calls yesterday vs the day before", f"{PER_DAY}errorcode IS NOT NULL AND {TWO_DAYS} GROUP BY 1 ORDER BY 1"),
    ("compare GetObject calls for yesterday against the previous day",
     f"{PER_DAY}eventname = 'GetObject' AND {TWO_DAYS} GROUP BY 1 ORDER BY 1"),
    ("how many AssumeRole calls yesterday versus 2 days ago",
     f"{PER_DAY}eventname = 'AssumeRole' AND {TWO_DAYS} GROUP BY 1 ORDER BY 1"),
    ("consle logins yesterday compared with the day before",
     f"{PER_DAY}eventname = 'ConsoleLogin' AND {TWO_DAYS} GROUP BY 1 ORDER BY 1"),
    ("were there more findings yesterday or the day before",
     "SELECT date_trunc('day', from_iso8601_timestamp(updatedat)), count(*) FROM guardduty WHERE updatedat >= "
     "'2026-11-18T00:00:00Z' AND updatedat < '2026-11-20T00:00:00Z' GROUP BY 1 ORDER BY 1"),
    ("accepted flows the day before yesterday vs yesterday",
     "SELECT date_trunc('day', from_unixtime(start)), count(*) FROM vpc_flow WHERE action = 'ACCEPT' AND "
     "start >= 1794960000 AND start < 1795132800 GROUP BY 1 ORDER BY 1"),
    ("secret reads per day, yesterday vs. the day before",
     f"{PER_DAY}eventname = 'GetSecretValue' AND {TWO_DAYS} GROUP BY 1 ORDER BY 1"),
])
def test_yesterday_against_the_day_before_is_each_days_measure(engine, question: str, reference: str) -> None:
    # 'the day before' after 'yesterday' is a calendar day, not a time relative to an event: one row per day
    assert same_rows(engine, question, reference) > 0


def test_a_time_grouping_asked_is_kept_over_both_days() -> None:
    sql, _, window = translate("denied calls per hour yesterday vs the day before", DEMO_NOW)
    assert "SUBSTR(eventtime, 1, 13)" in sql and "SUBSTR(eventtime, 1, 10)" not in sql
    assert window is not None and (window.end - window.start).days == 2


@pytest.mark.parametrize("question", ["which access keys were used yesterday but not the day before",
                                      "failed logins the day before the StopLogging call"])
def test_days_set_apart_or_relative_to_an_event_still_refuse(question: str) -> None:
    # 'but not' asks for a difference of two sets, which rows per day do not answer
    with pytest.raises(TranslationError, match="before"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("compare activity of account 776471095852 and 426676542884",
     "SELECT recipientaccountid, count(*) FROM cloudtrail WHERE recipientaccountid IN ('776471095852', '426676542884') "
     "GROUP BY 1"),
    ("compare finding counts for 776471095852 vs 426676542884",
     "SELECT accountid, count(*) FROM guardduty WHERE accountid IN ('776471095852', '426676542884') GROUP BY 1"),
    ("compare errors in us-east-1 with eu-west-1",
     "SELECT awsregion, count(*) FROM cloudtrail WHERE awsregion IN ('us-east-1', 'eu-west-1') "
     "AND errorcode IS NOT NULL GROUP BY 1"),
    ("please compare calls from 203.0.113.77 and 198.51.100.149",
     "SELECT sourceipaddress, count(*) FROM cloudtrail WHERE sourceipaddress IN ('203.0.113.77', '198.51.100.149') GROUP BY 1"),
])
def test_compare_two_values_is_the_measure_for_each(engine, question: str, reference: str) -> None:
    # the verb sets the two values against each other, as 'A vs B' does; without it 'A and B' is both together
    assert same_rows(engine, question, reference) > 0


def test_values_joined_without_the_verb_stay_together() -> None:
    assert "GROUP BY" not in translate("calls in 776471095852 and 426676542884", DEMO_NOW)[0]


def test_compare_with_nothing_named_still_refuses() -> None:
    with pytest.raises(TranslationError, match="compare"):
        translate("compare those two for me", DEMO_NOW)
